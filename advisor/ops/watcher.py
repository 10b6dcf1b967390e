"""Following the live index version while serving, and saying so clearly when the index is unreachable.

`IndexWatcher` polls the registry's live pointer every ADVISOR_INDEX_POLL_SECONDS (default 5; 0 = never)
on a daemon thread and calls `Advisor.refresh()`, so an `advisor ingest` or `advisor index rollback`
reaches every running server within a few seconds, without a restart.

Why requests in flight never fail across a switch: `refresh()` loads the new version completely
(collections, BM25, answer units, gate) beside the old one and then replaces one reference; each
request takes that reference once at its start and keeps using the version it started with. The old
version is held in memory by the request, so it never loses its records.

With a Chroma server (ADVISOR_CHROMA_URL) that cannot be reached, answering goes on from the version
held in memory (requests never read the store); the watcher logs the outage once and its recovery and
follows new versions again as soon as the server is back: nothing needs a restart. Anything that does
reach the unreachable server while serving gets a 503 with a message saying so (not a 500).
"""

from __future__ import annotations

import logging
import threading

from advisor.core.store import chroma_address
from advisor.ops.access_log import internal_error
from advisor.ops.memory import settle_loaded_objects

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "The knowledge base is unavailable right now (the index server cannot be reached). Please try again shortly."
)


class IndexWatcher:
    def __init__(self, advisor, interval_s: float = 5.0):
        self.advisor = advisor
        self.interval_s = float(interval_s)
        self.polls = self.refreshes = self.errors = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> bool:
        """One check; True when the advisor switched to a new live version. Never raises."""
        self.polls += 1
        try:
            switched = self.advisor.refresh()
        except Exception as exc:  # noqa: BLE001 - an outage is reported, not fatal
            self.errors += 1
            if self.last_error is None:
                log.warning(
                    "index watcher: cannot read the live index version (%s: %s); still serving %s",
                    type(exc).__name__,
                    exc,
                    self._serving(),
                )
            self.last_error = f"{type(exc).__name__}: {exc}"
            return False
        if self.last_error is not None:
            log.info("index watcher: the index store is reachable again")
            self.last_error = None
        if switched:
            self.refreshes += 1
            log.info("index watcher: now serving index %s", self._serving())
            settle_loaded_objects()
        return switched

    def _serving(self) -> str:
        try:
            return self.advisor.index.version.id
        except Exception:  # noqa: BLE001
            return "nothing"

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.poll_once()

    def start(self) -> IndexWatcher:
        if self.interval_s > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-watcher", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def is_index_unreachable(exc: BaseException, settings) -> bool:
    """True for a connection failure to the configured Chroma server (not to a model server)."""
    import httpx

    if settings is None or not settings.chroma_url or not isinstance(exc, httpx.TransportError):
        return False
    try:
        url = exc.request.url
    except RuntimeError:  # no request attached
        return True
    host, port, _ = chroma_address(settings.chroma_url)
    return bool(url.host == host and url.port == port)


def unavailable_message(exc: BaseException, settings) -> str:
    """For /readyz: what is wrong, in words."""
    if is_index_unreachable(exc, settings):
        return f"the index server at {settings.chroma_url} cannot be reached ({exc})"
    return str(exc)


def install_index_watcher(app, advisor, settings) -> IndexWatcher:
    """Starts the watcher (stopped at shutdown) and turns an unreachable index server into a 503."""
    import httpx
    from fastapi.responses import JSONResponse

    watcher = IndexWatcher(advisor, settings.index_poll_seconds).start()
    app.state.index_watcher = watcher
    app.router.add_event_handler("shutdown", watcher.stop)

    @app.exception_handler(httpx.TransportError)
    async def index_unreachable(request, exc: httpx.TransportError):
        if is_index_unreachable(exc, settings):
            log.warning("index server unreachable on %s %s: %s", request.method, request.url.path, exc)
            return JSONResponse({"error": UNAVAILABLE}, status_code=503, headers={"Retry-After": "5"})
        return internal_error(request, exc)

    return watcher
