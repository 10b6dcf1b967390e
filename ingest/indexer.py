"""Build a new index version beside the live one, then switch to it in one write.

Incremental: ids are content hashes and records live once in shared collections
(advisor/core/store.py), so a new version embeds and writes only chunks and answer units no published
version holds; the rest it lists as members. Chunks of changed or deleted files simply are not listed,
and are deleted when the last version holding them is dropped.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from advisor.core.embeddings import Embedder
from advisor.core.errors import IngestError
from advisor.core.settings import Settings, get_settings
from advisor.core.store import MAX_BATCH, IndexStore, IndexVersion, open_client

from .chunking import Chunk, Chunker, content_id
from .loaders import Skipped, discover, load_file

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    version: str
    files: int
    chunks: int
    units: int
    embedded: int = 0
    reused: int = 0
    removed: int = 0
    up_to_date: bool = False
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0  # time inside the embedding model, to compare ingest with raw encoding
    units_embedded: int = 0

    def summary(self) -> str:
        if self.up_to_date:
            return (
                f"Index {self.version} is up to date: {self.files} files, {self.chunks} chunks ({self.seconds:.2f} s)."
            )
        return (
            f"Index {self.version} is live: {self.files} files, {self.chunks} chunks, {self.units} answer units; "
            f"embedded {self.embedded}, reused {self.reused}, removed {self.removed} chunks "
            f"({self.seconds:.1f} s)."
        )


def _source_name(file: Path, root: Path) -> str:
    base = root.parent if root.is_dir() else root.parent
    try:
        return str(file.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(file.resolve())


class Indexer:
    """Light constructor; the embedding model is loaded only if something needs embedding."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        client=None,
        progress: bool = True,
        keep_versions: int = 3,
    ):
        self.settings = settings or get_settings()
        self.embedder = embedder or Embedder()
        self._client = client
        self.progress = progress
        self.keep_versions = keep_versions

    @property
    def store(self) -> IndexStore:
        if self._client is None:
            self._client = open_client(self.settings)
        return IndexStore(self._client, self.settings.collection_prefix)

    def run(self, paths: list[str | Path] | None = None, rebuild: bool = False) -> IngestReport:
        started = time.perf_counter()
        with self._lock():
            store = self.store
            live = store.live()
            roots = self._roots(paths, rebuild, live)
            chunks, files, skipped = self._load(roots)
            if not chunks:
                raise IngestError(
                    "No text to index in "
                    + ", ".join(map(str, roots))
                    + ". Add Markdown, text, HTML or PDF files and run ingest again; "
                    + ("the previous index stays live." if live else "there is no index yet.")
                )
            units = _units(chunks)  # once: units are cut from each chunk's text on every access
            ids = sorted(c.id for c in chunks) + sorted(u[0] for u in units)
            corpus_hash = hashlib.sha256("\n".join([Embedder.name, *ids]).encode()).hexdigest()[:16]
            if live and live.corpus_hash == corpus_hash and not rebuild:
                self._clean_orphans(store)
                return IngestReport(
                    live.id,
                    files,
                    len(chunks),
                    live.units,
                    up_to_date=True,
                    skipped=skipped,
                    seconds=time.perf_counter() - started,
                )
            report = self._build(store, live, chunks, units, files, skipped, corpus_hash, roots, rebuild)
            report.seconds = time.perf_counter() - started
            log.info(report.summary())
            return report

    # steps
    def _roots(self, paths, rebuild: bool, live: IndexVersion | None) -> list[Path]:
        given = [Path(p).expanduser().resolve() for p in paths or []]
        missing = [str(p) for p in given if not p.exists()]
        if missing:
            raise IngestError(
                f"No such file or folder: {', '.join(missing)}. Check the path and run ingest again; nothing was changed."
            )
        if given and rebuild:
            return given
        known = [Path(s) for s in (live.sources if live else [])]
        roots = known + [p for p in given if p not in known]
        return roots or [Path(self.settings.corpus_dir).resolve()]

    def _load(self, roots: list[Path]) -> tuple[list[Chunk], int, list[Skipped]]:
        chunker = Chunker(self.settings.chunk_size, self.settings.chunk_overlap)
        chunks: list[Chunk] = []
        loaded = 0
        files, skipped = discover(roots)
        for file in files:
            try:
                doc = load_file(file)
            except (ValueError, OSError) as exc:
                skipped.append(Skipped(str(file), str(exc)))
                continue
            root = next((r for r in roots if r == file or r in file.parents), file)
            doc.source = _source_name(file, root)
            chunks.extend(chunker.split(doc))
            loaded += 1
        for s in skipped:
            log.warning("Skipped %s: %s", s.path, s.reason)
        unique: dict[str, Chunk] = {}
        for c in chunks:
            unique.setdefault(c.id, c)  # the first of each id, in order
        return list(unique.values()), loaded, skipped

    def _build(
        self, store: IndexStore, live, chunks, units, files, skipped, corpus_hash, roots, rebuild
    ) -> IngestReport:
        version = datetime.now(UTC).strftime("v%Y%m%d-%H%M%S-%f")
        self._clean_orphans(store)
        chunk_ids, unit_ids = [c.id for c in chunks], [u[0] for u in units]
        # Records a published version holds are in the shared collections: only the rest is written.
        have_chunks, have_units = store.present() if not rebuild else (set(), set())
        old_chunks, old_units = {}, {}
        if not rebuild:
            old_chunks = self._old_vectors(store, live, "chunks", [i for i in chunk_ids if i not in have_chunks])
            old_units = self._old_vectors(store, live, "units", [i for i in unit_ids if i not in have_units])
        if old_chunks or old_units:
            log.info(
                "Index %s was built before shared collections: moving its %d chunk and %d unit vectors "
                "into them once (no re-embedding)",
                live.id,
                len(old_chunks),
                len(old_units),
            )
        chunk_new = [c for c in chunks if c.id not in have_chunks]
        unit_new = [u for u in units if u[0] not in have_units]
        chunk_todo = [c for c in chunk_new if c.id not in old_chunks]
        unit_todo = [u for u in unit_new if u[0] not in old_units]
        if chunk_todo or unit_todo:
            self.embedder.load()  # before the bar starts, so the bar shows embedding speed, not model loading
        # The member list is written first: a crash from here on leaves an orphan the next ingest drops.
        new_chunks, new_units = store.create_collections(version, chunk_ids, unit_ids)
        embed_seconds = 0.0
        try:
            bar = tqdm(
                total=len(chunk_todo) + len(unit_todo),
                desc="Embedding",
                unit="text",
                disable=not self.progress or not (chunk_todo or unit_todo),
                leave=False,
            )
            with bar:
                vectors = dict(old_chunks)
                started = time.perf_counter()
                if chunk_todo:
                    vectors.update(
                        zip([c.id for c in chunk_todo], self._encode([c.embed_text for c in chunk_todo], bar))
                    )
                unit_vectors = dict(old_units)
                if unit_todo:
                    unit_vectors.update(zip([u[0] for u in unit_todo], self._encode([u[4] for u in unit_todo], bar)))
                embed_seconds = time.perf_counter() - started
            if chunk_new:
                new_chunks.upsert(
                    ids=[c.id for c in chunk_new],
                    documents=[c.text for c in chunk_new],
                    metadatas=[{**c.metadata(), "units": len(c.units)} for c in chunk_new],
                    embeddings=np.asarray([vectors[c.id] for c in chunk_new], dtype=np.float32),
                )
            if unit_new:
                new_units.upsert(
                    ids=[u[0] for u in unit_new],
                    documents=[u[3] for u in unit_new],
                    metadatas=[{"chunk_id": u[1], "position": u[2]} for u in unit_new],
                    embeddings=np.asarray([unit_vectors[u[0]] for u in unit_new], dtype=np.float32),
                )
            info = IndexVersion(
                id=version,
                created=datetime.now(UTC).isoformat(timespec="seconds"),
                corpus_hash=corpus_hash,
                chunks=len(chunks),
                units=len(units),
                embedding_model=self.embedder.name,
                sources=[str(r) for r in roots],
            )
            dropped = store.publish(info, keep=self.keep_versions)
        except BaseException:
            store.drop_collections(version)
            raise
        # After the switch, outside the try: a failure here must not drop the new live version; what it
        # leaves (a member list no registered version owns) is an orphan the next ingest drops.
        for old in dropped:
            store.drop_collections(old)
        kept = set(chunk_ids)
        live_chunks = (store.members(live.id) or ([],))[0] if live and not rebuild else []
        removed = sum(1 for i in live_chunks if i not in kept)
        return IngestReport(
            version,
            files,
            len(chunks),
            len(units),
            embedded=len(chunk_todo),
            reused=len(chunks) - len(chunk_todo),
            removed=removed,
            skipped=skipped,
            embed_seconds=embed_seconds,
            units_embedded=len(unit_todo),
        )

    def _encode(self, texts: list[str], bar) -> list[np.ndarray]:
        """Texts encoded longest first, so each batch pads to similar lengths; results in input order."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        encoded = self.embedder.encode([texts[i] for i in order], bar.update)
        out: list[np.ndarray] = [None] * len(texts)  # type: ignore[list-item]
        for row, i in enumerate(order):
            out[i] = encoded[row]
        return out

    def _old_vectors(self, store: IndexStore, live, kind: str, ids: list[str]) -> dict:
        """Vectors of a live version built before shared collections, to move them instead of re-embedding."""
        if live is None or not ids or store.members(live.id) is not None:
            return {}
        try:
            chunks, units = store.collections(live.id)
        except Exception:  # noqa: BLE001  # live collections unreadable: embed everything again, lose nothing
            return {}
        collection = chunks if kind == "chunks" else units
        found: dict[str, Any] = {}
        for i in range(0, len(ids), MAX_BATCH):
            got: Any = collection.get(ids=ids[i : i + MAX_BATCH], include=["embeddings"])
            found.update(zip(got["ids"], got["embeddings"]))
        return found

    def _clean_orphans(self, store: IndexStore) -> None:
        """Collections of an ingest that died before publishing; safe to drop while we hold the lock."""
        if self.settings.chroma_url:
            cutoff = datetime.now(UTC).strftime("v%Y%m%d-%H%M%S")
            orphans = [v for v in store.orphans() if v < cutoff and _age_hours(v) >= 1]
        else:
            orphans = store.orphans()
        for version in orphans:
            log.info("Dropping unfinished index build %s", version)
            store.drop_collections(version)

    @contextmanager
    def _lock(self):
        """One ingest at a time per data folder (the embedded store is single-writer)."""
        Path(self.settings.data_dir).mkdir(parents=True, exist_ok=True)
        with open(Path(self.settings.data_dir) / ".ingest.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IngestError("Another ingest is running on this data folder; wait for it to finish.") from None
            yield


def _units(chunks: list[Chunk]) -> list[tuple[str, str, int, str, str]]:
    """(id, chunk id, position, text, text to embed); the id hashes what is embedded, so a change in
    how units are embedded is never served with stale vectors."""
    return [
        (content_id(c.id, str(i), embed), c.id, i, text, embed)
        for c in chunks
        for i, (text, embed) in enumerate(zip(c.units, c.unit_embed_texts))
    ]


def _age_hours(version: str) -> float:
    try:
        built = datetime.strptime(version[:16], "v%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return 0.0
    return (datetime.now(UTC) - built).total_seconds() / 3600
