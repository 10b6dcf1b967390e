"""Answer plans through the real pipeline over a made-up second guide (fakes: no model, no Chroma):
lists keep their sub-headings, superlatives and comparisons, exclusions, the path tailored by what the
user said, follow-ups, topic switches, and a refusal that does not poison the conversation."""

import numpy as np
import pytest

from advisor.core.dialogue import Profile
from advisor.core.plans import Request
from advisor.core.text import tokens
from tests.fakes import fake_advisor, talk

pytestmark = pytest.mark.unit

GUIDE = """# Data Engineer Career Guide

## How much do data engineers earn?

Data engineers earn $100,000-$160,000 a year. Pay depends on experience and the employer.

## How do you become a data engineer?

Becoming a data engineer takes about 2-4 years. The path has three steps.

### Step 1: Learn the basics

The first step is programming:
- Learn SQL and Python well
- Understand relational databases

### Step 2: Build pipelines

The second step is pipelines:
- Learn Airflow for scheduling
- Learn Spark for large data sets

### Step 3: Own a platform

The third step is running a data platform:
- Operate Kafka streams
- Run dbt models in a warehouse

## Which certifications are worth getting?

Certifications show platform skills. They come in two groups.
Cloud certifications:
- AWS Data Engineer ($150): data services on AWS
- Google Data Engineer ($200): data services on Google Cloud
Vendor certifications:
- Databricks Associate ($200): the Databricks platform
- Snowflake SnowPro ($175): the Snowflake warehouse
Prices are exam fees in US dollars.

## What tools do data engineers use?

The tools data engineers use are:
- Airflow: schedules pipelines
- Spark: processes large data sets
- Kafka: streams events
- dbt: transforms data in the warehouse
"""


@pytest.fixture(scope="module")
def advisor():
    return fake_advisor([GUIDE])


def test_a_list_keeps_its_sub_headings_and_its_closing_sentence_stays_out_of_the_last_bullet(advisor):
    text = advisor.ask("Which certifications are worth getting?").answer
    assert text.index("Cloud certifications") < text.index("AWS Data Engineer") < text.index("Vendor certifications")
    assert text.index("Vendor certifications") < text.index("Snowflake SnowPro")
    last_bullet = [line for line in text.splitlines() if line.startswith("- ")][-1]
    assert "exam fees" not in last_bullet and "exam fees" in text


def test_the_cheapest_item_of_a_priced_list(advisor):
    text = advisor.ask("which data certification is cheapest?").answer
    assert "AWS Data Engineer ($150)" in text and "$200" not in text


def test_which_is_cheaper_of_two_named_items_shows_both_cheaper_first(advisor):
    text = advisor.ask("which is cheaper, the Snowflake SnowPro or the Databricks Associate certification?").answer
    assert text.index("Snowflake SnowPro ($175)") < text.index("Databricks Associate ($200)")


def test_other_than_leaves_the_named_item_out(advisor):
    text = advisor.ask("other than Airflow, what tools do data engineers use?").answer
    assert "Spark" in text and "Kafka" in text and "Airflow" not in text


def test_what_is_new_to_me_skips_the_steps_the_user_has(advisor):
    text = talk(advisor, "I know SQL and Python and relational databases well.", "What would be new to me?").answer
    assert "Step 2" in text and "Learn Airflow" in text
    assert "Learn SQL and Python well" not in text


def test_a_role_that_names_a_step_has_that_step_and_the_answer_says_which_in_plain_words(advisor):
    text = talk(advisor, "I'm a pipelines engineer, 3 years.", "What would be new to me?").answer
    assert 'you already have part of "Step 1: Learn the basics" and "Step 2: Build pipelines".' in text
    assert "Operate Kafka streams" in text and "Learn Airflow" not in text


def test_tell_me_more_about_the_second_one_takes_the_item_from_the_last_answer(advisor):
    text = talk(advisor, "What tools do data engineers use?", "tell me more about the second one").answer
    assert "Spark" in text and "Kafka" not in text


def test_a_self_contained_question_is_a_new_topic(advisor):
    answer = talk(advisor, "How much do data engineers earn?", "What tools do data engineers use?")
    assert "Airflow" in answer.answer and "$100,000" not in answer.answer


def test_a_refusal_does_not_poison_the_rest_of_the_conversation(advisor):
    answer = talk(advisor, "I'm a nurse. Who won the world cup in 2018?", "How much do data engineers earn?")
    assert answer.grounded and "$100,000" in answer.answer


def test_every_answer_cites_a_source_it_returns(advisor):
    answer = advisor.ask("How much do data engineers earn?")
    assert "[1]" in answer.answer and answer.sources[0].text.count("$100,000") == 1


@pytest.mark.parametrize(
    "message",
    [
        "I'm a nurse in Denver and I hate my job. How much do data engineers earn?",
        "I'm a nurse in Denver. Is that a problem?",
    ],
)
def test_observers_get_the_request_never_what_the_user_said_about_themselves(advisor, message):
    seen = []
    advisor.observers.append(seen.append)
    try:
        advisor.ask(message)
    finally:
        advisor.observers.remove(seen.append)
    assert seen and "nurse" not in seen[0].question and "Denver" not in seen[0].question


def test_a_budget_lists_every_priced_item_within_it_cheapest_first(advisor):
    text = advisor.ask("I can spend $180 max on an exam, which certifications fit?").answer
    assert text.index("AWS Data Engineer") < text.index("Snowflake SnowPro")
    assert "Google Data Engineer" not in text and "Databricks" not in text


def test_step_n_shows_that_step(advisor):
    text = advisor.ask("step 2?").answer
    assert "Airflow" in text and "Learn SQL" not in text


@pytest.mark.parametrize(
    ("question", "shown", "not_shown"),
    [
        ("last step to become a data engineer?", "Kafka", "Airflow"),
        ("what's the final stage before I can call myself a data engineer", "Kafka", "Airflow"),
        ("second step?", "Airflow", "Kafka"),
    ],
)
def test_a_step_named_by_its_place_shows_that_step(advisor, question, shown, not_shown):
    text = advisor.ask(question).answer
    assert shown in text and not_shown not in text


def test_where_am_i_on_the_path_shows_the_step_that_comes_next_after_what_carries_over():
    from advisor.core.dialogue import Profile
    from advisor.core.plans import Request

    advisor = fake_advisor([GUIDE])  # its own: the parts' kinds are changed below
    content, planner = advisor._serving[2], advisor._serving[3]
    for part in content.parts:  # the fake embedder reads the steps as another kind of part
        if "Step" in part.heading:
            object.__setattr__(part, "facet", "path")
    profile = Profile(known_terms=frozenset({"sql", "python"}), statements=["I know SQL and Python well"])

    def carried(text: str, scores: dict[str, float]) -> list[str]:
        request = Request(text, advisor.embedder.encode_query(text), "carry", scores, profile)
        return [b.part.sub for b in planner._carried_over(request, "Data Engineer Career Guide").blocks]

    assert carried("where am I on the path?", {"path": 0.5, "tools": 0.2}) == [
        "Step 1: Learn the basics",
        "Step 2: Build pipelines",
    ]
    assert carried("which of my tools carry over?", {"tools": 0.6, "path": 0.2}) == ["Step 1: Learn the basics"]


KINDS = """# Tester Career Guide

## What do tester interviews ask?

Tester interviews ask about quality. Questions come in two kinds: design and coding.

### Design questions

The design questions include:
- Design a test plan for a payments app
- Plan load tests for a web shop

### Coding questions

The coding questions include:
- Write a unit test for a parser
- Fix a flaky test
"""


@pytest.mark.parametrize(
    ("coding_score", "kinds_shown"),
    [(0.93, ["", "Design questions", "Coding questions"]), (0.7, ["Design questions"])],
)
def test_a_section_announcing_its_kinds_is_shown_whole_when_every_kind_reads_as_close(coding_score, kinds_shown):
    """ "what are common interview questions": every kind, not the one whose words matched best; "what do
    they ask about test plans": that kind."""
    from advisor.core.dialogue import Profile
    from advisor.core.plans import Request

    advisor = fake_advisor([KINDS])
    content, planner = advisor._serving[2], advisor._serving[3]
    parts = {p.sub: p for p in content.parts}
    text = "what do tester interviews ask"
    request = Request(text, advisor.embedder.encode_query(text), "fact", {"interviews": 0.8}, Profile())
    ranked = [(0.95, parts["Design questions"]), (coding_score, parts["Coding questions"]), (0.9, parts[""])]
    ranked.sort(key=lambda pair: -pair[0])
    assert [b.part.sub for b in planner._fact(request, ranked).blocks] == kinds_shown


def test_it_in_a_short_question_is_what_the_last_answer_showed(advisor):
    answer = talk(advisor, "How much do data engineers earn?", "does it depend on experience?")
    assert "$100,000-$160,000" in answer.answer


def test_and_the_x_goes_on_from_the_topic(advisor):
    answer = talk(advisor, "What tools do data engineers use?", "And the pay?")
    assert answer.grounded and "$100,000-$160,000" in answer.answer


def test_each_question_of_a_message_is_answered_in_the_order_asked(advisor):
    text = advisor.ask("How much do data engineers earn? And which certifications are worth getting?").answer
    assert "$100,000-$160,000" in text and "certification" in text.lower()
    assert text.index("$100,000") < text.lower().index("certification")


def test_several_short_questions_each_get_their_first_sentences(advisor):
    text = advisor.ask("how much do data engineers earn? which certifications? how do you become one?").answer
    assert "$100,000-$160,000" in text and "AWS Data Engineer ($150)" in text and "2-4 years" in text


def test_facets_joined_by_plus_are_each_answered(advisor):
    text = advisor.ask("data engineers: how much they earn + which certifications").answer
    assert "$100,000-$160,000" in text and "certification" in text.lower()


def test_a_premise_with_a_wrong_figure_gets_the_guides_figure(advisor):
    text = advisor.ask("I read data engineers make 250k so I expect that out of school").answer
    assert "$100,000-$160,000" in text


def test_how_many_yrs_from_zero_to_landing_a_role_is_the_path_length(advisor):
    assert "2-4 years" in advisor.ask("realistically how many yrs from zero to landing a data engineer role?").answer


def test_which_tools_would_be_new_to_me_lists_tools_not_path_steps(advisor):
    text = talk(advisor, "I already use Airflow at work.", "Which tools would be new to me?").answer
    assert "Spark: processes large data sets" in text and "Step 1" not in text


def test_the_one_list_of_what_would_be_new_is_shown_whole():
    six = GUIDE.replace(
        "- dbt: transforms data in the warehouse",
        "- dbt: transforms data in the warehouse\n- Flink: processes streams\n- Looker: draws dashboards",
    )
    advisor = fake_advisor([six])
    text = talk(advisor, "I already use Excel at work.", "Which tools would be new to me?").answer
    assert all(name in text for name in ("Airflow", "Spark", "Kafka", "dbt", "Flink", "Looker"))


def _items_of_step_1_named_by(guide: str):
    """(the knowledge base, a function: request text -> the texts of the items of step 1 it names)."""
    advisor = fake_advisor([guide])
    advisor.ask("hi")
    content, planner = advisor._serving[2], advisor._serving[3]
    step = next(p for p in content.parts if "Step 1" in p.heading)

    def named(text: str) -> list[str]:
        request = Request(text, np.zeros(8), "fact", {}, Profile(), terms=frozenset(tokens(text)))
        return [u.text for u in planner._named_items(request, step)]

    return content, named


def test_a_name_that_is_also_a_plain_word_names_its_item_only_when_capitalised():
    guide = GUIDE.replace(
        "- Learn SQL and Python well", "- Earn a degree in computing\n- Learn SQL, Python or Go well"
    ).replace("Pay depends on experience", "Wherever you go, pay depends on experience")
    content, named = _items_of_step_1_named_by(guide)
    assert "go" in content.common_names
    assert not any("Go well" in t for t in named("Do I need a degree to go into data engineering?"))
    assert [t for t in named("is Go used in the first step?") if "Go well" in t]


def test_an_everyday_word_the_guides_also_write_in_lower_case_names_no_one_item():
    guide = GUIDE.replace("- Understand relational databases", "- Track every change to a schema").replace(
        "Pay depends on experience", "Pay can change with experience"
    )
    _, named = _items_of_step_1_named_by(guide)
    assert named("what would change day to day in the first step?") == []  # the whole step answers it
    assert [t for t in named("is schema work part of the first step?") if "schema" in t]  # "schema": a rarer word


def test_an_engineering_manager_has_no_path_step_by_the_word_engineering():
    names = fake_advisor([GUIDE.replace("Learn the basics", "Learn engineering basics")])
    text = talk(names, "I'm an engineering manager.", "What would be new to me?").answer
    assert "you already have part of" not in text


def test_items_named_across_sub_headings_each_stay_under_their_own(advisor):
    text = advisor.ask("What do the AWS Data Engineer and the Snowflake SnowPro certifications cost?").answer
    assert text.index("Cloud certifications") < text.index("AWS Data Engineer") < text.index("Vendor certifications")
    assert text.index("Vendor certifications") < text.index("Snowflake SnowPro")


def test_is_it_x_only_shows_the_whole_list(advisor):
    text = advisor.ask("which tools do data engineers use, is it Spark only?").answer
    assert "Spark" in text and "Airflow" in text and "Kafka" in text


def test_the_cheapest_two_from_different_groups_each_show_under_their_own_sub_heading(advisor):
    text = advisor.ask("which two data certifications cost the least?").answer
    assert text.index("Cloud certifications") < text.index("AWS Data Engineer ($150)")
    assert text.index("AWS Data Engineer ($150)") < text.index("Vendor certifications") < text.index("SnowPro ($175)")


def test_the_cheapest_of_a_group_named_is_the_cheapest_in_that_group(advisor):
    # "certifications" heads every group: the word that tells them apart decides
    text = advisor.ask("which of the vendor certifications is cheapest?").answer
    assert "SnowPro ($175)" in text and "AWS Data Engineer" not in text


def test_which_of_my_tools_carry_over_lists_the_guides_items_the_user_has(advisor):
    text = talk(advisor, "I use Airflow and Kafka at work.", "Which of the tools I already use carry over?").answer
    assert "Airflow: schedules pipelines" in text and "Kafka: streams events" in text
    assert "Spark: processes" not in text


def test_a_list_split_across_chunks_reads_each_item_once():
    from advisor.core.content import build_content
    from tests.fakes import FakeEmbedder, build_index

    items = "\n".join(f"- Task number {n}: reviewing the quarterly plans of team {n} with care" for n in range(1, 31))
    guide = f"# Pilot Career Guide\n\n## What does a pilot do?\n\nA pilot's work typically includes:\n\n{items}\n"
    embedder = FakeEmbedder()
    index = build_index([guide], embedder)
    units = [u.text for p in build_content(index, embedder).parts for u in p.units]
    assert len(index.ids) > 1  # the list spans chunks, which overlap
    assert len(units) == len(set(units)) and sum(u.startswith("- Task number") for u in units) == 30


def test_a_lead_that_counts_the_whole_list_is_not_shown_above_some_of_its_items(advisor):
    text = advisor.ask("Which certification is cheapest?").answer
    assert "AWS Data Engineer ($150)" in text and "two groups" not in text


def test_a_whole_list_keeps_the_parts_opening_sentence():
    guide = (
        "# Pilot Career Guide\n\n## What does a pilot do?\n\nPilots fly aircraft for airlines. Flight engineers, the"
        " other half of the group, check the systems. A pilot's work typically includes:\n\n- Checking the weather"
        "\n- Flying the route\n- Landing safely\n"
    )
    text = fake_advisor([guide]).ask("What does a pilot do?").answer
    assert text.startswith("Pilots fly aircraft for airlines.") and "Landing safely" in text


def test_a_sentence_that_points_back_is_shown_with_the_one_it_points_at():
    """ "That adds about 287,900 jobs" alone says nothing: the sentence before it comes too."""
    guide = (
        "# Pilot Career Guide\n\n## How fast is the field growing?\n\nThe BLS expects pilot numbers to grow by 5"
        " percent over 2024-2034. That adds about 9,000 jobs over the decade. Airlines hired many pilots in 2024."
        " Cargo carriers fly at night. Regional airlines train new pilots. Some pilots fly helicopters.\n"
    )
    text = fake_advisor([guide]).ask("how many pilot jobs will be added?").answer
    assert "That adds about 9,000 jobs" in text and "grow by 5 percent" in text


def test_the_sentence_using_a_rare_word_of_the_request_is_shown_however_the_others_score():
    """ "typical afternoon for a pilot?": the afternoon sentence, not the first four of the day."""
    guide = (
        "# Pilot Career Guide\n\n## What does a typical pilot day look like?\n\nA pilot day starts early. A pilot"
        " day has a briefing. A pilot day has a preflight check. A pilot day has a long flight. In the"
        " afternoon, crews rest and file reports. A pilot day ends at the hotel.\n\n## How much do pilots earn?"
        "\n\nPilots earn $200,000 a year.\n"
    )
    text = fake_advisor([guide]).ask("what does a typical pilot day afternoon look like?").answer
    assert "file reports" in text


def test_besides_a_list_named_by_a_clipped_word_shows_the_other_list():
    """ "besides the tech stuff what people skills matter": not the "Technical skills" list."""
    guide = GUIDE + (
        "\n## What skills do you need?\n\nData engineers need two kinds of skills.\n\n### Technical skills\n\n"
        "- SQL: querying tables\n- Python: writing pipelines\n\n### People skills\n\n"
        "- Communication: explaining pipelines to people\n- Patience: working with people who push back\n"
    )
    text = fake_advisor([guide]).ask("besides the tech skills stuff, what other skills do data engineers need?").answer
    assert "Communication" in text and "SQL" not in text


def test_answers_about_a_guide_do_not_change_when_other_guides_are_added(advisor):
    """Issue 13: words are weighed by how rare they are within the guide asked about, so a knowledge
    base of many guides (here copies of the guide under other names) answers about it as one does."""
    others = [
        GUIDE.replace("Data Engineer", f"Pipeline{i} Builder").replace("data engineer", f"pipeline{i} builder")
        for i in range(8)
    ]
    many = fake_advisor([GUIDE, *others])
    asked = [
        "How much do data engineers earn?",
        "what tools do data engineers use for streaming?",
        "Which data engineer certifications are worth getting?",
        "How long does it take to become a data engineer?",
        "do data engineers need to know Spark?",
        "what is the first step to become a data engineer?",
    ]
    for question in asked:
        assert many.ask(question).answer == advisor.ask(question).answer, question


def test_a_topic_guides_leave_out_is_found_without_the_roles_name_too(advisor, monkeypatch):
    """ "are sysadmins usually in a union": the role's name pulls the request away from the topic."""
    role_free = advisor.embedder.encode_query("are usually in a union")

    def closest(vector):
        return ("unions", 0.9) if np.allclose(vector, role_free) else ("remote work", 0.1)

    monkeypatch.setattr(advisor._intents, "uncovered_topic", closest)
    assert advisor.ask("are data engineers usually in a union").answer.startswith("My sources don't cover unions")


def test_a_topic_guides_leave_out_that_the_user_told_before_asking_is_said_to_be_uncovered(advisor, monkeypatch):
    """ "my english is not perfect, is problem for get job in this?": the question leans on what they told."""
    message = "My English is not perfect, so is it a problem for getting a data engineer job?"
    told = advisor.embedder.encode_query(message)

    def closest(vector):
        return ("English proficiency", 0.9) if np.allclose(vector, told) else ("remote work", 0.1)

    monkeypatch.setattr(advisor._intents, "uncovered_topic", closest)
    text = advisor.ask(message).answer
    assert text.startswith("My sources don't cover English proficiency")
    # the same question without the telling is answered
    assert not advisor.ask("is it a problem for getting a data engineer job?").answer.startswith("My sources")


def test_a_rare_word_of_an_item_just_shown_asks_about_that_item_not_a_topic_the_guides_leave_out(advisor):
    from advisor.core.dialogue import Topic
    from advisor.core.pipeline import _names_an_item

    gate, content = advisor._serving[1], advisor._serving[2]
    shown = Topic(items=("AWS Data Engineer ($150): data services on AWS", "Snowflake SnowPro ($175): the warehouse"))
    assert _names_an_item(gate, content, "How much is the Snowflake one?", shown)
    assert not _names_an_item(gate, content, "How much is the Snowflake one?", None)  # no list shown: may be a company
    assert not _names_an_item(gate, content, "How much does Google pay?", shown)
    # an item of the list the answer was cut from counts too: the cheapest cloud one was shown, not Snowflake
    cut = Topic(
        guide="Data Engineer Career Guide",
        headings=("Which certifications are worth getting?",),
        items=("AWS Data Engineer ($150): data services on AWS",),
    )
    assert _names_an_item(gate, content, "How much is the Snowflake one?", cut)


def test_every_announced_kind_is_shown_cut_to_its_first_items_when_all_of_them_would_not_fit():
    def kind(name: str) -> str:
        items = "\n".join(
            f"- {name} tool number {n}: a long description of what this {name} tool does all day" for n in range(8)
        )
        return f"### {name.title()}\n\nThe {name} tools bakers use are:\n{items}\n"

    guide = (
        "# Baker Career Guide\n\n## What tools do bakers use?\n\n"
        "The tools bakers use fall into three categories. Each category is listed below.\n\n"
        + "\n".join(kind(k) for k in ("oven", "mixer", "proofer"))
    )
    answer = fake_advisor([guide]).ask("What tools do bakers use?").answer
    assert all(f"**{k}**" in answer for k in ("Oven", "Mixer", "Proofer"))
    assert "oven tool number 1" in answer and "proofer tool number 1" in answer and "tool number 7" not in answer
    assert answer.endswith("ask about one kind to see all of it.") and len(answer) <= 1200


def test_pay_asked_beside_a_word_of_an_item_just_shown_is_still_about_employers(advisor):
    from advisor.core.dialogue import Topic
    from advisor.core.pipeline import _names_an_item

    shown = Topic(items=("AWS Data Engineer ($150): data services on AWS", "Snowflake SnowPro ($175): the warehouse"))
    assert not _names_an_item(
        advisor._serving[1], advisor._serving[2], "what do they pay at Snowflake specifically", shown
    )
