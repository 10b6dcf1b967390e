"""The one way this project opens its small SQLite stores (feedback, question log)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def connect(path: Path | str):
    """A short-lived connection: committed on success, rolled back on error, always closed."""
    db = sqlite3.connect(path, timeout=10)
    try:
        with db:
            yield db
    finally:
        db.close()
