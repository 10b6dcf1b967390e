"""Watching answers without changing them.

The Advisor calls every function in `advisor.observers` once per final Answer with an
`AnswerEvent` (metrics, the question log and the access log use it). Observers run on the
answering thread, must be quick, and can never fail a request: an exception is logged and dropped.

Health probes answer real questions too (/readyz); they run inside `quiet()`, so they reach no
observer and neither count as traffic nor land in the question log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from advisor.core.schema import Answer

log = logging.getLogger(__name__)

_quiet: ContextVar[bool] = ContextVar("advisor_quiet", default=False)


@dataclass(frozen=True)
class AnswerEvent:
    question: str  # as the user asked it (cleaned), never the history
    answer: Answer
    similarity: float  # best cosine similarity of the query to a chunk or one of its sentences
    requested_backend: str  # the backend asked for; answer.backend differs after a fallback
    route: str  # "answer" | "small_talk" | "out_of_scope"
    index_version: str

    @property
    def fell_back(self) -> bool:
        return self.requested_backend != "extractive" and self.answer.backend == "extractive"


Observer = Callable[[AnswerEvent], None]


@contextmanager
def quiet() -> Iterator[None]:
    """Answers inside this block reach no observer (health probes)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def notify(observers: Iterable[Observer], event: AnswerEvent) -> None:
    if _quiet.get():
        return
    for observe in list(observers):
        try:
            observe(event)
        except Exception:  # an observer never fails a request
            log.exception("answer observer %r failed", observe)
