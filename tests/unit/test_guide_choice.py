"""Which guide a conversation turn is answered from when the request names none."""

import pytest

from advisor.core.intents import wants_a_role
from tests.fakes import fake_advisor, talk

pytestmark = pytest.mark.unit

BAKER = """# Baker Career Guide

## How much do bakers earn?

Bakers earned a median of $38,000 a year in May 2024.

## How fast is the field growing?

Baker jobs are projected to grow 5 percent over 2024-2034. About 21,000 openings for bakers are projected each year.
"""

PILOT = """# Pilot Career Guide

## How much do pilots earn?

Pilots earned a median of $220,000 a year in May 2024.

## How fast is the field growing?

Pilot jobs are projected to grow 4 percent over 2024-2034. About 18,000 openings for pilots are projected each year.
"""

CLERK = """# Clerk Career Guide

## How much do clerks earn?

Clerks earned a median of $41,000 a year in May 2024.

## How fast is the field growing?

Clerk jobs are projected to decline 6 percent over 2024-2034.
"""


def with_section(guide: str, heading: str, body: str) -> str:
    """A guide with one more question-shaped section at its end."""
    return f"{guide}\n## {heading}\n\n{body}\n"


@pytest.fixture(scope="module")
def advisor():
    return fake_advisor([BAKER, PILOT, CLERK], default_guide="Pilot")


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


def test_compared_to_me_puts_the_users_own_guide_beside(advisor):
    answer = talk(advisor, "I'm 52, been a baker for 25 years.", "what would a pilot make compared to me?").answer
    assert "$220,000" in answer and "$38,000" in answer


def test_how_does_it_compare_goes_on_with_the_two_roles_just_compared(advisor):
    answer = talk(advisor, "Bakers vs pilots: how much do they earn?", "And how does the growth compare?")
    assert "5 percent" in answer.answer and "4 percent" in answer.answer and "6 percent" not in answer.answer


def test_how_do_the_roles_differ_compares_the_roles_the_user_named_about_themselves(advisor):
    answer = advisor.ask("I'm a baker thinking about pilots. How do the roles differ?").answer
    assert "Baker" in answer and "Pilot" in answer


def test_a_comparison_shows_the_figure_asked_for_beside_the_headline(advisor):
    answer = advisor.ask("Bakers vs pilots: how many openings are projected each year?").answer
    assert "21,000" in answer and "18,000" in answer


def test_how_does_that_compare_after_a_kind_one_guide_lacks_compares_the_roles_headlines():
    """After the baker's skills, "how does that compare to pilots?": the pilot guide has no skills part, so
    the two roles' pay and growth, not the baker's skills alone with "not covered"."""
    baker = with_section(BAKER, "What skills do bakers need?", "Bakers need patience, stamina and precise measuring.")
    advisor = fake_advisor([baker, PILOT], default_guide="Baker")
    answer = talk(advisor, "What skills do bakers need?", "how does that compare to pilots?").answer
    assert "$38,000" in answer and "$220,000" in answer and "5 percent" in answer and "4 percent" in answer


def test_a_side_of_a_comparison_without_figures_opens_with_the_parts_first_sentence():
    """ "difference between a baker and a pilot": each role's defining sentence, not the one whose words
    happen to name both roles."""
    from advisor.core.dialogue import Profile
    from advisor.core.plans import Request

    baker = with_section(
        BAKER,
        "What does a baker do?",
        "Bakers mix dough and bake bread. Some bakers once worked as pilots or with pilots.",
    )
    advisor = fake_advisor([baker, PILOT], default_guide="Baker")
    content, planner = advisor._serving[2], advisor._serving[3]
    part = next(p for p in content.parts if p.heading == "What does a baker do?")
    closest = part.units[1].vector  # the request reads most like the sentence naming both roles
    side = planner._side(Request("what does a baker do vs a pilot?", closest, "compare", {}, Profile()), part)
    assert [u.plain for u in side] == ["Bakers mix dough and bake bread."]


def test_what_one_role_makes_compared_to_another_compares_pay_however_unclear_the_kind_reads():
    """ "What do DBAs make compared to that?" read pay at 0.42, below COMPARE_FACET_AT: the two roles' duties."""
    from advisor.core.dialogue import Profile
    from advisor.core.plans import Request

    baker = with_section(BAKER, "What does a baker do?", "Bakers mix dough and bake bread.")
    pilot = with_section(PILOT, "What does a pilot do?", "Pilots fly aircraft.")
    advisor = fake_advisor([baker, pilot], default_guide="Baker")
    content, planner = advisor._serving[2], advisor._serving[3]
    for part in content.parts:  # the fake embedder reads the duties headings as a typical day
        if part.heading.startswith("What does"):
            object.__setattr__(part, "facet", "overview")
    scores = {"pay": 0.42, "overview": 0.2, "outlook": 0.1}
    vector = advisor.embedder.encode_query("What do pilots make compared to that?")
    request = Request("What do pilots make compared to that?", vector, "compare", scores, Profile())
    plan = planner._compare(request, ["Baker Career Guide", "Pilot Career Guide"])
    assert [b.part.facet for b in plan.blocks] == ["pay", "pay"]


def test_which_has_more_jobs_shows_each_roles_job_count_however_far_down_it_is():
    """ "are there more dba jobs or infosec jobs": the count of jobs, not the closest-sounding figure."""

    def grown(role: str, jobs: str) -> str:
        return (
            f"# {role} Career Guide\n\n## How much do {role.lower()}s earn?\n\n{role}s earned a median of $50,000 a year."
            f"\n\n## How fast is the field growing?\n\nThe number of {role.lower()}s is projected to grow 5 percent"
            f" over 2024-2034. More {role.lower()} jobs, more jobs than in 2020, will be in cities. There"
            f" were about {jobs} {role.lower()} jobs in 2024. Job prospects for {role.lower()}s are best in cities.\n"
        )

    advisor = fake_advisor([grown("Baker", "120,000"), grown("Pilot", "95,000")], default_guide="Pilot")
    answer = advisor.ask("are there more baker jobs or pilot jobs").answer
    assert "120,000" in answer and "95,000" in answer


def test_which_of_all_the_careers_grows_fastest_puts_the_fastest_first_and_shrinking_puts_the_falling_first(advisor):
    fastest = advisor.ask("Out of all the careers you have guides for, which is growing fastest?").answer
    assert fastest.index("5 percent") < fastest.index("4 percent") < fastest.index("decline 6 percent")
    shrinking = talk(
        advisor, "Out of all the careers you have guides for, which is growing fastest?", "And which one is shrinking?"
    ).answer
    assert shrinking.index("decline 6 percent") < shrinking.index("4 percent") < shrinking.index("5 percent")


def test_a_refused_aside_does_not_end_the_conversations_subject(advisor):
    answer = talk(advisor, "How much do bakers earn?", "What do dentists earn?", "How fast is the field growing?")
    assert "5 percent" in answer.answer and "4 percent" not in answer.answer


def test_the_users_own_role_named_as_their_background_is_not_the_subject(advisor):
    answer = talk(advisor, "How much do pilots earn?", "Given my baker experience, how fast is the field growing?")
    assert "4 percent" in answer.answer and "5 percent" not in answer.answer


def test_pay_in_a_place_the_guide_lists_without_pay_is_a_partial_answer():
    guide = (
        BAKER
        + "\n## Which states have the most jobs?\n\nThe states with the most baker jobs are:\n- Texas (TX)\n- Ohio (OH)\n"
    )
    advisor = fake_advisor([guide])
    answer = advisor.ask("How much do bakers earn in Texas?")
    assert answer.grounded is False and "don't cover pay in Texas" in answer.answer and "$38,000" in answer.answer
    assert advisor.ask("How much do bakers earn?").grounded is True


def test_worth_it_pay_wise_asks_about_pay():
    from advisor.core.dialogue import understand

    assert understand("Is it worth it pay-wise?").request == "Is it worth it pay?"


def test_pay_for_two_roles_named_in_a_plain_question_gives_both(advisor):
    answer = advisor.ask("how much do bakers and pilots earn").answer
    assert "$38,000" in answer and "$220,000" in answer and "$41,000" not in answer


def test_and_the_growth_after_comparing_two_roles_goes_on_with_both(advisor):
    answer = talk(advisor, "Bakers vs pilots: how much do they earn?", "and growth / openings?")
    assert "5 percent" in answer.answer and "4 percent" in answer.answer and "6 percent" not in answer.answer


def test_a_bare_kind_after_comparing_two_roles_goes_on_with_both_and_turns_later_too(advisor):
    answer = talk(advisor, "Bakers vs pilots: how much do they earn?", "growth?", "how many openings each year")
    assert "21,000" in answer.answer and "18,000" in answer.answer and "6 percent" not in answer.answer


def test_nothing_but_another_name_of_a_covered_role_is_answered_not_refused():
    aviators = PILOT.replace(
        "# Pilot Career Guide", '---\ntitle: Pilot Career Guide\nalso_called: "aviator"\n---\n\n# Pilot Career Guide'
    )
    advisor = fake_advisor([BAKER, aviators, CLERK], default_guide="Baker")
    answer = advisor.ask("and for aviators?")
    assert answer.grounded and "$220,000" in answer.answer


@pytest.mark.parametrize(
    "message",
    [
        "My client is weighing baker vs pilot. Can you give me the median pay for each?",
        "My son is weighing becoming a baker or a pilot. Which one pays more?",
    ],
)
def test_each_or_which_one_asks_about_the_roles_the_message_told(advisor, message):
    answer = advisor.ask(message).answer
    assert "$38,000" in answer and "$220,000" in answer and "$41,000" not in answer


def test_a_task_that_names_the_users_own_things_is_still_a_task(advisor):
    answer = advisor.ask("write my cover letter for a pilot job at an airline")
    assert not answer.grounded


def test_which_of_the_roles_you_do_cover_pays_most_ranks_every_role(advisor):
    answer = advisor.ask("Fine. Which of the roles you do cover pays the most?").answer
    assert answer.index("$220,000") < answer.index("$41,000") < answer.index("$38,000")


def test_which_other_role_is_not_the_role_just_discussed(advisor):
    answer = talk(advisor, "How much do clerks earn?", "Which other role is projected to grow, bakers or clerks?")
    assert "5 percent" in answer.answer and "6 percent" not in answer.answer


def test_job_security_in_a_guide_without_a_demand_section_is_its_growth_section(advisor):
    answer = talk(advisor, "How much do bakers earn?", "and job security?")
    assert "5 percent" in answer.answer and "$38,000" not in answer.answer


def test_a_switcher_asking_about_pay_gets_their_own_roles_pay_beside(advisor):
    answer = advisor.ask("I've been a baker for 7 years. thinking about becoming a pilot, how much would I earn?")
    assert "$220,000" in answer.answer and "$38,000" in answer.answer


def test_a_request_of_no_clear_kind_keeps_the_kind_of_the_last_answer(advisor):
    answer = talk(advisor, "How fast is the baker field growing?", "Would clerks be a better bet then?")
    assert "6 percent" in answer.answer and "$41,000" not in answer.answer


PILOT_WITH_CERTIFICATIONS = (
    PILOT
    + """
## Which certifications are worth getting?

Pilots need a commercial pilot licence ($5,000) and an instrument rating ($3,000).

## What would be new to a career changer?

A career changer learns navigation, meteorology and radio procedure.
"""
)


def test_a_bare_kind_only_one_of_the_two_roles_guides_has_is_that_roles():
    advisor = fake_advisor([BAKER, PILOT_WITH_CERTIFICATIONS, CLERK], default_guide="Baker")
    answer = talk(advisor, "Bakers vs pilots: how much do they earn?", "which certifications should I get first?")
    assert "commercial pilot licence" in answer.answer and "$38,000" not in answer.answer


@pytest.fixture(scope="module")
def changer():
    return fake_advisor([BAKER, PILOT_WITH_CERTIFICATIONS, CLERK], default_guide="Clerk")


def test_a_kind_of_answer_the_current_guide_lacks_comes_from_the_role_the_user_is_heading_for(changer):
    answer = talk(
        changer,
        "I'm a baker thinking about pilots.",
        "How much do bakers earn?",
        "Which certifications are worth getting?",
    )
    assert "commercial pilot licence" in answer.answer


def test_a_figure_for_each_of_the_roles_named_with_a_hyphenated_word_shows_every_role(advisor):
    answer = advisor.ask("for a handout: the median pay for each of the government-data roles you cover?").answer
    assert "$38,000" in answer and "$220,000" in answer and "$41,000" in answer


def test_which_of_the_roles_i_listed_is_best_shows_each_roles_figure(advisor):
    answer = advisor.ask("trying to pick a track: bakers or pilots. which has the fastest growing field?").answer
    assert "5 percent" in answer and "4 percent" in answer


def test_which_one_of_these_jobs_is_shrinking_puts_the_falling_first(advisor):
    answer = advisor.ask("which one of these jobs is actually shrinking").answer
    assert answer.index("decline 6 percent") < answer.index("4 percent")


def test_other_than_a_named_role_the_fastest_growing_one_is_among_the_others(advisor):
    answer = advisor.ask("other than bakers, which field is growing fastest").answer
    assert "4 percent" in answer and "decline 6 percent" in answer and "5 percent" not in answer


def test_which_career_pays_the_most_reads_the_question_not_what_follows_it(advisor):
    answer = advisor.ask("which of these careers pays the most based on the government data").answer
    assert answer.index("$220,000") < answer.index("$41,000") and "$38,000" in answer


def _with_work(guide: str, work: str) -> str:
    title, rest = guide.split("\n", 1)
    return f"{title}\n\n## What does the job involve?\n\n{work}\n{rest}"


@pytest.fixture(scope="module")
def suggester():
    return fake_advisor(
        [
            _with_work(
                BAKER,
                "A baker mixes dough, bakes bread and pastry in ovens and decorates cakes early each morning.\n\n"
                "## How do you become a baker?\n\nMost bakers learn on the job; the typical entry-level education is"
                " a high school diploma.",
            ),
            _with_work(PILOT, "A pilot flies airplanes and helicopters, checks the weather and navigates routes."),
            _with_work(CLERK, "A clerk files records, answers phones and keeps accounts and spreadsheets in order."),
        ],
        default_guide="Pilot",
    )


def test_which_job_suits_me_suggests_the_roles_whose_work_reads_like_what_the_user_told(suggester):
    answer = suggester.ask(
        "I love mixing dough and baking bread and decorating cakes at home. What job would make sense for me?"
    ).answer
    assert answer.index("Baker") < answer.index("$38,000") and "5 percent" in answer
    assert "Baker" in answer.split("**")[1]  # the closest role first


def test_a_suggested_role_is_not_the_users_own(suggester):
    answer = talk(
        suggester,
        "I'm a clerk, I keep accounts and spreadsheets in order and answer phones.",
        "what could i move into that uses what i already know?",
    ).answer
    assert "Clerk" not in answer and "$41,000" not in answer


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("what tech job would make sense for me?", True),
        ("what could i move into that uses what i already know", True),
        ("is there something related with better growth?", True),
        ("whats the natural next step in these guides", True),
        ("What job titles should I be searching for?", False),
        ("what's the next step after that?", False),
        ("which job pays the most?", False),
        ("whats the job thats closest to what im already doing and what does it pay", True),
        ("is there anything in these tech jobs where a business degree actually counts?", True),
        ("whats the job outlook for me", False),
        ("ok how long would that take me realistically, whats the path from where i am", False),
        ("which job pays more, the one i have or dba", False),
        ("Which of these careers would use a math background the most?", True),
        ("which of these jobs expects you to have worked before?", False),
    ],
)
def test_asking_which_role_would_suit_me(text, asks):
    assert wants_a_role(text) is asks


def test_a_user_without_a_degree_is_also_told_what_each_suggested_role_asks_to_get_in(suggester):
    told = "I love mixing dough and baking bread and decorating cakes at home."
    ask = "What job would make sense for me?"
    assert "learn on the job" not in suggester.ask(f"{told} {ask}").answer
    assert "learn on the job" in suggester.ask(f"{told} I have no degree. {ask}").answer


def test_who_employs_them_stays_with_the_role_whose_guide_tells_where_they_work():
    baker = BAKER + "\n## Where do bakers work?\n\nBakers work in grocery stores, restaurants and bakeries.\n"
    pilot = (
        PILOT + "\n## Which employers hire pilots?\n\nThe employers that hire pilots are airlines and cargo carriers.\n"
    )
    advisor = fake_advisor([baker, pilot, CLERK], default_guide="Pilot")
    answer = talk(advisor, "How much do bakers earn?", "who actually employs them?").answer
    assert "airlines" not in answer and "Baker" in answer  # the bakers' guide: where they work, or growth


def test_a_suggestion_asked_to_be_growing_puts_the_fastest_growing_of_the_closest_first(suggester):
    told = "I keep accounts and spreadsheets in order, answer phones, and bake bread at home."
    answer = suggester.ask(f"{told} What job would make sense for me that is actually growing?").answer
    assert "Clerk" not in answer.split("**")[1]  # clerks decline 6 percent


def test_a_role_related_to_the_users_own_is_suggested_first():
    bookkeeper = (
        "# Bookkeeper Career Guide\n\n## What does the job involve?\n\n"
        "A bookkeeper keeps accounts and spreadsheets in order and files records.\n\n"
        "## How much do bookkeepers earn?\n\nBookkeepers earned a median of $47,000 a year in May 2024.\n"
    )
    advisor = fake_advisor(
        [
            _with_work(BAKER, "A baker mixes dough and bakes bread."),
            _with_work(PILOT, "A pilot flies airplanes and navigates routes."),
            _with_work(CLERK, "A clerk files records, answers phones and keeps accounts and spreadsheets in order."),
            bookkeeper,
        ],
        default_guide="Pilot",
    )
    answer = advisor.ask("I'm a clerk, 10 years in. What other job would suit me?").answer
    assert "Bookkeeper" in answer.split("**")[1], answer


def test_vs_another_role_compares_it_with_the_last_answers_role_on_the_same_kind(advisor):
    answer = talk(advisor, "How much do bakers earn?", "vs pilots?").answer
    assert "$38,000" in answer and "$220,000" in answer and "percent" not in answer
    answer = talk(advisor, "How much do bakers earn?", "compared to clerks?").answer
    assert "$38,000" in answer and "$41,000" in answer


def test_and_for_another_role_asks_the_last_question_about_it(advisor):
    answer = talk(advisor, "How fast is the baker field growing?", "and for clerks?").answer
    assert "decline 6 percent" in answer and "$41,000" not in answer


def test_a_question_typed_without_its_mark_is_still_asked(advisor):
    answer = advisor.ask("hello, i bake bread 3 year. i want know how much pilots earn pls").answer
    assert "$220,000" in answer


def test_pay_against_what_i_get_now_naming_my_own_role_compares_it_with_the_role_discussed(advisor):
    answer = talk(
        advisor, "I'm a baker, 5 years in.", "How much do pilots earn?", "pay delta vs what i get now as a baker?"
    ).answer
    assert "$220,000" in answer and "$38,000" in answer


def test_a_kind_of_thing_a_guide_has_nothing_on_is_said_then_the_closest_facts_follow():
    cooks = (
        "# Cook Career Guide\n\n## How do you become a cook?\n\nMost cooks learn on the job. Employers may prefer"
        " cooks who hold a food safety certification.\n"
    )
    with_certs = PILOT + "\n## Which certifications matter?\n\n- Commercial pilot licence ($5,000)\n"
    advisor = fake_advisor([BAKER, with_certs, CLERK, cooks], default_guide="Pilot")
    bakers = advisor.ask("Which certifications should bakers get?")
    assert bakers.answer.startswith("The Baker guide has nothing on certifications.") and not bakers.grounded
    assert bakers.sources  # the closest facts follow
    cook = advisor.ask("Which certifications should cooks get?")
    # said where such guides keep it: that passage, introduced as what the guide says, since it names none
    assert "food safety certification" in cook.answer and "names no particular certifications" in cook.answer


def test_a_request_naming_something_the_guide_holds_is_not_said_missing():
    with_certs = PILOT + "\n## Which certifications matter?\n\n- Commercial pilot licence ($5,000)\n"
    sourdough = BAKER + "\n## What skills do bakers need?\n\nBakers need to know sourdough starters and ovens.\n"
    advisor = fake_advisor([sourdough, with_certs, CLERK], default_guide="Pilot")
    answer = advisor.ask("the sourdough part: which certifications do bakers need for it?")
    assert answer.grounded and "has nothing on" not in answer.answer


def test_an_across_roles_superlative_ranks_by_a_figure_not_by_where_they_work():
    baker = (
        BAKER + "\n## Where do bakers work?\n\nMost bakers work in grocery stores with the most openings downtown.\n"
    )
    pilot = PILOT + "\n## Where do pilots work?\n\nMost pilots work for airlines.\n"
    advisor = fake_advisor([baker, pilot, CLERK], default_guide="Pilot")
    answer = advisor.ask("which job has the most openings each year").answer
    assert "percent" in answer and "grocery stores" not in answer


def test_a_typical_day_of_a_role_whose_guide_has_no_day_section_comes_from_its_duties():
    baker = _with_work(BAKER, "A baker mixes dough, bakes bread and works early morning hours.")
    pilot = (
        PILOT + "\n## What does a typical day look like for a pilot?\n\nA pilot's day starts with a weather briefing.\n"
    )
    advisor = fake_advisor([baker, pilot, CLERK], default_guide="Pilot")
    answer = talk(advisor, "How much do bakers earn?", "what does a typical day look like?").answer
    assert "weather briefing" not in answer and "baker" in answer.lower()


def test_a_message_that_only_tells_about_the_user_reports_nothing_uncovered(advisor):
    answer = advisor.ask("I'm a baker at a bakery in Springfield, 6 years.").answer
    assert "does not give figures" not in answer


def test_pay_in_a_place_the_guide_lists_without_pay_gives_the_national_pay_as_the_closest_fact():
    baker = (
        BAKER
        + "\n## Which states have the most baker jobs?\n\nThe top states for baker jobs are:\n\n- Texas (TX)\n- Ohio (OH)\n"
    )
    advisor = fake_advisor([baker, PILOT, CLERK], default_guide="Baker")
    answer = talk(advisor, "Which states have the most baker jobs?", "what would bakers pay then, in Texas?")
    assert not answer.grounded and "$38,000" in answer.answer and "Texas" in answer.answer.split("\n")[0]


def test_a_tailored_question_stays_with_the_role_under_discussion_not_one_mentioned_turns_ago(changer):
    answer = talk(
        changer,
        "I'm a baker. A friend told me pilots earn more.",
        "How fast is the clerk field growing?",
        "what would be new to me?",
    ).answer
    assert "navigation" not in answer


@pytest.mark.parametrize(
    ("request_text", "only_a_role"),
    [
        ("vs pilots?", True),
        ("and for clerks?", True),
        ("what about bakers?", True),
        ("what is need for be pilot?", False),  # asks what it takes, in few words
        ("do pilots need a degree?", False),
    ],
)
def test_only_a_role_name_carries_the_last_answers_kind(advisor, request_text, only_a_role):
    from advisor.core.pipeline import _only_a_role

    assert _only_a_role(advisor._serving[2], request_text) is only_a_role


def test_which_of_those_two_compares_the_last_two_roles_discussed(advisor):
    answer = talk(
        advisor, "How much do bakers earn?", "How much do pilots earn?", "which of those two is growing faster?"
    ).answer
    assert "5 percent" in answer and "4 percent" in answer and "6 percent" not in answer


def test_those_two_items_of_a_list_are_not_two_roles():
    from advisor.core.pipeline import _THE_TWO

    assert _THE_TWO.search("which of those two has more openings")
    assert _THE_TWO.search("how do both of them compare on pay?")
    assert not _THE_TWO.search("which of those two certs is cheaper?")
    assert _THE_TWO.search("which one have more jobs open every year")
    assert not _THE_TWO.search("which one is cheapest?")  # an item shown, not one of two roles


def test_pointing_back_with_another_kind_of_question_answers_that_kind():
    pilot = (
        PILOT
        + """
## Which certifications are worth getting?

The certifications pilots hold are:

- Commercial pilot licence ($5,000)
- Instrument rating ($3,000)

## What education do pilots need?

Pilots typically need a bachelor's degree and 1,500 flight hours.
"""
    )
    advisor = fake_advisor([BAKER, pilot], default_guide="Pilot")
    answer = talk(advisor, "Which certifications are worth getting for pilots?", "what education for that one?").answer
    assert "1,500 flight hours" in answer and "$5,000" not in answer
    assert "$3,000" in talk(advisor, "Which certifications are worth getting?", "how much is the second one?").answer


def test_that_and_another_role_puts_the_role_under_discussion_beside_the_one_named(advisor):
    answer = talk(advisor, "How fast is the baker field growing?", "openings for that and for pilots?").answer
    assert "21,000" in answer and "18,000" in answer
    answer = talk(advisor, "How much do bakers earn?", "and how does pay compare, pilots vs that").answer
    assert "$38,000" in answer and "$220,000" in answer


def test_choosing_among_listed_roles_keeps_every_listed_role_when_many_guides_lead():
    others = [
        f"# {name} Career Guide\n\n## How fast is the field growing?\n\n{name} jobs are projected to grow {n} percent over 2024-2034.\n"
        for name, n in (("Welder", 30), ("Plumber", 25), ("Farmer", 20), ("Roofer", 18), ("Tailor", 16))
    ]
    advisor = fake_advisor([BAKER, CLERK, *others], default_guide="Baker")
    answer = advisor.ask(
        "I am torn between bakers, clerks or something else. which one has the best projected growth?"
    ).answer
    assert "decline 6 percent" in answer and "5 percent" in answer
    assert answer.index("30 percent") < answer.index("5 percent")  # the leading others first, as many as fit
    assert "25 percent" in answer and "20 percent" not in answer and "16 percent" not in answer


def test_a_choice_between_two_roles_compares_those_two_on_the_kind_asked():
    others = [
        f"# {name} Career Guide\n\n## How fast is the field growing?\n\n{name} jobs are projected to grow {n} percent over 2024-2034.\n"
        for name, n in (("Welder", 30), ("Plumber", 25))
    ]
    advisor = fake_advisor([BAKER, PILOT, CLERK, *others], default_guide="Pilot")
    first = "culinary major, sophomore. trying to decide between bakers or clerks. which one has more actual jobs"
    answer = advisor.ask(first).answer
    assert "5 percent" in answer and "decline 6 percent" in answer  # how many jobs: the outlook, not pay
    assert "$38,000" not in answer and "30 percent" not in answer and "4 percent" not in answer
    answer = talk(advisor, first, "and pay for both?").answer
    assert "$38,000" in answer and "$41,000" in answer and "$220,000" not in answer


def test_an_acknowledgement_or_emphasis_word_does_not_make_a_question_unanswerable(advisor):
    assert talk(advisor, "How much do bakers earn?", "fine. how fast is the field growing").grounded
    answer = advisor.ask("what does a baker even earn, honestly?")
    assert answer.grounded and "$38,000" in answer.answer


def test_a_comparison_says_which_role_leads_before_the_figures(advisor):
    answer = advisor.ask("bakers vs pilots, which pays more?").answer
    assert answer.startswith("Of the two, pilots have the higher median pay:")
    assert "$38,000" in answer and "$220,000" in answer
    answer = advisor.ask("pilots or bakers: which has more openings a year?").answer
    assert answer.startswith("Of the two, bakers have more openings a year:")  # 21,000 against 18,000
    answer = advisor.ask("which of these jobs is growing fastest?").answer
    assert answer.startswith("Of these roles, bakers have the fastest projected growth:")
    assert advisor.ask("which of these jobs is shrinking?").answer.startswith(
        "Of these roles, clerks have the slowest projected growth:"
    )


def test_every_role_you_cover_ranks_every_guide_even_right_after_two_were_compared(advisor):
    answer = talk(
        advisor,
        "bakers vs clerks, which is growing faster?",
        "Which of the roles you cover is shrinking each year?",  # "each year" is no "each of those two"
    ).answer
    assert answer.startswith("Of these roles, clerks have the slowest projected growth:") and "Pilot" in answer


def test_no_verdict_sets_a_pay_band_against_a_median():
    band = "# Chef Career Guide\n\n## How much do chefs earn?\n\nThe typical chef salary is $30,000-$90,000 a year.\n"
    advisor = fake_advisor([BAKER, band], default_guide="Baker")
    answer = advisor.ask("bakers vs chefs, which pays more?").answer
    assert "$38,000" in answer and "$30,000-$90,000" in answer and not answer.startswith("Of the two")


def test_the_other_one_named_is_a_new_role_not_more_of_the_last(advisor):
    answer = talk(advisor, "How much do bakers earn?", "ok and what about the other one, pilots, how much do they earn")
    assert "$220,000" in answer.answer and "$38,000" not in answer.answer
    answer = talk(advisor, "How much do bakers earn?", "what about clerks or whatever, my cousin does that")
    assert answer.grounded and "$41,000" in answer.answer


def test_how_does_that_compare_sets_the_role_discussed_against_the_one_named_on_the_same_kind(advisor):
    answer = talk(advisor, "How much do bakers earn?", "how does that compare to pilots? my uncle flies").answer
    assert "$38,000" in answer and "$220,000" in answer
    answer = talk(
        advisor, "How much do bakers earn?", "my nephew is a pilot and says it pays way better, how does it compare"
    )
    assert "$38,000" in answer.answer and "$220,000" in answer.answer


def test_the_most_out_of_the_roles_you_have_reads_across_every_role(advisor):
    answer = advisor.ask("ok in general then, what pays the most out of the roles you have").answer
    assert answer.index("$220,000") < answer.index("$41,000") < answer.index("$38,000")


def test_a_claim_then_true_asks_about_the_claim(advisor):
    answer = talk(advisor, "How much do pilots earn?", "everyone says clerks are a dying job. true?").answer
    assert "decline 6 percent" in answer and "$220,000" not in answer


def test_our_area_is_the_place_the_user_told_and_is_said_to_be_uncovered(advisor):
    answer = talk(advisor, "How much do bakers earn?", "is that right for our area? we're in Springfield").answer
    assert "Springfield" in answer and "$38,000" in answer


def test_a_price_listed_before_a_pay_sentence_still_answers_how_much_it_costs():
    certs = (
        "# Welder Career Guide\n\n## Which certifications help welders?\n\nThe certifications welders take are:\n\n"
        "- Certified Welder ($300): the basic test\n- Certified Welding Inspector ($1,100): for inspectors\n\n"
        "## How much do welders earn?\n\nThe typical welder salary is $50,000 a year.\n"
    )
    answer = fake_advisor([certs], default_guide="Welder").ask("welder certs and how much they cost")
    assert "$300" in answer.answer and "don't cover" not in answer.answer


def test_an_item_the_user_already_holds_is_not_the_answer_and_mostly_x_shows_the_whole_list():
    pilot = with_section(
        PILOT,
        "Which certifications are worth getting?",
        "The certifications pilots hold are:\n\n"
        "- Commercial pilot licence ($5,000)\n- Instrument rating ($3,000)\n- Multi-engine rating ($2,000)",
    )
    advisor = fake_advisor([BAKER, pilot], default_guide="Pilot")
    answer = advisor.ask("which pilot certification would matter, i already have the instrument rating").answer
    assert "Commercial pilot licence" in answer and "Multi-engine rating" in answer
    answer = advisor.ask("pilot certifications, is it mostly the instrument rating?").answer
    assert "Commercial pilot licence" in answer and "Instrument rating" in answer


def test_who_hires_is_answered_by_where_they_work_not_by_the_growth_rate():
    baker = with_section(
        BAKER, "Where do bakers work?", "Typical employers of bakers are grocery stores, restaurants and hotels."
    )
    advisor = fake_advisor([baker, PILOT], default_guide="Baker")
    answer = advisor.ask("would hospitals hire bakers? i'd love to stay in healthcare").answer
    assert "grocery stores" in answer and "5 percent" not in answer


def test_a_claim_about_six_figures_then_is_that_realistic_checks_the_pay():
    pilot = PILOT.replace(
        "$220,000 a year in May 2024.",
        "$220,000 a year in May 2024. Such figures say what is realistic for a pilot who says they will make a living.",
    )
    advisor = fake_advisor([BAKER, pilot], default_guide="Baker")
    answer = advisor.ask("my son says he will be a pilot and make six figures. is that realistic")
    assert "$220,000" in answer.answer and "4 percent" not in answer.answer


def test_a_role_set_aside_is_left_out_and_compare_the_two_adds_the_role_discussed(advisor):
    answer = advisor.ask("ok forget clerks for now. bakers vs pilots, which one has more openings every year").answer
    assert "21,000" in answer and "18,000" in answer and "decline 6 percent" not in answer
    answer = talk(advisor, "How much do clerks earn?", "should i be a baker instead? compare the two for me").answer
    assert "$41,000" in answer and "$38,000" in answer


def test_is_one_place_any_good_shows_it_among_the_whole_list_of_top_states():
    pilot = with_section(
        PILOT,
        "Which states have the most pilot jobs?",
        "The states with the most pilot jobs are:\n\n- Alaska (AK)\n- Texas (TX)\n- Florida (FL)",
    )
    advisor = fake_advisor([BAKER, pilot], default_guide="Pilot")
    answer = advisor.ask("is Texas a good state for pilot jobs?").answer
    assert "Texas" in answer and "Alaska" in answer and "Florida" in answer


@pytest.mark.parametrize(
    "request_text",
    [
        "are any of these jobs actually shrinking?",
        "which of these jobs expects you to have worked before?",
        "growth rates for every role?",
        "which role in ur guides has the most openings a year",
        "which of the careers you cover pays the least?",
        "lowest paying role out of all the ones u cover?",
        "what's the fastest-growing occupation in your set? need a stat for the lede",
    ],
)
def test_questions_about_all_the_roles_in_other_words_are_read_across_roles(request_text):
    from advisor.core.plans import _ACROSS, across_clause

    assert _ACROSS.search(request_text)
    assert across_clause(request_text).split()[0].lower() in ("are", "which", "growth", "lowest", "what's")


def test_a_message_of_several_short_questions_reads_as_its_clearest_question(advisor):
    content = advisor._serving[2]
    text = "okay cool blue team stuff. pay + outlook?"
    whole = max(content.facets.scores(advisor.embedder.encode_query(text)).values())
    assert advisor._clearest_facet(content, text, whole) > whole


def test_a_role_named_after_and_is_not_a_question_of_its_own(advisor):
    answer = advisor.ask("what is the difference in pay between bakers and pilots").answer
    assert "$38,000" in answer and "$220,000" in answer


def test_pay_and_growth_in_one_message_gets_both(advisor):
    answer = talk(advisor, "How much do bakers earn?", "and pilots, pay and growth?").answer
    assert "$220,000" in answer and "4 percent" in answer


def test_the_role_the_user_is_coming_from_is_their_background_not_the_subject(advisor):
    answer = talk(advisor, "How fast is the pilot field growing?", "what would it pay me, coming from baker").answer
    assert "$220,000" in answer


def test_fastest_growing_of_them_all_ranks_every_role(advisor):
    answer = talk(advisor, "How much do bakers earn?", "fastest growing of them all?").answer
    assert answer.index("5 percent") < answer.index("4 percent") < answer.index("decline 6 percent")


def test_which_of_those_naming_two_roles_compares_them_not_the_items_shown(advisor):
    answer = talk(advisor, "How much do clerks earn?", "which of those is growing faster: bakers or pilots?").answer
    assert "5 percent" in answer and "4 percent" in answer


def test_what_the_user_cannot_do_does_not_pull_the_suggestion_toward_it(suggester):
    answer = suggester.ask(
        "I answer phones. I never fly airplanes or helicopters, never check the weather, never navigate routes. "
        "What job would make sense for me?"
    ).answer
    assert "Pilot" not in answer.split("**")[1]  # the closest role is not the one they cannot do


def test_a_suggestion_for_someone_without_a_degree_gives_each_roles_typical_way_in(suggester):
    answer = suggester.ask("I love baking bread and cakes, no degree. What job would make sense for me?").answer
    assert "Most bakers learn on the job" in answer  # the part's first sentence: the typical way in


def test_pay_against_what_i_would_get_staying_in_my_role_compares_the_two(advisor):
    answer = talk(advisor, "How fast is the pilot field growing?", "pay vs what i'd get staying a baker?").answer
    assert "$220,000" in answer and "$38,000" in answer


@pytest.mark.parametrize(
    "request_text",
    ["which certs would help most given i'm coming from the dev side, and what do they cost", "coming from ds"],
)
def test_the_side_the_user_comes_from_is_their_background(request_text):
    from advisor.core.pipeline import _OWN_BACKGROUND

    assert _OWN_BACKGROUND.search(request_text)


def test_which_certification_when_the_guide_only_mentions_one_in_passing_says_it_names_none():
    baker = BAKER + (
        "\n## How do you become a baker?\n\n"
        "Most bakers learn on the job. Some employers prefer bakers who hold a food safety certification.\n"
    )
    advisor = fake_advisor([baker, PILOT], default_guide="Baker")
    which = advisor.ask("which certifications should a baker get?")
    assert not which.grounded and "names no particular certifications" in which.answer
    assert "food safety certification" in which.answer  # what it does say follows
    whether = advisor.ask("do certifications matter for bakers?")  # answered by what the guide says
    assert whether.grounded and "names no particular" not in whether.answer


def test_that_after_vs_another_role_is_the_role_just_set_against_the_last(advisor):
    answer = talk(advisor, "How much do bakers earn?", "vs pilots", "how fast is that field growing?").answer
    assert "4 percent" in answer and "5 percent" not in answer


def test_a_short_request_pointing_back_that_names_its_own_subject_asks_about_it(advisor):
    answer = advisor.ask("I'm a baker and I earn little, pilots earn more. would that get me more openings?").answer
    assert "18,000" in answer and "$220,000" not in answer  # openings, not the pay the situation spoke of


def test_that_field_after_telling_ones_own_role_is_that_role_alone(advisor):
    answer = advisor.ask("I was a baker for 8 years, then took a break. is that field still growing?").answer
    assert "5 percent" in answer and "4 percent" not in answer  # not beside the default guide's role


def test_several_answers_share_the_room_so_a_long_list_never_pushes_out_the_last_answer():
    import numpy as np

    from advisor.core import tuning
    from advisor.core.content import Unit
    from advisor.core.pipeline import _share_the_room
    from advisor.core.plans import Block

    def unit(text: str) -> Unit:
        return Unit(text, np.zeros(3, dtype=np.float32), frozenset())

    duties = [unit("They keep the shop running. " * 6)] + [
        unit("- " + "an item of the long list " * 9) for _ in range(4)
    ]
    pay = [unit("They earned a median of $38,000 a year in May 2024, half of them more and half less. " * 5)]
    blocks = [Block(None, duties), Block(None, pay)]  # type: ignore[arg-type]
    _share_the_room(blocks)
    assert blocks[1].units == pay
    assert sum(len(u.text) for b in blocks for u in b.units) <= tuning.FURTHER_ANSWER_CHARS


def test_pay_and_growth_after_a_note_answers_each_from_its_own_part_not_the_figures_list():
    baker = BAKER + (
        "\n## Where do the figures come from?\n\nEvery figure in this guide comes from the BLS:\n\n"
        "- Median pay: $38,000 a year\n- Growth: 5 percent\n"
    )
    advisor = fake_advisor([baker, PILOT, CLERK], default_guide="Clerk")
    answer = talk(advisor, "How much do clerks earn?", "what about bakers, my cousin says so. pay and growth?").answer
    assert "Bakers earned a median of $38,000" in answer and "projected to grow 5 percent" in answer
    assert "Every figure" not in answer


def test_how_two_jobs_in_one_guide_differ_is_answered_by_what_the_job_is_not_its_pay():
    baker = _with_work(
        BAKER, "Bakers mix dough and bake bread; cake decorators in the same trade ice and decorate cakes."
    )
    advisor = fake_advisor([baker, PILOT], default_guide="Pilot")
    answer = advisor.ask("how is the work of bakers different from cake decorators?").answer
    assert "ice and decorate cakes" in answer and "$38,000" not in answer


def test_a_second_question_for_each_of_two_roles_adds_its_figure_to_both(advisor):
    answer = advisor.ask("bakers vs pilots outlook through 2034? and how many openings a year for each").answer
    assert "21,000" in answer and "18,000" in answer


def test_an_aside_declined_mid_conversation_offers_to_go_on_with_the_role_discussed(advisor):
    answer = talk(advisor, "How much do bakers earn?", "What's the weather like in Paris today?")
    assert not answer.grounded and "don't know" in answer.answer
    assert "tell you more about bakers" in answer.answer
    first = advisor.ask("What's the weather like in Paris today?").answer  # no conversation yet: the roles covered
    assert "pilots" in first and "tell you more" not in first


PILOT_PATH = PILOT + (
    "\n## How do you become a pilot?\n\nBecoming a pilot takes about 2 years in total. The path has two steps: earn a"
    " licence, then log flight hours.\n\n### Step 1: Earn a licence\n\nThe first step toward becoming a pilot is a"
    " licence:\n\n- Pass the written exam\n- Pass the flight test\n\n### Step 2: Log flight hours\n\nThe second step"
    " toward becoming a pilot is experience:\n\n- Log 1,500 flight hours\n- Fly as a first officer\n"
)


def test_the_steps_to_become_one_are_the_whole_path_not_the_step_whose_words_match():
    advisor = fake_advisor([BAKER, PILOT_PATH], default_guide="Pilot")
    answer = advisor.ask("what are the steps to become a pilot?").answer
    assert "takes about 2 years" in answer and "two steps" in answer
    assert "1,500 flight hours" in advisor.ask("what is step 2 to become a pilot?").answer


def test_growth_for_every_role_shows_every_roles_growth(advisor):
    answer = advisor.ask("how fast is the field growing for every role?").answer
    assert "5 percent" in answer and "4 percent" in answer and "decline 6 percent" in answer


@pytest.mark.parametrize(
    "request_text",
    ["rank the roles by how fast the field is growing", "how fast is the field growing, out of all these jobs?"],
)
def test_ranking_or_comparing_all_the_roles_shows_every_roles_figure(advisor, request_text):
    answer = advisor.ask(request_text).answer
    assert "5 percent" in answer and "4 percent" in answer and "decline 6 percent" in answer


def test_nothing_but_a_role_after_a_look_up_answer_gives_that_role_in_short():
    pilot = with_section(
        with_section(PILOT, "What does a pilot do?", "Pilots fly and navigate airplanes."),
        "What job titles fall under piloting?",
        "Job titles include airline captain, first officer and charter pilot.",
    )
    baker = with_section(BAKER, "What does a baker do?", "Bakers mix dough and bake bread.")
    advisor = fake_advisor([baker, pilot])
    answer = talk(
        advisor, "what job titles fall under piloting?", "what about bakers instead, honestly that's more what i do"
    ).answer
    assert "mix dough" in answer and "$38,000" in answer and "5 percent" in answer
    # after a career question, the same question goes on for the other role
    carried = talk(advisor, "How much do pilots earn?", "what about bakers instead?").answer
    assert "$38,000" in carried and "mix dough" not in carried


def test_a_comparison_that_says_what_is_compared_is_not_the_last_answers_kind():
    advisor = fake_advisor([BAKER, PILOT])
    answer = talk(advisor, "How fast is the baker field growing?", "how does that compare to pilots pay wise").answer
    assert "$38,000" in answer and "$220,000" in answer
    carried = talk(advisor, "How fast is the baker field growing?", "how does that compare to pilots?").answer
    assert "4 percent" in carried and "5 percent" in carried


def test_the_other_end_after_every_role_was_ranked_is_ranked_again():
    advisor = fake_advisor([BAKER, PILOT, CLERK])
    answer = talk(advisor, "which of these jobs is growing fastest?", "and the slowest, anything shrinking?").answer
    assert answer.index("decline 6 percent") < answer.index("grow 4 percent")


TAILOR = """# Tailor Career Guide

## How much do tailors earn?

Tailors earned a median of $36,000 a year in May 2024.

## How fast is the field growing?

Tailor jobs are projected to grow 9 percent over 2024-2034.
"""


def test_which_of_those_and_the_other_end_stay_with_the_roles_the_user_listed():
    advisor = fake_advisor([BAKER, PILOT, CLERK, TAILOR])
    asked = [
        "I'm weighing three paths: baker, pilot and clerk. Median pay for each?",
        "which of those is growing fastest?",
    ]
    fastest = talk(advisor, *asked).answer
    assert "5 percent" in fastest and "4 percent" in fastest and "decline 6 percent" in fastest
    assert "9 percent" not in fastest  # tailors grow fastest of all, but were not on the user's list
    slowest = talk(advisor, *asked, "and slowest?").answer
    assert "clerks have the slowest" in slowest.lower() and "9 percent" not in slowest
    same = talk(advisor, asked[0], "and projected growth for those same three?").answer
    assert "5 percent" in same and "4 percent" in same and "decline 6 percent" in same and "9 percent" not in same
    second = talk(advisor, asked[0], "how fast is the second one on my list growing?").answer
    assert "4 percent" in second and "5 percent" not in second and "6 percent" not in second


def test_the_other_end_of_a_ranking_of_every_role_is_over_every_role():
    advisor = fake_advisor([BAKER, PILOT, CLERK, TAILOR])
    answer = talk(advisor, "which job is growing fastest?", "and slowest?").answer
    assert answer.index("decline 6 percent") < answer.index("9 percent")


def test_each_question_of_a_message_is_read_like_a_whole_request():
    advisor = fake_advisor([BAKER, PILOT])
    answer = advisor.ask("bakers vs pilots, which of the two has more jobs open and which one pays more").answer
    assert "5 percent" in answer and "4 percent" in answer and "$220,000" in answer
    assert answer.index("5 percent") < answer.index("$220,000")  # in the order asked


def test_each_after_three_roles_named_is_all_three():
    advisor = fake_advisor([BAKER, PILOT, CLERK])
    answer = talk(
        advisor, "Should my first hire be a baker, a pilot or a clerk?", "What would each cost me, salary-wise?"
    ).answer
    assert "$38,000" in answer and "$220,000" in answer and "$41,000" in answer


def test_how_does_it_compare_compares_what_the_user_was_told():
    advisor = fake_advisor([BAKER, PILOT])
    answer = talk(
        advisor,
        "How fast is the baker field growing?",
        "my cousin flies planes and says pilots earn way better, how does it compare",
    ).answer
    assert "$38,000" in answer and "$220,000" in answer


class _Facets:
    """A knowledge base reduced to which guide has which kind of part, for the holding rule alone."""

    def __init__(self, held: dict[str, set[str]]):
        from advisor.core.guides import GuideNames

        self.held = held
        self.guide_names = GuideNames([(g, g) for g in held])

    def of_facet(self, facet: str, guide: str | None = None) -> list:
        from types import SimpleNamespace

        return [SimpleNamespace(guide=g) for g, kinds in self.held.items() if facet in kinds and guide in (None, g)]


def test_a_kind_of_part_the_guide_lacks_moves_the_request_only_when_nothing_it_has_comes_close():
    from advisor.core import tuning
    from advisor.core.dialogue import Profile
    from advisor.core.pipeline import _holding

    kb = _Facets({"Pilot Career Guide": {"pay", "path"}, "Baker Career Guide": {"pay", "path", "related"}})
    close = {"related": 0.52, "path": 0.52 - tuning.HOLD_GUIDE_MARGIN + 0.04, "pay": 0.1}
    assert _holding(kb, "Pilot Career Guide", close, Profile()) == "Pilot Career Guide"
    far = {"related": 0.72, "path": 0.72 - tuning.HOLD_GUIDE_MARGIN - 0.04, "pay": 0.1}
    assert _holding(kb, "Pilot Career Guide", far, Profile()) == "Baker Career Guide"


@pytest.mark.parametrize(
    ("follow_up", "covered"),
    [("what about nurses?", False), ("and for bread bakers?", False), ("what about pilots?", True)],
)
def test_what_about_a_role_no_guide_covers_is_refused_even_in_a_conversation(advisor, follow_up, covered):
    answer = talk(advisor, "How much do bakers earn?", follow_up)
    assert answer.grounded is covered
    assert ("no guide for that role" in answer.answer) is not covered


def test_the_role_the_user_is_heading_for_answers_what_the_guide_under_discussion_lacks():
    from advisor.core import tuning
    from advisor.core.dialogue import Profile
    from advisor.core.pipeline import _holding

    kb = _Facets({"Pilot Career Guide": {"pay", "path"}, "Baker Career Guide": {"pay", "path", "outlook"}})
    scores = {"outlook": 0.63, "path": 0.63 - tuning.HOLD_GUIDE_MARGIN + 0.07, "pay": 0.1}
    heading = Profile(statements=["lately I keep thinking about becoming a baker"])
    assert _holding(kb, "Pilot Career Guide", scores, heading) == "Baker Career Guide"
    assert _holding(kb, "Pilot Career Guide", scores, Profile()) == "Pilot Career Guide"


@pytest.mark.parametrize(
    ("request_text", "read_as"),
    [
        ("What's the cheapest certification mentioned in these guides?", "What's the cheapest certification ?"),
        ("does the guide have a Seattle-specific number?", "a Seattle-specific number?"),
        ("who wrote the guide?", "who wrote the guide?"),  # about the guide itself: kept
        ("what sources do the guides use?", "what sources do the guides use?"),
    ],
)
def test_words_about_the_guides_are_not_what_a_request_is_about(request_text, read_as):
    from advisor.core.pipeline import _about_the_guides

    assert _about_the_guides(request_text) == read_as


def test_a_specific_the_guides_lack_asked_in_no_clear_kind_gets_the_kind_just_shown():
    from advisor.core.dialogue import Topic
    from advisor.core.gate import Decision, Route
    from advisor.core.pipeline import _closest_kind_for_a_specific

    class Places:
        is_place = staticmethod(lambda word: word == "seattle")

    scores = {"sources": 0.39, "pay": 0.3, "locations": 0.2}
    lacking = Decision(Route.PARTIAL, "names Seattle", uncovered=["Seattle"])
    shown_pay = Topic(guide="Baker", facet="pay")
    assert _closest_kind_for_a_specific(Places(), lacking, dict(scores), shown_pay)
    kinds = dict(scores)
    _closest_kind_for_a_specific(Places(), lacking, kinds, shown_pay)
    assert max(kinds, key=kinds.__getitem__) == "pay"  # "a Seattle-specific number?" after the pay answer
    _closest_kind_for_a_specific(Places(), lacking, kinds := dict(scores), None)
    assert max(kinds, key=kinds.__getitem__) == "locations"  # a place, nothing shown: where the jobs are
    clear = {"sources": 0.7, "pay": 0.3}
    assert not _closest_kind_for_a_specific(Places(), lacking, clear, shown_pay)  # a clear kind stays


def test_is_it_in_that_list_is_answered_yes_or_no_over_the_whole_list_shown():
    baker = (
        BAKER
        + "\n## Which states have the most baker jobs?\n\nThe top states for baker jobs are:\n\n- Texas (TX)\n- Ohio (OH)\n"
    )
    advisor = fake_advisor([baker, PILOT, CLERK], default_guide="Baker")
    asked = "Which states have the most baker jobs?"
    no = talk(advisor, asked, "Is Colorado in that list?")
    assert no.grounded and no.answer.startswith("No, Colorado is not one of them")
    assert "Texas" in no.answer and "Ohio" in no.answer
    yes = talk(advisor, asked, "is ohio on the list?")
    assert yes.answer.startswith("Yes, ohio is one of them") and "Texas" in yes.answer
    standalone = advisor.ask("is Colorado one of the top states for baker jobs?")
    assert standalone.grounded and standalone.answer.startswith("No, Colorado is not one of them")


def test_the_parts_of_a_heading_every_guide_shares_are_those_of_the_role_it_was_about():
    from advisor.core.dialogue import Topic

    planner = fake_advisor([BAKER, PILOT, CLERK])._serving[3]
    shown = Topic(guide="Baker Career Guide", headings=("How fast is the field growing?",))
    assert [p.guide for p in planner._topic_parts(shown)] == ["Baker Career Guide"]


def test_which_roles_only_need_a_degree_shows_the_way_in_of_every_role():
    def way_in(guide: str, role: str, school: str) -> str:
        return f"{guide}\n## How do you become a {role}?\n\nMost {role}s need a {school} to start.\n"

    advisor = fake_advisor(
        [way_in(BAKER, "baker", "high school diploma"), way_in(PILOT, "pilot", "bachelor's degree"), CLERK]
    )
    answer = advisor.ask("Which of these roles only need a bachelor's?").answer
    assert "high school diploma" in answer and "bachelor's degree to start" in answer


def test_which_of_those_after_a_list_of_things_is_about_the_things_not_roles_named_before():
    baker = (
        BAKER
        + "\n## What tools do bakers use?\n\nThe tools bakers use are:\n\n- Deck oven ($900)\n- Dough mixer ($300)\n"
    )
    advisor = fake_advisor([baker, PILOT, CLERK], default_guide="Baker")
    answer = talk(advisor, "bakers vs pilots pay?", "What tools do they use?", "which of those is cheapest?").answer
    assert "Dough mixer ($300)" in answer and "$220,000" not in answer


def test_which_of_those_2_is_the_two_roles_just_compared():
    from advisor.core.pipeline import _THE_TWO

    assert _THE_TWO.search("ok which of those 2 is growing faster")
    advisor = fake_advisor([BAKER, PILOT, CLERK], default_guide="Clerk")
    answer = talk(advisor, "bakers vs pilots pay?", "ok which of those 2 is growing faster").answer
    assert "5 percent" in answer and "4 percent" in answer and "decline 6 percent" not in answer


def test_a_follow_up_naming_another_part_of_the_guide_gets_that_part():
    baker = (
        BAKER
        + "\n## What should a baker's portfolio include?\n\nA portfolio shows breads, cakes and pastries the baker made.\n"
        + "\n### Which numbers should a portfolio highlight?\n\nThe numbers to highlight are loaves a day and waste kept low.\n"
    )
    advisor = fake_advisor([baker, PILOT, CLERK], default_guide="Baker")
    answer = talk(
        advisor, "What should a baker's portfolio include?", "And which numbers should those breads highlight?"
    ).answer
    assert "loaves a day" in answer
    # the rule itself: "numbers" heads a part of the guide the last answer did not show
    import numpy as np

    from advisor.core.dialogue import Profile, Topic
    from advisor.core.intents import FACT
    from advisor.core.plans import Request
    from advisor.core.text import tokens

    planner = advisor._serving[3]
    shown = Topic(guide="Baker Career Guide", headings=("What should a baker's portfolio include?",))

    def asking(text: str) -> Request:
        return Request(text, np.zeros(384), FACT, {}, Profile(), shown, [], False, frozenset(tokens(text)), [], "")

    assert planner._names_another_part(asking("And which numbers should those breads highlight?"), shown)
    assert not planner._names_another_part(asking("tell me more about those breads"), shown)


def test_how_many_of_those_positions_asks_for_the_number_of_jobs():
    from advisor.core.pipeline import _JOB_COUNT

    assert _JOB_COUNT.search("How many of those positions are there?")
    assert not _JOB_COUNT.search("which states have the most jobs")
