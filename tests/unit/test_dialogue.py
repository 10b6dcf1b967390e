"""Understanding a message without a model: situation vs request, the profile, follow-up markers."""

import pytest

from advisor.core.dialogue import (
    build_profile,
    items_of,
    known_without_negation,
    leans_on_situation,
    ordinal,
    points_back,
    split_message,
    wants_more,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("message", "situation", "asked"),
    [
        (
            "I'm a nurse and can't code, could I become an MLOps engineer?",
            "I'm a nurse and can't code",
            "could I become an MLOps engineer?",
        ),
        ("our office is in Denver, does that change the pay?", "our office is in Denver", "does that change the pay?"),
        ("I'm a recruiter. What do these people earn?", "I'm a recruiter.", "What do these people earn?"),
        (
            "Given I already know Python and modeling, what would be new to me?",
            "Given I already know Python and modeling",
            "what would be new to me?",
        ),
        (
            "If I'm basically broke, which cloud certification should I go for first?",
            "If I'm basically broke",
            "which cloud certification should I go for first?",
        ),
        (
            "been a sysadmin for 6 years, what should I learn first?",
            "been a sysadmin for 6 years",
            "what should I learn first?",
        ),
        (
            "Two kids so I can't gamble on a pay cut. If I retrain, what could I earn, and what decides it?",
            "Two kids so I can't gamble on a pay cut. If I retrain",
            "what could I earn, and what decides it?",
        ),
        (
            "I'm a teacher and do lots of Excel, so can I get into this?",
            "I'm a teacher and do lots of Excel",
            "can I get into this?",
        ),
        (  # a note before the question describes the asker; a gerund opening is the speaker too
            "4th yr physics PhD (C++, MPI on clusters). weighing research vs data science. how do they compare on pay?",
            "4th yr physics PhD (C++, MPI on clusters). weighing research vs data science.",
            "how do they compare on pay?",
        ),
        (  # ...or has no subject of its own
            "Sysadmins are supposedly declining. By how much exactly?",
            "",
            "Sysadmins are supposedly declining. By how much exactly?",
        ),
        (  # ...unless the question points back at it
            "He keeps talking about DevOps. Is that a separate career?",
            "",
            "He keeps talking about DevOps. Is that a separate career?",
        ),
        (
            "thinking about moving into security, is it worth it money wise?",
            "thinking about moving into security",
            "is it worth it money?",
        ),
        ("What does an MLOps engineer do?", "", "What does an MLOps engineer do?"),
        (  # a question without its mark is still a question, not something about the speaker
            "mlops vs ml engineer - whats the difference, they sound the same to me",
            "",
            "mlops vs ml engineer - whats the difference, they sound the same to me",
        ),
        (  # where the writer is in their studies, noted before the question
            "stats major, sophomore. which one has more actual jobs",
            "stats major, sophomore.",
            "which one has more actual jobs",
        ),
        (  # "last month" is when, not the verb of "the path lasts 4 years"
            "got laid off last month, managed a store for 12 yrs. no degree. which of these jobs can i get into",
            "got laid off last month, managed a store for 12 yrs.",
            "no degree. which of these jobs can i get into",
        ),
        (  # a condition, then the question, with no comma between
            "if i went the mlops route which cert is cheapest to start with",
            "if i went the mlops route",
            "which cert is cheapest to start with",
        ),
        ("Who won the world cup?", "", "Who won the world cup?"),
        (  # a wh-word with its verb before the subject asks, wherever it stands and without a mark
            "besides 'data scientist' what other job titles should i search for on job boards",
            "",
            "besides 'data scientist' what other job titles should i search for on job boards",
        ),
        (  # not when the subject comes first: something about the speaker
            "Honestly I dont know what I should do with my life.",
            "Honestly I dont know what I should do with my life.",
            "Honestly I dont know what I should do with my life.",
        ),
        (  # a note of the writer's years opens the message; "convince me" is the request, not about them
            "senior SWE, 12 yrs backend (go, k8s). sounds like rebranded devops. convince me its not",
            "senior SWE, 12 yrs backend (go, k8s).",
            "sounds like rebranded devops. convince me its not",
        ),
        (
            "the path takes 4 years. how long for someone like me",
            "",
            "the path takes 4 years. how long for someone like me",
        ),
        ("takes 4-6 years. is that right?", "", "takes 4-6 years. is that right?"),
        # the last sentence asks, after a discourse word and without a mark; an earlier one keeps the
        # speaker's note ("ive been messing with docker") with it
        (
            "so less than SWE lol. ok how long would it take me to get into mlops from where i am",
            "",
            "so less than SWE lol. ok how long would it take me to get into mlops from where i am",
        ),
        (
            "ok what about the cloud side, ive been messing with docker at home. how long from me to an mlops job",
            "ok what about the cloud side, ive been messing with docker at home.",
            "how long from me to an mlops job",
        ),
        ("I'm wondering what they earn?", "", "I'm wondering what they earn?"),
        # a wh-word with its verb before the subject asks, with no comma before it
        (
            "as a recruiter what other job titles should i search for",
            "as a recruiter",
            "what other job titles should i search for",
        ),
        # what the user quotes is not about them
        (
            "translate 'I am applying for the position' into German",
            "",
            "translate 'I am applying for the position' into German",
        ),
        # "pls" asks, however personal the rest of the sentence
        (
            "portfolio project ideas pls, i only have kaggle notebooks rn",
            "",
            "portfolio project ideas pls, i only have kaggle notebooks rn",
        ),
        (
            "I'm a data scientist in Austin.",
            "I'm a data scientist in Austin.",
            "I'm a data scientist in Austin.",
        ),  # no request: the whole message is asked
    ],
)
def test_the_situation_is_told_apart_from_the_request(message, situation, asked):
    assert split_message(message) == (situation, asked)


def test_the_profile_keeps_role_years_place_budget_and_known_words():
    vocabulary = frozenset({"kubernete", "terraform", "python", "aw"})
    profile = build_profile(
        ["I'm an SRE in Seattle, 6 years in. I run Kubernetes and Terraform", "I'm on a tight budget"], vocabulary
    )
    assert (profile.role, profile.years, profile.location, profile.budget) == ("sre", 6, "Seattle", True)
    assert profile.known_terms == {"kubernete", "terraform"}
    assert build_profile(["I don't have a CS degree"], vocabulary).degree == "none"
    assert build_profile(["I can't code at all"], vocabulary).beginner
    assert build_profile([""], vocabulary).empty
    been = build_profile(["been a network admin 7 yrs at a school district"], vocabulary)
    assert (been.role, been.years) == ("network admin", 7)
    aged = build_profile(["I'm 52, been a Linux sysadmin for 25 years."], vocabulary)
    assert (aged.role, aged.years) == ("linux sysadmin", 25)
    worked = build_profile(["i am from Brazil, work 3 year as backend develper with java"], vocabulary)
    assert (worked.role, worked.years) == ("backend develper", 3)
    assert build_profile(["I work as well as I can"], vocabulary).role == ""
    assert build_profile(["senior SWE, 12 yrs backend (go, k8s)."], vocabulary).role == "senior swe"
    # where they want to go is not what they have
    assert known_without_negation("I run Kubernetes, considering Terraform work") == "I run Kubernetes"


@pytest.mark.parametrize(
    ("request_text", "more", "back", "nth"),
    [
        ("tell me more", True, False, None),
        ("examples?", True, False, None),
        ("why?", True, False, None),
        ("and?", True, False, None),
        ("which of those is cheapest?", False, True, None),
        ("the last one?", False, True, -1),
        ("Tell me more about the first one.", False, True, 0),
        ("what does the second step involve?", False, True, 1),
        ("What does an MLOps engineer do?", False, False, None),
        ("is it stressful?", False, False, None),
        ("What about certifications?", False, False, None),
    ],
)
def test_follow_up_markers(request_text, more, back, nth):
    assert (wants_more(request_text), points_back(request_text), ordinal(request_text) if back else None) == (
        more,
        back,
        nth,
    )


@pytest.mark.parametrize(
    ("request_text", "leans"),
    [
        ("Is that a dealbreaker?", True),
        ("does that matter?", True),
        ("How is that different from ML engineering or what I do now?", False),
    ],
)
def test_a_short_request_can_point_at_what_the_user_said(request_text, leans):
    assert leans_on_situation(request_text) is leans


def test_the_items_an_answer_showed_are_read_back_in_order():
    answer = "The steps are: [1]\n- Learn **Docker**\n- Learn Kubernetes [1]\n\nThis takes years. [1]"
    assert items_of(answer) == ("Learn Docker", "Learn Kubernetes")


@pytest.mark.parametrize(
    ("request_text", "further"),
    [
        ("what about the cyber security thing. pay and growth?", ["growth?"]),
        ("What do computer and information research scientists earn?", []),  # a role's name, not two asks
        ("degree + pay + growth?", ["pay", "growth?"]),
        ("what should the duties section say, and should I require a cert?", ["should I require a cert?"]),
    ],
)
def test_a_last_short_question_joined_by_and_is_a_question_of_its_own(request_text, further):
    from advisor.core.dialogue import further_questions

    assert further_questions(request_text) == further


def test_what_is_missing_from_my_background_asks_for_the_gap_not_what_carries_over():
    from advisor.core.intents import CARRY, GAP, IntentModel
    from tests.fakes import FakeEmbedder

    embedder = FakeEmbedder().load()
    model = IntentModel(embedder).load()
    carries = embedder.encode_query("what from my background carries over")
    assert model.classify("what from my background carries over", carries) == CARRY
    assert model.classify("what's actually missing from my background then", carries) == GAP


def test_how_do_i_become_one_asks_for_the_path_not_whether_it_suits_me():
    from advisor.core.intents import FACT, FIT, IntentModel
    from tests.fakes import FakeEmbedder

    embedder = FakeEmbedder().load()
    model = IntentModel(embedder).load()
    fit = embedder.encode_query("could I become one")  # as close to the fit prototype as a request gets
    assert model.classify("could I become one", fit) == FIT
    assert model.classify("How do I become an MLOps engineer?", fit) == FACT


@pytest.mark.parametrize(
    ("request_text", "fit"),
    [
        ("Is MLOps a realistic jump for me?", True),
        ("im a devops guy, is mlops a natural next step for me?", True),
        ("Or would MLOps make sense?", True),
        ("do I even have a shot at this", True),
        ("am i a good fit for security", True),
        ("is python a good choice for data science", False),  # a fact about the job, not about the asker
        ("would that make sense financially?", False),
    ],
)
def test_whether_a_move_suits_the_asker_is_read_from_its_usual_wordings(request_text, fit):
    from advisor.core.intents import FIT, IntentModel
    from tests.fakes import FakeEmbedder

    embedder = FakeEmbedder().load()
    model = IntentModel(embedder).load()
    far = embedder.encode_query("zzz qqq")  # near no prototype: the wording alone decides
    assert (model.classify(request_text, far) == FIT) is fit


def test_a_thanks_before_a_question_is_no_part_of_the_request():
    assert split_message("ok thank you. what programming language matters most") == (
        "",
        "what programming language matters most",
    )


def test_the_roles_an_answer_was_about_come_from_sentences_it_quoted_whole():
    from advisor.core.conversation import last_topic
    from tests.fakes import fake_advisor

    shared = "Tasks, skills and job titles for this role come from the occupation database, occupation"
    baker = f"# Baker Career Guide\n\n## Where do the figures come from?\n\n{shared} 51-3011.00.\n"
    pilot = f"# Pilot Career Guide\n\n## Where do the figures come from?\n\n{shared} 53-2011.00.\n"
    advisor = fake_advisor([baker, pilot])
    advisor.ask("hi")
    content = advisor._serving[2]
    history = [{"role": "user", "content": "sources?"}, {"role": "assistant", "content": f"{shared} 51-3011.00. [1]"}]
    topic = last_topic(history, [], content)
    assert topic is not None and topic.guides == ("Baker Career Guide",)


def test_what_a_hirer_should_list_is_a_plain_list_not_what_would_be_new_to_them():
    from advisor.core.intents import FACT, GAP, IntentModel
    from tests.fakes import FakeEmbedder

    embedder = FakeEmbedder().load()
    model = IntentModel(embedder).load()
    gap = embedder.encode_query("which skills would I have to pick up")  # as close to the gap prototype as it gets
    assert model.classify("which skills would I have to pick up", gap) == GAP
    assert model.classify("which soft skills should we list for the role?", gap) == FACT


def test_an_emoji_after_a_thanks_is_part_of_it_not_a_request():
    from advisor.core.dialogue import split_message

    assert split_message("ok cool ty!! 🙏") == ("", "ok cool ty!! 🙏")
