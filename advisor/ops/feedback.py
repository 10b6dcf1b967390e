"""Durable like/dislike feedback, in the project database (advisor/ops/database.py).

Unset `ADVISOR_DATABASE_URL`: a SQLite file, `data/feedback.sqlite3`, easy to inspect
(`sqlite3 data/feedback.sqlite3 'select * from feedback'`). Set: one table shared by every replica.
Only two ratings exist and every field is capped, so a client can neither invent metric series nor
store megabytes through a like (the web layer also accepts likes only for answers it gave).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError, OperationalError

from advisor.core.errors import InvalidInput
from advisor.ops.database import StorageUnavailable, engine_for, feedback, redacted, sqlite_url, unreachable_message

log = logging.getLogger(__name__)

FILENAME = "feedback.sqlite3"
RATINGS = ("like", "dislike")
# Caps on one stored like: well above what this server gives (questions are capped at 2,000 characters
# by default, answers are a few hundred, 4 sources of <= 900-character chunks), far below a DoS.
MAX_QUESTION_CHARS = 4_000
MAX_ANSWER_CHARS = 20_000
MAX_SOURCES = 20
MAX_SOURCE_TEXT_CHARS = 5_000
MAX_FIELD_CHARS = 500  # backend, source id / title / section


class FeedbackStore:
    def __init__(self, location: Path | str):
        """`location`: a database URL, or the path of a SQLite file."""
        location = str(location)
        self.url = location if "://" in location else sqlite_url(location)
        self.path = Path(location) if "://" not in location else None
        engine_for(self.url)  # creates / migrates the schema now when the database is reachable

    @property
    def engine(self):
        return engine_for(self.url)  # migrates on a later call if the database was down at start

    @classmethod
    def for_settings(cls, settings, data_dir: Path | None = None) -> FeedbackStore:
        if settings.database_url and data_dir is None:
            return cls(settings.database_url)
        return cls(Path(data_dir or settings.data_dir) / FILENAME)

    def add(
        self, rating: str, question: str, answer: str, sources: list[dict], backend: str, grounded: bool | None = None
    ) -> int:
        """Stores one like or dislike and returns its row id. Raises InvalidInput for another rating
        and StorageUnavailable when the database cannot be written."""
        if rating not in RATINGS:
            raise InvalidInput(f"Feedback must be 'like' or 'dislike', not {str(rating)[:40]!r}.")
        row = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "rating": rating,
            "question": str(question)[:MAX_QUESTION_CHARS],
            "answer": str(answer)[:MAX_ANSWER_CHARS],
            "sources": json.dumps([_capped(s) for s in sources[:MAX_SOURCES]], ensure_ascii=False),
            "backend": str(backend)[:MAX_FIELD_CHARS],
            "grounded": None if grounded is None else int(grounded),
        }
        try:
            with self.engine.begin() as db:
                rowid = db.execute(insert(feedback).returning(feedback.c.id), row).scalar_one()
        except (OperationalError, DBAPIError) as exc:
            log.warning(
                "feedback not stored: the database %s is unavailable (%s)", redacted(self.url), type(exc).__name__
            )
            raise StorageUnavailable(
                "Your feedback could not be saved right now (the database is unavailable). Please try again in a minute."
            ) from exc
        log.info("feedback %s stored (#%d)", rating, rowid)  # no question text in logs
        return rowid

    def all(self) -> list[dict]:
        try:
            with self.engine.connect() as db:
                rows = db.execute(select(feedback).order_by(feedback.c.id)).mappings().all()
        except (OperationalError, DBAPIError) as exc:
            raise StorageUnavailable(unreachable_message(self.url, exc)) from exc
        return [
            {
                **dict(r),
                "sources": json.loads(r["sources"]),
                "grounded": None if r["grounded"] is None else bool(r["grounded"]),
            }
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """Likes and dislikes stored, always both keys (a fixed label set for /metrics)."""
        counts = dict.fromkeys(RATINGS, 0)
        try:
            with self.engine.connect() as db:
                for rating, n in db.execute(select(feedback.c.rating, func.count()).group_by(feedback.c.rating)):
                    if rating in counts:
                        counts[rating] = int(n)
        except (OperationalError, DBAPIError) as exc:
            raise StorageUnavailable(unreachable_message(self.url, exc)) from exc
        return counts

    def disliked_questions(self, days: int) -> list[str]:
        """Questions whose answer got a thumbs-down in the last `days` days."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        query = select(feedback.c.question).where(feedback.c.rating == "dislike", feedback.c.created_at >= cutoff)
        try:
            with self.engine.connect() as db:
                return [q for (q,) in db.execute(query) if q and q.strip()]
        except (OperationalError, DBAPIError) as exc:
            raise StorageUnavailable(unreachable_message(self.url, exc)) from exc


def _capped(source: object) -> dict[str, object]:
    source = dict(source) if isinstance(source, dict) else {}
    out: dict[str, object] = {k: str(source.get(k, ""))[:MAX_FIELD_CHARS] for k in ("id", "title", "section")}
    out["text"] = str(source.get("text", ""))[:MAX_SOURCE_TEXT_CHARS]
    try:
        out["score"] = float(source.get("score", 0.0))
    except (TypeError, ValueError):
        out["score"] = 0.0
    return out
