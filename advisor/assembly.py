"""The composition root: the core Advisor wired with ingest, so a missing index is built from the
corpus on first load. Core never imports ingest (ingest builds on core); this module joins them."""

from __future__ import annotations

from typing import Any

from advisor.core.embeddings import Embedder
from advisor.core.pipeline import Advisor as CoreAdvisor
from advisor.core.settings import Settings

# numpy's OpenBLAS threads for the per-request vector products (chunks, answer units, headings).
# One: with two, a product spins both cores and waits on the busier one, so request threads (and the
# model's own threads) fight over them. Measured here on 2 cores under load, 17.8k x 384 @ v:
# p50/p95 0.64/16.0 ms with 2 threads, 1.5/5.6 ms with 1; 3k x 384 @ v: 0.04/8.0 -> 0.07/0.17 ms.
# The embedding model runs on torch's own (OpenMP) threads and is not affected.
BLAS_THREADS = 1


def limit_blas_threads(threads: int = BLAS_THREADS) -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; answers are the same without it
        return
    threadpool_limits(limits=threads, user_api="blas")


def build_from_corpus(settings: Settings, embedder: Embedder, client: Any) -> None:
    from ingest.indexer import Indexer

    Indexer(settings, embedder=embedder, client=client).run()


class Advisor(CoreAdvisor):
    """`from advisor import Advisor`: builds the index from `corpus/` when there is none yet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("build_index", build_from_corpus)
        limit_blas_threads()
        super().__init__(*args, **kwargs)
