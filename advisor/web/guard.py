"""What the mounted Gradio app and the operations endpoints would otherwise give away (issue 12).

`GradioGuard` (pure ASGI, in front of the Gradio mount):
- refuses `/gradio_api/upload`: the chat has no file inputs, and Gradio would store any file
  anonymously and serve it back to anyone;
- answers a call naming an event that does not exist (`fn_index` 999) with a JSON 404, not
  Gradio's plain-text 500;
- replaces Gradio's error bodies (422 with pydantic URLs and reprs, 500) with one JSON line;
- drops `X-Forwarded-Host`, which Gradio copies into `/config` (uvicorn ignores it; a proxy in front
  sets `Host`), and marks `/config` `no-store` so no cache keeps a copy built for another host.

`MetricsGuard`: `/metrics` needs `Authorization: Bearer ADVISOR_METRICS_TOKEN` when that is set, and
is not served on the main port at all when ADVISOR_METRICS_PORT is set (`advisor serve` then serves
it on that port alone, see server.serve).
"""

from __future__ import annotations

import hmac
import json
import re

from starlette.responses import JSONResponse

from advisor.web.security import _gradio_fns, _peek_body

_UPLOAD = re.compile(r"/gradio_api/+upload/*")
_RUNS = re.compile(r"/gradio_api/+(?:run|api|queue/+join)(?:/+[^/]*)?/*")
GRADIO_ERRORS = {
    422: "The request does not match what this event expects (see /gradio_api/info).",
    500: "Internal error: the chat could not answer. It has been logged.",
}


class GradioGuard:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope = _without_forwarded_host(scope)
        path = scope["path"]
        if not path.startswith("/gradio_api") and path != "/config":
            return await self.app(scope, receive, send)
        if _UPLOAD.fullmatch(path):
            return await _json(403, "This server takes no file uploads.")(scope, receive, send)
        if scope["method"] == "POST" and _RUNS.fullmatch(path):
            body, receive = await _peek_body(receive)
            if _names_a_missing_event(scope, body):
                return await _json(404, "There is no such event (fn_index). See /gradio_api/info.")(
                    scope, receive, send
                )
        await self.app(scope, receive, _clean_errors(scope, send))


def _without_forwarded_host(scope):
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"x-forwarded-host"]
    return {**scope, "headers": headers} if len(headers) != len(scope["headers"]) else scope


def _names_a_missing_event(scope, body: bytes) -> bool:
    try:
        fn_index = json.loads(body).get("fn_index")
    except (ValueError, AttributeError, RecursionError):
        return False
    if fn_index is None:
        return False
    fns = _gradio_fns(scope)
    try:
        return int(str(fn_index).split(".")[0]) not in fns
    except ValueError:
        return False  # Gradio refuses it with a 422, cleaned below


def _json(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _clean_errors(scope, send):
    """A `send` that swaps Gradio's error bodies for one JSON line (the status stays) and marks
    /config no-store. Successful and streamed responses pass untouched."""
    replacing = False

    async def clean_send(message):
        nonlocal replacing
        if message["type"] == "http.response.start":
            status = message["status"]
            if status in GRADIO_ERRORS:
                replacing = True
                body = json.dumps({"error": GRADIO_ERRORS[status]}).encode()
                headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            if scope["path"] == "/config":
                message = {**message, "headers": [*message.get("headers", []), (b"cache-control", b"no-store")]}
        elif replacing:
            return  # the original error body is dropped
        await send(message)

    return clean_send


class MetricsGuard:
    def __init__(self, app, token: str | None, separate_port: bool):
        self.app, self.token, self.separate_port = app, token, separate_port

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].rstrip("/") == "/metrics":
            if self.separate_port and not scope.get("metrics_port"):
                return await _json(404, "Metrics are served on their own port here.")(scope, receive, send)
            if self.token:
                given = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
                if not hmac.compare_digest(given, f"Bearer {self.token}"):
                    return await _json(401, "Metrics need 'Authorization: Bearer <ADVISOR_METRICS_TOKEN>'.")(
                        scope, receive, send
                    )
        await self.app(scope, receive, send)


def metrics_only(app):
    """The ASGI app for ADVISOR_METRICS_PORT: /metrics of `app`, nothing else (run with lifespan off)."""

    async def serve(scope, receive, send):
        if scope["type"] == "http" and scope["path"].rstrip("/") == "/metrics":
            return await app({**scope, "metrics_port": True}, receive, send)
        await _json(404, "Only /metrics is served on this port.")(scope, receive, send)

    return serve


def install_guards(app, settings) -> None:
    app.add_middleware(GradioGuard)
    app.add_middleware(MetricsGuard, token=settings.metrics_token, separate_port=settings.metrics_port is not None)
