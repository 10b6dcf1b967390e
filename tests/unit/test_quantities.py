"""Which kind of figure a request asks for, and whether an answer holds one."""

import pytest

from advisor.core.quantities import asked_figure, holds_figure

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("What percentage of MLOps jobs are fully remote?", "percent"),
        ("i want to know how much is the salary of administrator of networks", "pay"),
        ("how much is the CKA exam", "price"),
        ("what % of mlops engineers have a master's degree", "percent"),
        ("What's the pass rate for the CKA exam?", "percent"),
        ("How many hours a week do they usually work?", "hours"),
        ("how often would I be on call?", "frequency"),
        ("how long does it take to become one?", "duration"),
        ("how much does the CKA cost?", "price"),
        ("How much does a coding bootcamp cost compared with a CS degree?", "price"),
        ("how much do data scientists make", "pay"),
        ("ok but what do they make starting out, first job", "pay"),
        ("what does an actual software dev make on avg", "pay"),
        ("what does a dba make sure of every night?", None),  # "make" that is no pay
        ("what do data scientists make of messy data?", None),
        ("how many interview rounds does meta have", "count"),
        ("how much experience do I need?", None),
        ("what does an MLOps engineer do?", None),
        ("which pays more, DBA or security analyst?", None),
        # the pay word leading: pay for the role ("security" there is a role, not job security)
        ("pay for that vs security", "pay"),
        ("and salary?", "pay"),
        ("pay for the CKA?", None),
        ("pay off my loans first?", None),
    ],
)
def test_the_kind_of_figure_a_request_asks_for(request_text, kind):
    assert asked_figure(request_text) == kind


@pytest.mark.parametrize(
    ("kind", "text", "held"),
    [
        ("percent", "Employment is projected to grow 34 percent from 2024 to 2034.", True),
        ("percent", "MLOps engineers are in high demand.", False),
        ("hours", "Some put in more than 40 hours a week.", True),
        ("hours", "A typical day starts with reviewing alerts.", False),
        ("duration", "Becoming one takes about 4-6 years.", True),
        ("duration", "It takes four to six years in all.", True),
        ("duration", "The CKA costs $395.", False),
        ("price", "The CKA costs $395.", True),
        ("price", "Tecton: an enterprise feature store platform", False),
        ("price", "Software developers earned a median of $133,080 a year in May 2024.", False),
        ("price", "That is a median of $60.05 an hour.", False),
        ("price", "The highest-paid reach total compensation of $250,000+.", False),  # pay, not a price
        ("pay", "Software developers earned a median of $133,080 a year in May 2024.", True),
        ("count", "The six certifications worth considering are:", True),
        ("count", "Interviews cover system design.", False),
    ],
)
def test_whether_an_answer_holds_that_kind_of_figure(kind, text, held):
    assert holds_figure(kind, text) is held


@pytest.mark.parametrize(
    ("request_text", "facet"),
    [
        ("bls says data scientists median is 150k so im expecting at least that", "pay"),
        ("with infosec only growing like 12% over ten years is it worth it", "outlook"),
        ("I can spend $200 max on a cert, which one?", None),  # a budget, not a salary
        ("what do they earn?", None),
    ],
)
def test_a_figure_the_user_states_is_a_premise_of_its_facet(request_text, facet):
    from advisor.core.quantities import stated_facet

    assert stated_facet(request_text) == facet


@pytest.mark.parametrize(
    ("request_text", "subject"),
    [
        ("how much is the ckad exam? not the cka", "ckad"),
        ("how much does tesla pay its mlops engineers", "tesla"),
        ("price of the databricks ml professional cert?", "databricks ml professional cert"),
        ("how many meetings would I be stuck in, and what kind?", "meetings"),
        ("what's the unemployment rate for software developers right now", "unemployment"),
        ("what do they earn?", ""),
    ],
)
def test_what_a_figure_is_asked_about(request_text, subject):
    from advisor.core.quantities import figure_subject

    assert figure_subject(request_text) == subject


def test_a_percentage_answers_only_when_it_is_about_what_was_asked():
    growth = "Analysts are projected to rise by 29 percent over 2024-2034."

    def words_of(text):
        return set(text.lower().replace("?", "").split()) - {
            "what",
            "percentage",
            "of",
            "are",
            "will",
            "the",
            "analysts",
        }

    assert not holds_figure("percent", growth, "what percentage of analysts are women", words_of)
    assert holds_figure("percent", growth, "what percentage will the field grow", words_of)


def test_pay_at_a_career_stage_the_shown_pay_does_not_speak_of():
    from advisor.core.quantities import pay_for_a_level

    median = "Bakers earned a median of $38,000 a year in May 2024."
    assert pay_for_a_level("what would he make in his very first year out of school?", median) == "starting pay"
    assert pay_for_a_level("what's the entry-level salary?", "Entry-level bakers earn $30,000.") == ""
    assert pay_for_a_level("what do bakers earn?", median) == ""


def test_a_price_answers_only_when_it_names_the_thing_priced():
    prices = "The AWS Machine Learning Specialty costs $300. Terraform Associate certifications cost $70."

    def words_of(text):
        return {w.rstrip("s") for w in text.lower().replace("?", "").split() if len(w) > 3} - {"much", "doe", "cost"}

    assert not holds_figure("price", prices, "how much does a masters degree cost?", words_of)
    assert holds_figure("price", prices, "how much do the certs cost?", words_of)
    assert holds_figure("price", prices, "how much would it cost me?", words_of)


def test_a_price_of_what_was_just_shown_needs_no_name():
    prices = "The CKA costs $395. The Terraform Associate costs $70."
    assert holds_figure("price", prices, "if i do both how much is that all together", lambda t: set(t.lower().split()))


def test_pay_at_a_percentile_is_a_level_the_median_does_not_give():
    from advisor.core.quantities import pay_for_a_level

    shown = "Analysts earned a median of $124,910 a year in May 2024."
    assert pay_for_a_level("whats the top 10% pay for infosec analysts, like 90th percentile", shown)
    assert pay_for_a_level("what is the median pay for analysts", shown) == ""
