"""Connection limits for uvicorn, so slow or half-open clients cannot hold the server.

uvicorn closes idle keep-alive connections but has no timeout for a request whose headers never
finish, and its default protocol (httptools) accepts headers of any size. `GuardedH11Protocol` is
uvicorn's h11 protocol plus:

- a header timeout: a connection that has not sent complete request headers within
  `ADVISOR_HEADER_TIMEOUT_S` (default 10 s) of connecting or of its last response is closed. A
  browser sends its headers in one packet; 10 s leaves room for a slow mobile link and is a sixth
  of nginx's client_header_timeout (60 s), since nothing here buffers for us;
- a connection cap: beyond `ADVISOR_MAX_CONNECTIONS` open connections (default 2,000) a new one is
  closed at once, so file descriptors cannot run out (the soft limit here is 20,000; 2,000 leaves
  the rest for Chroma, SQLite and model clients, and is 4x the 500 half-open connections tested);
- request headers over 32 KB are refused (431).

uvicorn's `limit_concurrency` (`ADVISOR_MAX_CONCURRENT_REQUESTS`, default 1,000) answers 503 while
more connections are open or requests in flight than that. A public deployment still belongs
behind a proxy (docs/security.md).
"""

from __future__ import annotations

import asyncio
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from advisor.core.settings import Settings

log = logging.getLogger(__name__)

# nginx's default large_client_header_buffers is 4 x 8 KB: a browser's headers fit with room to spare.
MAX_HEADER_BYTES = 32 * 1024


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header timeout and a connection cap (class attributes, set by
    `uvicorn_options` from the settings)."""

    header_timeout: float = 10.0
    max_connections: int = 2000

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            log.warning("Over %d open connections: closing a new one", self.max_connections)
            transport.close()
            return
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # still in the request line and headers
            end = data.find(b"\r\n\r\n")
            self._header_bytes = getattr(self, "_header_bytes", 0) + (len(data) if end < 0 else end)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._refuse_headers()
                return
        else:
            self._header_bytes = 0
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            if self._header_timer is None:
                self._arm_header_timer()  # headers started but not finished: the clock runs
        else:
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        self._header_bytes = 0
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()  # the next request's headers must come in time too

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _refuse_headers(self) -> None:
        """h11's own limit only applies while a request is incomplete: one large packet slips by."""
        if not self.transport.is_closing():
            body = b"Request headers are too large."
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )
            self.transport.close()

    def _header_timed_out(self) -> None:
        self._header_timer = None
        waiting = self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)
        if waiting and not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict:
    """Keyword arguments for uvicorn.Config / uvicorn.run that apply the connection limits."""
    protocol = type(
        "AdvisorH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": settings.header_timeout_s, "max_connections": settings.max_connections},
    )
    return {
        "http": protocol,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "timeout_keep_alive": 5,  # uvicorn's default, said here so it is not lost
        "limit_concurrency": settings.max_concurrent_requests or None,
    }
