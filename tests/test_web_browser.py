"""The chat at / in headless Chromium, against the real server: starter question, streamed answer
with its sources, a follow-up that needs the history, like -> SQLite, history kept across a
reload, clear, and a question with HTML/script in it shown as text with no dialog fired.
Saves the screenshots the README shows (docs/screenshots/)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from live_server import live_server

pytestmark = [
    pytest.mark.browser,
    # pandas 3 deprecations inside Gradio's queue statistics (not ours)
    pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing"),
]

SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
STORAGE_KEY = "career-advisor-history"
BOT = '#advisor-chat [data-testid="bot"]'
USER = '#advisor-chat [data-testid="user"]'
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"> How much do MLOps engineers earn?'

# Records every state the last answer goes through, to see it arrive streamed (text before sources).
WATCH = """() => {
  window.__states = [];
  new MutationObserver(() => {
    const bots = document.querySelectorAll('#advisor-chat [data-testid="bot"]');
    const last = bots[bots.length - 1];
    if (last) window.__states.push({text: last.innerText.length, sources: !!last.querySelector('.advisor-sources')});
  }).observe(document.querySelector('#advisor-chat'), {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def server(settings, advisor):
    return live_server(settings, advisor)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1100, "height": 1100})
    page = context.new_page()
    page.dialogs = []
    page.external = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on(
        "request",
        lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else page.external.append(r.url),
    )
    page.goto(server.url + "/")
    page.wait_for_selector("#advisor-chat")
    yield page
    context.close()


def ask(page, question: str) -> None:
    n = page.locator(BOT).count()
    page.fill("#advisor-question textarea", question)
    page.click("#advisor-send")
    wait_answer(page, n + 1)


def wait_answer(page, count: int) -> None:
    """Until `count` answers are shown and the last one is final (its follow-up options are up)."""
    page.wait_for_function(
        """([sel, n]) => { const b = document.querySelectorAll(sel);
            return b.length >= n && !!document.querySelector('#advisor-chat .options .option'); }""",
        arg=[BOT, count],
        timeout=30_000,
    )


def last_answer(page):
    return page.locator(BOT).last


def test_chat_flow_starter_follow_up_like_history_clear(page, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    starters = page.locator("#advisor-chat button.example")
    assert starters.count() >= 3
    page.screenshot(path=str(SHOTS / "start.png"))

    # A starter question: the answer streams in, then shows its sources.
    page.evaluate(WATCH)
    first_question = starters.first.inner_text().strip()
    assert first_question.endswith("?")
    starters.first.click()
    wait_answer(page, 1)
    answer = last_answer(page)
    assert "120,000" in answer.inner_text() and "[1]" in answer.inner_text()
    states = page.evaluate("window.__states")
    assert any(s["text"] > 0 and not s["sources"] for s in states), "the answer did not arrive streamed"
    assert states[-1]["sources"]
    summary = answer.locator(".advisor-sources summary")
    assert summary.inner_text().startswith("Sources (")
    passage = answer.locator(".advisor-sources blockquote").first
    assert not passage.is_visible()  # collapsed until asked for
    summary.click()
    assert passage.is_visible() and "Levels.fyi" in answer.locator(".advisor-sources").inner_text()
    assert "[1] MLOps Engineer Career Guide" in answer.locator(".advisor-sources").inner_text()
    page.screenshot(path=str(SHOTS / "sources.png"))
    summary.click()
    assert not passage.is_visible()

    # A follow-up that only makes sense with the first question: "it" is the salary band.
    ask(page, "does it depend on experience?")
    follow = last_answer(page).inner_text()
    assert "experience" in follow and "band" in follow
    assert page.locator("#advisor-chat .options .option").count() >= 1  # suggested follow-ups
    page.screenshot(path=str(SHOTS / "chat.png"))

    # Like the follow-up's answer: stored durably with question, answer, sources and backend.
    last_answer(page).hover()
    page.locator('#advisor-chat button[aria-label="Like"]').last.click()
    rows = []
    for _ in range(100):
        rows = [r for r in server.feedback.all() if r["question"] == "does it depend on experience?"]
        if rows:
            break
        time.sleep(0.1)
    assert rows, "the like did not reach the feedback store"
    row = rows[-1]
    assert row["rating"] == "like" and row["backend"] == "extractive" and row["grounded"] is True
    assert "experience" in row["answer"] and row["sources"] and row["sources"][0]["text"]
    assert row["created_at"]

    # A suggested follow-up is clickable and answers.
    option = page.locator("#advisor-chat .options .option").first
    option_text = option.inner_text().strip()
    saved = page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")
    option.click()
    wait_answer(page, 3)
    assert page.locator(USER).last.inner_text().strip() == option_text
    # ...and the conversation, answer included, is then saved in the browser.
    page.wait_for_function(f"(old) => localStorage.getItem('{STORAGE_KEY}') !== old", arg=saved, timeout=10_000)

    # History is kept in this browser: a reload shows the conversation again.
    page.reload()
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length >= 3", arg=BOT, timeout=15_000)
    assert page.locator(USER).first.inner_text().strip() == first_question

    # Clear chat empties it, for good.
    page.click("#advisor-clear")
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length === 0", arg=BOT, timeout=10_000)
    page.reload()
    page.wait_for_selector("#advisor-chat button.example")
    time.sleep(0.5)
    assert page.locator(BOT).count() == 0
    assert page.dialogs == [] and page.external == []


def test_html_and_script_in_a_question_show_as_text(page):
    # Any script that did run would call alert (a dialog) or this counter.
    page.evaluate(
        "() => { window.__xss = 0; const real = window.alert;"
        " window.alert = (m) => { window.__xss += 1; real.call(window, m); }; }"
    )
    ask(page, XSS)
    shown = page.locator(USER).last.inner_text()
    assert "<script>alert(1)</script>" in shown and '<img src=x onerror="alert(2)">' in shown
    assert page.locator("#advisor-chat script").count() == 0
    assert page.locator("#advisor-chat img[src='x']").count() == 0
    assert page.evaluate("window.__xss") == 0 and page.dialogs == []
    assert "120,000" in last_answer(page).inner_text()  # the question itself is still answered
    page.screenshot(path=str(SHOTS / "escaped.png"))


def test_out_of_scope_answer_is_marked(page):
    ask(page, "How do I bake sourdough bread?")
    text = last_answer(page).inner_text()
    assert "Not in my sources" in text
    assert last_answer(page).locator(".advisor-sources").count() == 0
