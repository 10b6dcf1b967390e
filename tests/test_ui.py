"""The chat's rendering and history helpers, without a browser: what is shown is escaped, what
goes back to the Advisor is the plain answer, follow-ups come from the sources."""

from __future__ import annotations

from advisor.core.schema import Answer, Source
from advisor.web.ui import NOT_GROUNDED, answer_text, follow_ups, plain, render_answer, to_history


def make_answer(text="Pay is **$120k** [1].", grounded=True, source_text="Pay is $120k.", section="How much?"):
    sources = [Source(id="a", title="Guide", section=section, text=source_text, score=0.5)] if grounded else []
    return Answer(answer=text, grounded=grounded, backend="extractive", sources=sources)


def test_html_in_answers_and_sources_is_escaped_markdown_kept():
    answer = make_answer(
        text="<script>alert(1)</script> is **bold** [1]",
        source_text="### Heading\n<img src=x onerror=alert(2)> & more\n- item",
    )
    shown = render_answer(answer)
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "<img" not in shown and "&lt;img" in shown and "&amp; more" in shown
    assert "**bold**" in shown and "**Heading**" in shown and "> - item" in shown
    assert '<details class="advisor-sources"><summary>Sources (1)</summary>' in shown
    assert "**[1] Guide › How much?**" in shown


def test_ungrounded_answers_are_marked_and_have_no_sources_block():
    shown = render_answer(make_answer(text="I don't know that from my sources.", grounded=False))
    assert shown.startswith(NOT_GROUNDED) and "<details" not in shown


def test_a_greeting_is_not_marked_as_missing_from_the_sources():
    shown = render_answer(make_answer(text="Hi! I'm Career Advisor.", grounded=False))
    assert NOT_GROUNDED not in shown and shown.startswith("Hi!")


def test_history_gets_the_plain_answer_back():
    answer = make_answer(text="Pay is <b>$120k</b> & up:\n- a [1]")
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "a &lt;b&gt; question"}]},
        {"role": "assistant", "content": [{"type": "text", "text": render_answer(answer)}]},
        {"role": "user", "content": "next"},
        {"role": "assistant", "content": render_answer(make_answer(text="No.", grounded=False))},
    ]
    assert to_history(messages) == [
        {"role": "user", "content": "a <b> question"},
        {"role": "assistant", "content": "Pay is <b>$120k</b> & up:\n- a [1]"},
        {"role": "user", "content": "next"},
        {"role": "assistant", "content": "No."},
    ]
    assert answer_text(plain([{"type": "text", "text": render_answer(answer)}])) == answer.answer


def test_follow_ups_come_from_the_sources_and_skip_what_was_asked(advisor):
    answer = advisor.ask("How much do MLOps engineers earn?")
    top = answer.sources[0].section
    suggestions = follow_ups(advisor, answer, ["How much do MLOps engineers earn?"])
    assert 1 <= len(suggestions) <= 3
    assert top not in suggestions and all(q.endswith("?") for q in suggestions)
    assert suggestions[0] in {s.section.split(" > ")[0] for s in answer.sources} | {
        p.strip() for s in answer.sources for p in s.section.replace(" > ", ";").split(";")
    }
    again = follow_ups(advisor, answer, ["How much do MLOps engineers earn?", *suggestions])
    assert not set(again) & set(suggestions)


def test_follow_ups_for_a_refusal_are_starter_questions(advisor):
    answer = advisor.ask("How do I bake sourdough bread?")
    assert follow_ups(advisor, answer, []) == advisor.starter_questions(3)
