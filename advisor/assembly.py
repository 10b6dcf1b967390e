"""The composition root: the core Advisor wired with ingest, so a missing index is built from the
corpus on first load. Core never imports ingest (ingest builds on core); this module joins them."""

from __future__ import annotations

from typing import Any

from advisor.core.embeddings import Embedder
from advisor.core.pipeline import Advisor as CoreAdvisor
from advisor.core.settings import Settings


def build_from_corpus(settings: Settings, embedder: Embedder, client: Any) -> None:
    from ingest.indexer import Indexer

    Indexer(settings, embedder=embedder, client=client).run()


class Advisor(CoreAdvisor):
    """`from advisor import Advisor`: builds the index from `corpus/` when there is none yet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("build_index", build_from_corpus)
        super().__init__(*args, **kwargs)
