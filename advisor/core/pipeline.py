"""The Advisor: question (+ history) -> follow-up resolution -> hybrid retrieval -> grounded gate
-> answer backend -> Answer with sources. Every surface (CLI, HTTP, UI) goes through here."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from advisor.core.backends import BackendError, Context, create_backend
from advisor.core.embeddings import Embedder
from advisor.core.errors import IndexMissing, InvalidInput
from advisor.core.followup import standalone_query
from advisor.core.gate import Decision, Gate, Route
from advisor.core.observe import AnswerEvent, notify
from advisor.core.retrieval import HybridSearch, LoadedIndex, open_index
from advisor.core.schema import Answer, Source, Timings
from advisor.core.settings import Settings, get_settings
from advisor.core.store import IndexStore, open_client
from advisor.core.text import normalize
from advisor.core.verify import corpus_words, verify_answer

log = logging.getLogger(__name__)
_BACKEND_LOCK = threading.RLock()

# Builds the first index version when none exists: (settings, embedder, Chroma client or None).
IndexBuilder = Callable[[Settings, Embedder, Any], None]


REFUSAL = "I don't know that from my sources."


def is_refusal(answer) -> bool:
    """An honest "not in my sources" (as opposed to a greeting, which is also not grounded)."""
    return not answer.grounded and answer.answer.startswith(REFUSAL)


def clean_question(question, max_chars: int) -> str:
    if not isinstance(question, str):
        raise InvalidInput("The question must be text.")
    text = " ".join(normalize(question).split())
    if not text:
        raise InvalidInput(
            "The question is empty. Type a question about the career guides, e.g. 'What does an MLOps engineer earn?'"
        )
    if len(text) > max_chars:
        raise InvalidInput(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,}. Shorten it and ask again."
        )
    return text


def clean_history(history, max_chars: int) -> list[dict]:
    if history is None:
        return []
    if not isinstance(history, list):
        raise InvalidInput("History must be a list of {role, content} messages.")
    cleaned = []
    for i, turn in enumerate(history):
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ("user", "assistant")
            or not isinstance(turn.get("content"), str)
        ):
            raise InvalidInput(f'History item {i} must be {{"role": "user"|"assistant", "content": text}}.')
        content = normalize(turn["content"]).strip()
        if turn["role"] == "user":
            content = content[:max_chars]
        cleaned.append({"role": turn["role"], "content": content})
    return cleaned


class Advisor:
    """Light constructor; `load()` opens the index (building it when missing) and the models."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        client=None,
        backend: str | None = None,
        build_index: IndexBuilder | None = None,
    ):
        self.settings = settings or get_settings()
        self.build_index = build_index  # ingest, injected by advisor.assembly: core does not import it
        self.embedder = embedder or Embedder()
        self._client = client
        self.backend_name = backend or self.settings.backend
        self._backends: dict[str, object] = {}
        self._index: LoadedIndex | None = None
        self._gate: Gate | None = None
        self._serving: tuple[LoadedIndex, Gate] | None = None  # swapped in one write by refresh()
        self.observers: list = []  # called with an AnswerEvent per final answer (advisor/observe.py)
        self._search = HybridSearch(self.embedder, self.settings.candidates, self.settings.rrf_k)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs) -> Advisor:
        return cls(settings, **kwargs).load()

    # loading
    @property
    def store(self) -> IndexStore:
        if self._client is None:
            self._client = open_client(self.settings)
        return IndexStore(self._client, self.settings.collection_prefix)

    def load(self) -> Advisor:
        with self._lock:
            live = self.store.live()
            if live is None:
                if self.build_index is None:
                    raise IndexMissing("No index yet: run `advisor ingest` first.")
                log.info("No index yet: building it from %s", self.settings.corpus_dir)
                self.build_index(self.settings, self.embedder, self._client)
                live = self.store.live()
            self.embedder.load()
            self._use(open_index(self.store, live))
            self.backend(self.backend_name)
        self.ask("What does the guide cover?")  # warm-up: the first user is not the slow one
        return self

    def _use(self, index: LoadedIndex) -> None:
        self._serving = (index, Gate(index))
        self._index, self._gate = self._serving
        log.info("Serving index %s (%d chunks)", index.version.id, len(index.ids))
        corpus_words(index)  # names and words for verifying model answers: once per index version

    def refresh(self) -> bool:
        """Switch to the live index version if another process published a new one."""
        live = self.store.live()
        if live is None or (self._index and live.id == self._index.version.id):
            return False
        with self._lock:
            self._use(open_index(self.store, live))
        return True

    def backend(self, name: str):
        backend = self._backends.get(name)
        if backend is None:
            with _BACKEND_LOCK:  # concurrent first requests load a model once
                backend = self._backends.get(name)
                if backend is None:
                    backend = create_backend(name, self.settings)
                    backend.load()
                    self._backends[name] = backend
        return backend

    @property
    def index(self) -> LoadedIndex:
        if self._index is None:
            raise RuntimeError("Advisor not loaded: call load() or use Advisor.from_settings().")
        return self._index

    # answering
    def ask(self, question: str, history: list[dict] | None = None, backend: str | None = None) -> Answer:
        answer = None
        for kind, value in self.events(question, history, backend):
            if kind == "answer":
                answer = value
        return answer

    def stream(self, question: str, history: list[dict] | None = None, backend: str | None = None) -> Iterator[str]:
        for kind, value in self.events(question, history, backend):
            if kind == "delta":
                yield value

    def events(
        self, question: str, history: list[dict] | None = None, backend: str | None = None
    ) -> Iterator[tuple[str, object]]:
        """Yields ("delta", text) pieces, then ("answer", Answer). Raises InvalidInput first."""
        started = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        history = clean_history(history, self.settings.max_question_chars)
        index, gate = self._serving or (self.index, None)  # one read: a request keeps its version
        query = standalone_query(question, history, lambda q: bool(gate.distinctive_terms(q)))
        vector = self.embedder.encode_query(query)
        hits = self._search.search(index, query, self.settings.top_k, vector)
        retrieved = time.perf_counter()
        similarity = max((max(h.similarity, h.unit_similarity) for h in hits), default=0.0)
        decision = gate.decide(question if query == question else query, similarity)
        name = backend or self.backend_name
        if decision.route is Route.ANSWER:
            question_vector = None if query == question else self.embedder.encode_query(question)
            context = Context(question, query, hits, index, vector, history, question_vector)
            text, name = yield from self._generate(name, context)
            sources = [Source(id=h.id, title=h.title, section=h.section, text=h.text, score=h.score) for h in hits]
        else:
            text, sources = self._decline(decision), []
            yield "delta", text
        done = time.perf_counter()
        answer = Answer(
            answer=text,
            grounded=decision.grounded,
            backend=name,
            sources=sources,
            timings_ms=Timings(
                retrieve=round((retrieved - started) * 1000, 2),
                generate=round((done - retrieved) * 1000, 2),
                total=round((done - started) * 1000, 2),
            ),
        )
        log.info(
            "answered grounded=%s route=%s reason=%r backend=%s top=%.3f ms=%.1f",
            answer.grounded,
            decision.route.value,
            decision.reason,
            name,
            similarity,
            answer.timings_ms.total,
        )
        notify(
            self.observers,
            AnswerEvent(
                question, answer, similarity, backend or self.backend_name, decision.route.value, index.version.id
            ),
        )
        yield "answer", answer

    def _generate(self, name: str, context: Context):
        """Streams the backend's answer. A model's answer is then verified against its sources; when
        the model fails, times out or states what the sources do not, the final answer is the
        extractive one with a note (text already streamed is superseded by the final Answer)."""
        pieces: list[str] = []
        try:
            for piece in self.backend(name).stream(context):
                pieces.append(piece)
                yield "delta", piece
        except BackendError as exc:
            if name == "extractive":
                raise
            log.warning("backend %s failed (%s); answering extractively", name, exc)
            return (yield from self._fallback(context, pieces, f"The {name} model was unavailable"))
        text = "".join(pieces).strip()
        if name == "extractive":
            return text, name
        if not text:
            log.warning("backend %s gave an empty answer; answering extractively", name)
            return (yield from self._fallback(context, pieces, f"The {name} model gave no answer"))
        quoted = self.backend("extractive").compose(context)
        verdict = verify_answer(text, context, quoted, getattr(self.backend(name), "min_coverage", 0.0))
        if verdict.ok:
            return text, name
        log.warning(
            "backend %s answer rejected in %.2f ms (%s): %r", name, verdict.ms, "; ".join(verdict.problems), text[:300]
        )
        reason = (
            "left out what the sources say"
            if all(p.startswith("incomplete") for p in verdict.problems)
            else "stated things the sources do not"
        )
        return (yield from self._fallback(context, pieces, f"The {name} model's answer {reason}", quoted))

    def _fallback(self, context: Context, streamed: list[str], reason: str, text: str | None = None):
        text = self.backend("extractive").compose(context) if text is None else text
        note = f"_({reason}, so this answer is quoted from the sources.)_"
        yield "delta", ("\n\n" if streamed else "") + f"{note}\n\n{text}"
        return f"{note}\n\n{text}", "extractive"

    def _decline(self, decision: Decision) -> str:
        topics = self.topics()
        if decision.route is Route.SMALL_TALK:
            if decision.kind == "thanks":
                return f"You're welcome! Ask me anything else about {topics}."
            if decision.kind == "goodbye":
                return "Goodbye, and good luck with your career!"
            return (
                f"Hi! I'm Career Advisor. I answer questions about {topics} from my career guides, "
                "with the sources quoted: pay, what the job involves, skills, tools, certifications, "
                "portfolio projects, interviews and how to get started. What would you like to know?"
            )
        return (
            f"{REFUSAL} I can only answer questions about {topics}: for example pay, "
            "skills, tools, certifications, interviews or how to get into the role."
        )

    def topics(self) -> str:
        titles = sorted({r["title"] for r in self.index.records.values()})
        names = [t.removesuffix(" Career Guide").removesuffix(" Guide") + " careers" for t in titles][:4]
        return ", ".join(names) if names else "the careers in my guides"

    def starter_questions(self, n: int = 4) -> list[str]:
        """Section headings phrased as questions, in document order."""
        seen, out = set(), []
        for record in sorted(self.index.records.values(), key=lambda r: (r["source"], r["position"])):
            head = record["section"].split(" > ")[0]
            if head.endswith("?") and head not in seen:
                seen.add(head)
                out.append(head)
        return out[:n]

    def as_retriever(self, k: int = 4):
        """The hybrid search as a LangChain `BaseRetriever` over the live index (README, "LangChain")."""
        from advisor.core.retrieval import AdvisorRetriever

        return AdvisorRetriever(search=self._search, live=lambda: self.index, k=k)
