"""Where the index lives: an embedded Chroma store or a Chroma server, plus the version registry.

Every ingest writes a new pair of collections (chunks, units) named by version, then flips the
registry's `live` pointer in one write. Readers follow the pointer, so a crashed or interrupted
ingest never touches what is being served.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from advisor.core.errors import VersionNotFound

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from advisor.core.settings import Settings

log = logging.getLogger(__name__)


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


class IndexStore:
    """Names collections by version and keeps the registry of versions and the live pointer."""

    def __init__(self, client: ClientAPI, prefix: str = "advisor"):
        self.client = client
        self.prefix = prefix

    # collection names
    def chunks_name(self, version: str) -> str:
        return f"{self.prefix}-chunks-{version}"

    def units_name(self, version: str) -> str:
        return f"{self.prefix}-units-{version}"

    def create_collections(self, version: str) -> tuple[Collection, Collection]:
        make: dict[str, Any] = {"configuration": {"hnsw": {"space": "cosine"}}, "embedding_function": None}
        return (
            self.client.create_collection(self.chunks_name(version), **make),
            self.client.create_collection(self.units_name(version), **make),
        )

    def collections(self, version: str) -> tuple[Collection, Collection]:
        return (
            self.client.get_collection(self.chunks_name(version), embedding_function=None),
            self.client.get_collection(self.units_name(version), embedding_function=None),
        )

    def drop_collections(self, version: str) -> None:
        for name in (self.chunks_name(version), self.units_name(version)):
            # Already gone is fine; chromadb's "not found" differs between the embedded and the HTTP client.
            with contextlib.suppress(Exception):
                self.client.delete_collection(name)

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
        """Versions whose collections exist but were never published (an interrupted ingest)."""
        known = {v.id for v in self.versions()}
        head = f"{self.prefix}-chunks-"
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        return [n[len(head) :] for n in names if n.startswith(head) and n[len(head) :] not in known]
