"""Ingest: formats, incremental and idempotent re-ingest, bad files, and crash safety."""

from __future__ import annotations

import pytest
from helpers import minimal_pdf

from advisor import Advisor
from ingest.indexer import Indexer, IngestError

GUIDE = """---
title: Test Pilot Guide
---
# Test Pilot Guide

## How much do test pilots earn?

Test pilots earn between $90,000 and $140,000 a year in this made-up guide.

## What tools do test pilots use?

The tools test pilots use are:

- **Flight simulator**: rehearses manoeuvres safely
- **Telemetry console**: streams aircraft sensor data
"""


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "pilot.md").write_text(GUIDE)
    (folder / "notes.txt").write_text("Zeppelin mechanics inspect gas cells every 40 flight hours.\n")
    (folder / "page.html").write_text(
        "<html><head><title>Balloon Guide</title><script>alert('x')</script></head><body>"
        "<h1>Balloon Guide</h1><h2>How hot is the burner?</h2><p>A balloon burner reaches 1,200 degrees.</p>"
        "</body></html>"
    )
    (folder / "memo.pdf").write_bytes(minimal_pdf("Glider pilots log thermals in a paper notebook."))
    return folder


def chunk_texts(store, version_id):
    chunks, _ = store.collections(version_id)
    return chunks.get(include=["documents"])["documents"]


def test_ingest_reads_markdown_text_html_and_pdf(make_settings, corpus, embedder):
    settings = make_settings(corpus_dir=corpus)
    report = Indexer(settings, embedder=embedder, progress=False).run()
    assert report.files == 4
    text = "\n".join(chunk_texts(Indexer(settings).store, report.version))
    for fact in ("$90,000", "40 flight hours", "1,200 degrees", "paper notebook"):
        assert fact in text
    assert "alert" not in text  # scripts in HTML are dropped, not indexed


def test_reingest_is_idempotent_and_fast_when_nothing_changed(make_settings, corpus, embedder):
    settings = make_settings(corpus_dir=corpus)
    first = Indexer(settings, embedder=embedder, progress=False).run()
    second = Indexer(settings, embedder=embedder, progress=False).run()
    assert second.up_to_date and second.version == first.version
    assert second.chunks == first.chunks
    rebuilt = Indexer(settings, embedder=embedder, progress=False).run(rebuild=True)
    assert rebuilt.chunks == first.chunks
    store = Indexer(settings).store
    ids = store.collections(rebuilt.version)[0].get()["ids"]
    assert len(ids) == len(set(ids)) == first.chunks


def test_changed_and_deleted_files_leave_no_stale_chunks(make_settings, corpus, embedder):
    settings = make_settings(corpus_dir=corpus)
    first = Indexer(settings, embedder=embedder, progress=False).run()
    (corpus / "pilot.md").write_text(GUIDE.replace("$90,000 and $140,000", "$95,000 and $150,000"))
    (corpus / "notes.txt").unlink()
    second = Indexer(settings, embedder=embedder, progress=False).run()
    assert second.version != first.version
    assert second.reused > 0 and second.embedded >= 1  # unchanged chunks were not re-embedded
    text = "\n".join(chunk_texts(Indexer(settings).store, second.version))
    assert "$95,000" in text and "$90,000" not in text
    assert "Zeppelin" not in text
    answer = Advisor.from_settings(settings, embedder=embedder).ask("How much do test pilots earn?")
    assert answer.grounded and "$95,000" in answer.answer


def test_bad_files_are_skipped_with_a_warning_and_the_rest_is_ingested(make_settings, corpus, embedder, caplog):
    (corpus / "empty.md").write_text("   \n")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n")
    settings = make_settings(corpus_dir=corpus)
    report = Indexer(settings, embedder=embedder, progress=False).run()
    skipped = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert set(skipped) >= {"empty.md", "binary.txt", "latin1.txt", "broken.pdf", "image.png"}
    assert "empty" in skipped["empty.md"] and "binary" in skipped["binary.txt"]
    assert "UTF-8" in skipped["latin1.txt"]
    assert report.files == 4
    assert "Skipped" in caplog.text and "binary.txt" in caplog.text


def test_nothing_to_index_is_a_clear_error_and_keeps_the_index(make_settings, tmp_path, corpus, embedder):
    settings = make_settings(corpus_dir=corpus)
    first = Indexer(settings, embedder=embedder, progress=False).run()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(IngestError, match="previous index stays live"):
        Indexer(settings, embedder=embedder, progress=False).run([empty], rebuild=True)
    assert Indexer(settings).store.live().id == first.version


class ExplodingEmbedder:
    """Delegates to the real model, then fails part-way, like Ctrl-C during an ingest."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, real, after_batches=1, error=KeyboardInterrupt):
        self.real, self.left, self.error = real, after_batches, error

    def load(self):
        self.real.load()
        return self

    def encode(self, texts, progress=None):
        if self.left == 0:
            raise self.error()
        self.left -= 1
        return self.real.encode(texts, progress)


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_interrupted_ingest_leaves_the_previous_index_answering(make_settings, corpus, embedder, error):
    settings = make_settings(corpus_dir=corpus)
    first = Indexer(settings, embedder=embedder, progress=False).run()
    (corpus / "pilot.md").write_text(GUIDE.replace("$90,000", "$91,000"))
    (corpus / "extra.md").write_text("# Extra\n\n## New section\n\n" + "Airship crews train for six months. " * 40)
    with pytest.raises(error):
        Indexer(settings, embedder=ExplodingEmbedder(embedder, error=error), progress=False).run()
    store = Indexer(settings).store
    assert store.live().id == first.version
    assert store.orphans() == []  # the half-built version was dropped
    answer = Advisor.from_settings(settings, embedder=embedder).ask("How much do test pilots earn?")
    assert answer.grounded and "$90,000" in answer.answer


def test_a_killed_ingest_is_cleaned_up_by_the_next_one(make_settings, corpus, embedder):
    settings = make_settings(corpus_dir=corpus)
    Indexer(settings, embedder=embedder, progress=False).run()
    store = Indexer(settings).store
    store.create_collections("v20000101-000000-000000")  # what a kill -9 mid-build leaves behind
    assert store.orphans() == ["v20000101-000000-000000"]
    Indexer(settings, embedder=embedder, progress=False).run()
    assert store.orphans() == []
