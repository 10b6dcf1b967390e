"""Our own words when no guide is quoted: a thanks is answered for what the person said."""

import pytest

from advisor.core.replies import thanks
from tests.fakes import fake_advisor, talk
from tests.unit.test_guide_choice import BAKER, PILOT

pytestmark = pytest.mark.unit


def test_a_thanks_after_a_hard_time_is_met_with_sympathy_not_a_catalogue():
    reply = thanks("thank you, really. its been a rough couple years", "data scientists", "bakers and pilots")
    assert "sorry" in reply and "data scientists" in reply and "bakers and pilots" not in reply


def test_feeling_less_lost_is_no_hard_time():
    assert "sorry" not in thanks("thanks so much, I feel a lot less lost now", "bakers", "bakers and pilots")


def test_a_thanks_in_spanish_is_answered_in_spanish():
    assert thanks("muchas gracias amigo", "bakers", "bakers and pilots").startswith("¡De nada!")


def test_a_thanks_mid_conversation_offers_more_on_the_role_discussed():
    advisor = fake_advisor([BAKER, PILOT], default_guide="Pilot")
    reply = talk(advisor, "How much do bakers earn?", "thanks, that helps").answer
    assert reply.startswith("You're welcome!") and "more on bakers" in reply and "good luck" in reply.lower()
    first = advisor.ask("thanks!").answer
    assert "bakers" in first and "pilots" in first and "luck" not in first  # nothing discussed yet: what I cover


def test_a_remark_then_thanks_is_thanked_not_refused():
    advisor = fake_advisor([BAKER, PILOT], default_guide="Pilot")
    reply = talk(
        advisor,
        "How much do bakers earn?",
        "yeah night shifts are not what i need rn. thanks anyway, going to go touch grass",
    )
    assert reply.grounded is False and reply.answer.startswith("You're welcome!")
