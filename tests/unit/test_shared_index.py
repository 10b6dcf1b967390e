"""Index versions over shared collections (advisor/core/store.py, ingest/indexer.py), with the fake
model and an in-memory Chroma: a re-ingest embeds only what changed, rollback serves the old text,
records no kept version uses are deleted, and an index of the old per-version layout keeps working."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from advisor.core.pipeline import Advisor
from advisor.core.settings import Settings
from advisor.core.store import IndexStore, IndexVersion
from ingest.chunking import Chunker
from ingest.indexer import Indexer, _units
from ingest.loaders import LoadedDocument
from tests.fakes import FakeChromaClient, FakeEmbedder

pytestmark = pytest.mark.unit


def guide(role: str, pay: str = "$40,000 and $60,000") -> str:
    return f"""# {role} Career Guide

## How much do {role.lower()}s earn?

{role}s earn between {pay} a year in this made-up guide.

## What tools do {role.lower()}s use?

The tools {role.lower()}s use are:

- **Wrench kit**: loosens bolts of every size
- **Pressure gauge**: reads the boiler pressure

## How do you become a {role.lower()}?

Most {role.lower()}s train for two years at a trade school, then work beside a senior {role.lower()}.
"""


ROLES = ["Boilermaker", "Glazier", "Farrier"]


@pytest.fixture
def setup(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for role in ROLES:
        (corpus / f"{role.lower()}.md").write_text(guide(role))
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus, backend="extractive", question_log_days=0)
    client, embedder = FakeChromaClient(), FakeEmbedder()

    def ingest(**kwargs):
        return Indexer(settings, embedder=embedder, client=client, progress=False, **kwargs).run()

    return corpus, settings, client, embedder, ingest


def shared_ids(client: FakeChromaClient, kind: str) -> set[str]:
    return set(client.get_collection(f"advisor-content-{kind}").get(include=[])["ids"])


def test_reingest_after_a_one_line_change_embeds_only_the_changed_chunk(setup):
    corpus, _, client, embedder, ingest = setup
    first = ingest()
    assert embedder.calls == first.chunks + first.units  # everything once
    embedder.calls = 0
    text = (corpus / "glazier.md").read_text()
    (corpus / "glazier.md").write_text(text.replace("two years", "three years"))
    second = ingest()
    changed = [c for c in Chunker().split(_doc(corpus / "glazier.md")) if "three years" in c.text]
    assert len(changed) == 1
    assert second.embedded == 1 and second.reused == first.chunks - 1 and second.removed == 1
    # the one chunk and its answer units; nothing of the other guides or other sections
    assert embedder.calls == 1 + len(changed[0].units) == 1 + second.units_embedded
    store = IndexStore(client)
    chunks, _ = store.collections(second.version)
    assert any("three years" in d for d in chunks.get()["documents"])
    assert not any(
        "two years at a trade school, then work beside a senior glazier" in d for d in chunks.get()["documents"]
    )
    # both versions are served from the same records: only the changed chunk was added
    assert len(shared_ids(client, "chunks")) == first.chunks + 1


def _doc(path) -> LoadedDocument:
    from ingest.loaders import load_file

    doc = load_file(path)
    doc.source = f"corpus/{path.name}"
    return doc


def test_rollback_after_a_small_reingest_serves_the_old_text(setup):
    corpus, settings, client, embedder, ingest = setup
    first = ingest()
    (corpus / "glazier.md").write_text(guide("Glazier", pay="$41,000 and $63,000"))
    second = ingest()
    advisor = Advisor(settings, embedder=embedder, client=client).load()
    assert "$41,000" in advisor.ask("How much do glaziers earn?").answer
    IndexStore(client).set_live(first.version)
    assert advisor.refresh()
    answer = advisor.ask("How much do glaziers earn?")
    assert answer.grounded and "$40,000" in answer.answer and "$41,000" not in answer.answer
    IndexStore(client).set_live(second.version)
    assert advisor.refresh() and "$41,000" in advisor.ask("How much do glaziers earn?").answer


def test_dropping_old_versions_deletes_records_no_kept_version_uses(setup):
    corpus, _, client, _, ingest = setup
    reports = []
    for n, pay in enumerate(["$41,000", "$42,000", "$43,000", "$44,000"]):
        (corpus / "farrier.md").write_text(guide("Farrier", pay=f"{pay} and $60,000"))
        if n == 3:
            (corpus / "glazier.md").unlink()  # a whole guide goes
        reports.append(ingest(keep_versions=2))
    store = IndexStore(client)
    kept = [v.id for v in store.versions()]
    assert kept == [r.version for r in reports[-2:]]
    want_chunks, want_units = set(), set()
    for version in kept:
        chunks, units = store.members(version)
        want_chunks.update(chunks)
        want_units.update(units)
    assert shared_ids(client, "chunks") == want_chunks  # nothing of the dropped versions is left
    assert shared_ids(client, "units") == want_units
    documents = client.get_collection("advisor-content-chunks").get()["documents"]
    assert not any("$41,000" in d or "$42,000" in d for d in documents)
    assert any("Glazier" in d for d in documents)  # still held by the kept version before the last
    assert store.collect_garbage() == 0  # the full scan finds nothing left over either


class Interrupted(Exception):
    pass


class FailingEmbedder(FakeEmbedder):
    def encode(self, texts, progress=None):
        raise Interrupted


def test_a_failed_reingest_leaves_no_records_and_the_old_version_live(setup):
    corpus, settings, client, _, ingest = setup
    first = ingest()
    before = shared_ids(client, "chunks"), shared_ids(client, "units")
    (corpus / "new.md").write_text(guide("Cooper"))
    with pytest.raises(Interrupted):
        Indexer(settings, embedder=FailingEmbedder(), client=client, progress=False).run()
    store = IndexStore(client)
    assert store.live().id == first.version and store.orphans() == []
    assert (shared_ids(client, "chunks"), shared_ids(client, "units")) == before


def test_an_index_of_the_old_per_version_layout_keeps_answering_and_moves_without_reembedding(setup, caplog):
    corpus, settings, client, embedder, ingest = setup
    old = _old_layout_index(client, embedder, corpus)
    with caplog.at_level(logging.INFO):
        advisor = Advisor(settings, embedder=embedder, client=client).load()
    assert "built by an earlier release" in caplog.text
    assert "$40,000" in advisor.ask("How much do glaziers earn?").answer
    embedder.calls = 0
    with caplog.at_level(logging.INFO):
        report = ingest()
    assert "built before shared collections" in caplog.text
    assert report.version != old and report.embedded == 0 and embedder.calls == 0
    assert IndexStore(client).collections(old)[0].count() == report.chunks  # the old version still readable
    assert advisor.refresh() and "$40,000" in advisor.ask("How much do glaziers earn?").answer


def _old_layout_index(client: FakeChromaClient, embedder: FakeEmbedder, corpus) -> str:
    """What an ingest before shared collections left: one chunks and one units collection per version."""
    from ingest.loaders import discover

    files, _ = discover([corpus.resolve()])
    chunks = [c for f in files for c in Chunker().split(_doc(f))]
    units = _units(chunks)
    version = "v20260101-000000-000000"
    made = [client.create_collection(f"advisor-{kind}-{version}") for kind in ("chunks", "units")]
    made[0].upsert(
        ids=[c.id for c in chunks],
        documents=[c.text for c in chunks],
        metadatas=[{**c.metadata(), "units": len(c.units)} for c in chunks],
        embeddings=list(embedder.encode([c.embed_text for c in chunks])),
    )
    made[1].upsert(
        ids=[u[0] for u in units],
        documents=[u[3] for u in units],
        metadatas=[{"chunk_id": u[1], "position": u[2]} for u in units],
        embeddings=list(embedder.encode([u[4] for u in units])),
    )
    IndexStore(client).publish(
        IndexVersion(version, "2026-01-01", "old", len(chunks), len(units), embedder.name, [str(corpus.resolve())])
    )
    return version


def test_a_version_reads_back_in_the_order_it_was_written():
    store = IndexStore(FakeChromaClient(), "t")
    chunks, _ = store.create_collections("v1")
    vectors = np.eye(3, dtype=np.float32)
    chunks.upsert(ids=["c", "a", "b"], documents=["C", "A", "B"], metadatas=[{"n": 1}] * 3, embeddings=vectors)
    got = store.collections("v1")[0].get(include=["documents", "embeddings"])
    assert got["ids"] == ["c", "a", "b"] and got["documents"] == ["C", "A", "B"]
    assert np.array_equal(got["embeddings"], vectors)
