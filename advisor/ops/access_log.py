"""Access log: one JSON line per HTTP request, on standard error (logger `advisor.access`).

    {"ts": "2026-11-30T10:00:00.123Z", "request_id": "3f2a…", "method": "POST", "endpoint": "/api/ask",
     "status": 200, "latency_ms": 41.2, "grounded": true, "backend": "extractive", "top_score": 0.634,
     "index_version": "v20261130-095912-123456"}

`grounded`, `backend`, `top_score` and `index_version` appear on requests that produced an answer.
Never logged: the question or answer text, chat history, headers, cookies, query strings, client
addresses. `endpoint` is the route's path template, not the raw path. The request id is the
caller's `X-Request-ID` when it is a plain token (letters, digits, `.`, `_`, `-`; at most 64), else a
new one; it is sent back in the `X-Request-ID` response header. ADVISOR_ACCESS_LOG=false turns it off.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from advisor.core.observe import AnswerEvent
from advisor.ops.metrics import endpoint_of

access_log = logging.getLogger("advisor.access")
log = logging.getLogger(__name__)

INTERNAL_ERROR = "Internal error: the server could not answer. It has been logged."


def internal_error(request: Any, exc: BaseException) -> Any:
    """A bug: logged with its traceback for us, a plain 500 {"error"} without one for the caller.
    (`request` is a Starlette Request; the return value a JSONResponse.)"""
    from fastapi.responses import JSONResponse

    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": INTERNAL_ERROR}, status_code=500)


_current: ContextVar[dict | None] = ContextVar("advisor_request", default=None)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class _JsonLineHandler(logging.StreamHandler):
    marker = "advisor-json-access"

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


def configure_access_log(stream=None) -> logging.Logger:
    """Raw JSON lines (no level/time prefix) on their own handler, not mixed into the root format."""
    if not any(getattr(h, "marker", None) == _JsonLineHandler.marker for h in access_log.handlers):
        access_log.addHandler(_JsonLineHandler(stream or sys.stderr))
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
    return access_log


def observe_answer(event: AnswerEvent) -> None:
    """An Advisor observer: attaches the answer's outcome (never its text) to the current request."""
    info = _current.get()
    if info is not None:
        info.update(
            grounded=bool(event.answer.grounded),
            backend=event.answer.backend,
            top_score=round(float(event.similarity), 4),
            index_version=event.index_version,
        )


class AccessLogMiddleware:
    """Pure ASGI: streamed responses are logged when their last byte has been sent."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        info: dict = {}
        token = _current.set(info)
        status = {"code": 500}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            _current.reset(token)
            line = {
                "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "request_id": request_id,
                "method": scope.get("method"),
                "endpoint": endpoint_of(scope),
                "status": status["code"],
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                **info,
            }
            access_log.info(json.dumps(line, ensure_ascii=False))


def install_access_log(app, advisor=None, enabled: bool = True) -> None:
    if not enabled:
        return
    configure_access_log()
    if advisor is not None:
        advisor.observers.append(observe_answer)
    app.add_middleware(AccessLogMiddleware)
