"""OpenAI-compatible chat API, so existing clients (the `openai` SDK, LangChain's `ChatOpenAI`,
chat front-ends) can talk to the advisor: `POST /v1/chat/completions` (plain, or `stream: true` as
`chat.completion.chunk` server-sent events ending in `data: [DONE]`) and `GET /v1/models`.

- `messages` map to question + history: the last message is the question and must be the user's;
  earlier user/assistant messages are the history; system and developer messages are ignored
  (many clients always send one; what to answer is decided by the guides, not by a prompt).
- `model` chooses the answer backend: `career-advisor` is the server's default, `career-advisor-NAME`
  a backend by name (GET /v1/models lists those whose packages are installed).
- The answer text keeps its [n] markers; sources, `grounded`, backend and timings travel in the
  extension field `advisor` of the completion (and of the last stream chunk), as PrivateGPT adds
  `sources` to its OpenAI-shaped responses.
- The same validation, rate limit and origin rules as /api/*; optional bearer keys
  (ADVISOR_API_KEYS) for /v1/* and /mcp; every error in OpenAI's shape
  {"error": {"message", "type", "param", "code"}}.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.exceptions import HTTPException as StarletteHTTPException

from advisor.core.backends import available as available_backends
from advisor.core.backends import create_backend
from advisor.core.errors import InvalidInput
from advisor.core.schema import Answer
from advisor.web.api import MAX_HISTORY_MESSAGES

log = logging.getLogger(__name__)

MODEL = "career-advisor"
PREFIX = "/v1/"
KEYED_PATHS = (PREFIX, "/mcp")  # what ADVISOR_API_KEYS protects


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: StrictStr
    text: StrictStr | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls...: accepted, not used
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: StrictStr | list[ContentPart] | None = None


class ChatCompletionRequest(BaseModel):
    # temperature, max_tokens, top_p, stream_options, user...: accepted and ignored, as clients send
    # them by default; the answer is decided by retrieval and the backend, not by sampling knobs.
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"model": MODEL, "messages": [{"role": "user", "content": "What does an MLOps engineer earn?"}]},
                {
                    "model": MODEL,
                    "stream": True,
                    "messages": [
                        {"role": "user", "content": "Which feature stores are mentioned?"},
                        {"role": "assistant", "content": "- Feast: ... - Tecton: ... [1]"},
                        {"role": "user", "content": "which one is open source?"},
                    ],
                },
            ]
        },
    )
    model: StrictStr = Field(description=f"'{MODEL}' (the server's default backend) or one from GET /v1/models.")
    messages: list[ChatMessage] = Field(
        min_length=1,
        max_length=2 * MAX_HISTORY_MESSAGES,
        description="Oldest first; the last is the user's question, earlier user/assistant turns are the "
        "history (at most 100), system/developer messages are ignored.",
    )
    stream: bool = False
    n: int | None = Field(None, description="Only 1 is supported.")


def _text(message: ChatMessage, i: int) -> str:
    if isinstance(message.content, str):
        return message.content
    if message.content is None:
        raise InvalidInput(f"messages[{i}] has no content: only text messages are supported.")
    parts = []
    for part in message.content:
        if part.type != "text" or part.text is None:
            raise InvalidInput(f"messages[{i}] has a '{part.type}' part: only text content is supported.")
        parts.append(part.text)
    return "\n".join(parts)


def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[dict] | None]:
    """The last message is the question; earlier user/assistant messages are the history."""
    turns = []
    for i, message in enumerate(messages):
        if message.role in ("system", "developer"):
            continue
        if message.role in ("tool", "function"):
            raise InvalidInput(f"messages[{i}] has role '{message.role}': tools are not supported.")
        turns.append({"role": message.role, "content": _text(message, i)})
    if not turns or turns[-1]["role"] != "user":
        raise InvalidInput("The last message must be the user's question (role 'user').")
    history = turns[:-1]
    if len(history) > MAX_HISTORY_MESSAGES:
        raise InvalidInput(
            f"At most {MAX_HISTORY_MESSAGES} earlier user/assistant messages are used; "
            f"this request has {len(history)}. Send only the recent turns."
        )
    return turns[-1]["content"], history or None


def openai_error(message: str, status: int, code: str | None = None, param: str | None = None) -> JSONResponse:
    kind = {401: "invalid_request_error", 429: "requests"}.get(status)
    if kind is None:
        kind = "server_error" if status >= 500 else "invalid_request_error"
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": param, "code": code}},
        status_code=status,
        headers={"WWW-Authenticate": "Bearer"} if status == 401 else None,
    )


def extension(answer: Answer) -> dict:
    """The `advisor` extension field: what the Answer JSON has beyond its text."""
    data = answer.model_dump()
    data.pop("answer")
    return data


class Models:
    """Model ids, one per answer backend whose packages are installed (checked once, lazily)."""

    def __init__(self, settings, default_backend: str):
        self.settings, self.default, self.created = settings, default_backend, int(time.time())
        self._usable: list[str] | None = None

    def usable(self) -> list[str]:
        if self._usable is None:
            names = []
            for name in available_backends():
                try:
                    create_backend(name, self.settings)
                except Exception:  # noqa: BLE001 - a backend that cannot even be built is not offered
                    continue
                names.append(name)
            self._usable = names
        return self._usable

    def ids(self) -> list[str]:
        return [MODEL] + [f"{MODEL}-{name}" for name in self.usable()]

    def backend(self, model: str) -> str | None:
        """The backend name for a model id (None: the server's default), or a 404 in OpenAI's shape."""
        if model == MODEL:
            return None
        name = model.removeprefix(f"{MODEL}-")
        if model.startswith(f"{MODEL}-") and name in available_backends():
            return name
        raise ModelNotFound(model)

    def card(self, model_id: str) -> dict:
        return {"id": model_id, "object": "model", "created": self.created, "owned_by": "career-advisor"}


class ModelNotFound(Exception):
    def __init__(self, model: str):
        super().__init__(
            f"The model '{model}' does not exist. Use '{MODEL}' or one listed by GET /v1/models."
            if model
            else f"'model' is required: use '{MODEL}'."
        )


def _chunk(cid: str, created: int, model: str, delta: dict, finish: str | None = None, **extra) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _stream(cid: str, created: int, model: str, first, events: Iterator) -> Iterator[str]:
    """Role, text deltas, a last chunk with finish_reason and the `advisor` field, then [DONE]. A
    failure after the status line is sent becomes an error event (OpenAI's shape), as the SDK expects."""
    yield _chunk(cid, created, model, {"role": "assistant", "content": ""})
    try:
        for kind, value in _chain(first, events):
            if kind == "delta":
                yield _chunk(cid, created, model, {"content": value})
            else:
                yield _chunk(cid, created, model, {}, "stop", advisor=extension(value))
    except Exception:
        log.exception("chat completion stream failed")
        error = {"message": "The answer could not be completed; please try again.", "type": "server_error"}
        yield f"data: {json.dumps({'error': {**error, 'param': None, 'code': None}})}\n\n"
        return
    yield "data: [DONE]\n\n"


def _chain(first, rest):
    yield first
    yield from rest


def respond(events: Iterator, model: str, stream: bool):
    """A `chat.completion`, or the stream of `chat.completion.chunk` events, for Advisor events."""
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if stream:
        first = next(events)  # validation happens here, before any byte is sent: a clean 400
        return StreamingResponse(
            _stream(cid, created, model, first, events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    answer = next(value for kind, value in events if kind == "answer")
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer}, "finish_reason": "stop"}],
        "advisor": extension(answer),
    }


def install_openai_api(app: FastAPI, get_advisor, settings) -> None:
    """Routes under /v1, the bearer-key check and OpenAI-shaped errors for /v1/*."""
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])
    models = Models(settings, get_advisor().backend_name)

    @router.get("/models", summary="Models: one per usable answer backend")
    def list_models() -> dict:
        return {"object": "list", "data": [models.card(m) for m in models.ids()]}

    @router.get(
        "/models/{model_id}",
        summary="One model",
        responses={
            404: {"description": "Unknown model (OpenAI error shape)"},
            401: {"description": "Missing or wrong bearer key"},
        },
    )
    def get_model(model_id: str) -> dict:
        if model_id not in models.ids():
            raise ModelNotFound(model_id)
        return models.card(model_id)

    @router.post(
        "/chat/completions",
        summary="Answer the last user message (OpenAI chat completions; stream: true for SSE)",
        responses={
            200: {
                "description": "A `chat.completion` whose extension field `advisor` holds grounded, backend, "
                "sources and timings_ms; with stream: true, `chat.completion.chunk` events, the last with "
                "finish_reason 'stop' and the `advisor` field, then `data: [DONE]`.",
                "content": {"text/event-stream": {}},
            },
            400: {"description": "Invalid messages or question (OpenAI error shape)"},
            401: {"description": "Missing or wrong bearer key (only when ADVISOR_API_KEYS is set)"},
            404: {"description": "Unknown model"},
            429: {"description": "Rate limit (ADVISOR_RATE_LIMIT_PER_MINUTE)"},
        },
    )
    def chat_completions(req: ChatCompletionRequest):
        if req.n not in (None, 1):
            raise InvalidInput("Only n=1 is supported: one answer per request.")
        backend = models.backend(req.model)
        question, history = question_and_history(req.messages)
        return respond(get_advisor().events(question, history, backend), req.model, req.stream)

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(path: str):
        """/v1/* is ours: without this a wrong path would reach the chat UI mounted at /."""
        allowed = sorted(
            {m for r in router.routes if getattr(r, "path", None) == f"/v1/{path}" for m in getattr(r, "methods", ())}
        )
        if allowed:
            raise StarletteHTTPException(405, f"Use {' or '.join(allowed)} for /v1/{path}.")
        raise StarletteHTTPException(
            404, f"There is no /v1/{path}. The OpenAI-compatible API has /v1/chat/completions and /v1/models."
        )

    @app.exception_handler(ModelNotFound)
    async def model_not_found(request: Request, exc: ModelNotFound):
        return openai_error(str(exc), 404, "model_not_found", "model")

    app.include_router(router)
    app.add_middleware(OpenAIErrors)
    keys = [k.strip() for k in settings.api_keys.split(",") if k.strip()]
    if keys:
        app.add_middleware(ApiKeys, keys=keys)


class ApiKeys:
    """Pure ASGI: with ADVISOR_API_KEYS set, /v1/* and /mcp need `Authorization: Bearer KEY`.
    CORS preflights pass (they carry no credentials by design). It sits outside the CORS middleware,
    so its 401 adds the CORS header itself for the pages ADVISOR_ALLOWED_ORIGINS allows."""

    def __init__(self, app, keys: list[str]):
        self.app, self.keys = app, [k.encode() for k in keys]

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] != "OPTIONS" and scope["path"].startswith(KEYED_PATHS):
            header = dict(scope["headers"]).get(b"authorization", b"")
            scheme, _, key = header.partition(b" ")
            if scheme.lower() != b"bearer" or not any(hmac.compare_digest(key.strip(), k) for k in self.keys):
                message = (
                    "Missing API key: send the header 'Authorization: Bearer YOUR_KEY' (a key from ADVISOR_API_KEYS)."
                    if not header
                    else "Incorrect API key: use one of the keys the server's ADVISOR_API_KEYS lists."
                )
                response = openai_error(message, 401, "invalid_api_key")
                origin = dict(scope["headers"]).get(b"origin", b"").decode("latin-1")
                policy = getattr(scope["app"].state, "origin_policy", None) if "app" in scope else None
                if origin and policy is not None and policy.allows(origin):  # an allowed page may read why
                    response.headers["Access-Control-Allow-Origin"] = origin
                    response.headers["Vary"] = "Origin"
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


class OpenAIErrors:
    """Pure ASGI: on /v1/*, every error the app's shared handlers and middleware send as
    {"error": "message"} (400, 404, 413, 422, 429, 500) is re-shaped into OpenAI's
    {"error": {"message", "type", "param", "code"}}, so OpenAI clients raise their usual errors.
    A malformed body is a 400, as OpenAI answers it. Success responses pass through unbuffered."""

    CODES = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large", 429: "rate_limit_exceeded"}

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            return await self.app(scope, receive, send)
        held: dict = {}

        async def reshaping_send(message):
            if message["type"] == "http.response.start" and message["status"] >= 400:
                held["start"], held["body"] = message, b""
                return None
            if message["type"] == "http.response.body" and "start" in held:
                held["body"] += message.get("body", b"")
                if message.get("more_body"):
                    return None
                return await self._send_reshaped(held["start"], held["body"], send)
            return await send(message)

        await self.app(scope, receive, reshaping_send)

    async def _send_reshaped(self, start, body: bytes, send):
        status = start["status"]
        headers = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"content-type")]
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            param = None
            details = data.get("details") or []
            if details and isinstance(details[0], dict):
                param = details[0].get("field")
            status = 400 if status == 422 else status
            kind = "server_error" if status >= 500 else ("requests" if status == 429 else "invalid_request_error")
            # the shared message names /api's body; an OpenAI client sent a chat request
            message = data["error"].replace('{"question": "..."}', '{"model": "career-advisor", "messages": [...]}')
            data = {"error": {"message": message, "type": kind, "param": param, "code": self.CODES.get(status)}}
            body = json.dumps(data, ensure_ascii=False).encode()
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
