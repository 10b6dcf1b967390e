"""Who may use this server from another website, and how often anyone may ask.

- **Origins.** `ADVISOR_ALLOWED_ORIGINS` (comma list such as `https://example.com,https://*.example.org`)
  names the sites that may embed the chat (`/embed` sends `Content-Security-Policy: frame-ancestors`)
  and call the HTTP API from their own JavaScript (CORS). Unset: only this server itself and pages on
  `localhost` / `127.0.0.1` (any port). `*` allows every site.
- **Rate limit.** `ADVISOR_RATE_LIMIT_PER_MINUTE` (default 30; 0 turns it off) questions a minute per
  client address on every answering endpoint: `POST /api/ask`, `POST /api/chat`,
  `POST /v1/chat/completions`, the MCP tool `ask_career_advisor` over HTTP and the Gradio chat's
  answering events. Over the limit: 429 with a JSON message and `Retry-After`.

`install_security(app, settings)` adds both as pure ASGI middleware (no buffering of streamed answers).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Mount

from advisor.core.settings import Settings

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


class SlidingWindowLimiter:
    """At most `limit` hits per `window` seconds per key (a client address), counted over the last
    `window` seconds (not fixed minutes). Thread-safe. Memory is bounded: at most `limit` timestamps
    per key and `max_keys` keys; the least recently seen keys go first (idle ones cost nothing)."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 10_000, clock=time.monotonic):
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def hit(self, key: str) -> float | None:
        """Records one hit for `key` and returns None, or, over the limit, records nothing and
        returns the seconds until the next hit will be allowed."""
        if not self.enabled:
            return None
        with self._lock:
            now = self.clock()
            self._forget_idle(now)
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque(maxlen=self.limit)
            else:
                self._hits.move_to_end(key)
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(hits[0] + self.window - now, 0.001)
            hits.append(now)
            return None

    def _forget_idle(self, now: float) -> None:
        # Keys are kept in least-recently-seen order: drop those with nothing inside the window,
        # then, if still too many, the least recently seen.
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            if hits and hits[-1] > now - self.window and len(self._hits) < self.max_keys:
                break
            del self._hits[key]

    def __len__(self) -> int:
        return len(self._hits)


# The Gradio chat's events that answer a question (function names in advisor/ui.py); its other
# events (like, saving history, clearing) are not counted. tests/test_widget.py checks these exist.
GRADIO_ANSWERING = frozenset({"respond", "on_example", "on_option", "chat_api"})
GRADIO_PREFIX = "/gradio_api/"
API_ANSWERING = frozenset({"/api/ask", "/api/chat", "/v1/chat/completions"})
_GRADIO_NAMED = re.compile(r"(?:call/v2|call|run|api)/([^/]+)/?")
MAX_PEEK_BYTES = 2_000_000


class RateLimit:
    """Pure ASGI middleware: counts POSTs to the answering endpoints per client address and answers
    429 {"error": ...} with Retry-After when over the limit. The client address is the connection's
    (uvicorn replaces it with X-Forwarded-For only for a trusted proxy: FORWARDED_ALLOW_IPS)."""

    def __init__(self, app, limiter: SlidingWindowLimiter):
        self.app, self.limiter = app, limiter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or not self.limiter.enabled:
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path in API_ANSWERING:
            counted = True
        elif path.startswith(GRADIO_PREFIX):
            counted, receive = await self._gradio_answers(scope, receive, path[len(GRADIO_PREFIX) :])
        else:
            counted = False
        if counted:
            client = scope.get("client")
            wait = self.limiter.hit(client[0] if client else "unknown")
            if wait is not None:
                seconds = max(1, math.ceil(wait))
                n = self.limiter.limit
                message = (
                    f"Too many questions: the limit is {n} question{'s' if n != 1 else ''} a minute. "
                    f"Please try again in {seconds} second{'s' if seconds != 1 else ''}."
                )
                response = JSONResponse(
                    {"error": message, "retry_after": seconds}, status_code=429, headers={"Retry-After": str(seconds)}
                )
                return await response(scope, receive, send)
        await self.app(scope, receive, send)

    async def _gradio_answers(self, scope, receive, rest: str):
        """Whether a Gradio request runs one of GRADIO_ANSWERING. Named calls say so in the path;
        the browser's queue/join names the event by `fn_index` in its JSON body, which is read here
        and handed on unchanged."""
        named = _GRADIO_NAMED.fullmatch(rest)
        if named:
            return any(
                self._fn_name(fn) in GRADIO_ANSWERING for fn in _gradio_fns(scope) if fn.api_name == named[1]
            ), receive
        if rest.rstrip("/") != "queue/join":
            return False, receive
        body, receive = await _peek_body(receive)
        if len(body) > MAX_PEEK_BYTES:
            return True, receive  # not read to the end: counted, so padding cannot dodge the limit
        try:
            fn_index = json.loads(body)["fn_index"]
        except (ValueError, TypeError, KeyError):
            return False, receive  # Gradio refuses it itself
        fns = {getattr(fn, "_id", None): fn for fn in _gradio_fns(scope)}
        return self._fn_name(fns.get(fn_index)) in GRADIO_ANSWERING, receive

    @staticmethod
    def _fn_name(block_fn) -> str:
        return getattr(getattr(block_fn, "fn", None), "__name__", "")


def _gradio_fns(scope) -> list:
    """The event functions of the Gradio app mounted on this FastAPI app (none before it is mounted)."""
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        if isinstance(route, Mount) and hasattr(route.app, "get_blocks"):
            return list(route.app.get_blocks().fns.values())
    return []


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
    limiter = SlidingWindowLimiter(settings.rate_limit_per_minute)
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
