"""The one database this project keeps: likes (feedback) and the question log, through SQLAlchemy 2.

`ADVISOR_DATABASE_URL` points every replica at one shared database, e.g.
`postgresql://advisor:secret@db:5432/advisor` (driven by psycopg 3). Unset, each store is a SQLite
file under the data folder (`feedback.sqlite3`, `question_log.sqlite3`, as before). Either way the same
code runs and Alembic migrations (advisor/ops/migrations) create and upgrade the same schema when a
store is opened, so a fresh PostgreSQL needs nothing but an empty database the user may create tables in.

Failures to reach the database become `StorageUnavailable`, whose message says what to do.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from advisor.core.errors import AdvisorError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Seconds to wait for a PostgreSQL connection: a like fails with a message rather than hanging the
# chat while the database is down (3 s: well above a loopback or same-datacentre connect, ~5 ms here).
CONNECT_TIMEOUT_S = 3
# An arbitrary constant key for pg_advisory_lock: replicas starting together migrate one at a time.
MIGRATION_LOCK = 7_260_413

metadata = MetaData()

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),  # UTC, ISO 8601
    Column("rating", Text, nullable=False),  # 'like' | 'dislike'
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("sources", Text, nullable=False),  # JSON list of {id, title, section, text, score}
    Column("backend", Text, nullable=False),
    Column("grounded", Integer),  # 1 | 0 | NULL when unknown
)

questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_at", Text, nullable=False),  # UTC, ISO 8601, seconds
    Column("question", Text, nullable=False),  # as asked; no history
    Column("route", String(32), nullable=False),  # answer | small_talk | out_of_scope
    Column("grounded", Integer, nullable=False),  # 1 | 0
    Column("similarity", Float, nullable=False),  # best question-to-knowledge-base cosine similarity
    Column("backend", Text, nullable=False),
    Index("questions_asked_at", "asked_at"),
)


class StorageUnavailable(AdvisorError, RuntimeError):
    """The feedback / question-log database cannot be reached or written."""


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def redacted(url: str) -> str:
    """The URL without its password, for logs and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as a placeholder, never echoed
        return "<the configured database URL>"


_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_retry_at: dict[str, float] = {}
MIGRATE_RETRY_S = 5.0  # while the database is unreachable at start, how often to try migrating again
_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per URL per process, migrated to the latest schema on first use.
    If the database cannot be reached yet, the engine is returned unmigrated (the app still starts and
    answers; the stores' calls then fail with StorageUnavailable) and the next call tries again."""
    url = normalise_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create(url)
    if url not in _migrated and time.monotonic() >= _retry_at.get(url, 0.0):
        with _lock:
            if url not in _migrated:
                try:
                    migrate(engine)
                except StorageUnavailable as exc:
                    if url not in _retry_at:
                        log.warning("%s Retrying every %.0f s.", exc, MIGRATE_RETRY_S)
                    _retry_at[url] = time.monotonic() + MIGRATE_RETRY_S
                    return engine
                _migrated.add(url)
                _retry_at.pop(url, None)
    return engine


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})

        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record):
            # WAL: a reader (advisor report) can look while the app writes. synchronous=NORMAL: a commit
            # survives the process being killed (SQLite: WAL + NORMAL is durable across application crashes) and skips the
            # per-commit fsync that made one insert cost ~6 ms here; only an OS crash or power loss can
            # lose the last commits.
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

        return engine
    # pool_pre_ping: after a database restart, stale pooled connections are replaced, not handed out.
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
    )


def migrate(engine: Engine) -> None:
    """Brings the database to the latest Alembic revision (creating it from empty). Files made by
    earlier versions of this project, which had these tables but no Alembic, are adopted as they are."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except (OperationalError, DBAPIError) as exc:
        raise StorageUnavailable(unreachable_message(engine.url, exc)) from exc


def unreachable_message(url, exc: BaseException | None = None) -> str:
    where = redacted(str(url) if not hasattr(url, "render_as_string") else url.render_as_string(hide_password=True))
    reason = f" ({type(exc.orig if hasattr(exc, 'orig') else exc).__name__})" if exc is not None else ""
    return f"The database {where} cannot be reached{reason}. Check ADVISOR_DATABASE_URL and that the server is up."


def reset_for_tests() -> None:
    """Forgets engines (and their pools), e.g. after a test stopped a database server."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _migrated.clear()
        _retry_at.clear()
