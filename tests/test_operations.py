"""Production features in process (fast): /metrics series move with traffic, the question log and its
retention, the knowledge-gap and drift report, the index watcher's atomic switch, the JSON access log.
The same features against real processes and a real Chroma server: tests/test_chroma_server.py."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from advisor.core import verify

ZEBRA = """# Zebra Keeper Career Guide

## How much do zebra keepers earn?

The typical zebra keeper salary is {salary} a year. Senior keepers who lead a team earn more.

## How do I become a zebra keeper?

Most keepers start as volunteers or apprentices at a zoo and study animal care at college.
"""


@pytest.fixture
def ops_app(make_settings, advisor):
    """A private app (own data folder, so its own question log) around the session's Advisor; the
    observers it adds to that Advisor are removed afterwards."""
    from advisor.web.server import create_app

    before = list(advisor.observers)
    app = create_app(make_settings(client_backends="*"), advisor=advisor)  # the test picks a failing backend
    try:
        yield app
    finally:
        app.state.index_watcher.stop()
        advisor.observers[:] = before


def scrape(client) -> dict:
    """{(sample name, sorted labels): value}"""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(response.text)
        for s in f.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return sum(
        v for (n, ls), v in samples.items() if n == name and all(dict(ls).get(k) == x for k, x in labels.items())
    )


def test_metrics_series_move_after_requests(ops_app, advisor):
    from advisor.core.backends import BackendError
    from advisor.core.backends.base import _FACTORIES, register

    class Failing:
        name = "failing"

        def __init__(self, settings):
            pass

        def load(self):
            pass

        def stream(self, context):
            raise BackendError("model server down")
            yield  # pragma: no cover

    register("failing")(Failing)
    client = TestClient(ops_app)
    try:
        before = scrape(client)
        assert client.post("/api/ask", json={"question": "What does an MLOps engineer earn?"}).json()["grounded"]
        assert not client.post("/api/ask", json={"question": "How do I become an airline pilot?"}).json()["grounded"]
        assert client.post("/api/ask", json={"question": " "}).status_code == 400
        chat = client.post("/api/chat", json={"question": "Which feature stores are mentioned?"})
        assert chat.status_code == 200 and "event: answer" in chat.text
        fallback = client.post("/api/ask", json={"question": "What does an MLOps engineer earn?", "backend": "failing"})
        assert fallback.status_code == 200 and fallback.json()["backend"] == "extractive"
        assert client.get("/readyz").status_code == 200  # a probe: not counted as an answer
        ops_app.state.feedback.add(
            "dislike", "How do I become an airline pilot?", "I don't know", [], "extractive", False
        )
        after = scrape(client)
    finally:
        _FACTORIES.pop("failing", None)
        advisor._backends.pop("failing", None)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("advisor_http_requests_total", endpoint="/api/ask", outcome="ok") == 3
    assert moved("advisor_http_requests_total", endpoint="/api/ask", outcome="bad_request", code="400") == 1
    assert moved("advisor_http_requests_total", endpoint="/api/chat", outcome="ok") == 1
    assert moved("advisor_http_requests_total", endpoint="/readyz", outcome="ok") == 1
    assert moved("advisor_http_request_duration_seconds_count", endpoint="/api/ask") == 4
    assert moved("advisor_answers_total") == 4
    assert moved("advisor_answers_total", grounded="true") == 3
    assert moved("advisor_answers_total", grounded="false", route="out_of_scope") == 1
    for stage in ("retrieve", "generate", "total"):
        assert moved("advisor_answer_stage_seconds_count", stage=stage) == 4
        assert moved("advisor_answer_stage_seconds_sum", stage=stage) > 0
    assert moved("advisor_answer_top_similarity_count") == 4
    assert moved("advisor_backend_fallbacks_total", requested="failing") == 1
    assert moved("advisor_feedback_total", rating="dislike") == 1
    info = [dict(ls) for (n, ls), v in after.items() if n == "advisor_index_info" and v == 1]
    assert [i["version"] for i in info] == [advisor.index.version.id]
    assert info[0]["embedding_model"] == "all-MiniLM-L6-v2"
    assert value(after, "advisor_index_chunks") == len(advisor.index.ids) > 0
    assert value(after, "advisor_http_requests_in_progress") == 1  # the scrape itself
    assert ("process_resident_memory_bytes", ()) in after


def test_verification_rejections_are_exported(ops_app):
    client = TestClient(ops_app)
    before = scrape(client)
    verify.STATS.record(verify.Verdict(ok=False, problems=["figure 999 not in the sources"], ms=0.1))
    after = scrape(client)
    assert (
        value(after, "advisor_verification_rejected_total") - value(before, "advisor_verification_rejected_total") == 1
    )
    assert (
        value(after, "advisor_verification_rejections_total", reason="figure")
        - value(before, "advisor_verification_rejections_total", reason="figure")
        == 1
    )


def test_question_log_keeps_only_what_the_report_needs_and_enforces_retention(tmp_path, ops_app, make_settings):
    import sqlite3

    from advisor.ops.question_log import QuestionLog

    client = TestClient(ops_app)
    client.post(
        "/api/ask",
        json={
            "question": "How do I become an airline pilot?",
            "history": [{"role": "user", "content": "secret earlier turn"}, {"role": "assistant", "content": "ok"}],
        },
    )
    client.get("/readyz")
    rows = ops_app.state.question_log.questions()
    assert [(r.question, r.grounded, r.route, r.backend) for r in rows] == [
        ("How do I become an airline pilot?", False, "out_of_scope", "extractive")
    ]
    assert 0 <= rows[0].similarity <= 1
    with sqlite3.connect(ops_app.state.question_log.path) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(questions)")]
        dump = "\n".join(db.iterdump())
    assert columns == ["id", "asked_at", "question", "route", "grounded", "similarity", "backend"]
    assert "secret earlier turn" not in dump and "127.0.0.1" not in dump and "testclient" not in dump

    path = tmp_path / "q.sqlite3"
    qlog = QuestionLog(path, retention_days=30)
    now = datetime.now(UTC)
    qlog.record("old question", False, 0.2, "extractive", when=now - timedelta(days=40))
    qlog.record("recent question", False, 0.3, "extractive", when=now - timedelta(days=2))
    assert len(qlog.questions(days=365)) == 2  # not purged until the log is opened again
    assert [r.question for r in QuestionLog(path, 30).questions(days=365)] == ["recent question"]
    assert [r.question for r in QuestionLog(path, 30).questions(days=1)] == []
    disabled = QuestionLog(path, 0)  # ADVISOR_QUESTION_LOG_DAYS=0: nothing kept
    disabled.record("not logged", False, 0.1, "extractive")
    assert not disabled.enabled and QuestionLog(path, 30).questions(days=365) == []
    assert make_settings(question_log_days=0).question_log_days == 0


def test_question_log_setting_from_environment(monkeypatch):
    from advisor.core.settings import Settings

    monkeypatch.setenv("ADVISOR_QUESTION_LOG_DAYS", "7")
    monkeypatch.setenv("ADVISOR_INDEX_POLL_SECONDS", "0")
    settings = Settings()
    assert settings.question_log_days == 7 and settings.index_poll_seconds == 0
    assert Settings().access_log is True


def test_report_groups_similar_gaps_and_shows_drift(tmp_path, make_settings, embedder, capsys):
    from advisor.ops.feedback import FeedbackStore
    from advisor.ops.question_log import QuestionLog
    from advisor.ops.report import build_report, format_report

    settings = make_settings(data_dir=tmp_path)
    qlog = QuestionLog.for_settings(settings)
    now = datetime.now(UTC)
    for days_ago in (20, 15, 12):
        qlog.record("What does an MLOps engineer earn?", True, 0.85, "extractive", when=now - timedelta(days=days_ago))
    planted = [
        "How do I get a work visa for Canada?",
        "What visa do I need to work in Canada?",
        "how do i get a work visa for canada",
        "Canada work visa requirements",
    ]
    for question in planted:
        qlog.record(question, False, 0.3, "extractive", "out_of_scope", when=now - timedelta(days=1))
    qlog.record("What is the capital of France?", False, 0.1, "extractive", "out_of_scope")
    qlog.record("hi", False, 0.1, "extractive", "small_talk")
    FeedbackStore.for_settings(settings).add("dislike", "Canadian work visa?", "…", [], "extractive", False)
    FeedbackStore.for_settings(settings).add("like", "What does an MLOps engineer earn?", "…", [], "extractive", True)

    report = build_report(settings, encode=embedder.encode)
    top = report.gaps[0]
    assert "visa" in top.question.lower() and top.count == 5 and top.not_grounded == 4 and top.disliked == 1
    assert all("visa" in q.lower() for q in top.similar)
    assert [g.question for g in report.gaps[1:]] == ["What is the capital of France?"]  # greetings left out
    assert len(report.drift) >= 3 and report.drift[0].mean_similarity == 0.85
    assert report.drift_change is not None and report.drift_change < -0.05
    text = format_report(report)
    assert "Knowledge gaps" in text and "moving away" in text and "~ " in text
    json.dumps(report.to_dict())

    from advisor.cli import main

    assert main(["report", "--data-dir", str(tmp_path), "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "visa" in out.lower() and "France" not in out and "Drift" in out


def write_zebra(corpus, salary):
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "zebra.md").write_text(ZEBRA.format(salary=salary), encoding="utf-8")


def test_watcher_switches_atomically_while_answering(tmp_path, make_settings, embedder):
    """Requests keep flowing while new versions are published; each finishes on the version it
    started with, and an old version stays usable until it falls out of the 3 kept."""
    from advisor import Advisor
    from advisor.ops.watcher import IndexWatcher
    from ingest.indexer import Indexer

    corpus = tmp_path / "corpus"
    write_zebra(corpus, "$41,000")
    settings = make_settings(corpus_dir=corpus)
    adv = Advisor.from_settings(settings, embedder=embedder)
    first = adv._serving[0]  # (index, gate, content, planner) of the version being served
    question = "How much does a zebra keeper earn?"
    assert "$41,000" in adv.ask(question).answer
    watcher = IndexWatcher(adv, interval_s=0.05).start()
    errors, answers, stop = [], [], threading.Event()

    def ask_loop():
        while not stop.is_set():
            try:
                answers.append(adv.ask(question).answer)
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=ask_loop) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for salary in ("$57,000", "$63,000"):
            write_zebra(corpus, salary)
            Indexer(settings, embedder=embedder, client=adv._client, progress=False).run()
            deadline = time.monotonic() + 20
            while salary not in adv.ask(question).answer:
                assert time.monotonic() < deadline, f"watcher did not switch to {salary}"
                time.sleep(0.05)
            # the loop's requests reach the new version too (the switch pauses them while the old
            # version's objects are collected: advisor/ops/memory.py)
            while not any(salary in a for a in list(answers)):
                assert time.monotonic() < deadline, f"the concurrent requests never answered from {salary}"
                time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        watcher.stop()
    assert not errors, errors[:3]
    assert watcher.refreshes == 2 and watcher.errors == 0
    assert {a for a in answers if "$57,000" in a} and {a for a in answers if "$63,000" in a}
    # a request that started on the first version can still finish on it (3 versions kept)
    hits = adv._search.search(first, question, 4, embedder.encode_query(question))
    assert "$41,000" in hits[0].text


def test_watcher_survives_store_errors():
    from advisor.ops.watcher import IndexWatcher

    class Flaky:
        calls = 0

        def refresh(self):
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise ConnectionError("store down")
            return Flaky.calls == 2

        index = None

    watcher = IndexWatcher(Flaky(), interval_s=0)
    assert watcher.poll_once() is False and watcher.errors == 1 and "store down" in watcher.last_error
    assert watcher.poll_once() is True and watcher.refreshes == 1 and watcher.last_error is None


def test_access_log_one_json_line_per_request_without_question_text(ops_app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    access = logging.getLogger("advisor.access")
    access.addHandler(handler)
    try:
        client = TestClient(ops_app)
        client.post(
            "/api/ask", json={"question": "What does an MLOps engineer earn?"}, headers={"X-Request-ID": "req-1"}
        )
        client.post(
            "/api/chat",
            json={"question": "Which certifications are worth it?"},
            headers={"X-Request-ID": "not a valid id; drop table"},
        )
        client.post("/api/ask", json={"question": ""})
    finally:
        access.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 3
    ask, chat, bad = lines
    assert ask["request_id"] == "req-1" and ask["endpoint"] == "/api/ask" and ask["status"] == 200
    assert ask["grounded"] is True and ask["backend"] == "extractive" and 0 < ask["top_score"] <= 1
    assert ask["index_version"] and ask["latency_ms"] > 0 and ask["method"] == "POST"
    assert chat["endpoint"] == "/api/chat" and chat["grounded"] is True  # logged after the stream ended
    assert len(chat["request_id"]) == 32 and "drop" not in chat["request_id"]
    assert bad["status"] == 400 and "grounded" not in bad
    text = stream.getvalue().lower()
    assert "mlops" not in text and "certification" not in text


def test_grafana_dashboard_plots_only_exported_series(ops_app):
    import re

    from conftest import REPO

    dashboard = json.loads((REPO / "docs" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len(dashboard["panels"]) >= 10 and all(exprs)
    client = TestClient(ops_app)
    client.post("/api/ask", json={"question": "What does an MLOps engineer earn?"})
    exported = set()
    for family in text_string_to_metric_families(client.get("/metrics").text):
        exported |= {family.name, *(family.name + s for s in ("_total", "_bucket", "_sum", "_count", "_info"))}
    used = {name for e in exprs for name in re.findall(r"\b((?:advisor|process)_[a-z_]+)\b", e)}
    assert used and used <= exported, used - exported
    for needed in (
        "advisor_http_requests_total",
        "advisor_answer_stage_seconds_bucket",
        "advisor_answers_total",
        "advisor_backend_fallbacks_total",
        "advisor_verification_rejected_total",
        "advisor_feedback_total",
        "advisor_index_info",
        "advisor_index_chunks",
        "advisor_answer_top_similarity_sum",
    ):
        assert needed in used, needed
