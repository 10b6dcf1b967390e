"""An answer cache for repeated questions, around `Advisor.ask` / `Advisor.events` (the core is untouched).

FAQ traffic is mostly the starter questions and a few common ones; answering one costs ~10-40 ms of
CPU (embedding, retrieval, extraction), looking it up well under 1 ms. The key is a hash of

    the question, normalised (case, spacing, trailing ?!.) · the history, normalised the same way ·
    the live index version · the backend asked for

so a new index version (ingest, rollback) never serves an old answer: its key differs. Answers that
fell back from a failed model are not cached (the model may be back next time).

Storage: an in-process LRU (ADVISOR_ANSWER_CACHE_SIZE entries, default 1,024; 0 = off), or Redis
(ADVISOR_REDIS_URL), shared by every replica. Entries expire after ADVISOR_ANSWER_CACHE_TTL_SECONDS.
If Redis cannot be reached the cache uses its local LRU until a retry succeeds (logged once, counted).

Requests that ask a question already being answered in this process wait for that answer instead of
computing it again (`ask`; streaming answers are not held back).

A hit still reaches the Advisor's observers (metrics, question log), so `advisor report` counts
cached questions too; its timings say what the hit cost (retrieve = generate = 0).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

from advisor.core.observe import AnswerEvent, notify
from advisor.core.schema import Answer, Timings

log = logging.getLogger(__name__)

REDIS_TIMEOUT_S = 0.5  # as the rate limiter (advisor/web/security.py): a dead Redis costs milliseconds
REDIS_RETRY_S = 5.0
FOLLOWER_WAIT_S = 10.0  # a request waiting for the same question's answer; then it answers itself
_TRAILING = re.compile(r"[\s?!.]+$")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _TRAILING.sub("", " ".join(text.split()))


@dataclass
class Cached:
    answer: Answer
    similarity: float
    route: str

    def dumps(self) -> str:
        return json.dumps({"answer": self.answer.model_dump(), "similarity": self.similarity, "route": self.route})

    @classmethod
    def loads(cls, raw: str | bytes) -> Cached:
        data = json.loads(raw)
        return cls(Answer.model_validate(data["answer"]), float(data["similarity"]), str(data["route"]))


class LocalStore:
    """A thread-safe LRU with a time to live."""

    def __init__(self, size: int, ttl_s: float):
        self.size, self.ttl_s = size, ttl_s
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl_s, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class RedisStore:
    """Redis with a local LRU standing in while Redis is unreachable."""

    def __init__(self, url: str, ttl_s: float, fallback: LocalStore, prefix: str = "advisor:answer:"):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S)
        self.ttl_s, self.fallback, self.prefix = int(ttl_s), fallback, prefix
        self.degraded = False
        self.errors = 0
        self._retry_at = 0.0

    def _call(self, fn, *args):
        import redis

        if self.degraded and time.monotonic() < self._retry_at:
            return None, False
        try:
            result = fn(*args)
        except redis.RedisError as exc:
            self.errors += 1
            self._retry_at = time.monotonic() + REDIS_RETRY_S
            if not self.degraded:
                log.warning(
                    "answer cache: Redis unreachable (%s); caching in this process until it is back", type(exc).__name__
                )
            self.degraded = True
            return None, False
        if self.degraded:
            log.warning("answer cache: Redis is reachable again")
            self.degraded = False
        return result, True

    def get(self, key: str) -> str | None:
        value, ok = self._call(self.client.get, self.prefix + key)
        return value if ok else self.fallback.get(key)

    def set(self, key: str, value: str) -> None:
        _, ok = self._call(self.client.setex, self.prefix + key, self.ttl_s, value)
        if not ok:
            self.fallback.set(key, value)


class AnswerCache:
    """Counts hits and misses; `wrap(advisor)` gives the advisor the web layer answers with."""

    def __init__(self, store, max_question_chars: int = 2000):
        self.store = store
        self.max_question_chars = max_question_chars
        self.hits = self.misses = 0
        self._events: OrderedDict[int, AnswerEvent] = OrderedDict()  # id(answer) -> its event, bounded
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings) -> AnswerCache | None:
        if settings.answer_cache_size <= 0:
            return None
        local = LocalStore(settings.answer_cache_size, settings.answer_cache_ttl_seconds)
        store = (
            RedisStore(settings.redis_url, settings.answer_cache_ttl_seconds, local) if settings.redis_url else local
        )
        return cls(store, settings.max_question_chars)

    def status(self) -> dict:
        if isinstance(self.store, RedisStore):
            if self.store.degraded:
                return {
                    "storage": "memory",
                    "detail": "Redis unreachable: answers are cached per replica until it is back",
                }
            return {"storage": "redis"}
        return {"storage": "memory"}

    @staticmethod
    def key(question: str, history: list[dict] | None, index_version: str, backend: str) -> str:
        turns = [[m.get("role", ""), normalise(str(m.get("content", "")))] for m in history or []]
        raw = json.dumps([normalise(question), turns, index_version, backend], ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def _observe(self, event: AnswerEvent) -> None:
        """An Advisor observer: remembers the event (similarity, route) of each answer briefly."""
        with self._lock:
            self._events[id(event.answer)] = event
            while len(self._events) > 256:
                self._events.popitem(last=False)

    def _event_for(self, answer: Answer) -> AnswerEvent | None:
        with self._lock:
            event = self._events.pop(id(answer), None)
        return event if event is not None and event.answer is answer else None

    def wrap(self, advisor) -> CachedAdvisor:
        advisor.observers.append(self._observe)
        return CachedAdvisor(advisor, self)


class CachedAdvisor:
    """The Advisor with `ask` and `events` answered from the cache when they can be; everything
    else (index, settings, starter questions, observers) is the wrapped Advisor's."""

    def __init__(self, advisor, cache: AnswerCache):
        self._advisor, self._cache = advisor, cache
        self._computing: dict[str, threading.Event] = {}  # keys being answered now, in this process
        self._computing_lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(self._advisor, name)

    def _lookup(self, question, history, backend, count: bool = True):
        from advisor.core.pipeline import clean_history, clean_question

        max_chars = self._advisor.settings.max_question_chars
        question = clean_question(question, max_chars)  # invalid input fails exactly as without a cache
        history = clean_history(history, max_chars)
        requested = backend or self._advisor.backend_name
        key = self._cache.key(question, history, self._advisor.index.version.id, requested)
        started = time.perf_counter()
        raw = self._cache.store.get(key)
        cached = None
        if raw is not None:
            try:
                cached = Cached.loads(raw)
            except (ValueError, KeyError, TypeError):
                cached = None
        if cached is None:
            self._cache.misses += count
            return key, question, requested, None
        self._cache.hits += count
        answer = cached.answer.model_copy(
            update={"timings_ms": Timings(total=round((time.perf_counter() - started) * 1000, 2))}
        )
        notify(
            self._advisor.observers,
            AnswerEvent(question, answer, cached.similarity, requested, cached.route, self._advisor.index.version.id),
        )
        return key, question, requested, answer

    def _store(self, key: str, answer: Answer) -> None:
        event = self._cache._event_for(answer)
        if event is None or event.fell_back:
            return
        self._cache.store.set(key, Cached(answer, float(event.similarity), event.route).dumps())

    def warm(self, questions: list[str]) -> int:
        """Answers questions into the cache before any user asks them (the chat's suggested questions, at
        start-up): not counted as hits or misses, and not told to the question log or the metrics, since
        nobody asked. Returns how many were answered."""
        observers = self._advisor.observers
        self._advisor.observers = [self._cache._observe]
        answered = 0
        try:
            for question in questions:
                key, cleaned, _, hit = self._lookup(question, None, None, count=False)
                if hit is None:
                    self._store(key, self._advisor.ask(cleaned, None))
                    answered += 1
        finally:
            self._advisor.observers = observers
        return answered

    def ask(self, question: str, history: list[dict] | None = None, backend: str | None = None) -> Answer:
        key, cleaned, _, hit = self._lookup(question, history, backend)
        if hit is not None:
            return hit
        # One answer per key at a time: when a popular question is not cached yet (a new index version,
        # a restart), the requests that ask it meanwhile wait for the first instead of all computing it.
        # Measured (benchmarks/load_test.py --workload faq, cached): the cold-start stampede made the p99.
        with self._computing_lock:
            running = self._computing.get(key)
            if running is None:
                self._computing[key] = threading.Event()
        if running is not None:
            running.wait(timeout=FOLLOWER_WAIT_S)
            _, _, _, hit = self._lookup(question, history, backend, count=False)
            if hit is not None:
                return hit
            return self._advisor.ask(cleaned, history, backend)  # not cacheable (a fallback) or it failed
        try:
            answer = self._advisor.ask(cleaned, history, backend)
            self._store(key, answer)
            return answer
        finally:
            with self._computing_lock:
                done = self._computing.pop(key)
            done.set()

    def events(self, question: str, history: list[dict] | None = None, backend: str | None = None):
        key, question, _, hit = self._lookup(question, history, backend)
        if hit is not None:
            return iter((("delta", hit.answer), ("answer", hit)))
        return self._events(key, self._advisor.events(question, history, backend))

    def _events(self, key, events):
        for kind, value in events:
            if kind == "answer":
                self._store(key, value)
            yield kind, value

    def stream(self, question: str, history: list[dict] | None = None, backend: str | None = None):
        for kind, value in self.events(question, history, backend):
            if kind == "delta":
                yield value
