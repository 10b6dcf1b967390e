"""The version registry (advisor/core/store.py) over an in-memory Chroma client: publish, keep,
roll back, orphans; and reading a Chroma server URL."""

import pytest

from advisor.core.errors import VersionNotFound
from advisor.core.store import IndexStore, IndexVersion, chroma_address
from tests.fakes import FakeChromaClient

pytestmark = pytest.mark.unit


def version(n: int) -> IndexVersion:
    return IndexVersion(id=f"v{n}", created="2026-01-01", corpus_hash=f"h{n}", chunks=n, units=n, embedding_model="m")


@pytest.fixture
def store():
    return IndexStore(FakeChromaClient(), "test")


def publish(store: IndexStore, n: int, keep: int = 3) -> list[str]:
    store.create_collections(f"v{n}")
    dropped = store.publish(version(n), keep=keep)
    for old in dropped:
        store.drop_collections(old)
    return dropped


def test_a_new_store_has_no_live_version(store):
    assert store.live() is None and store.versions() == [] and store.orphans() == []


@pytest.mark.parametrize(
    ("published", "keep", "live", "kept", "dropped_last"),
    [
        ([1], 3, "v1", ["v1"], []),
        ([1, 2, 3], 3, "v3", ["v1", "v2", "v3"], []),
        ([1, 2, 3, 4], 3, "v4", ["v2", "v3", "v4"], ["v1"]),
        ([1, 2, 3, 4, 5], 2, "v5", ["v4", "v5"], ["v3"]),
        ([1, 2, 2], 3, "v2", ["v1", "v2"], []),  # republishing a version moves it last, never twice
        ([1, 2, 3, 4], 0, "v4", ["v1", "v2", "v3", "v4"], []),  # keep=0: keep all
    ],
)
def test_publish_makes_the_last_live_and_keeps_the_newest(store, published, keep, live, kept, dropped_last):
    dropped = []
    for n in published:
        if n in [int(v.id[1:]) for v in store.versions()]:
            dropped = store.publish(version(n), keep=keep)
        else:
            dropped = publish(store, n, keep)
    assert store.live().id == live
    assert [v.id for v in store.versions()] == kept
    assert dropped == dropped_last


def test_dropped_versions_lose_their_collections(store):
    for n in (1, 2, 3, 4):
        publish(store, n)
    with pytest.raises(ValueError):
        store.collections("v1")
    assert len(store.collections("v4")) == 2


def test_rollback_switches_the_live_pointer_only(store):
    for n in (1, 2):
        publish(store, n)
    assert store.set_live("v1").id == "v1"
    assert store.live().id == "v1" and [v.id for v in store.versions()] == ["v1", "v2"]


def test_rollback_to_an_unknown_version_names_the_known_ones(store):
    publish(store, 1)
    with pytest.raises(VersionNotFound, match=r"No index version 'v9'\. Known versions: v1\."):
        store.set_live("v9")


def test_an_unpublished_build_is_an_orphan_until_dropped(store):
    publish(store, 1)
    store.create_collections("v2")  # an ingest that died before publishing
    assert store.orphans() == ["v2"]
    store.drop_collections("v2")
    store.drop_collections("v2")  # twice: already gone is fine
    assert store.orphans() == []


def test_prefixes_keep_two_stores_apart():
    client = FakeChromaClient()
    a, b = IndexStore(client, "a"), IndexStore(client, "b")
    a.create_collections("v1")
    a.publish(version(1))
    assert b.live() is None and b.orphans() == [] and a.live().id == "v1"


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://chroma:8000", ("chroma", 8000, False)),
        ("https://chroma.example.com", ("chroma.example.com", 8000, True)),
        ("https://chroma.example.com:443", ("chroma.example.com", 443, True)),
        ("127.0.0.1:9000", ("127.0.0.1", 9000, False)),  # no scheme: http
        ("chroma", ("chroma", 8000, False)),
        ("http://[::1]:8001", ("::1", 8001, False)),
    ],
)
def test_chroma_address(url, address):
    assert chroma_address(url) == address
