"""The question log: what `advisor report` needs to find knowledge gaps and drift, and nothing more.

One SQLite file, `question_log.sqlite3` under the data folder, one row per answered question:

    asked_at (UTC, seconds) · question (as asked, without the chat history) · route · grounded ·
    similarity (best cosine similarity of the question to the knowledge base) · backend

No history, no answers, no IP addresses, no user or session ids. Rows older than
ADVISOR_QUESTION_LOG_DAYS (default 30) are deleted when the log is opened, at most hourly while
it is written, and before every report; ADVISOR_QUESTION_LOG_DAYS=0 records nothing and empties
an existing log.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from advisor.core.observe import AnswerEvent
from advisor.ops.sqlite import connect

log = logging.getLogger(__name__)

FILENAME = "question_log.sqlite3"
PURGE_EVERY_S = 3600

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at   TEXT NOT NULL,     -- UTC, ISO 8601, seconds
    question   TEXT NOT NULL,     -- as asked; no history
    route      TEXT NOT NULL,     -- answer | small_talk | out_of_scope
    grounded   INTEGER NOT NULL,  -- 1 | 0
    similarity REAL NOT NULL,     -- best question-to-knowledge-base cosine similarity
    backend    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
"""


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
    def __init__(self, path: Path, retention_days: int = 30):
        self.path = Path(path)
        self.retention_days = max(int(retention_days), 0)
        self._lock = threading.Lock()
        self._purged = 0.0
        if self.enabled:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
        self.purge()

    @classmethod
    def for_settings(cls, settings, data_dir: Path | None = None) -> QuestionLog:
        return cls(Path(data_dir or settings.data_dir) / FILENAME, settings.question_log_days)

    @property
    def enabled(self) -> bool:
        return self.retention_days > 0

    def _connect(self):
        return connect(self.path)

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
        row = (
            (when or _now()).isoformat(timespec="seconds"),
            question,
            route,
            int(bool(grounded)),
            round(float(similarity), 4),
            backend,
        )
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO questions (asked_at, question, route, grounded, similarity, backend)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
        if time.monotonic() - self._purged > PURGE_EVERY_S:
            self.purge()

    def observe(self, event: AnswerEvent) -> None:
        """An Advisor observer (advisor/observe.py)."""
        self.record(event.question, event.answer.grounded, event.similarity, event.answer.backend, event.route)

    def purge(self) -> int:
        """Deletes rows past the retention period (all rows when logging is disabled)."""
        self._purged = time.monotonic()
        if not self.path.exists():
            return 0
        cutoff = (_now() - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        with self._lock, self._connect() as db:
            db.executescript(SCHEMA)
            deleted = db.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
        if deleted:
            log.info("question log: deleted %d questions older than %d days", deleted, self.retention_days)
        return deleted

    def questions(self, days: int | None = None) -> list[LoggedQuestion]:
        """Questions of the last `days` days (default: the whole retention period), oldest first."""
        if not self.path.exists():
            return []
        cutoff = (_now() - timedelta(days=days if days is not None else self.retention_days)).isoformat(
            timespec="seconds"
        )
        with self._connect() as db:
            rows = db.execute(
                "SELECT asked_at, question, route, grounded, similarity, backend FROM questions"
                " WHERE asked_at >= ? ORDER BY asked_at, id",
                (cutoff,),
            ).fetchall()
        return [LoggedQuestion(a, q, r, bool(g), s, b) for a, q, r, g, s, b in rows]
