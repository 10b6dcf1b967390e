"""One real server (uvicorn on a free loopback port, in a background thread) shared by every web
test in the session: the browser, API and gradio_client tests all talk to the same process over
real HTTP, as users would. Built from the session `advisor` fixture, so the index is built once."""

from __future__ import annotations

import atexit
import contextlib
import socket
import threading
import time
from dataclasses import dataclass

import httpx


@dataclass
class LiveServer:
    url: str
    app: object
    settings: object
    advisor: object

    @property
    def feedback(self):
        return self.app.state.feedback


_server: LiveServer | None = None
_lock = threading.Lock()


def live_server(settings, advisor) -> LiveServer:
    global _server
    with _lock:
        if _server is None:
            _server = _start(settings, advisor)
        return _server


def _start(settings, advisor) -> LiveServer:
    import uvicorn

    from advisor.web.server import create_app

    app = create_app(settings, advisor=advisor)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="live-server")
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        raise RuntimeError(f"the test server at {url} did not become ready")

    def stop():
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    atexit.register(stop)
    return LiveServer(url, app, settings, advisor)


@contextlib.contextmanager
def app_server(settings, advisor, **config):
    """A private app (create_app) under uvicorn on a free loopback port, stopped afterwards;
    `config` goes to uvicorn.Config (limits under test)."""
    import uvicorn

    from advisor.web.server import create_app

    app = create_app(settings, advisor=advisor)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config.setdefault("log_level", "warning")
    server = uvicorn.Server(uvicorn.Config(app, access_log=False, **config))
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
