"""Typo repair reads a message in the knowledge base's words, and leaves every other word as typed."""

import pytest

from advisor.core.spelling import Speller
from tests.fakes import fake_advisor
from tests.unit.test_plans import GUIDE

pytestmark = pytest.mark.unit

KB_WORDS = "what programming language matters most for a security analyst salary kubernetes certification".split()


@pytest.fixture(scope="module")
def speller():
    return Speller().learn(KB_WORDS)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("what programing langage most important", "what programming language most important"),
        ("how to be security analist", "how to be security analyst"),
        ("kubernets certfication price?", "kubernetes certification price?"),
        # English words and names the guides never use stay, so the gate still sees them
        ("what's the weather in seattle", "what's the weather in seattle"),
        ("does zalando hire", "does zalando hire"),
        # a clitic typed without its apostrophe is no typo ("thats" is not "that")
        ("whats the job thats closest, doesnt matter", "whats the job thats closest, doesnt matter"),
        # short words are too often other words one letter away ("dont" is no "done")
        ("i dont code", "i dont code"),
        # words inside a URL, an e-mail address or a hashtag are not repaired
        ("see langage.example.com or #langage", "see langage.example.com or #langage"),
    ],
)
def test_a_typo_is_read_as_the_knowledge_base_word_it_misspells(speller, typed, read):
    assert speller.correct(typed) == read


def test_a_question_with_typos_gets_the_answer_of_the_question_spelt_right():
    advisor = fake_advisor([GUIDE])
    for typed, meant in [
        ("how long to becme a data engineer", "how long to become a data engineer"),
        ("how much do data enginers earn?", "how much do data engineers earn?"),
    ]:
        assert advisor.ask(typed).answer == advisor.ask(meant).answer


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("how much do dbas earn in USA?", "how much do dbas earn in U.S.?"),
        ("pay in the United States of America", "pay in the U.S."),
        ("is the u.s.a. good for it", "is the U.S. good for it"),
        ("tell us about it", "tell us about it"),  # "us" is no country
        ("what is salary for software developer in america?", "what is salary for software developer in U.S.?"),
        ("pay in south america", "pay in south america"),
    ],
)
def test_the_country_the_guides_write_as_us_is_read_so_however_typed(speller, typed, read):
    assert speller.correct(typed) == read
