"""Which guide a request names: role words from the titles, and the other names a guide lists."""

import pytest

from advisor.core.guides import GuideNames

pytestmark = pytest.mark.unit

DB = "Database Administrator and Architect Career Guide"
DEV = "Software Developer Career Guide"
DS = "Data Scientist Career Guide"
NAMES = GuideNames(
    [(DB, "Databases keep data safe."), (DEV, "Developers write software."), (DS, "Data scientists model data.")],
    {DB: "DBA, database admin", DEV: "software engineer, SWE, QA tester, quality assurance analyst"},
)


@pytest.mark.parametrize(
    ("text", "guides"),
    [
        ("how much does a DBA make", [DB]),
        ("are DBAs in demand", [DB]),
        ("median pay for a swe in the states?", [DEV]),
        ("what do QA testers earn", [DEV]),
        ("dba or data scientist, which pays more", [DB, DS]),
        ("what does a data engineer do", []),  # shares "data" with a title: another role
        ("how do I become a nurse", []),
        ("how much do data sciencists earn", [DS]),  # a typo of a long role word
        ("what does a data base admin do", [DB]),  # a one-word name typed as two
        ("is a data analyst a data scientist", [DS]),  # "analyst" is no typo of another guide's word here
        ("torn between software engineering and being a data scientist", [DEV, DS]),  # the field of "software engineer"
        ("what is data engineering", []),
    ],
)
def test_a_request_names_the_guide_of_an_other_name_for_its_role(text, guides):
    assert NAMES.mentioned(text) == guides


def test_a_role_phrase_made_of_an_other_name_is_a_covered_role():
    assert NAMES.named_by(["software", "QA", "testers"]) == DEV
    assert NAMES.named_by(["data", "engineer"]) is None


def test_other_names_are_dropped_with_the_role_words():
    assert NAMES.without_role_words("how much do DBAs earn") == "how much do earn"


def test_a_title_word_that_names_another_role_stays():
    names = GuideNames([("MLOps Engineer Career Guide", "MLOps engineers run ML systems.")])
    assert (
        names.without_role_words("how do MLOps engineers differ from ML engineers?")
        == "how do differ from ML engineers?"
    )


def test_a_word_mostly_used_by_one_guide_names_it_alone_but_not_in_job_security():
    sec = "Information Security Analyst Career Guide"
    net = "Network Administrator Career Guide"
    chunks = [
        (sec, "Security analysts protect systems."),
        (sec, "Security work pays well."),
        (sec, "Security teams grow."),
    ]
    names = GuideNames([*chunks, (net, "Networks need security too."), (net, "Admins run networks.")])
    assert names.mentioned("for security how much experience do they want") == [sec]  # 3 of 4 chunks: 0.75
    assert names.mentioned("what about job security for network admins") == [net]


def test_a_one_word_other_name_typed_as_two_words_names_its_guide():
    names = GuideNames([(DB, "x"), (DEV, "y")], {DB: "sysadmin"})  # any one-word other name
    assert names.mentioned("skills for a sys admin?") == [DB]
    assert names.named_by(["sys", "admin"]) == DB


def test_a_shared_last_word_after_another_word_names_another_job():
    names = GuideNames(
        [("MLOps Engineer Career Guide", "MLOps engineers run ML systems."), (DS, "Data scientists model data.")]
    )
    assert names.mentioned("what do ML engineers earn") == []
    assert names.mentioned("how much does an mlops engineer make") == ["MLOps Engineer Career Guide"]
    assert names.mentioned("what does an engineer earn") == ["MLOps Engineer Career Guide"]


def test_the_person_word_of_a_role_clipped_to_a_few_letters_still_names_it():
    mlops = "MLOps Engineer Career Guide"
    chunks = [
        (mlops, "MLOps engineers run ML systems."),
        (DS, "Data scientists model data."),
        (DEV, "Software developers code."),
    ]
    names = GuideNames(chunks)
    assert names.mentioned("how long to become an mlops eng from zero") == [mlops]
    assert names.named_by(["mlops", "eng"]) == mlops
    assert names.mentioned("what do full stack devs make") == [DEV]
    assert names.mentioned("data sci outlook") == [DS]
    assert names.mentioned("what do ml engs make") == []  # another kind of engineer, clipped
    assert names.unclipped("eng") == "engineer" and names.unclipped("data") == "data"


def test_the_plural_of_a_role_word_after_another_word_is_a_kind_of_thing_not_the_role():
    net = "Network Administrator Career Guide"
    names = GuideNames([(net, "Network administrators run networks."), (DS, "Data scientists model data.")])
    assert names.mentioned("will I be designing neural networks all day as a data scientist?") == [DS]
    assert names.mentioned("who protects access to networks, which role?") == [net]
    assert names.mentioned("what about network admins?") == [net]


def test_the_other_names_a_text_uses_as_a_whole_are_its_words_for_the_role():
    assert NAMES.other_name_words("how much does a DBA make") == {"dba"}
    assert NAMES.other_name_words("do QA testers need SQL") == {"qa", "tester"}
    assert NAMES.other_name_words("which QA tools") == frozenset()  # "QA" alone names no role here
    assert NAMES.other_name_words("how do data scientists model data") == frozenset()  # title words stay


def test_a_requests_words_for_its_role_are_not_searched_for_in_its_guide(monkeypatch):
    """ "who hires for the cyber jobs": "cyber" names the role, so a part using it is no better for it."""
    from advisor.core import plans
    from tests.fakes import fake_advisor

    guide = (
        '---\ntitle: Security Analyst Career Guide\nalso_called: "cyber"\n---\n# Security Analyst Career Guide\n\n'
        "## Who employs them?\n\nBanks do.\n\n## Which titles?\n\nTitles include cyber analyst.\n"
    )
    seen = []
    original = plans.Planner.plan
    monkeypatch.setattr(
        plans.Planner, "plan", lambda self, request: seen.append(request.terms) or original(self, request)
    )
    fake_advisor([guide]).ask("who hires for the cyber jobs?")
    assert seen and "cyber" not in seen[-1]


def test_another_name_of_a_role_in_its_fields_words_names_the_role():
    chunks = [(DEV, "Developers write software."), (DS, "Data scientists use software."), (DS, "More software.")]
    names = GuideNames(chunks, {DEV: "software engineer"})
    assert names.mentioned("torn between software engineering and data scientist jobs") == [DEV, DS]
    assert names.mentioned("what software do data scientists use") == [DS]
