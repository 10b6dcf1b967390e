"""Durable like/dislike feedback: one SQLite file under the data folder.

SQLite because feedback must survive restarts, needs no server, and is easy to inspect
(`sqlite3 data/feedback.sqlite3 'select * from feedback'`). One short connection per write keeps it
safe across the web server's threads; WAL lets a reader look while the app writes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from advisor.ops.sqlite import connect

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,     -- UTC, ISO 8601
    rating     TEXT NOT NULL,     -- 'like' | 'dislike' | another feedback option
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    sources    TEXT NOT NULL,     -- JSON list of {id, title, section, text, score}
    backend    TEXT NOT NULL,
    grounded   INTEGER            -- 1 | 0 | NULL when unknown
)
"""


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    @classmethod
    def for_settings(cls, settings) -> FeedbackStore:
        return cls(Path(settings.data_dir) / "feedback.sqlite3")

    def _connect(self):
        return connect(self.path)

    def add(
        self, rating: str, question: str, answer: str, sources: list[dict], backend: str, grounded: bool | None = None
    ) -> int:
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            rating,
            question,
            answer,
            json.dumps(sources, ensure_ascii=False),
            backend,
            None if grounded is None else int(grounded),
        )
        with self._lock, self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, sources, backend, grounded)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            rowid = cur.lastrowid
        log.info("feedback %s stored (#%d) for %r", rating, rowid, question[:80])
        return rowid

    def all(self) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [
            {
                **dict(r),
                "sources": json.loads(r["sources"]),
                "grounded": None if r["grounded"] is None else bool(r["grounded"]),
            }
            for r in rows
        ]
