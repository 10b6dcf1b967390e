"""Hybrid retrieval: dense (Chroma) plus keyword (BM25, via bm25s), fused by reciprocal rank.

Dense finds paraphrases ("how much do they make" -> pay); BM25 finds exact names the small
embedding model blurs (CKA, dbt, 15-1252). Rank fusion needs no score calibration between them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from advisor.core import tuning
from advisor.core.embeddings import Embedder
from advisor.core.store import IndexStore, IndexVersion, VersionCollection
from advisor.core.text import tokens

log = logging.getLogger(__name__)

# One cutoff for every typo matcher (advisor/core/tuning.py says where its value came from).
TYPO_CUTOFF = tuning.TYPO_CUTOFF


@dataclass
class Hit:
    id: str
    title: str
    section: str
    text: str
    score: float  # fused rank score, higher is better
    similarity: float  # cosine similarity of query and chunk
    unit_similarity: float  # best cosine similarity of query and one sentence or list item of the chunk
    keyword: float  # BM25 score


@dataclass
class Unit:
    chunk_id: str
    position: int
    text: str


@dataclass
class LoadedIndex:
    """One index version held open: Chroma collection for dense search, BM25 and units in memory."""

    version: IndexVersion
    # A chromadb Collection, or anything with its .query/.get (tests/fakes.py). Any, not Collection:
    # pydantic resolves this annotation at run time when AdvisorRetriever holds a LoadedIndex.
    chunks: Any
    ids: list[str]
    records: dict[str, dict[str, Any]]
    bm25: Any  # bm25s.BM25 (untyped)
    units: dict[str, list[Unit]] = field(default_factory=dict)
    unit_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    vocabulary: frozenset[str] = frozenset()
    document_frequency: dict[str, int] = field(default_factory=dict)
    unit_matrix: np.ndarray | None = None  # all unit vectors, grouped by chunk in `ids` order
    unit_offsets: np.ndarray | None = None  # start row of each chunk's units in unit_matrix
    chunk_matrix: np.ndarray | None = None  # chunk vectors in `ids` order: dense search in memory
    _corrections: dict[tuple[str, float], str | None] = field(default_factory=dict)
    _by_first_letter: dict[str, list[str]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)  # row of each chunk id in `ids`

    def __post_init__(self) -> None:
        self.position = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        for word in sorted(self.vocabulary):  # built once, before any request thread reads it
            self._by_first_letter.setdefault(word[0], []).append(word)

    def spelled_as(self, token: str, cutoff: float = TYPO_CUTOFF) -> str | None:
        """The vocabulary word a typo ("certfication") misspells, or None: the most similar word
        with the same first letter (typos rarely change it; "average" is not a typo of "coverage"),
        ties to the alphabetically last, as difflib did. Cached: it runs per question."""
        key = (token, cutoff)
        if key not in self._corrections:
            found = process.extract(
                token,
                self._by_first_letter.get(token[:1], []),
                scorer=fuzz.ratio,
                score_cutoff=cutoff * 100,
                limit=None,
            )
            self._corrections[key] = max(((score, word) for word, score, _ in found), default=(0.0, None))[1]
        return self._corrections[key]

    def known_tokens(self, text: str) -> list[str]:
        """Query tokens mapped onto the index vocabulary, typos included."""
        out = []
        for t in tokens(text):
            if t not in self.vocabulary and len(t) >= 5:
                t = self.spelled_as(t) or t
            if t in self.vocabulary:
                out.append(t)
        return out

    def best_unit_similarity(self, vector: np.ndarray) -> np.ndarray:
        """Per chunk (in `ids` order), the best similarity of `vector` to one of its units."""
        if self.unit_matrix is None or self.unit_offsets is None or not len(self.unit_matrix):
            return np.zeros(len(self.ids), dtype=np.float32)
        best: np.ndarray = np.maximum.reduceat(self.unit_matrix @ vector, self.unit_offsets)
        return best

    def best_unit_similarity_among(self, positions: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """best_unit_similarity for the chunks at these positions (ascending) only: their rows are gathered,
        not the whole unit matrix read."""
        if self.unit_matrix is None or self.unit_offsets is None or not len(self.unit_matrix):
            return np.zeros(len(positions), dtype=np.float32)
        ends = np.append(self.unit_offsets[1:], len(self.unit_matrix))
        starts, counts = self.unit_offsets[positions], (ends - self.unit_offsets)[positions]
        firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        rows = np.repeat(starts - firsts, counts) + np.arange(int(counts.sum()))
        best: np.ndarray = np.maximum.reduceat(self.unit_matrix[rows] @ vector, firsts)
        return best

    def unit_similarity_of(self, chunk_id: str, vector: np.ndarray) -> float:
        """The best similarity of `vector` to one of one chunk's units (0.0 when it has none)."""
        rows = self.unit_vectors.get(chunk_id)
        return float((rows @ vector).max()) if rows is not None and len(rows) else 0.0


def open_index(store: IndexStore, version: IndexVersion) -> LoadedIndex:
    """Loads one version's records and vectors into memory; requests then never read the store."""
    import bm25s

    chunks, units = store.collections(version.id)
    if not isinstance(chunks, VersionCollection):
        log.info(
            "Index %s was built by an earlier release (collections per version): serving it as it is; "
            "the next `advisor ingest` moves it into shared collections without re-embedding",
            version.id,
        )
    # Chroma's result types are all Optional
    got: Any = chunks.get(include=["documents", "metadatas", "embeddings"])
    ids = list(got["ids"])
    records = {i: {"text": d, **m} for i, d, m in zip(ids, got["documents"], got["metadatas"])}
    chunk_matrix = _matrix(got["embeddings"], len(ids))
    if chunk_matrix.size:  # rows normalised once, so a dot product is Chroma's cosine similarity
        norms = np.linalg.norm(chunk_matrix, axis=1, keepdims=True)
        chunk_matrix /= np.where(norms == 0, 1.0, norms)
    del got
    corpus_tokens = [
        tokens(f"{records[i]['title']} {records[i]['section']} {records[i]['text']}") or ["_"] for i in ids
    ]
    bm25 = bm25s.BM25()
    bm25.index(corpus_tokens, show_progress=False)
    document_frequency: dict[str, int] = {}
    for doc in corpus_tokens:
        for t in set(doc):
            document_frequency[t] = document_frequency.get(t, 0) + 1
    del corpus_tokens

    got_units: Any = units.get(include=["documents", "metadatas", "embeddings"])
    unit_rows = _matrix(got_units["embeddings"], len(got_units["ids"]))
    by_chunk: dict[str, list[tuple[Unit, int]]] = {}
    for row, (text, meta) in enumerate(zip(got_units["documents"], got_units["metadatas"])):
        by_chunk.setdefault(meta["chunk_id"], []).append((Unit(meta["chunk_id"], meta["position"], text), row))
    del got_units
    dim = unit_rows.shape[1] if unit_rows.size else (chunk_matrix.shape[1] if chunk_matrix.size else 384)
    # One matrix, units grouped by chunk in `ids` order (a chunk without units gets one zero row);
    # each chunk's entry in unit_vectors is a view of its rows, so vectors are held once.
    order: list[int] = []
    counts: list[int] = []
    unit_map: dict[str, list[Unit]] = {}
    for chunk_id in ids:
        pairs = by_chunk.get(chunk_id)
        if pairs:
            pairs.sort(key=lambda p: p[0].position)
            unit_map[chunk_id] = [p[0] for p in pairs]
            order.extend(p[1] for p in pairs)
            counts.append(len(pairs))
        else:
            order.append(-1)
            counts.append(1)
    matrix = np.zeros((len(order), dim), dtype=np.float32)
    if unit_rows.size:
        taken = np.asarray(order, dtype=np.int64)
        present = taken >= 0
        matrix[present] = unit_rows[taken[present]]
    del unit_rows
    offsets = np.cumsum([0] + counts[:-1]) if counts else np.zeros(0, dtype=int)
    vector_map = {
        chunk_id: matrix[start : start + count]
        for chunk_id, start, count in zip(ids, offsets, counts)
        if chunk_id in unit_map
    }
    loaded = LoadedIndex(
        version,
        chunks,
        ids,
        records,
        bm25,
        unit_map,
        vector_map,
        frozenset(document_frequency),
        document_frequency,
        matrix,
        offsets,
        chunk_matrix=chunk_matrix,
    )
    release_freed_memory()
    return loaded


def release_freed_memory() -> None:
    """Hands the heap freed after loading (the store's result lists, ~2x the vectors) back to the
    system: glibc keeps it otherwise, and a server's resident memory stays at its loading peak.
    Measured at 50 guides: 280 -> 213 MB for opening the index (issue #13)."""
    import contextlib
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError, TypeError):  # not glibc (macOS, musl): nothing to do
        ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)


def _matrix(vectors: Any, rows: int) -> np.ndarray:
    if vectors is None or rows == 0:
        return np.zeros((0, 0), dtype=np.float32)
    return np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(rows, -1))


class HybridSearch:
    """Dense + BM25 over one loaded index version."""

    def __init__(self, embedder: Embedder, candidates: int = 12, rrf_k: int = 60):
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k

    def search(self, index: LoadedIndex, query: str, k: int = 4, query_vector: np.ndarray | None = None) -> list[Hit]:
        if not index.ids:
            return []
        n = min(max(self.candidates, k), len(index.ids))  # a retriever asked for more than 12 gets them
        vector = self.embedder.encode_query(query) if query_vector is None else query_vector
        sims = self._chunk_similarities(index, vector)  # read by both rankings below
        dense_ids, similarity = self._dense(index, vector, n, sims)
        unit_best = self._unit_ranking(index, vector, n, sims)
        unit_ids = list(unit_best)

        query_tokens = index.known_tokens(query)
        keyword: dict[str, float] = {}
        if query_tokens:
            scores = index.bm25.get_scores(query_tokens)
            top = np.argsort(-scores)[:n]
            floor = 0.2 * float(scores[top[0]])  # matches on common words alone are noise
            keyword = {index.ids[i]: float(scores[i]) for i in top if scores[i] > 0 and scores[i] >= floor}

        fused: dict[str, float] = {}
        for ranking in (dense_ids, unit_ids, sorted(keyword, key=lambda i: keyword[i], reverse=True)):
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        best = sorted(fused, key=lambda i: fused[i], reverse=True)[:k]
        hits = []
        for chunk_id in best:
            record = index.records[chunk_id]
            sim = similarity.get(chunk_id)
            if sim is None:
                sim = float(np.dot(vector, self._chunk_vector(index, chunk_id)))
            hits.append(
                Hit(
                    chunk_id,
                    record["title"],
                    record["section"],
                    record["text"],
                    round(fused[chunk_id], 5),
                    round(float(sim), 4),
                    round(
                        unit_best[chunk_id] if chunk_id in unit_best else index.unit_similarity_of(chunk_id, vector), 4
                    ),
                    round(keyword.get(chunk_id, 0.0), 4),
                )
            )
        return hits

    @staticmethod
    def _chunk_similarities(index: LoadedIndex, vector: np.ndarray) -> np.ndarray | None:
        """Cosine similarity of every loaded chunk to the query (rows are normalised at load); None when the
        chunk vectors are not loaded."""
        matrix = index.chunk_matrix
        if matrix is None or matrix.shape[0] != len(index.ids):
            return None
        norm = float(np.linalg.norm(vector)) or 1.0
        sims: np.ndarray = matrix @ (np.asarray(vector, dtype=np.float32) / norm)
        return sims

    @staticmethod
    def _unit_ranking(index: LoadedIndex, vector: np.ndarray, n: int, sims: np.ndarray | None) -> dict[str, float]:
        """The n chunks with the best unit similarity, best first, with it: over every unit of a small
        knowledge base (over tuning.UNIT_SEARCH_CHUNKS chunks), over the units of the
        tuning.UNIT_SHORTLIST chunks closest to the query in a large one (all 89,000 units of 500 guides were
        one 137 MB matrix product a question, ~12 ms; issue #13)."""
        if len(index.ids) <= tuning.UNIT_SEARCH_CHUNKS or sims is None:
            best = index.best_unit_similarity(vector)
            positions = np.arange(len(index.ids))
        else:
            positions = np.sort(np.argpartition(-sims, tuning.UNIT_SHORTLIST)[: tuning.UNIT_SHORTLIST])
            best = index.best_unit_similarity_among(positions, vector)
        return {index.ids[positions[i]]: float(best[i]) for i in np.argsort(-best)[:n]}

    @staticmethod
    def _dense(
        index: LoadedIndex, vector: np.ndarray, n: int, sims: np.ndarray | None
    ) -> tuple[list[str], dict[str, float]]:
        """The n chunks of highest cosine similarity (`sims`, from _chunk_similarities), ties by id (as
        Chroma's exact search orders them): one matrix product over the loaded chunk vectors, ~0.5 ms at
        14k chunks, where a Chroma query over shared collections would also need a filter to the live
        version."""
        if sims is None:
            dense: Any = index.chunks.query(query_embeddings=[vector.tolist()], n_results=n, include=["distances"])
            return dense["ids"][0], {i: 1.0 - d for i, d in zip(dense["ids"][0], dense["distances"][0])}
        if n < len(sims):
            kth = np.partition(sims, len(sims) - n)[len(sims) - n]
            candidates = np.flatnonzero(sims >= kth)
        else:
            candidates = np.arange(len(sims))
        ranked = sorted(candidates.tolist(), key=lambda r: (-float(sims[r]), index.ids[r]))[:n]
        return [index.ids[r] for r in ranked], {index.ids[r]: float(sims[r]) for r in ranked}

    @staticmethod
    def _chunk_vector(index: LoadedIndex, chunk_id: str) -> np.ndarray:
        if index.chunk_matrix is not None and index.chunk_matrix.shape[0] == len(index.ids):
            return np.asarray(index.chunk_matrix[index.position[chunk_id]], dtype=np.float32)
        got: Any = index.chunks.get(ids=[chunk_id], include=["embeddings"])
        return np.asarray(got["embeddings"][0], dtype=np.float32)


_HEADINGS_LOCK = threading.Lock()
_HEADINGS: dict[int, tuple[Any, np.ndarray]] = {}  # id(content model) -> (the model, its heading matrix)


def best_heading_similarity(content: Any, vector: np.ndarray) -> float:
    """max(part.heading_vector @ vector) over a content model's parts (0.0 if none has one): one matrix
    product over the heading vectors, stacked once per content model (a Python loop over every part was
    the cost that grew with the number of guides, issue #13). Keeps the last two models (live + previous)."""
    entry = _HEADINGS.get(id(content))
    if entry is None or entry[0] is not content:
        with _HEADINGS_LOCK:
            rows = [p.heading_vector for p in content.parts if p.heading_vector is not None]
            matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, len(vector)), dtype=np.float32)
            while len(_HEADINGS) >= 2:
                _HEADINGS.pop(next(iter(_HEADINGS)))
            entry = _HEADINGS[id(content)] = (content, matrix)
    matrix = entry[1]
    return float((matrix @ vector).max()) if len(matrix) else 0.0
