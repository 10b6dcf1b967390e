"""HTTP API: `POST /api/ask` (Answer JSON) and `POST /api/chat` (server-sent events), with the
request models and the error handlers that turn every bad request into a 4xx JSON message.

Handlers are plain `def`s on purpose: FastAPI runs them in its thread pool, so the blocking
Advisor calls of concurrent users run in parallel without holding up the event loop.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.exceptions import HTTPException as StarletteHTTPException

from advisor.core.backends import available as available_backends
from advisor.core.errors import InvalidInput
from advisor.core.pipeline import Advisor
from advisor.core.schema import Answer
from advisor.ops.access_log import internal_error

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

    question: StrictStr = Field(
        description="The question; at most ADVISOR_MAX_QUESTION_CHARS (2,000) characters, not blank.",
        json_schema_extra={"minLength": 1},  # maxLength: the setting, added by _document_limits
    )
    history: list[Message] | None = Field(
        None, max_length=MAX_HISTORY_MESSAGES, description="Earlier turns, oldest first, for follow-up questions."
    )
    backend: StrictStr | None = Field(None, description="Answer backend; default: the server's (ADVISOR_BACKEND).")


class ErrorBody(BaseModel):
    error: str = Field(description="What is wrong, in words a user can act on.")
    details: list[dict] | None = None


UNPARSEABLE = "There was an error parsing the body"  # fastapi/routing.py
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid question, history or backend"},
    422: {"model": ErrorBody, "description": "Malformed request body"},
}


def _backend_name(name: str | None, allowed: frozenset[str] | None = None) -> str | None:
    if name is not None and name not in available_backends():
        raise InvalidInput(f"Unknown backend '{name}'. Choose one of: {', '.join(available_backends())}.")
    if name is not None and allowed is not None and name not in allowed:
        raise InvalidInput(
            f"This server does not let clients choose the '{name}' backend. Leave 'backend' out, or use: "
            f"{', '.join(sorted(allowed))}."
        )
    return name


def client_backends(settings) -> frozenset[str] | None:
    """ADVISOR_CLIENT_BACKENDS: the backends a request may name. Unset: the configured one only (a
    client must not point this server's model budget, or a stalled model server, at every request);
    `*`: any installed backend."""
    value = (settings.client_backends or "").strip()
    if value == "*":
        return None
    return frozenset(b.strip() for b in value.split(",") if b.strip()) or frozenset({settings.backend})


class ModelSlots:
    """At most `size` answers from a model backend at once (ADVISOR_MAX_MODEL_CALLS, default 8: the
    Gradio chat's own concurrency). A request that finds them all taken waits up to `wait` seconds,
    then gets 503: a stalled model server then holds `size` worker threads, not the whole pool that
    /readyz and the extractive answers also need. The extractive backend needs no slot."""

    def __init__(self, size: int, wait: float = 1.0):
        self._slots, self.size, self.wait = threading.BoundedSemaphore(size), size, wait

    def take(self) -> None:
        if not self._slots.acquire(timeout=self.wait):
            raise StarletteHTTPException(
                503,
                f"The answer model is busy ({self.size} answers in progress). Please try again in a few seconds.",
                headers={"Retry-After": "5"},
            )

    def give_back(self) -> None:
        self._slots.release()


def _history(req: AskRequest) -> list[dict] | None:
    return [m.model_dump() for m in req.history] if req.history else None


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _sse_stream(first: tuple[str, object], events: Iterator[tuple[str, object]], issue=None) -> Iterator[str]:
    """Deltas then the Answer (with its answer_id); a failure after the stream has started becomes an
    `error` event (the status line is already sent, so it cannot become a 500)."""
    try:
        for kind, value in _chain(first, events):
            if kind == "delta":
                yield sse("delta", {"text": value})
            else:
                yield sse("answer", {**value.model_dump(), **({"answer_id": issue(value)} if issue else {})})
    except Exception:
        log.exception("answer stream failed")
        yield sse("error", {"error": "The answer could not be completed; please try again."})


def _releasing(stream: Iterator[str], release) -> Iterator[str]:
    """The stream, then `release()` when it ends, fails or is dropped by a client that left."""
    try:
        yield from stream
    finally:
        if release:
            release()


def _chain(first, rest):
    yield first
    yield from rest


def install_api(app: FastAPI, get_advisor, desk=None) -> None:  # noqa: C901 - one closure per route
    """Routes under /api. `get_advisor()` returns the loaded Advisor; `desk` (advisor/web/feedback.py)
    issues the answer_id each answer carries for POST /api/feedback."""
    from advisor.web.feedback import IssuedAnswer

    router = APIRouter(prefix="/api", tags=["answers"])
    settings = app.state.settings
    allowed = client_backends(settings)
    slots = app.state.model_slots = ModelSlots(settings.max_model_calls)

    def model_slot(backend: str | None) -> bool:
        """Takes a slot when this answer goes to a model; whether one was taken."""
        if (backend or get_advisor().backend_name) == "extractive":
            return False
        slots.take()
        return True

    def issuer(question: str):
        return (lambda answer: desk.issue(question, answer)) if desk is not None else None

    @router.post(
        "/ask",
        response_model=IssuedAnswer if desk is not None else Answer,
        responses=ERRORS,
        summary="Answer a question (with optional chat history)",
    )
    def ask(req: AskRequest) -> dict:
        """Returns the Answer JSON: answer text with [n] markers, grounded, backend, sources in rank
        order (the n-th source is marker [n]) and timings; plus `answer_id` for POST /api/feedback."""
        backend = _backend_name(req.backend, allowed)
        held = model_slot(backend)
        try:
            question = _raw_length(req.question, settings.max_question_chars)
            answer = get_advisor().ask(question, _history(req), backend)
            issue = issuer(req.question)
            return {**answer.model_dump(), **({"answer_id": issue(answer)} if issue else {})}
        finally:
            if held:
                slots.give_back()

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
        backend = _backend_name(req.backend, allowed)
        held = model_slot(backend)
        try:
            events = get_advisor().events(
                _raw_length(req.question, settings.max_question_chars), _history(req), backend
            )
            first = next(events)  # validation happens here, before any byte is sent: bad input is a clean 400
        except BaseException:
            if held:
                slots.give_back()
            raise
        return StreamingResponse(
            _releasing(_sse_stream(first, events, issuer(req.question)), slots.give_back if held else None),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @router.api_route(
        "/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    def unknown(path: str, request: Request):
        """/api/* is ours: without this, a wrong path or method would fall through to the chat UI
        mounted at / and get its 404, not a JSON message."""
        allowed = sorted(
            {m for r in router.routes if getattr(r, "path", None) == f"/api/{path}" for m in getattr(r, "methods", ())}
        )
        if allowed:
            raise StarletteHTTPException(
                405, f"Use {' or '.join(allowed)} for /api/{path}.", headers={"Allow": ", ".join(allowed)}
            )
        raise StarletteHTTPException(404, f"There is no /api/{path}. The API is described at /docs.")

    app.include_router(router)
    _document_limits(app, allowed, settings.max_question_chars)


def _raw_length(question: str, max_chars: int) -> str:
    """The limit holds for the question as sent (what /openapi.json says), not only once blanks and
    control characters are dropped: a fuzzer found 2,600 characters accepted under a 2,000 limit."""
    if len(question) > max_chars:
        raise InvalidInput(
            f"The question is {len(question):,} characters long; the limit is {max_chars:,}. Shorten it and ask again."
        )
    return question


def _document_limits(app: FastAPI, allowed: frozenset[str] | None, max_chars: int) -> None:
    """/openapi.json says what this server accepts: the backends a client may pick (an enum, not
    any string) and the question's length limit."""
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = plain_openapi()
            schema["components"]["schemas"]["AskRequest"]["properties"]["question"]["maxLength"] = max_chars
            names = sorted(allowed if allowed is not None else available_backends())
            field = schema["components"]["schemas"]["AskRequest"]["properties"]["backend"]
            field["anyOf"] = [{"type": "string", "enum": names}, {"type": "null"}]
            field["description"] += f" This server allows: {', '.join(names)} (ADVISOR_CLIENT_BACKENDS)."
            app.openapi_schema = schema
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the schema


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
        if exc.status_code == 400 and exc.detail == UNPARSEABLE:
            # FastAPI's own 400 for a body json.loads cannot take (not UTF-8, nested too deep): a
            # malformed body is a 422 with details, like every other one (README).
            message = "The request body is not valid JSON (it must be UTF-8 text, nested at most a few hundred levels)."
            return JSONResponse({"error": message, "details": [{"field": "body", "message": message}]}, status_code=422)
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        return internal_error(request, exc)


def install_body_limit(app: FastAPI) -> None:
    """Added after the rate limit, so it wraps it: an oversized body is a 413 before anything reads
    it, and does not count as a question."""
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"The request body is larger than {limit:,} bytes.")


class BodyLimit:
    """Pure ASGI (not BaseHTTPMiddleware, which would buffer and slow every streamed response):
    refuses any request whose body is above `limit` bytes with 413, whether it says so in
    Content-Length or arrives chunked: the bytes are counted as they are received, and reading
    stops at the limit."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            return await self._refuse(scope, receive, send)
        received, started = 0, False

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope, receive, send):
        response = JSONResponse({"error": f"The request body is larger than {self.limit:,} bytes."}, status_code=413)
        await response(scope, receive, send)


def install_health(app: FastAPI, get_advisor, probe_question: str = "What does the guide cover?") -> None:
    """/healthz: the process is up. /readyz: the index is loaded and a real question is answered
    (cheap: the probe's embedding is cached), so a load balancer only sends users to a working copy."""
    from advisor.core.observe import quiet

    @app.get("/healthz", tags=["ops"], summary="Liveness")
    async def healthz() -> dict:
        """async: answered on the event loop, never queued behind answers in the thread pool."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["ops"],
        summary="Readiness: index loaded and answering",
        responses={503: {"description": "Not ready yet, or the index cannot answer"}},
    )
    def readyz(request: Request):
        advisor: Advisor | None = get_advisor()
        try:
            if advisor is None:
                raise RuntimeError("the advisor is still loading")
            index = advisor.index
            with quiet():  # a probe is not traffic: no metrics, not in the question log
                advisor.ask(probe_question)
            writable_data_dir(getattr(advisor, "settings", None))
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with the reason
            return JSONResponse({"status": "not ready", "error": _not_ready(exc, advisor)}, status_code=503)
        return {
            "status": "ready",
            "index_version": index.version.id,
            "chunks": len(index.ids),
            "backend": advisor.backend_name,
            **_shared_services(request.app.state),
        }


class DataDirNotWritable(RuntimeError):
    pass


def writable_data_dir(settings) -> None:
    """Feedback, the question log and the embedded index are written to the data folder: if it
    turns read-only, this copy cannot do its job, and a load balancer should know."""
    import os
    import tempfile

    folder = getattr(settings, "data_dir", None)
    if folder is None or not Path(folder).is_dir():
        return
    try:
        fd, name = tempfile.mkstemp(prefix=".readyz-", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise DataDirNotWritable(f"the data folder {folder} is not writable ({exc.strerror})") from None


def _not_ready(exc: Exception, advisor) -> str:
    """The reason in words, without the raw text of a library's exception (logged instead)."""
    from advisor.ops.watcher import is_index_unreachable

    settings = getattr(advisor, "settings", None)
    if advisor is None or isinstance(exc, DataDirNotWritable):
        return str(exc)
    log.warning("not ready: %s: %s", type(exc).__name__, exc)
    if settings is not None and is_index_unreachable(exc, settings):
        return f"the index server at {settings.chroma_url} cannot be reached"
    return "the index cannot answer a question (the server log has the details)"


def _shared_services(state) -> dict:
    """Where rate limits and cached answers live; "detail" says when Redis is down (still ready:
    limits then count per replica and the cache is local)."""
    out = {}
    limiter = getattr(state, "rate_limiter", None)
    if limiter is not None and hasattr(limiter, "status"):
        out["rate_limit"] = limiter.status()
    cache = getattr(state, "answer_cache", None)
    if cache is not None:
        out["answer_cache"] = cache.status()
    return out
