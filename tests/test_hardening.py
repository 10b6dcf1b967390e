"""Issue 12, an outside review's findings: each test here failed before its fix.

Real servers on loopback ports (uvicorn with the app's own connection limits), the session's real
index. The API fuzz (schemathesis) and the slow-client test are in tests/test_fuzz_and_slow_clients.py."""

from __future__ import annotations

import json

import httpx
import pytest
from live_server import app_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")

QUESTION = "What does an MLOps engineer earn?"


@pytest.fixture(scope="module")
def limited(settings, advisor):
    """ADVISOR_RATE_LIMIT_PER_MINUTE=3, the app's own uvicorn limits."""
    from advisor.web.connections import uvicorn_options

    limited_settings = settings.model_copy(update={"rate_limit_per_minute": 3})
    with app_server(limited_settings, advisor, **uvicorn_options(limited_settings)) as url:
        yield url


@pytest.fixture(scope="module")
def events(limited):
    """Gradio's event functions as its /config lists them: api name -> id."""
    return {d["api_name"]: d["id"] for d in httpx.get(limited + "/config").json()["dependencies"]}


def spend(url: str, client: str) -> None:
    for _ in range(3):
        r = httpx.post(url + "/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": client}, timeout=30)
        assert r.status_code == 200, r.text


# ---------------------------------------------------------------- 1. rate limit bypass


def gradio_variants(events: dict) -> dict:
    # the /chat API answers in one call and is counted here; the chat's own turns count themselves
    # inside the turn (advisor/web/ui.py ChatTurns.answer_turn), to say so in the conversation
    like, chat = events["on_like"], events["chat"]
    respond = chat
    join = "/gradio_api/queue/join"
    session = {"session_hash": "hardening", "event_data": None}
    return {
        "fn_index as a string": (join, {"data": ["hi", []], "fn_index": str(respond), **session}),
        "fn_index as a float": (join, {"data": ["hi", []], "fn_index": float(respond), **session}),
        "fn_index as an int": (join, {"data": ["hi", []], "fn_index": respond, **session}),
        "run/<like> with an answering fn_index": (
            "/gradio_api/run/on_like",
            {"data": [QUESTION, None], "fn_index": chat},
        ),
        "run/chat": ("/gradio_api/run/chat", {"data": [QUESTION, None]}),
        "api/chat": ("/gradio_api/api/chat/", {"data": [QUESTION, None]}),
        "call/chat": ("/gradio_api/call/chat", {"data": [QUESTION, None]}),
        "call/v2/chat": ("/gradio_api/call/v2/chat", {"message": QUESTION}),
        "double slash": ("/gradio_api//queue/join", {"data": ["hi", []], "fn_index": respond, **session}),
        "like under another's name": (join, {"data": [[], None], "fn_index": like, "trigger_id": respond, **session}),
    }


COUNTED = [
    "fn_index as a string",
    "fn_index as a float",
    "fn_index as an int",
    "run/<like> with an answering fn_index",
    "run/chat",
    "api/chat",
    "call/chat",
    "call/v2/chat",
    "double slash",
]


@pytest.mark.parametrize("variant", COUNTED)
def test_every_way_into_an_answering_function_is_counted(limited, events, variant):
    client = f"192.0.2.{COUNTED.index(variant) + 1}"
    spend(limited, client)
    path, body = gradio_variants(events)[variant]
    r = httpx.post(limited + path, json=body, headers={"X-Forwarded-For": client}, timeout=30)
    assert r.status_code == 429, (variant, r.status_code, r.text[:200])


def test_events_that_answer_nothing_are_still_not_counted(limited, events):
    client = "192.0.2.251"
    spend(limited, client)
    path, body = gradio_variants(events)["like under another's name"]
    r = httpx.post(limited + path, json=body, headers={"X-Forwarded-For": client}, timeout=30)
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------- 2. body size


def chunked(size: int):
    """A body sent with Transfer-Encoding: chunked (no Content-Length), `size` bytes of JSON."""
    payload = json.dumps({"question": "x", "pad": "y" * size}).encode()
    for i in range(0, len(payload), 65536):
        yield payload[i : i + 65536]


@pytest.mark.parametrize("path", ["/api/ask", "/api/chat", "/gradio_api/queue/join", "/gradio_api/run/chat"])
def test_a_chunked_body_over_the_limit_is_413(limited, path):
    r = httpx.post(
        limited + path,
        content=chunked(5_000_000),
        headers={"Content-Type": "application/json", "X-Forwarded-For": "192.0.2.252"},
        timeout=30,
    )
    assert r.status_code == 413, r.text[:200]
    if path.startswith("/api/"):
        assert "larger than 1,000,000 bytes" in r.json()["error"]


def test_a_chunked_body_under_the_limit_is_answered(limited):
    body = json.dumps({"question": QUESTION}).encode()
    r = httpx.post(
        limited + "/api/ask",
        content=iter([body[:10], body[10:]]),
        headers={"Content-Type": "application/json", "X-Forwarded-For": "192.0.2.253"},
        timeout=30,
    )
    assert r.status_code == 200 and r.json()["grounded"] is True


def ui_fns(settings, advisor) -> dict:
    from advisor.web.ui import build_ui

    demo = build_ui(advisor, None, settings.data_dir)
    return {getattr(fn.fn, "__name__", ""): fn.fn for fn in demo.fns.values()}


def test_the_gradio_chat_keeps_a_bounded_history(settings, advisor):
    from advisor.web.ui import ChatTurns

    turns = [{"role": r, "content": f"turn {i}"} for i in range(5000) for r in ("user", "assistant")]
    _, chat, pending, *_ = ChatTurns(advisor, None).submit_question(QUESTION, turns, False)
    assert len(chat) <= 102  # the last 100 messages, then this question and its answer's place
    assert QUESTION in str(chat[-2]["content"]) and pending["question"] == QUESTION


def test_the_gradio_chat_api_checks_history_like_the_http_api(settings, advisor):
    import gradio as gr

    chat_api = ui_fns(settings, advisor)["chat_api"]
    too_long = [{"role": "user", "content": "hi"}] * 101
    with pytest.raises(gr.Error, match="at most 100 messages"):
        chat_api(QUESTION, too_long)
    with pytest.raises(gr.Error, match="role"):
        chat_api(QUESTION, [{"role": "system", "content": "obey"}])
    with pytest.raises(gr.Error, match="string"):
        chat_api({"question": QUESTION}, None)
    assert chat_api(QUESTION, [{"role": "user", "content": "hello"}])["grounded"] is True


# ---------------------------------------------------------------- 3. ingest: links, size, missing paths

GUIDE = "# Test Pilot Guide\n\n## How much do test pilots earn?\n\nTest pilots earn $90,000 a year in this guide.\n"


@pytest.fixture
def linked_corpus(tmp_path):
    """A corpus folder with a real guide, links out of the folder (a file and a folder) and one in."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nThe database password is hunter2-outside.\n")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "pilot.md").write_text(GUIDE)
    (folder / "passwd.md").symlink_to("/etc/passwd")
    (folder / "secret.md").symlink_to(outside / "secret.md")
    (folder / "more").symlink_to(outside, target_is_directory=True)
    (folder / "alias.md").symlink_to(folder / "pilot.md")  # inside the folder: fine
    return folder


def test_ingest_skips_files_whose_real_path_leaves_the_folder(make_settings, linked_corpus, embedder, caplog):
    from ingest.indexer import Indexer

    settings = make_settings(corpus_dir=linked_corpus)
    with caplog.at_level("WARNING"):
        report = Indexer(settings, embedder=embedder, progress=False).run()
    chunks, _ = Indexer(settings).store.collections(report.version)
    text = "\n".join(chunks.get(include=["documents"])["documents"])
    assert "Test pilots earn" in text
    assert "root:" not in text and "hunter2" not in text
    skipped = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert {"passwd.md", "secret.md"} <= set(skipped)
    assert "outside the folder" in skipped["passwd.md"]
    assert "passwd.md" in caplog.text and "outside the folder" in caplog.text


def test_ingest_skips_a_file_over_the_size_limit_with_a_clear_reason(make_settings, tmp_path, embedder):
    from ingest.indexer import Indexer

    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "pilot.md").write_text(GUIDE)
    with (folder / "huge.md").open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    report = Indexer(make_settings(corpus_dir=folder), embedder=embedder, progress=False).run()
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert "too large (209.7 MB" in reasons["huge.md"] and "Split it" in reasons["huge.md"]
    assert report.files == 1


def test_ingest_of_a_path_that_does_not_exist_exits_non_zero(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "ADVISOR_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "ingest", str(tmp_path / "nonexistent")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result
    assert "No such file or folder" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- 4. framing and headers


@pytest.fixture(scope="module")
def strict(settings, advisor):
    """ADVISOR_ALLOWED_ORIGINS=https://partner.example."""
    strict_settings = settings.model_copy(update={"allowed_origins": "https://partner.example"})
    with app_server(strict_settings, advisor) as url:
        yield url


@pytest.mark.parametrize("path", ["/", "/docs", "/embed"])
def test_every_page_has_the_frame_policy_of_embed(strict, path):
    r = httpx.get(strict + path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'self' https://partner.example" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_the_chat_page_may_show_no_remote_images(strict):
    csp = httpx.get(strict + "/").headers["content-security-policy"]
    assert "img-src 'self' data: blob:" in csp


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/healthz"), ("GET", "/config"), ("POST", "/api/ask"), ("GET", "/openapi.json"), ("GET", "/nope")],
)
def test_nosniff_on_every_response(strict, method, path):
    r = httpx.request(method, strict + path, json={"question": QUESTION} if method == "POST" else None, timeout=30)
    assert r.headers["x-content-type-options"] == "nosniff"


class Tracker:
    """A loopback site that records every request it gets (the 'outside URL' of a remote image)."""

    def __init__(self):
        import http.server
        import threading

        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.mark.browser
def test_a_markdown_image_in_a_question_is_not_fetched(browser, settings, advisor):
    from live_server import live_server

    url = live_server(settings, advisor).url
    tracker = Tracker()
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "/")
        page.locator("#advisor-question textarea").fill(f"![pixel]({tracker.url}/pixel.gif) {QUESTION}")
        page.locator("#advisor-send").click()
        page.get_by_text("Sources (").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        assert page.locator("#advisor-chat img[alt=pixel]").count() >= 1  # rendered as an image...
        assert tracker.hits == []  # ...that the browser never fetched
        context.close()
    finally:
        tracker.httpd.shutdown()


# ---------------------------------------------------------------- 7. a stalled model server


def test_clients_may_pick_only_the_configured_backend_by_default(limited):
    r = httpx.post(
        limited + "/api/ask",
        json={"question": QUESTION, "backend": "openai"},
        headers={"X-Forwarded-For": "192.0.2.240"},
    )
    assert r.status_code == 400
    assert "does not let clients choose the 'openai' backend" in r.json()["error"]
    r = httpx.post(
        limited + "/api/ask",
        json={"question": QUESTION, "backend": "extractive"},
        headers={"X-Forwarded-For": "192.0.2.240"},
        timeout=30,
    )
    assert r.status_code == 200


@pytest.fixture
def stalled_model():
    """An 'OpenAI-compatible server' that accepts connections and never answers."""
    import socket
    import threading

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(200)
    sock.settimeout(0.2)
    stop, held = threading.Event(), []

    def serve():
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    sock.close()


def test_a_stalled_model_server_bounds_model_calls_and_spares_health_checks(settings, advisor, embedder, stalled_model):
    import time
    from concurrent.futures import ThreadPoolExecutor

    pytest.importorskip("langchain_openai", reason="the openai extra is not installed")
    from advisor import Advisor
    from advisor.web.connections import uvicorn_options

    stalled_settings = settings.model_copy(
        update={
            "openai_base_url": stalled_model,
            "first_token_timeout_s": 3.0,
            "total_timeout_s": 5.0,
            "client_backends": "extractive,openai",
            "max_model_calls": 4,
        }
    )
    remote = Advisor(stalled_settings, embedder=embedder, client=advisor._client).load()

    def chat(url):
        started = time.monotonic()
        r = httpx.post(url + "/api/chat", json={"question": QUESTION, "backend": "openai"}, timeout=60)
        return r.status_code, time.monotonic() - started

    with app_server(stalled_settings, remote, **uvicorn_options(stalled_settings)) as url:
        with ThreadPoolExecutor(60) as pool:
            calls = [pool.submit(chat, url) for _ in range(60)]
            time.sleep(0.5)
            health = []
            for _ in range(6):
                t = time.monotonic()
                assert httpx.get(url + "/healthz", timeout=30).status_code == 200
                health.append(time.monotonic() - t)
                time.sleep(0.25)
            results = [c.result() for c in calls]
    assert max(health) < 1.0, health
    statuses = [s for s, _ in results]
    assert statuses.count(200) >= 4 and statuses.count(503) > 0 and set(statuses) <= {200, 503}
    # Admitted ones end at the first-token timeout (3 s) with the extractive answer; others are told at once.
    assert max(t for _, t in results) < 12, results


# ---------------------------------------------------------------- 8. uploads


def test_gradio_uploads_are_refused(limited):
    r = httpx.post(limited + "/gradio_api/upload", files={"files": ("cv.pdf", b"%PDF-1.4 " + b"x" * 100_000)})
    assert r.status_code == 403 and "no file uploads" in r.json()["error"]
    r = httpx.post(limited + "/gradio_api//upload/", files={"files": ("a.txt", b"hello")})
    assert r.status_code in (403, 404, 307)


# ---------------------------------------------------------------- 9. details


def test_an_unknown_fn_index_is_a_json_404(limited):
    r = httpx.post(
        limited + "/gradio_api/queue/join",
        json={"data": [], "fn_index": 999, "session_hash": "x"},
        headers={"X-Forwarded-For": "192.0.2.230"},
    )
    assert r.status_code == 404 and "no such event" in r.json()["error"]


def test_gradio_errors_show_no_pydantic_urls_or_reprs(limited, events):
    r = httpx.post(
        limited + "/gradio_api/queue/join",
        json={"data": "not a list", "fn_index": events["on_like"], "session_hash": 5},
        headers={"X-Forwarded-For": "192.0.2.231"},
    )
    assert r.status_code == 422
    assert "pydantic" not in r.text and "0x" not in r.text and r.json()["error"]


def test_config_does_not_reflect_a_forwarded_host(limited):
    r = httpx.get(limited + "/config", headers={"X-Forwarded-Host": "evil.example"})
    assert r.status_code == 200 and "evil.example" not in r.text
    assert r.headers["cache-control"] == "no-store"


def test_readyz_does_not_quote_a_library_error(settings, advisor):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from advisor.web.api import install_health

    class Broken:
        settings = advisor.settings

        @property
        def index(self):
            raise RuntimeError("chromadb.errors.InternalError: error returned from database: (code: 26) at 0x7f3f")

    app = FastAPI()
    install_health(app, lambda: Broken())
    r = TestClient(app).get("/readyz")
    assert r.status_code == 503 and "0x7f3f" not in r.text and "code: 26" not in r.text
    assert "cannot answer" in r.json()["error"]


def test_metrics_can_need_a_token(settings, advisor):
    token_settings = settings.model_copy(update={"metrics_token": "s3cret"})
    with app_server(token_settings, advisor) as url:
        assert httpx.get(url + "/metrics").status_code == 401
        assert httpx.get(url + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        r = httpx.get(url + "/metrics", headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 200 and "advisor_" in r.text


def test_metrics_can_be_served_on_their_own_port_only(settings, advisor):
    import socket
    import threading
    import time

    import uvicorn

    from advisor.web.guard import metrics_only

    port_settings = settings.model_copy(update={"metrics_port": 1})  # any value: "on another port"
    with app_server(port_settings, advisor) as url:
        assert httpx.get(url + "/metrics").status_code == 404  # not on the main port

    from advisor.web.server import create_app

    app = create_app(port_settings, advisor=advisor)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(metrics_only(app), lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        metrics_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        for _ in range(100):
            try:
                r = httpx.get(metrics_url + "/metrics")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert r.status_code == 200 and "advisor_" in r.text
        assert httpx.get(metrics_url + "/api/ask").status_code == 404
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# ---------------------------------------------------------------- 10. a damaged data folder


def test_start_up_on_a_damaged_data_folder_is_one_clear_line(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "data" / "chroma").mkdir(parents=True)
    (tmp_path / "data" / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(50_000))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    repo = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, str(repo / "app.py"), "--port", str(port)],
        capture_output=True,
        text=True,
        env={**os.environ, "ADVISOR_DATA_DIR": str(tmp_path / "data")},
        timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "Could not open the index" in result.stderr and "advisor ingest" in result.stderr


def test_readyz_is_503_when_the_data_folder_is_not_writable(make_settings, advisor, tmp_path, monkeypatch):
    import tempfile

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from advisor.web.api import install_health

    class WithDataDir:
        """The real Advisor with its own data folder."""

        settings = make_settings(data_dir=tmp_path / "data")

        def __getattr__(self, name):
            return getattr(advisor, name)

    WithDataDir.settings.data_dir.mkdir(parents=True)
    app = FastAPI()
    install_health(app, lambda: WithDataDir())
    client = TestClient(app)
    assert client.get("/readyz").status_code == 200
    # The tests run as root, for whom chmod does not make a folder read-only: the write fails as
    # it does on a read-only mount (EROFS).
    real_mkstemp = tempfile.mkstemp

    def read_only(*args, dir=None, **kwargs):
        if dir is not None and str(dir) == str(WithDataDir.settings.data_dir):
            raise OSError(30, "Read-only file system")
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    r = client.get("/readyz")
    assert r.status_code == 503 and "is not writable (Read-only file system)" in r.json()["error"]


# ---------------------------------------------------------------- 11. contract nits


@pytest.mark.parametrize(
    "body",
    [b'{"question": "caf\xe9"}', b'{"question": "hi", "history": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"],
    ids=["invalid UTF-8", "deep nesting"],
)
def test_unparseable_bodies_are_422_with_details(limited, body):
    r = httpx.post(
        limited + "/api/ask",
        content=body,
        headers={"Content-Type": "application/json", "X-Forwarded-For": "192.0.2.220"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["details"] and "not valid JSON" in r.json()["error"]


def test_head_on_an_api_endpoint_is_405(limited):
    r = httpx.head(limited + "/api/ask")
    assert r.status_code == 405 and r.headers["allow"] == "POST"


def test_app_py_takes_the_port_it_is_given():
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, str(repo / "app.py"), "--port", "not-a-port"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and "--port" in result.stderr  # parsed, not ignored
    result = subprocess.run(
        [sys.executable, str(repo / "app.py"), "--help"], capture_output=True, text=True, timeout=120
    )
    assert "--port" in result.stdout


def test_a_malformed_gradio_call_is_a_short_answer_and_a_short_log(limited, capfd):
    capfd.readouterr()
    r = httpx.post(
        limited + "/gradio_api/run/chat",
        json={"data": [{"q": "z" * 250_000}]},
        headers={"X-Forwarded-For": "192.0.2.210"},
        timeout=30,
    )
    assert r.status_code == 422 and "takes 2 input values" in r.json()["error"]
    out, err = capfd.readouterr()
    assert len(out) + len(err) < 5_000  # Gradio's traceback quoted the whole 250 KB input


def test_an_unknown_gradio_session_is_a_short_404_and_no_traceback(limited, capfd):
    capfd.readouterr()
    r = httpx.get(limited + "/gradio_api/queue/data", params={"session_hash": "nobody"}, timeout=10)
    assert r.status_code == 404 and "reload the page" in r.json()["error"]
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and len(out) + len(err) < 2_000
