"""Where the index lives: an embedded Chroma store or a Chroma server, plus the version registry.

Layout: one shared chunks collection and one shared units collection hold every record once, keyed
by content id (ingest/chunking.py `content_id`), so a new version adds only what changed. Each
version's member ids live in a small collection of its own (`<prefix>-members-<version>`, ids in its
metadata), written before any record it adds; the registry's `live` pointer flips in one write.
Readers load only the live version's members, so records a newer (or half-built) version added are
never seen. Dropping a version deletes the records no other version (published or still building)
uses: garbage collection by reference, no scan of the whole store.

Indexes built before this layout (a pair of collections per version, `<prefix>-chunks-<version>`)
keep working: they are read as they are, and the next ingest moves their vectors into the shared
collections once (no re-embedding) and drops them with the version.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlparse

import numpy as np

from advisor.core.errors import VersionNotFound

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from advisor.core.settings import Settings

log = logging.getLogger(__name__)

MAX_BATCH = 5000  # Chroma rejects batches above 5,461
ID_PART = 1_000_000  # characters of ids per metadata value: a version's 100k ids are ~3.3 MB, kept in parts
# The shared collections are searched in memory (advisor/core/retrieval.py), never through Chroma's
# HNSW graph, so the graph is built cheaply: upserting 20k vectors took 17.2 s with Chroma's defaults
# (ef_construction 100, max_neighbors 16) and 4.8 s with these, measured here (issue #13).
SHARED_HNSW = {"space": "cosine", "ef_construction": 8, "max_neighbors": 4}


@dataclass
class IndexVersion:
    id: str
    created: str
    corpus_hash: str
    chunks: int
    units: int
    embedding_model: str
    sources: list[str] = field(default_factory=list)


def chroma_address(url: str) -> tuple[str, int, bool]:
    """(host, port, https) of a Chroma server URL; "host:port" without a scheme means http."""
    parsed = urlparse(url if "//" in url else f"http://{url}")
    return parsed.hostname or "127.0.0.1", parsed.port or 8000, parsed.scheme == "https"


def open_client(settings: Settings) -> ClientAPI:
    """Embedded PersistentClient by default; HttpClient when ADVISOR_CHROMA_URL is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        host, port, ssl = chroma_address(settings.chroma_url)
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def _pack(ids: Sequence[str], key: str) -> dict[str, str | int]:
    text = ",".join(ids)
    parts = [text[i : i + ID_PART] for i in range(0, len(text), ID_PART)] or [""]
    return {f"{key}.{n}": part for n, part in enumerate(parts)} | {f"{key}.parts": len(parts)}


def _unpack(meta: dict[str, Any], key: str) -> list[str]:
    text = "".join(str(meta.get(f"{key}.{n}", "")) for n in range(int(meta.get(f"{key}.parts", 0) or 0)))
    return text.split(",") if text else []


def _name(collection: Any) -> str:
    return collection if isinstance(collection, str) else collection.name


class VersionCollection:
    """One version's view of a shared collection: reads see only the version's members (in the order
    they were added); writes go to the shared collection and make the ids members first."""

    def __init__(self, store: IndexStore, shared: Collection, version: str, kind: str, members: list[str]):
        self.store, self.shared, self.version, self.kind = store, shared, version, kind
        self.members = members
        self._known = set(members)

    def count(self) -> int:
        return len(self.members)

    def upsert(
        self,
        ids: Sequence[str],
        documents: Sequence[str] | None = None,
        metadatas: Sequence[dict[str, Any]] | None = None,
        embeddings: Any = None,
    ) -> None:
        new = [i for i in dict.fromkeys(ids) if i not in self._known]
        if new:  # members before records: a record is never in the store without a version holding it
            self.members.extend(new)
            self._known.update(new)
            self.store._save_members(self.version, self.kind, self.members)
        for i in range(0, len(ids), MAX_BATCH):
            part = slice(i, i + MAX_BATCH)
            self.shared.upsert(
                ids=list(ids[part]),
                documents=list(documents[part]) if documents is not None else None,
                metadatas=list(metadatas[part]) if metadatas is not None else None,
                embeddings=embeddings[part] if embeddings is not None else None,
            )

    def get(
        self, ids: Sequence[str] | None = None, include: Sequence[str] = ("documents", "metadatas")
    ) -> dict[str, Any]:
        wanted = self.members if ids is None else [i for i in ids if i in self._known]
        return _get_many(self.shared, wanted, include)


def _get_many(collection: Any, ids: Sequence[str], include: Sequence[str]) -> dict[str, Any]:
    """`collection.get(ids=...)` in batches Chroma accepts, results in the order of `ids`."""
    rows: dict[str, tuple[Any, Any, Any]] = {}
    for i in range(0, len(ids), MAX_BATCH):
        got: Any = collection.get(ids=list(ids[i : i + MAX_BATCH]), include=list(include))
        docs = got.get("documents") if "documents" in include else None
        metas = got.get("metadatas") if "metadatas" in include else None
        vectors = got.get("embeddings") if "embeddings" in include else None
        for n, id_ in enumerate(got["ids"]):
            rows[id_] = (
                docs[n] if docs is not None else None,
                metas[n] if metas is not None else None,
                vectors[n] if vectors is not None else None,
            )
    present = [i for i in ids if i in rows]
    out: dict[str, Any] = {"ids": present}
    if "documents" in include:
        out["documents"] = [rows[i][0] for i in present]
    if "metadatas" in include:
        out["metadatas"] = [rows[i][1] for i in present]
    if "embeddings" in include:
        vectors = [rows[i][2] for i in present]
        out["embeddings"] = np.asarray(vectors, dtype=np.float32) if vectors else np.zeros((0, 0), dtype=np.float32)
    return out


class IndexStore:
    """The shared record collections, each version's member ids, and the registry of versions with the
    live pointer."""

    def __init__(self, client: ClientAPI, prefix: str = "advisor"):
        self.client = client
        self.prefix = prefix

    # collection names
    def shared_name(self, kind: str) -> str:
        return f"{self.prefix}-content-{kind}"

    def members_name(self, version: str) -> str:
        return f"{self.prefix}-members-{version}"

    def chunks_name(self, version: str) -> str:
        """The chunks collection of one version in the layout before shared collections."""
        return f"{self.prefix}-chunks-{version}"

    def units_name(self, version: str) -> str:
        return f"{self.prefix}-units-{version}"

    def shared(self, kind: str) -> Collection:
        return self.client.get_or_create_collection(
            self.shared_name(kind),
            configuration=cast(Any, {"hnsw": dict(SHARED_HNSW)}),  # Chroma's TypedDict, built from a plain dict
            embedding_function=None,
        )

    # one version
    def create_collections(
        self, version: str, chunks: Sequence[str] = (), units: Sequence[str] = ()
    ) -> tuple[VersionCollection, VersionCollection]:
        """Start building `version`: its member list exists (an orphan until published) before any
        record is written. `chunks`/`units`: ids it will hold, reused or new."""
        members = self.client.create_collection(self.members_name(version), embedding_function=None)
        members.modify(metadata={"state": "building", **_pack(list(chunks), "chunks"), **_pack(list(units), "units")})
        return (
            VersionCollection(self, self.shared("chunks"), version, "chunks", list(chunks)),
            VersionCollection(self, self.shared("units"), version, "units", list(units)),
        )

    def _save_members(self, version: str, kind: str, ids: list[str]) -> None:
        collection = self.client.get_collection(self.members_name(version), embedding_function=None)
        collection.modify(metadata={**(collection.metadata or {}), **_pack(ids, kind)})

    def members(self, version: str) -> tuple[list[str], list[str]] | None:
        """(chunk ids, unit ids) of a version in the shared layout; None if it has no member list."""
        try:
            meta = self.client.get_collection(self.members_name(version), embedding_function=None).metadata or {}
        except Exception:  # noqa: BLE001  # not found: chromadb's error differs between embedded and HTTP
            return None
        return _unpack(meta, "chunks"), _unpack(meta, "units")

    def collections(self, version: str) -> tuple[Any, Any]:
        """The version's (chunks, units), read-only for readers: views of the shared collections, or the
        version's own collections if it was built before them. Raises if the version is gone."""
        members = self.members(version)
        if members is not None:
            return (
                VersionCollection(self, self.shared("chunks"), version, "chunks", members[0]),
                VersionCollection(self, self.shared("units"), version, "units", members[1]),
            )
        return (
            self.client.get_collection(self.chunks_name(version), embedding_function=None),
            self.client.get_collection(self.units_name(version), embedding_function=None),
        )

    def drop_collections(self, version: str) -> int:
        """Forget a version: delete the records no other version uses, then its member list (and
        collections of the old layout). Safe to repeat; returns how many records were deleted."""
        deleted = 0
        members = self.members(version)
        if members is not None:
            others = self._others(version)
            for kind, ids in zip(("chunks", "units"), members):
                unused = [i for i in ids if i not in others[kind]]
                if unused:
                    shared = self.shared(kind)
                    for i in range(0, len(unused), MAX_BATCH):
                        shared.delete(ids=unused[i : i + MAX_BATCH])
                    deleted += len(unused)
        names = [self.members_name(version), self.chunks_name(version), self.units_name(version)]
        for name in names:
            # Already gone is fine; chromadb's "not found" differs between the embedded and the HTTP client.
            with contextlib.suppress(Exception):
                self.client.delete_collection(name)
        if deleted:
            log.info("Index version %s dropped: %d records no other version uses deleted", version, deleted)
        return deleted

    def _others(self, version: str) -> dict[str, set[str]]:
        """Ids held by every other version with a member list: published, or still being built."""
        used: dict[str, set[str]] = {"chunks": set(), "units": set()}
        head = f"{self.prefix}-members-"
        for name in map(_name, self.client.list_collections()):
            other = name[len(head) :]
            if name.startswith(head) and other != version:
                found = self.members(other)
                if found is not None:
                    used["chunks"].update(found[0])
                    used["units"].update(found[1])
        return used

    def collect_garbage(self) -> int:
        """Delete records of the shared collections that no version holds (left by a crash between
        writing records and dropping, or by hand). Scans every id: for `advisor index gc`, not per ingest."""
        used = self._others("")
        deleted = 0
        for kind in ("chunks", "units"):
            shared = self.shared(kind)
            got: Any = shared.get(include=[])
            unused = [i for i in got["ids"] if i not in used[kind]]
            for i in range(0, len(unused), MAX_BATCH):
                shared.delete(ids=unused[i : i + MAX_BATCH])
            deleted += len(unused)
        return deleted

    def present(self) -> tuple[set[str], set[str]]:
        """Ids certainly in the shared collections: those of published versions in the shared layout."""
        chunks: set[str] = set()
        units: set[str] = set()
        for v in self.versions():
            found = self.members(v.id)
            if found is not None:
                chunks.update(found[0])
                units.update(found[1])
        return chunks, units

    # registry
    def _registry(self) -> Collection:
        return self.client.get_or_create_collection(f"{self.prefix}-registry", embedding_function=None)

    def _read(self) -> dict[str, Any]:
        meta = self._registry().metadata or {}
        return {"live": meta.get("live") or None, "versions": json.loads(str(meta.get("versions") or "[]"))}

    def _write(self, live: str | None, versions: list[dict[str, Any]]) -> None:
        self._registry().modify(metadata={"live": live or "", "versions": json.dumps(versions)})

    def versions(self) -> list[IndexVersion]:
        return [IndexVersion(**v) for v in self._read()["versions"]]

    def live(self) -> IndexVersion | None:
        state = self._read()
        return next((IndexVersion(**v) for v in state["versions"] if v["id"] == state["live"]), None)

    def publish(self, version: IndexVersion, keep: int = 3) -> list[str]:
        """Register `version`, make it live in one write, return versions to drop (beyond `keep`)."""
        state = self._read()
        versions = [v for v in state["versions"] if v["id"] != version.id] + [asdict(version)]
        dropped = [v["id"] for v in versions[:-keep]] if keep and len(versions) > keep else []
        versions = [v for v in versions if v["id"] not in dropped]
        self._write(version.id, versions)
        return dropped

    def set_live(self, version_id: str) -> IndexVersion:
        state = self._read()
        match = next((v for v in state["versions"] if v["id"] == version_id), None)
        if match is None:
            known = ", ".join(v["id"] for v in state["versions"]) or "none"
            raise VersionNotFound(f"No index version '{version_id}'. Known versions: {known}.")
        self._write(version_id, state["versions"])
        return IndexVersion(**match)

    def orphans(self) -> list[str]:
        """Versions with a member list (or old-layout collections) that were never published: an
        interrupted ingest."""
        known = {v.id for v in self.versions()}
        found: list[str] = []
        for name in map(_name, self.client.list_collections()):
            for head in (f"{self.prefix}-members-", f"{self.prefix}-chunks-"):
                if name.startswith(head) and name[len(head) :] not in known and name[len(head) :] not in found:
                    found.append(name[len(head) :])
        return found
