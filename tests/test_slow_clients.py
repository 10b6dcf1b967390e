"""Slow and half-open clients (issue 12, finding 6) against the app under uvicorn with the limits
`advisor serve` uses (advisor/web/connections.py). Bounded: 500 connections, 20 s, loopback only."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from live_server import app_server

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")]

HALF_OPEN = 500
SECONDS = 20.0


@pytest.fixture(scope="module")
def guarded(settings, advisor):
    from advisor.web.connections import uvicorn_options

    guarded_settings = settings.model_copy(update={"header_timeout_s": 5.0, "max_connections": 1000})
    with app_server(guarded_settings, advisor, **uvicorn_options(guarded_settings)) as url:
        yield url


def open_half(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and never the rest
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.01)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_half_open_connections_neither_stall_the_server_nor_stay_open(guarded):
    sockets = [open_half(guarded) for _ in range(HALF_OPEN)]
    try:
        worst, checks = 0.0, 0
        started = time.monotonic()
        while time.monotonic() - started < SECONDS:
            t = time.perf_counter()
            assert httpx.get(guarded + "/healthz", timeout=5).status_code == 200
            worst = max(worst, time.perf_counter() - t)
            checks += 1
            time.sleep(0.5)
        assert worst < 1.0, f"/healthz took {worst:.2f} s at worst"
        assert checks >= 20
        # The header timeout (5 s here) closed them all well within the 20 s.
        still_open = sum(not closed_by_server(s) for s in sockets)
        assert still_open == 0, f"{still_open} half-open connections still open after {SECONDS} s"
    finally:
        for s in sockets:
            s.close()


def test_oversized_headers_are_refused(guarded):
    r = httpx.get(guarded + "/healthz", headers={"X-Big": "a" * 100_000}, timeout=10)
    assert r.status_code in (400, 431)
    assert httpx.get(guarded + "/healthz", headers={"X-Fine": "a" * 8000}, timeout=10).status_code == 200


def test_connections_beyond_the_cap_are_closed_at_once(settings, advisor):
    from advisor.web.connections import uvicorn_options

    capped = settings.model_copy(update={"max_connections": 20})
    with app_server(capped, advisor, **uvicorn_options(capped)) as url:
        sockets = [open_half(url) for _ in range(30)]
        try:
            time.sleep(0.5)
            closed = sum(closed_by_server(s) for s in sockets)
            assert 9 <= closed <= 11  # the 10 beyond the cap (one more or less: the readiness probe's own)
        finally:
            for s in sockets:
                s.close()
        time.sleep(0.2)
        assert httpx.get(url + "/healthz", timeout=5).status_code == 200  # served again once they are gone
