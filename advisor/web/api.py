"""HTTP API: `POST /api/ask` (Answer JSON) and `POST /api/chat` (server-sent events), with the
request models and the error handlers that turn every bad request into a 4xx JSON message.

Handlers are plain `def`s on purpose: FastAPI runs them in its thread pool, so the blocking
Advisor calls of concurrent users run in parallel without holding up the event loop.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.exceptions import HTTPException as StarletteHTTPException

from advisor.core.backends import available as available_backends
from advisor.core.errors import InvalidInput
from advisor.core.pipeline import Advisor
from advisor.core.schema import Answer

log = logging.getLogger(__name__)

MAX_HISTORY_MESSAGES = 100
MAX_BODY_BYTES = 1_000_000  # generous for 100 turns of history; stops a runaway upload early


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: StrictStr


class AskRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"question": "What does an MLOps engineer earn?"},
                {
                    "question": "and at FAANG?",
                    "history": [
                        {"role": "user", "content": "What does an MLOps engineer earn?"},
                        {
                            "role": "assistant",
                            "content": "The typical MLOps engineer salary is $120,000-$185,000 a year. [1]",
                        },
                    ],
                },
            ]
        }
    )

    question: StrictStr = Field(description="The question; at most ADVISOR_MAX_QUESTION_CHARS (2,000) characters.")
    history: list[Message] | None = Field(
        None, max_length=MAX_HISTORY_MESSAGES, description="Earlier turns, oldest first, for follow-up questions."
    )
    backend: StrictStr | None = Field(None, description="Answer backend; default: the server's (ADVISOR_BACKEND).")


class ErrorBody(BaseModel):
    error: str = Field(description="What is wrong, in words a user can act on.")
    details: list[dict] | None = None


ERRORS = {
    400: {"model": ErrorBody, "description": "Invalid question, history or backend"},
    422: {"model": ErrorBody, "description": "Malformed request body"},
}


def _backend_name(name: str | None) -> str | None:
    if name is not None and name not in available_backends():
        raise InvalidInput(f"Unknown backend '{name}'. Choose one of: {', '.join(available_backends())}.")
    return name


def _history(req: AskRequest) -> list[dict] | None:
    return [m.model_dump() for m in req.history] if req.history else None


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _sse_stream(first: tuple[str, object], events: Iterator[tuple[str, object]]) -> Iterator[str]:
    """Deltas then the Answer; a failure after the stream has started becomes an `error` event
    (the status line is already sent, so it cannot become a 500)."""
    try:
        for kind, value in _chain(first, events):
            if kind == "delta":
                yield sse("delta", {"text": value})
            else:
                yield sse("answer", value.model_dump())
    except Exception:
        log.exception("answer stream failed")
        yield sse("error", {"error": "The answer could not be completed; please try again."})


def _chain(first, rest):
    yield first
    yield from rest


def install_api(app: FastAPI, get_advisor) -> None:
    """Routes under /api. `get_advisor()` returns the loaded Advisor."""
    router = APIRouter(prefix="/api", tags=["answers"])

    @router.post(
        "/ask", response_model=Answer, responses=ERRORS, summary="Answer a question (with optional chat history)"
    )
    def ask(req: AskRequest) -> dict:
        """Returns the Answer JSON: answer text with [n] markers, grounded, backend, sources in rank
        order (the n-th source is marker [n]) and timings."""
        answer = get_advisor().ask(req.question, _history(req), _backend_name(req.backend))
        return answer.model_dump()

    @router.post(
        "/chat",
        responses={
            **ERRORS,
            200: {
                "description": 'Server-sent events: `delta` {"text"} pieces, then one `answer` with the Answer JSON '
                '(or one `error` {"error"} if the answer fails part-way).',
                "content": {"text/event-stream": {}},
            },
        },
        summary="Answer a question, streamed as server-sent events",
    )
    def chat(req: AskRequest) -> StreamingResponse:
        events = get_advisor().events(req.question, _history(req), _backend_name(req.backend))
        first = next(events)  # validation happens here, before any byte is sent: bad input is a clean 400
        return StreamingResponse(
            _sse_stream(first, events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(path: str, request: Request):
        """/api/* is ours: without this, a wrong path or method would fall through to the chat UI
        mounted at / and get its 404, not a JSON message."""
        allowed = sorted({m for r in router.routes if r.path == f"/api/{path}" for m in r.methods})
        if allowed:
            raise StarletteHTTPException(
                405, f"Use {' or '.join(allowed)} for /api/{path}.", headers={"Allow": ", ".join(allowed)}
            )
        raise StarletteHTTPException(404, f"There is no /api/{path}. The API is described at /docs.")

    app.include_router(router)


def _describe(error: dict) -> str:
    loc = [str(p) for p in error.get("loc", ()) if p != "body"]
    kind = error.get("type", "")
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    if kind == "model_attributes_type" and not loc:
        return 'The request body must be a JSON object like {"question": "..."}.'
    if kind == "missing" and loc:
        return f"'{'.'.join(loc)}' is required."
    where = ".".join(loc) or "body"
    return f"'{where}': {error.get('msg', 'invalid value')}."


def install_errors(app: FastAPI) -> None:
    """Every failure answers JSON {"error": message}: 400 for bad input, 422 for a malformed body,
    413 for an oversized one, and a plain 500 (never a stack trace) for bugs, which are logged."""

    @app.exception_handler(InvalidInput)
    async def invalid_input(request: Request, exc: InvalidInput):
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        details = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body", "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        message = " ".join(dict.fromkeys(_describe(e) for e in exc.errors())) or "Invalid request."
        return JSONResponse({"error": message, "details": details}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            {"error": "Internal error: the server could not answer. It has been logged."}, status_code=500
        )

    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)


class BodyLimit:
    """Pure ASGI (not BaseHTTPMiddleware, which would buffer and slow every streamed response):
    refuses /api/ and /v1/ requests that declare a body above `limit` bytes with 413."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith(("/api/", "/v1/")):
            length = dict(scope["headers"]).get(b"content-length", b"")
            if length.isdigit() and int(length) > self.limit:
                response = JSONResponse(
                    {"error": f"The request body is larger than {self.limit:,} bytes."}, status_code=413
                )
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


def install_health(app: FastAPI, get_advisor, probe_question: str = "What does the guide cover?") -> None:
    """/healthz: the process is up. /readyz: the index is loaded and a real question is answered
    (cheap: the probe's embedding is cached), so a load balancer only sends users to a working copy."""
    from advisor.core.observe import quiet
    from advisor.ops.watcher import unavailable_message

    @app.get("/healthz", tags=["ops"], summary="Liveness")
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["ops"],
        summary="Readiness: index loaded and answering",
        responses={503: {"description": "Not ready yet, or the index cannot answer"}},
    )
    def readyz():
        advisor: Advisor | None = get_advisor()
        try:
            if advisor is None:
                raise RuntimeError("the advisor is still loading")
            index = advisor.index
            with quiet():  # a probe is not traffic: no metrics, not in the question log
                advisor.ask(probe_question)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with the reason
            error = unavailable_message(exc, getattr(advisor, "settings", None))
            return JSONResponse({"status": "not ready", "error": error}, status_code=503)
        return {
            "status": "ready",
            "index_version": index.version.id,
            "chunks": len(index.ids),
            "backend": advisor.backend_name,
        }
