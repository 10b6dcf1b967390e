"""What every model backend shares: the prompt with numbered sources, the LCEL chain
(prompt | chat model | StrOutputParser), and streaming with deadlines.

A backend module only says how to build its LangChain chat model (`make_chat_model`). The chain
runs in a worker thread that feeds a queue; the caller waits on the queue with the time left until
the first-token deadline (settings.first_token_timeout_s) and the total deadline
(settings.total_timeout_s), so a stalled or unreachable model can never hang an answer: it raises
BackendError, and the pipeline answers extractively instead.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any, NoReturn

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import Runnable

from advisor.core.backends.base import BackendError, Context
from advisor.core.settings import Settings
from advisor.core.text import split_units

log = logging.getLogger(__name__)

# Short and plain: measured with the bundled 135M model, a longer system prompt made it copy the
# source list back, and the instruction after the sources is what it follows best.
SYSTEM = (
    "You are Career Advisor. You answer career questions using only the sources you are given. "
    "Reply in one to three short sentences and cite sources like [1]."
)
HUMAN = "{sources}\n\nQuestion: {question}\nAnswer concisely using only the sources above, citing [n]:"


class FailureStats:
    """Backend failures that fell back to extractive, by backend and reason (for the metrics exporter)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[tuple[str, str]] = Counter()

    def record(self, backend: str, reason: str) -> None:
        with self._lock:
            self.counts[(backend, reason)] += 1

    def snapshot(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self.counts)


FAILURES = FailureStats()


def build_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [
            ("system", SYSTEM),
            MessagesPlaceholder("history", optional=True),
            ("human", HUMAN),
        ]
    )


def excerpt(context: Context, rank: int, max_chars: int) -> str:
    """A hit's text, or when longer than `max_chars` its units most similar to the query, in reading order."""
    hit = context.hits[rank]
    text = " ".join(hit.text.split())
    if len(text) <= max_chars:
        return text
    units = context.index.units.get(hit.id) or []
    vectors = context.index.unit_vectors.get(hit.id)
    if not units or vectors is None or len(vectors) != len(units):
        units_text = split_units(hit.text)
        return " ".join(units_text)[:max_chars].rsplit(" ", 1)[0]
    sims = vectors @ context.query_vector
    if context.question_vector is not None:
        sims = 0.5 * sims + 0.5 * (vectors @ context.question_vector)
    chosen: list[int] = []
    used = 0
    for i in np.argsort(-sims):
        unit = " ".join(units[i].text.split())
        if used + len(unit) > max_chars:
            if chosen:
                continue
            unit = unit[:max_chars].rsplit(" ", 1)[0]
        chosen.append(int(i))
        used += len(unit) + 1
    return " ".join(" ".join(units[i].text.split()) for i in sorted(chosen))[:max_chars]


def format_sources(context: Context, max_sources: int, max_chars: int) -> str:
    """[n] title > section: text, one a line; [n] is the hit's rank, as in Answer.sources."""
    hits = context.hits[:max_sources]
    per_source = max(max_chars // max(len(hits), 1), 200)
    lines = [f"[{n}] {h.title} > {h.section}: {excerpt(context, n - 1, per_source)}" for n, h in enumerate(hits, 1)]
    return "\n".join(lines)


def recent_history(history: list[dict[str, str]], max_messages: int, max_chars: int = 400) -> list[tuple[str, str]]:
    if max_messages <= 0:
        return []
    return [("human" if m["role"] == "user" else "ai", m["content"][:max_chars]) for m in history[-max_messages:]]


class GenerativeBackend:
    """Base of the model backends. Light constructor; `load()` builds the chat model and the chain."""

    name = "generative"
    max_sources = 4  # hits put in the prompt
    source_chars = 3600  # characters of source text in the prompt, shared among them
    history_messages = 6  # earlier messages of the conversation given to the model
    # Verification checks faithfulness, not coverage of the quoted answer: a capable model's faithful
    # paraphrase that picks other facts of the same sources is kept (issue 9).
    min_coverage = 0.0

    def __init__(self, settings: Settings, chat_model: BaseChatModel | None = None, name: str | None = None):
        self.settings = settings
        self.first_token_timeout = float(getattr(settings, "first_token_timeout_s", 10.0))
        self.total_timeout = float(getattr(settings, "total_timeout_s", 60.0))
        self._chat_model = chat_model
        if name:
            self.name = name
        self.chain: Runnable[dict[str, Any], str] | None = None

    def make_chat_model(self) -> BaseChatModel:
        """The LangChain chat model this backend talks to (subclasses)."""
        raise NotImplementedError

    def load(self) -> None:
        if self.chain is not None:
            return
        try:
            model = self._chat_model if self._chat_model is not None else self.make_chat_model()
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(f"{self.name}: cannot start the model ({type(exc).__name__}: {exc})") from exc
        self._chat_model = model
        self.chain = build_prompt() | model | StrOutputParser()

    @property
    def chat_model(self) -> BaseChatModel | None:
        return self._chat_model

    def inputs(self, context: Context) -> dict[str, Any]:
        # Without the conversation, a follow-up ("which one is free?") goes in its standalone form.
        question = context.question if self.history_messages else context.query
        return {
            "sources": format_sources(context, self.max_sources, self.source_chars),
            "question": question,
            "history": recent_history(context.history, self.history_messages),
        }

    def stream(self, context: Context) -> Iterator[str]:
        if self.chain is None:
            self.load()
        return self._stream_with_deadlines(self.inputs(context))

    def _stream_with_deadlines(self, inputs: dict[str, Any]) -> Iterator[str]:
        pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
        cancel = threading.Event()
        started = time.monotonic()
        worker = threading.Thread(
            target=_produce, args=(self.chain, inputs, pieces, cancel), name=f"advisor-{self.name}-stream", daemon=True
        )
        worker.start()
        first_deadline = started + self.first_token_timeout
        total_deadline = started + self.total_timeout
        got_first = False
        try:
            while True:
                deadline = total_deadline if got_first else min(first_deadline, total_deadline)
                try:
                    kind, value = pieces.get(timeout=max(deadline - time.monotonic(), 0.0))
                except queue.Empty:
                    if got_first:
                        self._fail("timeout", f"{self.name}: no complete answer within {self.total_timeout:g} s")
                    self._fail("timeout", f"{self.name}: no first token within {self.first_token_timeout:g} s")
                if kind == "piece":
                    got_first = True
                    yield value
                elif kind == "done":
                    return
                else:
                    self._fail(_reason(value), f"{self.name}: {type(value).__name__}: {value}", value)
        finally:
            cancel.set()  # an abandoned worker stops at its next token

    def _fail(self, reason: str, message: str, cause: BaseException | None = None) -> NoReturn:
        FAILURES.record(self.name, reason)
        raise BackendError(message) from cause


def _produce(
    chain: Runnable[dict[str, Any], str],
    inputs: dict[str, Any],
    pieces: queue.Queue[tuple[str, Any]],
    cancel: threading.Event,
) -> None:
    """The worker thread: the chain's pieces into the queue, then ("done", None) or ("error", exc)."""
    try:
        for piece in chain.stream(inputs):
            if cancel.is_set():
                break
            if piece:
                pieces.put(("piece", piece))
        pieces.put(("done", None))
    except BaseException as exc:  # noqa: BLE001  # any failure is handed to the caller, who falls back
        pieces.put(("error", exc))


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__.lower()
    if "timeout" in name:
        return "timeout"
    if "connect" in name or isinstance(exc, (ConnectionError, OSError)):
        return "connection"
    return "error"
