"""Prometheus metrics at `/metrics` (text exposition format, prometheus_client).

HTTP, per request (pure ASGI middleware, streamed responses included):
    advisor_http_requests_total{endpoint, outcome, code}      outcome: ok | bad_request | rate_limited |
                                                              unavailable | error
    advisor_http_request_duration_seconds{endpoint}           histogram, until the last byte is sent
    advisor_http_requests_in_progress
Answers, per final Answer of any surface (API, SSE, chat UI), from the Advisor's observers:
    advisor_answers_total{backend, grounded, route}
    advisor_answer_stage_seconds{stage}                       histogram, stage: retrieve | generate | total
    advisor_answer_top_similarity                             histogram of the best question-to-source
                                                              similarity (falling = drift)
    advisor_backend_fallbacks_total{requested}                a model failed or was rejected: extractive answered
Read at scrape time:
    advisor_verification_checked_total, advisor_verification_rejected_total,
    advisor_verification_rejections_total{reason}             generated answers checked against sources
                                                              (advisor/verify.py)
    advisor_backend_failures_total{backend, reason}           model failures (advisor/backends/generative.py)
    advisor_feedback_total{rating}                            likes and dislikes in the feedback store (rating:
                                                              like | dislike only; with a shared database, the
                                                              whole table: every replica reports the same total)
    advisor_answer_cache_total{result}                        answer cache lookups, result: hit | miss
    advisor_rate_limit_shared                                 1: limits counted in Redis; 0: Redis unreachable,
                                                              counting per replica (only with ADVISOR_REDIS_URL)
    advisor_rate_limit_storage_errors_total                   rate-limit checks that failed to reach Redis
    advisor_index_info{version, corpus_hash, embedding_model, created}   1 for the version being served
    advisor_index_chunks, advisor_index_units                 size of the version being served
    advisor_index_refreshes_total, advisor_index_poll_errors_total        the index watcher (advisor/watcher.py)
    process_* (CPU, memory, open files)

Each app gets its own registry, so several apps can live in one process (tests).
"""

from __future__ import annotations

import logging
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.process_collector import ProcessCollector

from advisor.core.observe import AnswerEvent

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
SIMILARITY_BUCKETS = tuple(round(0.1 * i, 1) for i in range(1, 11))


def endpoint_of(scope) -> str:
    """A low-cardinality name for what was called: the route's path template (/api/ask, /metrics),
    "ui" for everything the Gradio app mounted at / serves, "unmatched" when no route matched."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "unmatched"
    if path in ("", "/") and hasattr(route, "app") and not hasattr(route, "endpoint"):
        return "ui"  # a Mount
    return path


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status == 429:
        return "rate_limited"
    if status == 503:
        return "unavailable"
    if status < 500:
        return "bad_request"
    return "error"


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "advisor_http_requests",
            "HTTP requests by endpoint and outcome",
            ["endpoint", "outcome", "code"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "advisor_http_request_duration_seconds",
            "HTTP request latency until the last byte is sent",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.in_progress = Gauge("advisor_http_requests_in_progress", "HTTP requests being served", registry=r)
        self.answers = Counter(
            "advisor_answers",
            "Final answers by backend, groundedness and route",
            ["backend", "grounded", "route"],
            registry=r,
        )
        self.stage_seconds = Histogram(
            "advisor_answer_stage_seconds", "Answer latency per stage", ["stage"], buckets=LATENCY_BUCKETS, registry=r
        )
        self.top_similarity = Histogram(
            "advisor_answer_top_similarity",
            "Best similarity of a question to the knowledge base",
            buckets=SIMILARITY_BUCKETS,
            registry=r,
        )
        self.fallbacks = Counter(
            "advisor_backend_fallbacks",
            "Answers given extractively because the requested model failed or was rejected",
            ["requested"],
            registry=r,
        )
        for stage in ("retrieve", "generate", "total"):
            self.stage_seconds.labels(stage)
        ProcessCollector(registry=r)

    def observe(self, event: AnswerEvent) -> None:
        """An Advisor observer (advisor/observe.py)."""
        answer = event.answer
        self.answers.labels(answer.backend, str(bool(answer.grounded)).lower(), event.route).inc()
        for stage in ("retrieve", "generate", "total"):
            self.stage_seconds.labels(stage).observe(getattr(answer.timings_ms, stage) / 1000)
        self.top_similarity.observe(max(0.0, min(1.0, event.similarity)))
        if event.fell_back:
            self.fallbacks.labels(event.requested_backend).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class StateCollector:
    """Values read when scraped: the index being served, the watcher, verification, feedback."""

    def __init__(self, get_advisor, feedback=None, watcher=None, state=None):
        self.get_advisor, self.feedback, self.watcher, self.state = get_advisor, feedback, watcher, state

    def describe(self):  # no describe-time scrape: the advisor may be mid-refresh
        return []

    def collect(self):
        yield from self._index()
        yield from self._watcher()
        yield from self._verification()
        yield from self._backend_failures()
        yield from self._feedback()
        yield from self._shared_services()

    def _shared_services(self):
        """The answer cache and where rate limits are counted (app.state, set by the web layer)."""
        cache = getattr(self.state, "answer_cache", None)
        if cache is not None:
            family = CounterMetricFamily(
                "advisor_answer_cache", "Answer cache lookups by result (hit, miss)", labels=["result"]
            )
            family.add_metric(["hit"], cache.hits)
            family.add_metric(["miss"], cache.misses)
            yield family
        limiter = getattr(self.state, "rate_limiter", None)
        if limiter is not None and getattr(limiter, "storage_url", None):
            shared = GaugeMetricFamily(
                "advisor_rate_limit_shared",
                "1 while rate limits are counted in Redis for all replicas, 0 while per replica (Redis unreachable)",
            )
            shared.add_metric([], 1 if limiter.shared else 0)
            errors = CounterMetricFamily(
                "advisor_rate_limit_storage_errors", "Rate-limit checks that could not reach Redis"
            )
            errors.add_metric([], limiter.storage_errors)
            yield from (shared, errors)

    def _index(self):
        info = InfoMetricFamily(
            "advisor_index",
            "The index version being served",
            labels=["version", "corpus_hash", "embedding_model", "created"],
        )
        chunks = GaugeMetricFamily("advisor_index_chunks", "Chunks in the index version being served")
        units = GaugeMetricFamily("advisor_index_units", "Answer units in the index version being served")
        try:
            index = self.get_advisor().index
        except Exception:  # noqa: BLE001 - not loaded yet: no index series
            return
        v = index.version
        info.add_metric([v.id, v.corpus_hash, v.embedding_model, v.created], {})
        chunks.add_metric([], len(index.ids))
        units.add_metric([], v.units)
        yield from (info, chunks, units)

    def _watcher(self):
        if self.watcher is None:
            return
        refreshes = CounterMetricFamily("advisor_index_refreshes", "Switches to a newly published live version")
        errors = CounterMetricFamily("advisor_index_poll_errors", "Failed polls of the live index version")
        refreshes.add_metric([], self.watcher.refreshes)
        errors.add_metric([], self.watcher.errors)
        yield from (refreshes, errors)

    def _verification(self):
        try:
            from advisor.core.verify import STATS
        except ImportError:
            return
        snap = STATS.snapshot()
        checked = CounterMetricFamily("advisor_verification_checked", "Generated answers checked against their sources")
        rejected = CounterMetricFamily("advisor_verification_rejected", "Generated answers rejected by verification")
        reasons = CounterMetricFamily(
            "advisor_verification_rejections",
            "Verification problems by kind (figure, name, citation, incomplete)",
            labels=["reason"],
        )
        checked.add_metric([], snap.get("checked", 0))
        rejected.add_metric([], snap.get("rejected", 0))
        for reason, count in sorted(snap.get("reasons", {}).items()):
            reasons.add_metric([reason], count)
        yield from (checked, rejected, reasons)

    def _backend_failures(self):
        try:
            from advisor.core.backends.generative import FAILURES
        except ImportError:
            return
        family = CounterMetricFamily(
            "advisor_backend_failures", "Model backend failures by backend and reason", labels=["backend", "reason"]
        )
        for (backend, reason), count in sorted(FAILURES.snapshot().items()):
            family.add_metric([backend, reason], count)
        yield family

    def _feedback(self):
        family = CounterMetricFamily(
            "advisor_feedback", "Feedback on answers by rating (like, dislike)", labels=["rating"]
        )
        counts = {"like": 0, "dislike": 0}  # a fixed label set: clients cannot add series
        if self.feedback is not None:
            try:
                counts.update(self.feedback.counts())
            except Exception as exc:  # noqa: BLE001 - a database outage must not break the scrape
                log.warning("metrics: cannot read feedback counts: %s", type(exc).__name__)
        for rating in ("like", "dislike"):
            family.add_metric([rating], counts[rating])
        yield family


class MetricsMiddleware:
    """Pure ASGI, so streamed (SSE) responses pass through unbuffered; times until the last byte."""

    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 500}
        self.metrics.in_progress.inc()

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.metrics.in_progress.dec()
            endpoint = endpoint_of(scope)
            code = status["code"]
            self.metrics.requests.labels(endpoint, outcome_of(code), str(code)).inc()
            self.metrics.request_seconds.labels(endpoint).observe(time.perf_counter() - started)


def install_metrics(app, get_advisor, feedback=None, watcher=None) -> Metrics:
    """Adds /metrics, the request middleware and the answer observer. Call before the UI mount."""
    from fastapi import Response

    metrics = Metrics()
    metrics.registry.register(StateCollector(get_advisor, feedback, watcher, app.state))
    advisor = get_advisor()
    if advisor is not None:
        advisor.observers.append(metrics.observe)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.state.metrics = metrics

    @app.get(
        "/metrics",
        tags=["ops"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
    )
    def prometheus_metrics():
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return metrics
