"""The widget's chat page (/embed, what the widget's frame shows) in headless Chromium against the
real server: starters and follow-up suggestions, cited sources behind [n] buttons, clean Copy,
like/dislike kept and stored, retry, edit-and-resend, stop, the character counter, errors said in
the conversation without losing the question, dark mode and touch targets on a phone."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from live_server import live_server

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")]

QUESTION = "What does an MLOps engineer earn?"
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
FINAL = ".msg.bot:not(.waiting):not(.streaming) .actions"

# Holds the answer request for 3 s (in the page, so the test can act meanwhile) while window.__slow.
SLOW_FETCH = """() => { const real = window.fetch;
  window.fetch = (url, options) => !String(url).includes('api/chat') || !window.__slow ? real(url, options)
    : new Promise((resolve, reject) => {
        const timer = setTimeout(() => real(url, options).then(resolve, reject), 3000);
        options.signal?.addEventListener('abort', () => { clearTimeout(timer);
          reject(new DOMException('The user aborted a request.', 'AbortError')); });
      });
}"""


@pytest.fixture(scope="module")
def server(settings, advisor):
    return live_server(settings, advisor)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 400, "height": 640})
    context.set_default_timeout(30_000)
    yield context
    context.close()


def open_embed(context, server):
    page = context.new_page()
    page.goto(server.url + "/embed")
    page.wait_for_selector("#question")
    return page


def ask(page, question: str) -> None:
    n = page.locator(FINAL).count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    page.locator(FINAL).nth(n).wait_for()


def test_starters_follow_ups_and_focus(context, server):
    page = open_embed(context, server)
    starters = page.locator(".choices .choice")
    starters.first.wait_for()
    assert starters.count() >= 3 and all(q.endswith("?") for q in starters.all_inner_texts())
    first = starters.first.inner_text()
    starters.first.focus()
    page.keyboard.press("Enter")
    page.locator(FINAL).first.wait_for()
    assert page.locator(".msg.user").first.inner_text() == first
    assert page.evaluate("() => document.activeElement.id") == "question"  # focus back in the box
    # Follow-up suggestions under the answer, clickable.
    options = page.locator(".choices .choice")
    options.first.wait_for()
    suggestion = options.first.inner_text()
    assert suggestion != first and suggestion.endswith("?")
    options.first.click()
    page.locator(FINAL).nth(1).wait_for()
    assert page.locator(".msg.user").last.inner_text() == suggestion
    assert page.evaluate("() => document.activeElement.id") == "question"


def test_citations_copy_and_likes(context, server):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = open_embed(context, server)
    ask(page, QUESTION)
    bot = page.locator(".msg.bot").last
    body = bot.locator(".body").inner_text()
    cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", body)})
    assert cited
    items = bot.locator(".sources li")
    assert [int(i) for i in items.evaluate_all("els => els.map(e => e.value)")] == cited  # only the cited ones
    assert bot.locator(".sources summary").inner_text() == f"Sources ({len(cited)})"
    assert " › " in items.first.locator("strong").text_content()  # guide › section

    # [n] is a button: it opens the sources and brings that one into view.
    cite = bot.locator("button.cite").first
    n = cite.inner_text().strip("[]")
    assert cite.get_attribute("aria-label").startswith(f"Source {n}: ")
    cite.click()
    item = bot.locator(f'.sources li[data-n="{n}"]')
    assert bot.locator(".sources").evaluate("d => d.open")
    box, log = item.bounding_box(), page.locator("#log").bounding_box()
    assert box["y"] >= log["y"] - 1 and box["y"] < log["y"] + log["height"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "widget-citation.png"))

    # Copy: the answer and a numbered source list, as plain text.
    bot.get_by_role("button", name="Copy answer").click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith(body.split("[")[0].strip()[:40])
    assert re.search(r"\n\nSources:\n\[\d+\] MLOps Engineer Career Guide › ", copied), copied
    assert "<" not in copied

    # Like: pressed, stored with the question and sources, and still pressed after a reload.
    like = bot.get_by_role("button", name="Helpful", exact=True)
    like.click()
    assert like.get_attribute("aria-pressed") == "true"
    rows = []
    for _ in range(50):
        rows = [r for r in server.feedback.all() if r["question"] == QUESTION and r["rating"] == "like"]
        if rows:
            break
        time.sleep(0.1)
    assert rows and rows[-1]["sources"] and rows[-1]["answer"].startswith(body.split("[")[0].strip()[:20])
    page.reload()
    page.locator(FINAL).first.wait_for()
    assert (
        page.locator(".msg.bot").last.get_by_role("button", name="Helpful", exact=True).get_attribute("aria-pressed")
        == "true"
    )


def test_retry_edit_stop_and_counter(context, server):
    page = open_embed(context, server)
    page.evaluate(SLOW_FETCH)
    ask(page, QUESTION)
    first = page.locator(".msg.bot .body").last.inner_text()

    page.get_by_role("button", name="Retry: answer again").click()
    page.locator(FINAL).first.wait_for()
    assert page.locator(".msg.user").count() == 1
    assert page.locator(".msg.bot .body").last.inner_text() == first

    # Edit and resend: the question goes back into the box and its answer is dropped.
    page.get_by_role("button", name="Edit and resend this question").click()
    assert page.input_value("#question") == QUESTION
    assert page.locator(".msg.user").count() == 0
    assert page.evaluate("() => document.activeElement.id") == "question"
    page.fill("#question", "Which certifications are worth getting?")
    page.press("#question", "Enter")
    page.locator(FINAL).first.wait_for()
    assert "certif" in page.locator(".msg.bot .body").last.inner_text().lower()

    # Stop while the answer is on its way; the chat is usable again.
    page.evaluate("() => { window.__slow = true; }")
    page.fill("#question", "Which tools do MLOps engineers use?")
    page.press("#question", "Enter")
    # A question sent while answering waits in the box, and the chat says so.
    page.fill("#question", "Who hires MLOps engineers?")
    page.press("#question", "Enter")
    assert "Still answering" in page.locator("#counter").inner_text()
    assert page.input_value("#question") == "Who hires MLOps engineers?"
    page.locator("#stop").click()
    page.get_by_text("Stopped.").wait_for()
    assert page.locator("#send").is_visible() and not page.locator("#stop").is_visible()
    page.evaluate("() => { window.__slow = false; }")
    assert page.input_value("#question") == "Who hires MLOps engineers?"

    # Too long: counted as you type, refused in the conversation, nothing cut or lost.
    long = ("I am a data engineer who wants to move into MLOps and needs advice. " * 50)[:3000]
    page.fill("#question", long)
    counter = page.locator("#counter")
    assert "3,000 / 2,000" in counter.inner_text() and "1,000 too many" in counter.inner_text()
    page.press("#question", "Enter")
    error = page.locator(".msg.error")
    error.wait_for()
    assert "3,000 characters long; the limit is 2,000" in error.inner_text()
    assert page.input_value("#question") == long
    assert page.locator(".msg.user").count() == 2  # the conversation is still there


def test_unreachable_server_is_said_and_the_question_kept(context, server):
    page = open_embed(context, server)
    page.route("**/api/chat", lambda route: route.abort())
    page.fill("#question", QUESTION)
    page.press("#question", "Enter")
    error = page.locator(".msg.error")
    error.wait_for()
    assert "Could not reach the advisor" in error.inner_text()
    assert page.locator(".msg.user").last.inner_text() == QUESTION
    assert page.input_value("#question") == QUESTION  # back in the box
    page.unroute("**/api/chat")
    error.get_by_role("button", name="Retry").click()
    page.locator(FINAL).first.wait_for()
    assert "120,000" in page.locator(".msg.bot .body").last.inner_text()
    assert page.locator(".msg.error").count() == 0 and page.input_value("#question") == ""


def test_dark_mode_and_touch_targets_on_a_phone(browser, server):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, color_scheme="dark"
    )
    context.set_default_timeout(30_000)
    try:
        page = open_embed(context, server)
        ask(page, QUESTION)
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(20, 24, 31)", background
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "widget-dark-phone.png"))
        buttons = page.locator(".actions button, .user-actions button, #send, .bar button:visible")
        assert buttons.count() >= 5
        for box in buttons.evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())"):
            assert box["width"] >= 44 and box["height"] >= 44, box
    finally:
        context.close()
