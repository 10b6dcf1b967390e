"""Fast fakes for unit tests: no model, no Chroma, no network, milliseconds per test.

The way Haystack ships `MockTextEmbedder` and httpx `MockTransport`: the real code runs, only the
heavy parts underneath are swapped.

    from tests.fakes import FakeEmbedder, FakeChromaClient, build_index, fake_advisor

- `FakeEmbedder()`: same interface as `advisor.core.embeddings.Embedder` (a subclass): `load()`,
  `loaded`, `encode(texts, progress)`, `encode_query(text)`, `embed_documents`, `embed_query`,
  `clear_cache`. Vectors are a deterministic hashed bag of words over `advisor.core.text.tokens`
  (384-d, L2-normalised, float32): texts sharing content words are similar, others are ~0; an
  empty or all-stopword text is the zero vector. No synonyms: "pay" is not near "salary".
- `FakeChromaClient()`: an in-memory stand-in for a chromadb client, enough for
  `advisor.core.store.IndexStore` (create/get/get_or_create/delete/list collections, the
  registry's metadata and `modify`) and for `open_index`/`HybridSearch` (`collection.get`,
  `collection.query` with cosine distances, `upsert`, `count`).
- `build_index(markdowns, embedder=None, client=None) -> LoadedIndex`: chunks each Markdown string
  with the real `ingest.chunking.Chunker`, embeds chunks and answer units like the real indexer,
  publishes a version in a `FakeChromaClient` and opens it with the real `open_index`. Each string
  is one document; its `# Title` line is its title (else "Guide N"). `index.version.id` hashes the
  content, so caches keyed by version (verify.corpus_words) never mix two fake indexes.
- `fake_advisor(markdowns, **settings) -> Advisor`: a loaded `advisor.core.pipeline.Advisor` over
  `build_index(...)` with the extractive backend and a throwaway data folder.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from advisor.core.embeddings import Embedder
from advisor.core.retrieval import LoadedIndex, open_index
from advisor.core.store import IndexStore, IndexVersion
from advisor.core.text import tokens

DIM = 384  # the bundled all-MiniLM-L6-v2's width, so shapes match the real index


@functools.lru_cache(maxsize=65536)
def hashed_vector(text: str, dim: int = DIM) -> np.ndarray:
    """A normalised bag of content tokens, each hashed (sha1, stable across runs) to one signed slot.
    Cached (read-only): the 60-odd fake advisors of the unit run embed the same guide texts again."""
    vector = np.zeros(dim, dtype=np.float32)
    for token in tokens(text):
        digest = hashlib.sha1(token.encode("utf-8")).digest()
        slot = int.from_bytes(digest[:4], "little") % dim
        vector[slot] += 1.0 if digest[4] & 1 else -1.0
    norm = float(np.linalg.norm(vector))
    vector = vector / norm if norm else vector
    vector.flags.writeable = False
    return vector


class FakeEmbedder(Embedder):
    """Deterministic hashed bag-of-words vectors instead of the model; loads in no time."""

    name = "fake-hashed-bow"

    def __init__(self, dim: int = DIM, batch_size: int = 32, cache_size: int = 2048):
        super().__init__(model_path=None, batch_size=batch_size, cache_size=cache_size)
        self.dim = dim
        self.calls = 0  # texts encoded, for tests that assert caching or laziness
        self.batches = 0  # model calls, for tests that assert batching

    def load(self) -> FakeEmbedder:
        self._model = True  # type: ignore[assignment]  # marks `loaded`; nothing to load
        return self

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.load()
        self.calls += len(texts)
        self.batches += 1
        if progress:
            progress(len(texts))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([hashed_vector(t, self.dim) for t in texts]).astype(np.float32)


class FakeNotFound(ValueError):
    """What chromadb raises for a missing collection (its NotFoundError is a ValueError too)."""


class FakeCollection:
    """One Chroma collection in memory: ids, documents, metadatas, embeddings; cosine distance."""

    def __init__(self, name: str, metadata: dict[str, Any] | None = None):
        self.name = name
        self.metadata = metadata
        self._rows: dict[str, tuple[str | None, dict[str, Any] | None, np.ndarray | None]] = {}

    def count(self) -> int:
        return len(self._rows)

    def modify(self, name: str | None = None, metadata: dict[str, Any] | None = None, **_: Any) -> None:
        if name is not None:
            self.name = name
        if metadata is not None:
            self.metadata = metadata

    def upsert(
        self,
        ids: Sequence[str],
        documents: Sequence[str] | None = None,
        metadatas: Sequence[dict[str, Any]] | None = None,
        embeddings: Sequence[Any] | None = None,
    ) -> None:
        for n, id_ in enumerate(ids):
            for value in (metadatas[n] if metadatas else {}).values():
                if value is None:
                    raise ValueError("Chroma metadata values may not be None")  # as chromadb 1.5
            self._rows[id_] = (
                documents[n] if documents is not None else None,
                dict(metadatas[n]) if metadatas is not None else None,
                np.asarray(embeddings[n], dtype=np.float32) if embeddings is not None else None,
            )

    add = upsert  # the real `add` ignores duplicate ids; tests here never rely on that

    def delete(self, ids: Sequence[str]) -> None:
        for id_ in ids:
            self._rows.pop(id_, None)

    def get(self, ids: Sequence[str] | None = None, include: Sequence[str] = ("documents", "metadatas")) -> dict:
        chosen = [i for i in ids if i in self._rows] if ids is not None else list(self._rows)
        return self._result(chosen, include)

    def query(
        self,
        query_embeddings: Sequence[Sequence[float]],
        n_results: int = 10,
        include: Sequence[str] = ("documents", "metadatas", "distances"),
    ) -> dict:
        ids = [i for i, row in self._rows.items() if row[2] is not None]
        matrix = np.vstack([self._rows[i][2] for i in ids]) if ids else np.zeros((0, DIM), dtype=np.float32)
        out: dict[str, list] = {"ids": []}
        for key in include:
            out[key] = []
        for query in query_embeddings:
            q = np.asarray(query, dtype=np.float32)
            norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(q) or 1.0)
            similarity = (matrix @ q) / np.where(norms == 0, 1.0, norms)
            order = sorted(range(len(ids)), key=lambda r: (-similarity[r], ids[r]))[:n_results]
            chosen = [ids[r] for r in order]
            out["ids"].append(chosen)
            part = self._result(chosen, [k for k in include if k != "distances"])
            for key in include:
                if key == "distances":
                    out[key].append([float(1.0 - similarity[r]) for r in order])
                else:
                    out[key].append(part[key])
        return out

    def _result(self, ids: list[str], include: Sequence[str]) -> dict:
        out: dict[str, Any] = {"ids": ids}
        if "documents" in include:
            out["documents"] = [self._rows[i][0] for i in ids]
        if "metadatas" in include:
            out["metadatas"] = [self._rows[i][1] for i in ids]
        if "embeddings" in include:  # chromadb 1.5 returns one numpy array
            rows = [self._rows[i][2] for i in ids]
            out["embeddings"] = np.vstack(rows) if rows else np.zeros((0, DIM), dtype=np.float32)
        return out


class FakeChromaClient:
    """The slice of chromadb's client API that IndexStore and the indexer use."""

    def __init__(self) -> None:
        self._collections: dict[str, FakeCollection] = {}

    def create_collection(self, name: str, metadata: dict | None = None, **_: Any) -> FakeCollection:
        if name in self._collections:
            raise ValueError(f"Collection {name} already exists")
        self._collections[name] = FakeCollection(name, metadata)
        return self._collections[name]

    def get_collection(self, name: str, **_: Any) -> FakeCollection:
        if name not in self._collections:
            raise FakeNotFound(f"Collection [{name}] does not exist")
        return self._collections[name]

    def get_or_create_collection(self, name: str, metadata: dict | None = None, **_: Any) -> FakeCollection:
        return self._collections.get(name) or self.create_collection(name, metadata)

    def delete_collection(self, name: str) -> None:
        if self._collections.pop(name, None) is None:
            raise FakeNotFound(f"Collection [{name}] does not exist")

    def list_collections(self) -> list[FakeCollection]:
        return list(self._collections.values())


def _title(markdown: str, n: int) -> str:
    match = re.search(r"^#\s+(.+)$", markdown, re.M)
    return match.group(1).strip() if match else f"Guide {n}"


def build_index(
    markdowns: Iterable[str],
    embedder: Embedder | None = None,
    client: FakeChromaClient | None = None,
    chunk_size: int = 900,
    prefix: str = "advisor",
) -> LoadedIndex:
    """A LoadedIndex over `markdowns` (one document each), built like `ingest.indexer` builds one."""
    from ingest.chunking import Chunker
    from ingest.indexer import _units
    from ingest.loaders import LoadedDocument, split_front_matter

    embedder = embedder or FakeEmbedder()
    client = client or FakeChromaClient()
    store = IndexStore(client, prefix)
    chunker = Chunker(chunk_size=chunk_size)
    documents = list(markdowns)
    loaded = []
    for n, text in enumerate(documents, 1):
        meta, body = split_front_matter(text)  # as the real loader reads it ("also_called: DBA")
        loaded.append(LoadedDocument(f"guide-{n}.md", meta.get("title") or _title(body, n), body, meta))
    chunks = [chunk for document in loaded for chunk in chunker.split(document)]
    units = _units(chunks)
    digest = hashlib.sha256("\n".join([embedder.name, *(c.id for c in chunks)]).encode()).hexdigest()[:16]
    version = IndexVersion(
        id=f"fake-{digest}",
        created="2026-01-01T00:00:00+00:00",
        corpus_hash=digest,
        chunks=len(chunks),
        units=len(units),
        embedding_model=embedder.name,
        sources=[f"guide-{n}.md" for n in range(1, len(documents) + 1)],
    )
    chunk_collection, unit_collection = store.create_collections(version.id)
    if chunks:
        chunk_collection.upsert(
            ids=[c.id for c in chunks],
            documents=[c.text for c in chunks],
            metadatas=[{**c.metadata(), "units": len(c.units)} for c in chunks],
            embeddings=list(embedder.encode([c.embed_text for c in chunks])),
        )
    if units:
        unit_collection.upsert(
            ids=[u[0] for u in units],
            documents=[u[3] for u in units],
            metadatas=[{"chunk_id": u[1], "position": u[2]} for u in units],
            embeddings=list(embedder.encode([u[4] for u in units])),
        )
    store.publish(version)
    return open_index(store, version)


# One folder for every fake advisor's data, removed when the test process exits (a folder per
# advisor under /tmp was left behind by every unit run).
_THROWAWAY = tempfile.TemporaryDirectory(prefix="advisor-unit-")


def fake_advisor(markdowns: Iterable[str], embedder: Embedder | None = None, **settings: Any):
    """A loaded core Advisor (extractive backend) over an in-memory index of `markdowns`."""
    from advisor.core.pipeline import Advisor
    from advisor.core.settings import Settings

    embedder = embedder or FakeEmbedder()
    client = FakeChromaClient()
    build_index(markdowns, embedder, client)
    settings.setdefault("data_dir", Path(tempfile.mkdtemp(dir=_THROWAWAY.name)))
    settings.setdefault("backend", "extractive")
    settings.setdefault("question_log_days", 0)
    return Advisor(Settings(**settings), embedder=embedder, client=client).load()


def talk(advisor, *turns):
    """Asks the turns in order, each with the conversation so far as history, like the chat; the last answer."""
    history, answer = [], None
    for turn in turns:
        answer = advisor.ask(turn, history)
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": answer.answer}]
    return answer
