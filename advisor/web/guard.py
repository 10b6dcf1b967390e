"""What the mounted Gradio app and the operations endpoints would otherwise give away (issue 12).

`GradioGuard` (pure ASGI, in front of the Gradio mount):
- refuses `/gradio_api/upload`: the chat has no file inputs, and Gradio would store any file
  anonymously and serve it back to anyone;
- answers a call naming an event that does not exist (`fn_index` 999) with a JSON 404, not
  Gradio's plain-text 500, and one with too few input values with a JSON 422 (Gradio's traceback
  quoted the whole input into the log); an event stream for an unknown session is a JSON 404
  (Gradio logged a 15 KB traceback for each);
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
_RUNS = re.compile(r"/gradio_api/+(?:(?:run|api)/+(?P<name>[^/]+)|queue/+join)/*")
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
        if scope["method"] == "GET" and path.rstrip("/") == "/gradio_api/queue/data" and not _known_session(scope):
            # Gradio raises inside its event stream for this, and each one logged a 15 KB traceback.
            return await _json(404, "No such chat session: reload the page.")(scope, receive, send)
        runs = _RUNS.fullmatch(path) if scope["method"] == "POST" else None
        if runs:
            body, receive = await _peek_body(receive)
            refusal = _check_call(_gradio_fns(scope), runs["name"], body)
            if refusal:
                return await refusal(scope, receive, send)
        await self.app(scope, receive, _clean_errors(scope, send))


def _without_forwarded_host(scope):
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"x-forwarded-host"]
    return {**scope, "headers": headers} if len(headers) != len(scope["headers"]) else scope


def _known_session(scope) -> bool:
    from urllib.parse import parse_qs

    session = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("session_hash", [""])[0]
    for route in getattr(scope.get("app"), "routes", ()):
        if hasattr(getattr(route, "app", None), "get_blocks"):
            return session in route.app.get_blocks()._queue.pending_messages_per_session
    return True  # no Gradio mounted: nothing to guard


def _check_call(fns: dict, api_name: str | None, body: bytes) -> JSONResponse | None:
    """A refusal for a call Gradio would fail with a 500 and a traceback quoting the whole input
    (an unknown fn_index, too few input values), or None to let Gradio handle it."""
    try:
        request = json.loads(body)
        fn_index, data = request.get("fn_index"), request.get("data")
    except (ValueError, AttributeError, RecursionError):
        return None  # Gradio answers 422 itself (cleaned below)
    if fn_index is not None:
        try:
            fn = fns.get(int(str(fn_index).split(".")[0]))
        except ValueError:
            return None
        if fn is None:
            return _json(404, "There is no such event (fn_index). See /gradio_api/info.")
    else:
        fn = next((f for f in fns.values() if api_name and f.api_name == api_name), None)
    if fn is not None and isinstance(data, list) and len(data) < len(fn.inputs):
        return _json(422, f"This event takes {len(fn.inputs)} input values; the request has {len(data)}.")
    return None


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
