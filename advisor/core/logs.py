"""Logging set-up the entry points share (the CLI, the web server).

The libraries below log every HTTP call, model load and index batch at INFO; above WARNING they
would bury the advisor's own lines, so every entry point turns them down the same way.
"""

from __future__ import annotations

import logging

NOISY_LOGGERS = ("httpx", "sentence_transformers", "bm25s", "chromadb", "urllib3", "transformers")


def quiet_libraries(level: int = logging.WARNING) -> None:
    """Only `level` and above from the chatty libraries in NOISY_LOGGERS."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(level)
