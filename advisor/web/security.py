"""Who may use this server from another website, and how often anyone may ask.

- **Origins.** `ADVISOR_ALLOWED_ORIGINS` (comma list such as `https://example.com,https://*.example.org`)
  names the sites that may embed the chat (`/embed` sends `Content-Security-Policy: frame-ancestors`)
  and call the HTTP API from their own JavaScript (CORS). Unset: only this server itself and pages on
  `localhost` / `127.0.0.1` (any port). `*` allows every site.
- **Rate limit.** `ADVISOR_RATE_LIMIT_PER_MINUTE` (default 30; 0 turns it off) questions a minute per
  client address on every answering endpoint: `POST /api/ask`, `POST /api/chat`,
  `POST /v1/chat/completions`, the MCP tool `ask_career_advisor` over HTTP and the Gradio chat's
  answering events, through whichever Gradio route and `fn_index` encoding reaches them
  (`counts_as_question`). Over the limit: 429 with a JSON message and `Retry-After`. Counted in memory,
  or in Redis (`ADVISOR_REDIS_URL`) across replicas, through the `limits` library.

`install_security(app, settings)` adds both as pure ASGI middleware (no buffering of streamed answers).
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from dataclasses import dataclass

from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Mount

from advisor.core.settings import Settings

log = logging.getLogger(__name__)

# Pages served from the same machine a developer works on: any port, http or https.
LOCAL_ORIGIN_REGEX = r"https?://(localhost|127\.0\.0\.1)(:\d{1,5})?"
LOCAL_FRAME_ANCESTORS = ("http://localhost:*", "https://localhost:*", "http://127.0.0.1:*", "https://127.0.0.1:*")

# scheme://host[:port], optionally with a leading "*." subdomain wildcard; nothing else (no path, no
# spaces, no ";"), so a value can never add a directive to the CSP header it is copied into.
_ORIGIN = re.compile(
    r"(?P<scheme>https?)://(?P<wild>\*\.)?(?P<host>[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(?::(?P<port>\d{1,5}))?"
)


@dataclass(frozen=True)
class OriginPolicy:
    """The parsed allowlist: what CORS allows and what `frame-ancestors` lists."""

    origins: tuple[str, ...]  # exact origins, e.g. "https://example.com"
    regex: str | None  # for wildcards and the local default
    frame_ancestors: tuple[str, ...]  # CSP sources after 'self'
    allow_all: bool = False

    @classmethod
    def from_setting(cls, value: str | None) -> OriginPolicy:
        items = [item.strip() for item in re.split(r"[,\s]+", value or "") if item.strip()]
        if not items:
            return cls((), LOCAL_ORIGIN_REGEX, LOCAL_FRAME_ANCESTORS)
        if items == ["*"]:
            return cls(("*",), None, ("*",), allow_all=True)
        origins, patterns = [], []
        for item in items:
            origin = item.rstrip("/").lower()
            match = _ORIGIN.fullmatch(origin)
            if not match:
                raise ValueError(
                    f"ADVISOR_ALLOWED_ORIGINS: '{item}' is not an origin. Use scheme://host[:port] "
                    "such as https://example.com or https://*.example.com, separated by commas (or just '*' for any site)."
                )
            if match["wild"]:
                port = rf":{match['port']}" if match["port"] else ""
                patterns.append(rf"{match['scheme']}://[a-z0-9-]+(\.[a-z0-9-]+)*\.{re.escape(match['host'])}{port}")
            origins.append(origin)
        exact = tuple(dict.fromkeys(o for o in origins if "*" not in o))
        regex = "|".join(f"({p})" for p in patterns) or None
        return cls(exact, regex, tuple(dict.fromkeys(origins)))

    def allows(self, origin: str) -> bool:
        if self.allow_all or origin in self.origins:
            return True
        return bool(self.regex and re.fullmatch(self.regex, origin))

    @property
    def frame_ancestors_directive(self) -> str:
        return " ".join(("frame-ancestors", "'self'", *self.frame_ancestors))


# Redis calls sit on the request path: a dead Redis must cost milliseconds, not seconds. 0.5 s is far
# above a loopback / same-datacentre round trip (~0.2 ms measured here) and bounds the worst case.
REDIS_TIMEOUT_S = 0.5
# While Redis is unreachable, try it again at most this often (and count per replica meanwhile).
REDIS_RETRY_S = 5.0


class SlidingWindowLimiter:
    """At most `limit` hits per `window` seconds per key (a client address), counted over the last
    `window` seconds (not fixed minutes), with the `limits` library's moving-window strategy.

    Storage: in this process's memory (thread-safe; idle keys expire), or, with `storage_url`
    (ADVISOR_REDIS_URL), in Redis, so every replica counts against one limit. When Redis cannot be
    reached the limiter keeps working on its in-memory storage (per-replica limits), logs the switch
    once, counts it (`storage_errors`, advisor_rate_limit_storage_errors_total) and reports it in
    `status()` (/readyz); it goes back to Redis when a retry succeeds."""

    def __init__(self, limit: int, window: float = 60.0, storage_url: str | None = None, key_prefix: str = "advisor"):
        from limits import RateLimitItemPerSecond
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.limit, self.window, self.storage_url = limit, window, storage_url
        self._item = RateLimitItemPerSecond(max(limit, 1), max(int(round(window)), 1), namespace="ask")
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared = None
        if storage_url and self.enabled:
            from limits.storage import RedisStorage

            storage = RedisStorage(
                storage_url,
                key_prefix=f"{key_prefix}-ratelimit",
                wrap_exceptions=True,
                socket_timeout=REDIS_TIMEOUT_S,
                socket_connect_timeout=REDIS_TIMEOUT_S,
            )
            self._shared = MovingWindowRateLimiter(storage)
        self.degraded = False  # True while Redis is configured but unreachable
        self.storage_errors = 0
        self.last_error: str | None = None
        self._retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    @property
    def shared(self) -> bool:
        """True when the count is shared by every replica (Redis configured and reachable)."""
        return self._shared is not None and not self.degraded

    def hit(self, key: str) -> float | None:
        """Records one hit for `key` and returns None, or, over the limit, records nothing and
        returns the seconds until the next hit will be allowed."""
        if not self.enabled:
            return None
        from limits.errors import StorageError

        limiter = self._current()
        try:
            return self._hit(limiter, key)
        except StorageError as exc:  # every Redis failure (wrap_exceptions=True)
            self._degrade(exc)
            return self._hit(self._memory, key)

    def _hit(self, limiter, key: str) -> float | None:
        if limiter.hit(self._item, key):
            return None
        stats = limiter.get_window_stats(self._item, key)
        return max(stats.reset_time - time.time(), 0.001)

    def _current(self):
        if self._shared is None:
            return self._memory
        if not self.degraded:
            return self._shared
        with self._lock:
            if time.monotonic() < self._retry_at:
                return self._memory
            self._retry_at = time.monotonic() + REDIS_RETRY_S
        try:
            ok = self._shared.storage.check()
        except Exception:  # noqa: BLE001
            ok = False
        if ok:
            log.warning("rate limit: Redis is reachable again; limits are shared by all replicas")
            self.degraded, self.last_error = False, None
            return self._shared
        return self._memory

    def _degrade(self, exc: BaseException) -> None:
        with self._lock:
            self.storage_errors += 1
            self.last_error = type(getattr(exc, "storage_error", None) or exc.__cause__ or exc).__name__
            self._retry_at = time.monotonic() + REDIS_RETRY_S
            if not self.degraded:
                self.degraded = True
                log.warning(
                    "rate limit: Redis unreachable (%s); counting per replica until it is back", self.last_error
                )

    def status(self) -> dict:
        """For /readyz: where the count lives."""
        if not self.enabled:
            return {"storage": "off"}
        if self._shared is None:
            return {"storage": "memory"}
        if self.degraded:
            return {
                "storage": "memory",
                "shared": False,
                "detail": f"Redis unreachable ({self.last_error}): limits are per replica until it is back",
            }
        return {"storage": "redis", "shared": True}

    def reset(self) -> None:
        """Forgets every count (tests)."""
        self._memory.storage.reset()
        if self._shared is not None:
            self._shared.storage.reset()


# ---------------------------------------------------------------- which requests are questions
# Kept apart from the limiter's storage: `counts_as_question` decides whether a request is counted,
# the limiter only counts. Fail closed: a Gradio call that runs a function is counted unless it
# names, the way Gradio itself reads it, an event known not to answer (like, saving history).

# The Gradio chat's events that answer a question (function names in advisor/web/ui.py); its other
# events (like, saving history, clearing) are not counted. tests/test_widget.py checks these exist.
# The chat's own turns (ChatTurns.answer_turn) count themselves inside the turn, to say so in the
# conversation; the /chat API is counted here.
GRADIO_ANSWERING = frozenset({"chat_api"})
GRADIO_PREFIX = "/gradio_api/"
API_ANSWERING = frozenset({"/api/ask", "/api/chat", "/v1/chat/completions"})
# Every Gradio route that runs an event function (gradio/routes.py): by name in the path
# (run, api, call, call/v2) or by `fn_index` in the body (queue/join, and run/api when given).
_GRADIO_RUNS = re.compile(r"/gradio_api/+(?:(?P<kind>call/+v2|call|run|api)/+(?P<name>[^/]+)|(?P<join>queue/+join))/*")
MAX_PEEK_BYTES = 1_100_000  # a little over the body limit (advisor/web/api.py MAX_BODY_BYTES)


async def counts_as_question(scope, receive):
    """(counted, receive): whether this POST runs an answering function. The body, when it has to
    be read, is replayed through the returned `receive`."""
    path = scope["path"]
    if path.rstrip("/") in API_ANSWERING:
        return True, receive
    match = _GRADIO_RUNS.fullmatch(path)
    if not match:
        return False, receive  # no other route runs an event function (upload, cancel, heartbeat...)
    body, receive = await _peek_body(receive)
    if len(body) > MAX_PEEK_BYTES:
        return True, receive  # not read to the end: counted, so padding cannot dodge the limit
    target = _gradio_target(_gradio_fns(scope), match, body)
    return target is None or _fn_name(target) in GRADIO_ANSWERING, receive


def _gradio_target(fns: dict, match: re.Match, body: bytes):
    """The event function Gradio will run for this request, resolved as gradio.route_utils.get_fn
    does (fn_index from the body, parsed by Gradio's own model, else the api name), or None."""
    from gradio.data_classes import PredictBody

    by_name = next((fn for fn in fns.values() if match["name"] and fn.api_name == match["name"]), None)
    if match["kind"] and match["kind"].startswith("call"):
        return by_name  # /call ignores any fn_index in the body
    try:
        fn_index = PredictBody.model_validate(json.loads(body)).fn_index
    except (ValueError, TypeError, RecursionError):
        return None  # Gradio refuses it too; counted all the same
    if fn_index is None:
        return by_name
    try:
        return fns.get(fn_index)
    except TypeError:
        return None


def _fn_name(block_fn) -> str:
    return getattr(getattr(block_fn, "fn", None), "__name__", "")


class RateLimit:
    """Pure ASGI middleware: counts POSTs that run an answering function (`counts_as_question`) per
    client address and answers 429 {"error": ...} with Retry-After when over the limit. The client
    address is the connection's (uvicorn replaces it with X-Forwarded-For only for a trusted proxy:
    FORWARDED_ALLOW_IPS)."""

    def __init__(self, app, limiter: SlidingWindowLimiter):
        self.app, self.limiter = app, limiter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or not self.limiter.enabled:
            return await self.app(scope, receive, send)
        counted, receive = await counts_as_question(scope, receive)
        if counted:
            client = scope.get("client")
            wait = self.limiter.hit(client[0] if client else "unknown")
            if wait is not None:
                return await too_many(self.limiter.limit, wait)(scope, receive, send)
        await self.app(scope, receive, send)


def too_many(limit: int, wait: float) -> JSONResponse:
    seconds = max(1, math.ceil(wait))
    message = (
        f"Too many questions: the limit is {limit} question{'s' if limit != 1 else ''} a minute. "
        f"Please try again in {seconds} second{'s' if seconds != 1 else ''}."
    )
    return JSONResponse(
        {"error": message, "retry_after": seconds}, status_code=429, headers={"Retry-After": str(seconds)}
    )


def _gradio_fns(scope) -> dict:
    """The event functions of the Gradio app mounted on this FastAPI app by id (none before it is mounted)."""
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        if isinstance(route, Mount) and hasattr(route.app, "get_blocks"):
            return dict(route.app.get_blocks().fns)
    return {}


async def _peek_body(receive):
    """Reads the request body (up to MAX_PEEK_BYTES) and returns it with a `receive` that replays it."""
    chunks, size, more = [], 0, True
    while more and size <= MAX_PEEK_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            pending = [message]
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
    else:
        pending = []
    body = b"".join(chunks)
    replay = [{"type": "http.request", "body": body, "more_body": more}, *pending]

    async def replaying():
        return replay.pop(0) if replay else await receive()

    return body, replaying


def install_security(app, settings: Settings) -> OriginPolicy:
    """Adds the rate limit, then CORS around it (so a 429 is readable by an allowed page). Must run
    before the Gradio UI is mounted: Gradio then leaves CORS to this policy instead of echoing any
    Origin. Returns the origin policy (the /embed route copies it into frame-ancestors)."""
    policy = OriginPolicy.from_setting(settings.allowed_origins)
    limiter = SlidingWindowLimiter(settings.rate_limit_per_minute, storage_url=settings.redis_url)
    app.state.origin_policy, app.state.rate_limiter = policy, limiter
    app.add_middleware(RateLimit, limiter=limiter)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(policy.origins),
        allow_origin_regex=policy.regex,
        allow_methods=["GET", "POST"],
        # Authorization: bearer keys (ADVISOR_API_KEYS); Mcp-*: MCP's streamable HTTP at /mcp.
        allow_headers=["Content-Type", "Authorization", "Mcp-Session-Id", "Mcp-Protocol-Version"],
        expose_headers=["Retry-After", "Mcp-Session-Id"],
        allow_credentials=False,
        max_age=600,
    )
    return policy
