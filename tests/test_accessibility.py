"""axe-core (axe-playwright-python, which ships axe.min.js: nothing is fetched) on the chat at /
and the widget's page /embed, on a desktop and a phone, light and dark, with an answer and its
sources open: no serious or critical violations."""

from __future__ import annotations

import pytest
from live_server import live_server

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")]

QUESTION = "What does an MLOps engineer earn?"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}


@pytest.fixture(scope="module")
def server(settings, advisor):
    return live_server(settings, advisor)


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def ask_in_chat(page):
    page.wait_for_selector("#advisor-chat button.example")
    page.fill("#advisor-question textarea", QUESTION)
    page.click("#advisor-send")
    page.wait_for_selector("#advisor-chat .options .option")
    page.locator("#advisor-chat details.advisor-sources summary").last.click()


def ask_in_embed(page):
    page.fill("#question", QUESTION)
    page.press("#question", "Enter")
    page.wait_for_selector(".msg.bot .sources")
    page.locator(".sources summary").last.click()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("path", ["/", "/embed"])
def test_no_serious_accessibility_violations(browser, server, axe, path, viewport, scheme):
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(server.url + path)
        (ask_in_chat if path == "/" else ask_in_embed)(page)
        page.wait_for_timeout(300)  # transitions settle before colours are measured
        violations = [v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        assert not violations, [
            (v["id"], v["impact"], [(n["target"], n.get("failureSummary", "")[:160]) for n in v["nodes"][:3]])
            for v in violations
        ]
    finally:
        context.close()
