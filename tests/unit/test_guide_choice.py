"""Which guide a conversation turn is answered from when the request names none."""

import pytest

from tests.fakes import fake_advisor, talk

pytestmark = pytest.mark.unit

BAKER = """# Baker Career Guide

## How much do bakers earn?

Bakers earned a median of $38,000 a year in May 2024.

## How fast is the field growing?

Baker jobs are projected to grow 5 percent over 2024-2034.
"""

PILOT = """# Pilot Career Guide

## How much do pilots earn?

Pilots earned a median of $220,000 a year in May 2024.

## How fast is the field growing?

Pilot jobs are projected to grow 4 percent over 2024-2034.
"""


@pytest.fixture(scope="module")
def advisor():
    return fake_advisor([BAKER, PILOT], default_guide="Pilot")


def test_a_request_naming_no_role_is_about_the_default_guide(advisor):
    assert "$220,000" in advisor.ask("How much do they earn?").answer


def test_my_current_job_is_the_users_own_roles_guide(advisor):
    answer = advisor.ask("I'm a baker at a supermarket. How much does my current job pay?").answer
    assert "$38,000" in answer and "$220,000" not in answer


def test_the_conversation_stays_with_the_guide_last_quoted(advisor):
    answer = talk(advisor, "How much do bakers earn?", "How fast is the field growing?")
    assert "5 percent" in answer.answer and "4 percent" not in answer.answer


def test_compared_to_what_i_earn_now_puts_the_users_own_guide_beside(advisor):
    answer = talk(advisor, "I'm a baker at a supermarket.", "How does pilot pay compare to what I earn now?")
    assert "$220,000" in answer.answer and "$38,000" in answer.answer
