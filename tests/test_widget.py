"""The embeddable widget (/widget.js + /embed) and the security around it: origin allowlist (CSP
frame-ancestors on /embed, CORS on the API), the per-client rate limit, no third-party requests.

Browser tests drive headless Chromium against real servers on loopback ports: the app (one per
setting under test) and host pages served by a plain http.server on other ports, each page holding
the one-line snippet. Screenshots for the README are saved to docs/screenshots/widget-*.png."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import json
import re
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from live_server import live_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")

REPO = Path(__file__).resolve().parents[1]
WEB = REPO / "advisor" / "web" / "static"
SHOTS = REPO / "docs" / "screenshots"
QUESTION = "What does an MLOps engineer earn?"


# ---------------------------------------------------------------- servers


@contextlib.contextmanager
def app_server(settings, advisor):
    """The whole app (create_app) under uvicorn on a free loopback port, stopped afterwards."""
    import uvicorn

    from advisor.web.server import create_app

    app = create_app(settings, advisor=advisor)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"test server at {url} did not start")
        time.sleep(0.1)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class Site:
    """A host website: pages held in memory, served by the standard library on its own port."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def page(self, name: str, app_url: str, css: str = "", **data) -> str:
        """Adds a page with the one-line snippet (data-* from keyword arguments) and returns its URL."""
        attrs = "".join(f' data-{k}="{v}"' for k, v in {"title": "Career Advisor", **data}.items())
        snippet = f'<script src="{app_url}/widget.js"{attrs} async></script>'
        self.pages[f"/{name}"] = HOST_PAGE.format(css=css, snippet=snippet)
        return f"{self.url}/{name}"

    def close(self):
        self.httpd.shutdown()


HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme Careers</title>
<style>body {{ font-family: Georgia, serif; margin: 0; color: #222; }}
header {{ background: #2d2a26; color: #f5f0e8; padding: 18px 32px; font-size: 22px; }}
main {{ max-width: 680px; padding: 24px 32px; line-height: 1.6; }} a {{ color: #8a3b12; }}
{css}</style></head><body>
<header>Acme Careers</header>
<main><h1>Thinking about a move into MLOps?</h1>
<p>Our career coaches wrote guides for people moving into machine-learning operations. Ask the
advisor in the corner about pay, skills, tools and certifications.</p>
<p><a href="#guides">Browse all guides</a></p>
<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco.</p></main>
{snippet}
</body></html>"""


@pytest.fixture(scope="module")
def site():
    """The host site the servers below allow (127.0.0.1 on one port)."""
    s = Site()
    yield s
    s.close()


@pytest.fixture(scope="module")
def other_site():
    """A host site on another port, which the strict server does not allow."""
    s = Site()
    yield s
    s.close()


@pytest.fixture(scope="module")
def server(settings, advisor):
    """The shared test server: ADVISOR_ALLOWED_ORIGINS unset (this server and localhost pages)."""
    return live_server(settings, advisor).url


@pytest.fixture(scope="module")
def strict_server(settings, advisor, site):
    """ADVISOR_ALLOWED_ORIGINS lists only `site`."""
    with app_server(settings.model_copy(update={"allowed_origins": site.url}), advisor) as url:
        yield url


@pytest.fixture(scope="module")
def limited_server(settings, advisor):
    """ADVISOR_RATE_LIMIT_PER_MINUTE=3."""
    with app_server(settings.model_copy(update={"rate_limit_per_minute": 3}), advisor) as url:
        yield url


# ---------------------------------------------------------------- browser


@pytest.fixture
def open_context(browser):
    """new_context(**options) with every request, console message and dialog recorded."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1100, "height": 760})
        context = browser.new_context(**options)
        context.requests, context.console, context.dialogs = [], [], []
        context.on("request", lambda r: context.requests.append(r.url))
        context.on("console", lambda m: context.console.append(m.text))
        context.on("dialog", lambda d: (context.dialogs.append(d.message), d.dismiss()))
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def assert_only_loopback(context, *origins):
    """Offline: every request the browser made went to the app or the host page, nothing else."""
    strays = [
        u
        for u in context.requests
        if not u.startswith(tuple(o + "/" for o in origins)) and not u.startswith(("data:", "about:"))
    ]
    assert context.requests and not strays, strays


def shadow(page, expression: str):
    """Evaluates `expression` with `root` = the widget's shadow root."""
    return page.evaluate(
        f"() => {{ const root = document.querySelector('career-advisor-widget').shadowRoot; return {expression}; }}"
    )


def chat_frame(page):
    return page.frame_locator("career-advisor-widget iframe")


def frame_of(page, app_url: str):
    return next(f for f in page.frames if f.url.startswith(app_url + "/embed"))


def wait_answers(page, n: int):
    """Until the chat shows `n` finished answers (or error messages)."""
    chat_frame(page).locator(".msg.bot:not(.waiting):not(.streaming) .sources, .msg.error").nth(n - 1).wait_for()


# ---------------------------------------------------------------- static files


def test_widget_js_is_small_and_self_contained():
    source = (WEB / "widget.js").read_text()
    size = len(gzip.compress(source.encode(), 9))
    assert size <= 10 * 1024, f"widget.js is {size} bytes gzipped"
    for path in (WEB / "widget.js", WEB / "embed.js"):
        code = re.sub(r"/\*.*?\*/|(^|\s)//[^\n]*", " ", path.read_text(), flags=re.S)  # without comments
        # No HTML parsing of strings, no evaluation of strings.
        assert not re.search(
            r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|"
            r"setTimeout\(\s*['\"]",
            code,
        ), path.name
        # No URL but the SVG namespace: nothing is loaded from elsewhere.
        urls = set(re.findall(r"https?://[^\s'\"<>)]+", code)) - {"http://www.w3.org/2000/svg"}
        assert not urls, urls
    page = (WEB / "embed.html").read_text()
    assert not re.search(r"https?://", page)
    assert '<script src="embed.js"' in page and "onclick" not in page.lower()


def test_assets_are_served_with_their_types(server):
    for path, kind in (
        ("/widget.js", "text/javascript"),
        ("/embed.js", "text/javascript"),
        ("/embed.css", "text/css"),
        ("/embed", "text/html"),
    ):
        r = httpx.get(server + path)
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind), path
        assert r.headers["x-content-type-options"] == "nosniff"
    assert r.text.startswith("<!doctype html>")


def test_head_of_widget_js(server):
    r = httpx.head(server + "/widget.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")


def test_embed_data_endpoints(server):
    starters = httpx.get(server + "/embed/starters").json()["starters"]
    assert 3 <= len(starters) <= 4 and all(q.endswith("?") for q in starters)
    answer = httpx.post(server + "/api/ask", json={"question": QUESTION}).json()
    sources = [{k: s[k] for k in ("title", "section", "text")} for s in answer["sources"]]
    r = httpx.post(server + "/embed/follow-ups", json={"asked": [QUESTION], "sources": sources})
    suggestions = r.json()["suggestions"]
    assert r.status_code == 200 and 1 <= len(suggestions) <= 3 and QUESTION not in suggestions
    ok = {"rating": "dislike", "answer_id": answer["answer_id"]}
    assert httpx.post(server + "/embed/feedback", json=ok).json() == {"stored": True}
    forged = {"rating": "dislike", "answer_id": "0" * 32}  # an answer this server never gave
    assert httpx.post(server + "/embed/feedback", json=forged).status_code == 404
    for bad in ({**ok, "rating": "meh"}, {**ok, "question": "x"}, {"rating": "like"}):
        r = httpx.post(server + "/embed/feedback", json=bad)
        assert r.status_code == 422 and "error" in r.json(), r.text


# ---------------------------------------------------------------- origins: CSP and CORS over HTTP


def test_embed_csp_by_default_allows_this_server_and_localhost_only(server):
    csp = httpx.get(server + "/embed").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert (
        directives["frame-ancestors"]
        == "'self' http://localhost:* https://localhost:* http://127.0.0.1:* https://127.0.0.1:*"
    )
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["connect-src"] == "'self'"
    assert "unsafe" not in csp


def test_embed_csp_lists_the_allowed_origins(strict_server, site):
    csp = httpx.get(strict_server + "/embed").headers["content-security-policy"]
    assert csp.endswith(f"frame-ancestors 'self' {site.url}")
    assert "localhost" not in csp


def preflight(url: str, origin: str, path: str = "/api/ask") -> httpx.Response:
    return httpx.options(
        url + path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("http://localhost:3000", True),
        ("http://127.0.0.1:8080", True),
        ("https://localhost", True),
        ("https://evil.example", False),
        ("http://localhost.evil.example", False),
        ("http://127.0.0.1.evil.example:80", False),
        ("null", False),
    ],
)
def test_cors_by_default_allows_localhost_pages_only(server, origin, allowed):
    r = preflight(server, origin)
    assert (r.status_code == 200) is allowed
    assert r.headers.get("access-control-allow-origin") == (origin if allowed else None)
    r = httpx.post(server + "/api/ask", json={"question": QUESTION}, headers={"Origin": origin})
    assert r.status_code == 200  # the server answers; the browser withholds it from a refused page
    assert r.headers.get("access-control-allow-origin") == (origin if allowed else None)
    # The Gradio chat follows the same policy (it would echo any origin without ours).
    r = preflight(server, origin, "/gradio_api/queue/join")
    assert r.headers.get("access-control-allow-origin") == (origin if allowed else None)


def test_cors_with_an_allowlist_allows_only_those_origins(strict_server, site, other_site):
    assert preflight(strict_server, site.url).headers["access-control-allow-origin"] == site.url
    for refused in (other_site.url, "http://localhost:3000", "https://evil.example"):
        r = preflight(strict_server, refused)
        assert r.status_code == 400 and "access-control-allow-origin" not in r.headers
        r = httpx.post(strict_server + "/api/chat", json={"question": QUESTION}, headers={"Origin": refused})
        assert "access-control-allow-origin" not in r.headers


def test_origin_setting_is_parsed_strictly():
    from advisor.web.security import OriginPolicy

    policy = OriginPolicy.from_setting(" https://Example.com/, https://*.acme.org:8443 ,http://intranet:8080")
    assert policy.allows("https://example.com") and policy.allows("http://intranet:8080")
    assert policy.allows("https://jobs.acme.org:8443") and policy.allows("https://a.b.acme.org:8443")
    for refused in (
        "https://acme.org:8443",
        "https://jobs.acme.org",
        "https://evilacme.org:8443",
        "http://example.com",
        "https://example.com.evil.example",
        "http://localhost:3000",
    ):
        assert not policy.allows(refused), refused
    assert (
        policy.frame_ancestors_directive
        == "frame-ancestors 'self' https://example.com https://*.acme.org:8443 http://intranet:8080"
    )
    everyone = OriginPolicy.from_setting("*")
    assert everyone.allows("https://anything.example") and everyone.frame_ancestors == ("*",)
    for bad in (
        "example.com",
        "https://example.com/path",
        "https://a.example;script-src *",
        "javascript:alert(1)",
        "https://exa mple.com",
        "ftp://example.com",
        "*, https://a.example",
    ):
        with pytest.raises(ValueError, match="ADVISOR_ALLOWED_ORIGINS"):
            OriginPolicy.from_setting(bad)


# ---------------------------------------------------------------- rate limit


def test_sliding_window_limiter():
    from advisor.web.security import SlidingWindowLimiter

    limiter = SlidingWindowLimiter(3, window=2)
    assert [limiter.hit("a") for _ in range(3)] == [None] * 3
    wait = limiter.hit("a")
    assert wait is not None and 1.5 < wait <= 2
    assert limiter.hit("b") is None  # per client
    time.sleep(1.0)
    assert limiter.hit("a") == pytest.approx(1.0, abs=0.3)  # a sliding window, not a fixed period
    time.sleep(1.1)
    assert limiter.hit("a") is None and limiter.hit("a") is None and limiter.hit("a") is None
    assert limiter.hit("a") is not None
    assert SlidingWindowLimiter(0).hit("a") is None  # 0 = off
    assert limiter.status() == {"storage": "memory"}


def test_limiter_is_thread_safe():
    import concurrent.futures

    from advisor.web.security import SlidingWindowLimiter

    limiter = SlidingWindowLimiter(50, window=60)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: limiter.hit("same client"), range(400)))
    assert results.count(None) == 50


def ask_as(url: str, client: str, path: str = "/api/ask") -> httpx.Response:
    # uvicorn takes the client address from X-Forwarded-For when the proxy is trusted (127.0.0.1 by
    # default), which lets one test process act as several clients.
    return httpx.post(url + path, json={"question": QUESTION}, headers={"X-Forwarded-For": client}, timeout=30)


def test_rate_limit_answers_429_with_retry_after(limited_server):
    assert [ask_as(limited_server, "203.0.113.1", p).status_code for p in ("/api/ask", "/api/chat", "/api/ask")] == [
        200,
        200,
        200,
    ]
    for path in ("/api/ask", "/api/chat"):
        r = ask_as(limited_server, "203.0.113.1", path)
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("application/json")
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert "Too many questions" in r.json()["error"] and "3 questions a minute" in r.json()["error"]
    assert ask_as(limited_server, "203.0.113.2").status_code == 200  # another client is not held up
    assert httpx.get(limited_server + "/healthz").status_code == 200  # only answering endpoints count
    assert httpx.get(limited_server + "/embed").status_code == 200


def test_rate_limited_answer_is_readable_by_an_allowed_page(limited_server):
    for _ in range(4):
        r = httpx.post(
            limited_server + "/api/ask",
            json={"question": QUESTION},
            headers={"X-Forwarded-For": "203.0.113.3", "Origin": "http://localhost:3000"},
        )
    assert r.status_code == 429
    assert r.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "retry-after" in r.headers["access-control-expose-headers"].lower()


def test_gradio_chat_events_are_rate_limited_too(limited_server, advisor):
    from gradio_client import Client

    client = Client(
        limited_server + "/", verbose=False, download_files=False, headers={"X-Forwarded-For": "198.51.100.7"}
    )
    for _ in range(3):
        assert client.predict(QUESTION, api_name="/chat")["grounded"] is True
    with pytest.raises(Exception, match="429"):  # gradio_client reports the status, not our message
        client.predict(QUESTION, api_name="/chat")

    # Events that answer nothing (like, saving history) are not counted.
    info = httpx.get(limited_server + "/config").json()
    like = next(d["id"] for d in info["dependencies"] if d.get("api_name") == "on_like")
    r = httpx.post(
        limited_server + "/gradio_api/queue/join",
        headers={"X-Forwarded-For": "198.51.100.7"},
        json={"data": [[], None], "fn_index": like, "session_hash": "ratelimittest", "event_data": None},
    )
    assert r.status_code == 200, r.text
    # A body too large to read through is refused before it is read (413), whatever it says.
    padded = json.dumps({"fn_index": like, "session_hash": "x", "data": [], "pad": "x" * 2_100_000})
    r = httpx.post(
        limited_server + "/gradio_api/queue/join",
        content=padded,
        headers={"X-Forwarded-For": "198.51.100.7", "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_counted_gradio_events_exist_in_the_ui(settings, advisor):
    """security.GRADIO_ANSWERING names functions of advisor/web/ui.py that the middleware counts:
    the `/chat` API. The browser's own turns (answer_turn) count themselves, inside the turn, so
    the limit is said in the conversation; the middleware must not count them a second time."""
    from advisor.web.security import GRADIO_ANSWERING
    from advisor.web.ui import build_ui

    demo = build_ui(advisor, None, settings.data_dir)
    names = {getattr(fn.fn, "__name__", "") for fn in demo.fns.values()}
    assert "chat_api" in names and "chat_api" in GRADIO_ANSWERING
    assert "answer_turn" in names and not names & (GRADIO_ANSWERING - {"chat_api"})
    assert "on_like" in names and "on_like" not in GRADIO_ANSWERING


# ---------------------------------------------------------------- in the browser


@pytest.mark.browser
def test_widget_answers_on_a_host_page_by_keyboard(open_context, server, site):
    context = open_context()
    page = context.new_page()
    page.goto(site.page("blog", server))
    launcher = page.locator("career-advisor-widget .launcher")
    launcher.wait_for()
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.locator("career-advisor-widget .panel").is_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "widget-closed.png"))

    # Tab to the button, Enter opens the panel and focus moves into the chat's question box.
    for _ in range(6):
        page.keyboard.press("Tab")
        if shadow(page, "root.activeElement && root.activeElement.className") == "launcher":
            break
    else:
        pytest.fail("the widget's button is not reachable with Tab")
    page.keyboard.press("Enter")
    frame_box = chat_frame(page).locator("#question")
    frame_box.wait_for()
    page.wait_for_function(
        "() => document.querySelector('career-advisor-widget').shadowRoot.activeElement?.tagName === 'IFRAME'"
    )
    frame = frame_of(page, server)
    frame.wait_for_function("() => document.activeElement && document.activeElement.id === 'question'")
    assert launcher.get_attribute("aria-expanded") == "true"

    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    wait_answers(page, 1)
    chat = chat_frame(page)
    answer = chat.locator(".msg.bot").last
    assert "120" in answer.locator(".body").inner_text() and "[1]" in answer.inner_text()
    assert chat.locator(".msg.user").last.inner_text() == QUESTION
    summary = answer.locator(".sources summary")
    assert re.fullmatch(r"Sources \(\d\)", summary.inner_text())
    summary.click()
    assert "MLOps Engineer Career Guide" in answer.locator(".sources li").first.inner_text()
    assert "earn" in answer.locator(".sources li").first.inner_text().lower()
    page.screenshot(path=str(SHOTS / "widget-open.png"))

    # The host page cannot read the conversation: the frame is another origin.
    assert shadow(page, "root.querySelector('iframe').contentDocument") is None
    assert page.evaluate("() => document.body.innerText").find("120,000") == -1

    # Escape inside the frame closes the panel (postMessage) and focus returns to the button.
    chat.locator("#question").focus()
    page.keyboard.press("Escape")
    page.locator("career-advisor-widget .panel").wait_for(state="hidden")
    assert shadow(page, "root.activeElement && root.activeElement.className") == "launcher"
    # Enter reopens with the conversation kept; Escape on the page side closes too.
    page.keyboard.press("Enter")
    page.locator("career-advisor-widget .panel").wait_for(state="visible")
    assert chat.locator(".msg.user").count() == 1
    launcher.focus()
    page.keyboard.press("Escape")
    page.locator("career-advisor-widget .panel").wait_for(state="hidden")

    # Questions are shown as typed, never run.
    launcher.click()
    chat.locator("#question").fill('<img src=x onerror="alert(1)"> <script>alert(2)</script> mlops salary')
    chat.locator("#question").press("Enter")
    wait_answers(page, 2)
    assert chat.locator(".msg.user").last.inner_text().startswith('<img src=x onerror="alert(1)">')
    assert chat.locator(".log img, .log script").count() == 0
    assert context.dialogs == []
    assert_only_loopback(context, server, site.url)


@pytest.mark.browser
def test_answers_render_a_safe_markdown_subset(open_context, server, site):
    """A hostile answer stream (as if from a compromised backend) still only makes text."""
    answer = {
        "answer": "Intro with **bold** and `code` [1]\n- first <img src=x onerror=alert(1)>\n"
        "- [a link](javascript:alert(2))\n\n<script>alert(3)</script>\n1. one\n2. two",
        "grounded": True,
        "backend": "test",
        "timings_ms": {},
        "sources": [
            {
                "id": "x",
                "title": "<b onmouseover=alert(4)>Guide</b>",
                "section": "Pay",
                "text": "### Heading\n**Feast**: <iframe src=//evil.example>",
                "score": 1.0,
            }
        ],
    }
    body = f'event: delta\ndata: {{"text": "<b>streamed</b> "}}\n\nevent: answer\ndata: {json.dumps(answer)}\n\n'
    context = open_context()
    context.route(
        server + "/api/chat",
        lambda route: route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body),
    )
    page = context.new_page()
    page.goto(site.page("markdown", server))
    page.locator("career-advisor-widget .launcher").click()
    chat = chat_frame(page)
    chat.locator("#question").fill("anything")
    chat.locator("#question").press("Enter")
    wait_answers(page, 1)
    bot = chat.locator(".msg.bot").last
    assert bot.locator(".body p strong").first.inner_text() == "bold"
    assert bot.locator(".body code").inner_text() == "code"
    assert bot.locator(".body .cite").inner_text() == "[1]"
    assert bot.locator(".body ul > li").all_inner_texts() == [
        "first <img src=x onerror=alert(1)>",
        "[a link](javascript:alert(2))",
    ]
    assert bot.locator(".body ol > li").all_inner_texts() == ["one", "two"]
    assert "<script>alert(3)</script>" in bot.locator(".body").inner_text()
    bot.locator(".sources summary").click()
    assert bot.locator(".sources li strong").first.inner_text() == "<b onmouseover=alert(4)>Guide</b> › Pay"
    assert "<iframe src=//evil.example>" in bot.locator(".passage").inner_text()
    assert chat.locator("img, a, iframe, b").count() == 0
    assert chat.locator("script").count() == 1  # embed.js itself
    assert context.dialogs == []


@pytest.mark.browser
def test_data_attributes_theme_the_widget(open_context, server, site):
    context = open_context()
    page = context.new_page()
    page.goto(
        site.page(
            "themed",
            server,
            title="Acme Jobs Helper",
            accent="#0a7d4f",
            position="bottom-left",
            open="true",
            greeting="Hello from Acme! Ask away.",
        )
    )
    panel = page.locator("career-advisor-widget .panel")
    panel.wait_for(state="visible")  # data-open: open on load ...
    assert page.evaluate("() => document.activeElement === document.body")  # ... without taking focus
    launcher = page.locator("career-advisor-widget .launcher")
    assert launcher.bounding_box()["x"] < 100 and panel.bounding_box()["x"] < 100
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(10, 125, 79)"
    chat = chat_frame(page)
    assert chat.locator("#title").inner_text() == "Acme Jobs Helper"
    assert chat.locator(".msg.bot").first.inner_text() == "Hello from Acme! Ask away."
    assert chat.locator(".bar").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(10, 125, 79)"
    assert launcher.get_attribute("aria-label") == "Close chat: Acme Jobs Helper"

    # A value that is not a colour is ignored (and loads nothing).
    page = context.new_page()
    page.goto(site.page("badaccent", server, accent="red;background:url(http://evil.example/x)"))
    launcher = page.locator("career-advisor-widget .launcher")
    launcher.wait_for()
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(29, 78, 216)"
    assert launcher.bounding_box()["x"] > 900  # default corner: bottom-right
    assert_only_loopback(context, server, site.url)


@pytest.mark.browser
def test_host_page_css_cannot_break_the_widget(open_context, server, site):
    hostile = (
        "* { all: unset !important; font-size: 40px !important; }"
        " div, button, iframe { display: none !important; width: 1px !important; }"
        " career-advisor-widget { display: none !important; transform: scale(0) !important; }"
    )
    page = open_context().new_page()
    page.goto(site.page("hostile", server, css=hostile))
    launcher = page.locator("career-advisor-widget .launcher")
    launcher.wait_for()
    box = launcher.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (56, 56)
    launcher.click()
    panel = page.locator("career-advisor-widget .panel")
    panel.wait_for(state="visible")
    assert round(panel.bounding_box()["width"]) == 380
    chat = chat_frame(page)
    chat.locator("#question").fill(QUESTION)
    chat.locator("#question").press("Enter")
    wait_answers(page, 1)
    assert "120" in chat.locator(".msg.bot").last.inner_text()


@pytest.mark.browser
def test_panel_fits_a_phone(open_context, server, site):
    context = open_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(site.page("phone", server))
    page.locator("career-advisor-widget .launcher").tap()
    panel = page.locator("career-advisor-widget .panel")
    panel.wait_for(state="visible")
    chat = chat_frame(page)
    chat.locator("#question").fill("Which certifications are worth getting?")
    chat.locator("#send").tap()
    wait_answers(page, 1)
    for element in (
        panel,
        page.locator("career-advisor-widget iframe"),
        page.locator("career-advisor-widget .launcher"),
    ):
        box = element.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        assert box["y"] >= 0 and box["y"] + box["height"] <= 740, box
    assert panel.bounding_box()["width"] >= 350
    frame = frame_of(page, server)
    assert frame.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SHOTS / "widget-phone.png"))
    assert_only_loopback(context, server, site.url)


@pytest.mark.browser
def test_a_site_not_allowed_cannot_frame_the_chat_or_call_the_api(open_context, strict_server, site, other_site):
    context = open_context()
    page = context.new_page()
    page.goto(other_site.page("refused", strict_server))
    page.locator("career-advisor-widget .launcher").click()
    # Until the chat says it is ready, the frame is hidden behind "Loading": the browser's
    # broken-frame page never shows.
    assert shadow(page, "getComputedStyle(root.querySelector('iframe')).visibility") == "hidden"
    notice = page.locator("career-advisor-widget .notice")
    notice.wait_for(state="visible")  # the widget says so instead of a broken frame
    assert shadow(page, "getComputedStyle(root.querySelector('iframe')).visibility") == "hidden"
    assert page.locator("career-advisor-widget .loading").count() == 0
    assert "could not be shown" in notice.inner_text()
    assert chat_frame(page).locator("#question").count() == 0
    assert any("frame-ancestors" in m for m in context.console), context.console
    fetch = """async (url) => { try { const r = await fetch(url + '/api/ask', {method: 'POST',
               headers: {'Content-Type': 'application/json'}, body: JSON.stringify({question: 'mlops salary'})});
               return 'read: ' + (await r.json()).answer; } catch (e) { return 'refused: ' + e.name; } }"""
    assert page.evaluate(fetch, strict_server) == "refused: TypeError"

    # The listed site gets both.
    page = context.new_page()
    page.goto(site.page("allowed", strict_server))
    page.locator("career-advisor-widget .launcher").click()
    chat_frame(page).locator("#question").wait_for()
    assert page.evaluate(fetch, strict_server).startswith("read: ")
    page.wait_for_timeout(3000)  # longer than the widget waits for "ready"
    assert page.locator("career-advisor-widget .notice").count() == 0
    assert shadow(page, "getComputedStyle(root.querySelector('iframe')).visibility") == "visible"
    assert_only_loopback(context, strict_server, site.url, other_site.url)


@pytest.mark.browser
def test_widget_shows_the_rate_limit_message(open_context, limited_server, site):
    spend_questions(limited_server)
    page = open_context().new_page()
    page.goto(site.page("limited", limited_server))
    page.locator("career-advisor-widget .launcher").click()
    chat = chat_frame(page)
    chat.locator("#question").fill(QUESTION)
    chat.locator("#question").press("Enter")
    error = chat.locator(".msg.error")
    error.wait_for()
    said = error.locator("p")
    match = re.fullmatch(
        r"Too many questions: the limit is 3 questions a minute\. Please try again in (\d+) seconds?\.",
        said.inner_text(),
    )
    assert match, said.inner_text()
    assert error.get_attribute("role") == "alert"
    # In the conversation, with a live countdown, the question kept in the box and a Retry button.
    frame = frame_of(page, limited_server)
    frame.wait_for_function(
        "(n) => { const m = /in (\\d+) second/.exec(document.querySelector('.msg.error p').textContent);"
        " return m && Number(m[1]) < n; }",
        arg=int(match[1]),
    )
    assert chat.locator(".msg.user").last.inner_text() == QUESTION
    assert chat.locator("#question").input_value() == QUESTION
    assert error.locator("button.retry").is_visible()


def spend_questions(url: str) -> None:
    """The browser and this test both connect from 127.0.0.1: use up that client's questions."""
    for _ in range(4):
        if httpx.post(url + "/api/ask", json={"question": QUESTION}, timeout=30).status_code == 429:
            return
    pytest.fail("no 429 after 4 questions at 3 a minute")


@pytest.mark.browser
def test_gradio_chat_says_the_rate_limit_in_the_conversation(open_context, limited_server):
    """Over the limit, the chat keeps the conversation, says so as an answer with a live
    countdown, and puts the question back in the box."""
    client = {"X-Forwarded-For": "198.51.100.9"}  # a client of its own (uvicorn trusts 127.0.0.1 as a proxy)
    page = open_context(extra_http_headers=client).new_page()
    page.goto(limited_server + "/")
    page.wait_for_selector("#advisor-chat button.example")
    page.fill("#advisor-question textarea", QUESTION)
    page.click("#advisor-send")
    bot = page.locator('#advisor-chat [data-testid="bot"]')
    page.wait_for_function("() => /120,000/.test(document.querySelector('#advisor-chat [data-testid=bot]')?.innerText)")
    for _ in range(2):
        httpx.post(limited_server + "/api/ask", json={"question": QUESTION}, headers=client, timeout=30)
    page.fill("#advisor-question textarea", "Which certifications are worth getting?")
    page.click("#advisor-send")
    countdown = page.locator("#advisor-chat .advisor-countdown")
    countdown.wait_for()
    message = bot.last.inner_text()
    assert re.search(
        r"Too many questions: the limit is 3 questions a minute\. Please try again in \d+ seconds?", message
    )
    first = int(countdown.inner_text().split()[0])
    page.wait_for_function(
        "(n) => parseInt(document.querySelector('#advisor-chat .advisor-countdown').textContent) < n", arg=first
    )  # live
    assert page.input_value("#advisor-question textarea") == "Which certifications are worth getting?"
    assert "120,000" in bot.first.inner_text()  # the conversation is kept
    assert page.locator('#advisor-chat [data-testid="user"]').count() == 2
    assert page.locator("#advisor-send").is_visible()
    page.screenshot(path=str(SHOTS / "chat-rate-limit.png"))
