"""Several replicas on real shared services: a PostgreSQL cluster and a Redis server started on
loopback ports, two `advisor serve` processes using both (ADVISOR_DATABASE_URL, ADVISOR_REDIS_URL).

Covers: the schema migrates from an empty database; the replicas share one rate limit (the second
answers 429 once the first used it up) and the answer cache; both replicas' likes land in one table
and `advisor report` sees questions and dislikes from both; Redis, then PostgreSQL, killed and
restarted under a bounded load loop: answers keep flowing, likes fail with a clear message while the
database is down and work again after, and no like that was confirmed is lost."""

from __future__ import annotations

import itertools
import json
import shutil
import threading
import time

import httpx
import pytest

from tests.ops_helpers import AppServer, advisor_cli, clean_env
from tests.services import Postgres, Redis, missing

pytestmark = pytest.mark.slow

LIMIT = 5
QUESTIONS = [
    "What does an MLOps engineer earn?",
    "Which feature stores are mentioned?",
    "Which certifications are worth it?",
    "How long does it take to become one?",
]
GAP = "How do I get a work visa for Canada?"


@pytest.fixture(scope="module")
def services():
    if missing():
        pytest.skip(f"Debian packages missing: {', '.join(missing())} (test.sh installs them)")
    pg = Postgres().init().start()
    redis = Redis().start()
    try:
        yield pg, redis
    finally:
        redis.stop()
        pg.stop()


@pytest.fixture(scope="module")
def replicas(services, tmp_path_factory, settings, advisor):
    """Two app servers on one PostgreSQL and one Redis, serving copies of one index (same version id,
    so they share cached answers)."""
    pg, redis = services
    work = tmp_path_factory.mktemp("replicas")
    env = clean_env(
        ADVISOR_DATABASE_URL=pg.url,
        ADVISOR_REDIS_URL=redis.url,
        ADVISOR_RATE_LIMIT_PER_MINUTE=LIMIT,
        ADVISOR_INDEX_POLL_SECONDS=0,
        ADVISOR_ACCESS_LOG="false",
    )
    apps = [AppServer(name, work, env) for name in ("app-a", "app-b")]
    for app in apps:
        shutil.copytree(settings.chroma_path, app.data_dir / "chroma")
        app.start()
    try:
        for app in apps:
            app.wait_ready()
        yield {"a": apps[0], "b": apps[1], "pg": pg, "redis": redis, "env": env, "work": work}
    finally:
        for app in apps:
            app.stop()


_clients = itertools.count(1)


def new_client() -> str:
    """A fresh client address (uvicorn trusts X-Forwarded-For from 127.0.0.1), so the load loop and
    each test get their own rate-limit budget."""
    n = next(_clients)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def ask(app, question: str, client: str, path: str = "/api/ask") -> httpx.Response:
    return httpx.post(f"{app.url}{path}", json={"question": question}, headers={"X-Forwarded-For": client}, timeout=30)


def like(app, answer_id: str, rating: str, client: str) -> httpx.Response:
    return httpx.post(
        f"{app.url}/api/feedback",
        json={"answer_id": answer_id, "rating": rating},
        headers={"X-Forwarded-For": client},
        timeout=30,
    )


def metric(app, name: str, **labels) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{app.url}/metrics", timeout=10).text
    return sum(
        s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_migration_from_an_empty_database(services):
    import sqlalchemy as sa

    from advisor.ops.database import engine_for, normalise_url
    from advisor.ops.feedback import FeedbackStore

    pg, _ = services
    # a second, empty database on the same server
    admin = sa.create_engine(normalise_url(pg.url), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(sa.text("DROP DATABASE IF EXISTS fresh"))
        db.execute(sa.text("CREATE DATABASE fresh"))
    admin.dispose()
    url = pg.url.rsplit("/", 1)[0] + "/fresh"
    store = FeedbackStore(url)  # opening it migrates
    assert store.all() == [] and store.counts() == {"like": 0, "dislike": 0}
    inspector = sa.inspect(engine_for(url))
    assert {"feedback", "questions", "alembic_version"} <= set(inspector.get_table_names())
    assert [c["name"] for c in inspector.get_columns("questions")] == [
        "id",
        "asked_at",
        "question",
        "route",
        "grounded",
        "similarity",
        "backend",
    ]
    with engine_for(url).connect() as db:
        assert db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    from advisor.ops.database import migrate

    migrate(engine_for(url))  # again: nothing to do, no error


def test_replicas_share_the_rate_limit_the_cache_and_one_feedback_table(replicas):
    a, b = replicas["a"], replicas["b"]
    assert httpx.get(f"{a.url}/readyz", timeout=10).json()["rate_limit"] == {"storage": "redis", "shared": True}

    client = new_client()
    assert [ask(a, QUESTIONS[i % 4], client).status_code for i in range(LIMIT)] == [200] * LIMIT
    refused = ask(b, QUESTIONS[0], client)  # the other replica: the same count, in Redis
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "Too many questions" in refused.json()["error"]
    assert ask(b, QUESTIONS[0], new_client()).status_code == 200  # per client

    # a's answers are in the shared cache: b serves them without answering again
    hits = metric(b, "advisor_answer_cache_total", result="hit")
    assert ask(b, QUESTIONS[2], new_client()).json()["timings_ms"]["retrieve"] == 0
    assert metric(b, "advisor_answer_cache_total", result="hit") == hits + 1

    # likes given on either replica, for answers from either, land in one table
    from advisor.ops.feedback import FeedbackStore

    store = FeedbackStore(replicas["pg"].url)
    before = len(store.all())
    from_a = ask(a, QUESTIONS[1], new_client()).json()
    gap_b = ask(b, GAP, new_client()).json()
    assert gap_b["grounded"] is False
    assert like(b, from_a["answer_id"], "like", new_client()).status_code == 200
    assert like(a, gap_b["answer_id"], "dislike", new_client()).status_code == 200
    rows = store.all()[before:]
    assert [(r["rating"], r["question"]) for r in rows] == [("like", QUESTIONS[1]), ("dislike", GAP)]
    assert metric(a, "advisor_feedback_total", rating="like") == metric(b, "advisor_feedback_total", rating="like")

    # `advisor report` reads the shared database: questions from both replicas, the dislike from a
    ask(a, "How do I get a Canadian work visa?", new_client())
    report = advisor_cli("report", "--json", env={**replicas["env"], "ADVISOR_DATA_DIR": str(replicas["work"] / "cli")})
    data = json.loads(report.stdout)
    top = data["gaps"][0]
    assert "visa" in top["question"].lower() and top["not_grounded"] >= 2 and top["disliked"] >= 1
    assert data["questions"] >= LIMIT + 4


class Load:
    """A bounded load loop: questions to both replicas, each from a fresh client address, until
    stopped or `max_requests` / `max_seconds` is reached. Records every status."""

    def __init__(self, apps, max_requests: int = 3000, max_seconds: float = 120):
        self.apps, self.max_requests, self.max_seconds = apps, max_requests, max_seconds
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        started = time.monotonic()
        for i in range(self.max_requests):
            if self._stop.is_set() or time.monotonic() - started > self.max_seconds:
                break
            app = self.apps[i % len(self.apps)]
            try:
                self.statuses.append(ask(app, QUESTIONS[i % len(QUESTIONS)] + f" #{i % 7}", new_client()).status_code)
            except httpx.HTTPError as exc:
                self.errors.append(repr(exc))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=60)

    def count(self) -> int:
        return len(self.statuses)


def wait_for(predicate, timeout: float = 30, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


def test_redis_killed_and_restarted_under_load(replicas):
    a, b, redis = replicas["a"], replicas["b"], replicas["redis"]
    with Load([a, b]) as load:
        wait_for(lambda: load.count() >= 10)
        redis.kill()
        n = load.count()
        wait_for(lambda: load.count() >= n + 20)  # answers keep flowing without Redis
        ready = wait_for(lambda: httpx.get(f"{a.url}/readyz", timeout=10).json()["rate_limit"].get("shared") is False)
        assert ready
        detail = httpx.get(f"{a.url}/readyz", timeout=10)
        assert detail.status_code == 200 and "Redis unreachable" in detail.json()["rate_limit"]["detail"]
        assert metric(a, "advisor_rate_limit_shared") == 0 and metric(a, "advisor_rate_limit_storage_errors_total") >= 1
        client = new_client()  # still limited, per replica
        assert [ask(a, QUESTIONS[0], client).status_code for _ in range(LIMIT + 1)][-1] == 429
        redis.start()
        wait_for(
            lambda: (
                ask(a, QUESTIONS[1], new_client()).status_code == 200
                and httpx.get(f"{a.url}/readyz", timeout=10).json()["rate_limit"].get("shared") is True
            ),
            timeout=30,
        )
        n = load.count()
        wait_for(lambda: load.count() >= n + 10)
    assert load.errors == [] and set(load.statuses) == {200}, (load.errors[:3], set(load.statuses))
    assert "Redis unreachable" in a.log() and "reachable again" in a.log()


def test_postgres_killed_and_restarted_under_load(replicas):
    from advisor.ops.feedback import FeedbackStore

    a, b, pg = replicas["a"], replicas["b"], replicas["pg"]
    before = FeedbackStore(pg.url).counts()
    with Load([a, b]) as load:
        wait_for(lambda: load.count() >= 10)
        for i in range(3):
            answer = ask(a, QUESTIONS[i], new_client()).json()
            assert like(b, answer["answer_id"], "like", new_client()).status_code == 200
        pg.kill()
        n = load.count()
        wait_for(lambda: load.count() >= n + 20)  # answers keep flowing without the database
        answer = ask(b, QUESTIONS[3], new_client()).json()
        refused = like(a, answer["answer_id"], "dislike", new_client())
        assert refused.status_code == 503 and "could not be saved" in refused.json()["error"]
        assert "Traceback" not in refused.text
        pg.start()
        ok = wait_for(lambda: like(a, answer["answer_id"], "dislike", new_client()).status_code == 200, timeout=30)
        assert ok
        n = load.count()
        wait_for(lambda: load.count() >= n + 10)
    assert load.errors == [] and set(load.statuses) == {200}, (load.errors[:3], set(load.statuses))
    from advisor.ops.database import reset_for_tests

    reset_for_tests()  # this test process's pool saw the server die
    after = FeedbackStore(pg.url).counts()
    # every like that answered 200 is there, and the one refused with 503 was not half-stored
    assert after == {"like": before["like"] + 3, "dislike": before["dislike"] + 1}
    assert "question log: the database" in a.log() + b.log()  # the outage was logged, answers were not failed


def test_a_replica_starts_and_answers_while_the_database_is_down(services, make_settings, advisor):
    """A fresh database that is down when the replica starts: it answers, likes get the 503 message,
    and once the server is up the schema is created and likes are stored, without a restart."""
    from fastapi.testclient import TestClient

    from advisor.ops.database import MIGRATE_RETRY_S
    from advisor.web.server import create_app

    pg = Postgres().init()  # not started yet
    before = list(advisor.observers)
    app = create_app(make_settings(database_url=pg.url, rate_limit_per_minute=0), advisor=advisor)
    try:
        client = TestClient(app)
        answer = client.post("/api/ask", json={"question": QUESTIONS[0]})
        assert answer.status_code == 200
        answer_id = answer.json()["answer_id"]
        down = client.post("/api/feedback", json={"answer_id": answer_id, "rating": "like"})
        assert down.status_code == 503 and "could not be saved" in down.json()["error"]
        pg.start()
        time.sleep(MIGRATE_RETRY_S)
        up = client.post("/api/feedback", json={"answer_id": answer_id, "rating": "like"})
        assert up.status_code == 200, up.text
        assert [r["question"] for r in app.state.feedback.all()] == [QUESTIONS[0]]
    finally:
        app.state.index_watcher.stop()
        advisor.observers[:] = before
        pg.stop()
