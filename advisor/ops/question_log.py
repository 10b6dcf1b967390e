"""The question log: what `advisor report` needs to find knowledge gaps and drift, and nothing more.

One table, `questions`, in the project database (advisor/ops/database.py): with `ADVISOR_DATABASE_URL`
unset a SQLite file, `question_log.sqlite3` under the data folder; set, shared by every replica.
One row per answered question:

    asked_at (UTC, seconds) · question (as asked, without the chat history) · route · grounded ·
    similarity (best cosine similarity of the question to the knowledge base) · backend

No history, no answers, no IP addresses, no user or session ids. Rows older than
ADVISOR_QUESTION_LOG_DAYS (default 30) are deleted when the log is opened, at most hourly while
it is written, and before every report; ADVISOR_QUESTION_LOG_DAYS=0 records nothing and empties
an existing log. A database outage never fails an answer: the row is dropped with a warning
(once per outage) and counted in `dropped`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError, OperationalError

from advisor.core.observe import AnswerEvent
from advisor.ops.database import StorageUnavailable, engine_for, questions, redacted, sqlite_url, unreachable_message

log = logging.getLogger(__name__)

FILENAME = "question_log.sqlite3"
PURGE_EVERY_S = 3600
BATCH = 500  # rows per INSERT from the background writer
MAX_PENDING = 10_000  # rows waiting for the database at most (a few MB), then new ones are dropped


@dataclass
class LoggedQuestion:
    asked_at: str
    question: str
    route: str
    grounded: bool
    similarity: float
    backend: str


def _now() -> datetime:
    return datetime.now(UTC)


class QuestionLog:
    def __init__(self, location: Path | str, retention_days: int = 30):
        """`location`: a database URL, or the path of a SQLite file."""
        location = str(location)
        self.url = location if "://" in location else sqlite_url(location)
        self.path = Path(location) if "://" not in location else None
        self.retention_days = max(int(retention_days), 0)
        self.dropped = 0  # rows not recorded because the database was unavailable (or the queue was full)
        self._failing = False
        self._pending: list[dict] = []  # rows from observe(), written by a background thread
        self._writing = False
        self._cond = threading.Condition()
        self._writer: threading.Thread | None = None
        self._purged = 0.0
        self._open = self.enabled or self.path is None or self.path.exists()
        if self._open:
            engine_for(self.url)  # creates / migrates the schema now when the database is reachable
        self.purge()

    @property
    def _engine(self):
        return engine_for(self.url) if self._open else None

    @classmethod
    def for_settings(cls, settings, data_dir: Path | None = None) -> QuestionLog:
        if settings.database_url and data_dir is None:
            return cls(settings.database_url, settings.question_log_days)
        return cls(Path(data_dir or settings.data_dir) / FILENAME, settings.question_log_days)

    @property
    def enabled(self) -> bool:
        return self.retention_days > 0

    def record(
        self,
        question: str,
        grounded: bool,
        similarity: float,
        backend: str,
        route: str = "answer",
        when: datetime | None = None,
    ) -> None:
        if not self.enabled:
            return
        self._write([self._row(question, grounded, similarity, backend, route, when)])

    @staticmethod
    def _row(question, grounded, similarity, backend, route="answer", when=None) -> dict:
        return {
            "asked_at": (when or _now()).isoformat(timespec="seconds"),
            "question": question,
            "route": route,
            "grounded": int(bool(grounded)),
            "similarity": round(float(similarity), 4),
            "backend": backend,
        }

    def _write(self, rows: list[dict]) -> None:
        try:
            with self._engine.begin() as db:
                db.execute(insert(questions), rows)
        except (OperationalError, DBAPIError) as exc:
            self.dropped += len(rows)
            if not self._failing:
                log.warning(
                    "question log: the database %s is unavailable (%s); questions are not logged until it is back",
                    redacted(self.url),
                    type(exc).__name__,
                )
            self._failing = True
            return
        if self._failing:
            log.info("question log: the database is reachable again (%d questions were not logged)", self.dropped)
            self._failing = False
        if time.monotonic() - self._purged > PURGE_EVERY_S:
            self.purge()

    def observe(self, event: AnswerEvent) -> None:
        """An Advisor observer (advisor/core/observe.py). Queues the row for a background thread, so an
        answer never waits for the database (a SQLite commit took ~6 ms here, about the cost of a whole
        cached answer); rows that arrive while one batch is written go in the next. At most
        MAX_PENDING rows wait; beyond that (a long outage) rows are dropped and counted."""
        if not self.enabled:
            return
        row = self._row(event.question, event.answer.grounded, event.similarity, event.answer.backend, event.route)
        with self._cond:
            if len(self._pending) >= MAX_PENDING:
                self.dropped += 1
                return
            self._pending.append(row)
            self._cond.notify_all()
            if self._writer is None:
                self._writer = threading.Thread(target=self._run, name="question-log", daemon=True)
                self._writer.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending)
                batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
                self._writing = True
            try:
                self._write(batch)
            except Exception:  # the writer must outlive any one bad batch
                log.exception("question log: a batch of %d questions could not be written", len(batch))
            finally:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Waits until every queued row is written (reports, tests, shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._writing, timeout)

    def purge(self) -> int:
        """Deletes rows past the retention period (all rows when logging is disabled)."""
        self._purged = time.monotonic()
        if self._engine is None:
            return 0
        cutoff = (_now() - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        try:
            with self._engine.begin() as db:
                deleted = db.execute(delete(questions).where(questions.c.asked_at < cutoff)).rowcount
        except (OperationalError, DBAPIError) as exc:
            log.warning("question log: cannot purge old questions now (%s)", type(exc).__name__)
            return 0
        if deleted:
            log.info("question log: deleted %d questions older than %d days", deleted, self.retention_days)
        return deleted

    def questions(self, days: int | None = None) -> list[LoggedQuestion]:
        """Questions of the last `days` days (default: the whole retention period), oldest first."""
        if self._engine is None:
            return []
        self.flush()
        cutoff = (_now() - timedelta(days=days if days is not None else self.retention_days)).isoformat(
            timespec="seconds"
        )
        q = questions.c
        query = (
            select(q.asked_at, q.question, q.route, q.grounded, q.similarity, q.backend)
            .where(q.asked_at >= cutoff)
            .order_by(q.asked_at, q.id)
        )
        try:
            with self._engine.connect() as db:
                rows = db.execute(query).all()
        except (OperationalError, DBAPIError) as exc:
            raise StorageUnavailable(unreachable_message(self.url, exc)) from exc
        return [LoggedQuestion(a, text, r, bool(g), s, b) for a, text, r, g, s, b in rows]
