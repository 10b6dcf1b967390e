"""The hybrid search as a LangChain retriever, kept apart from `retrieval` so that answering (and the
unit tests) never import LangChain's runnables (~0.4 s): only `Advisor.as_retriever` needs them."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from advisor.core.retrieval import HybridSearch, LoadedIndex


class AdvisorRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever, so it composes with any LCEL chain.
    `Advisor.as_retriever(k)` builds one that follows the live index (`live`); a fixed `index`
    serves one version. `k` comes from the constructor or per call: `invoke(query, k=3)`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: HybridSearch
    index: LoadedIndex | None = None
    live: Callable[[], LoadedIndex] | None = None
    k: int = Field(4, ge=1)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        k = self.k if k is None else k
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a whole number of documents, 1 or more (got {k!r}).")
        index = self.live() if self.live is not None else self.index
        if index is None:
            raise ValueError("AdvisorRetriever needs an index: use Advisor.as_retriever().")
        return [
            Document(
                page_content=h.text,
                id=h.id,
                metadata={
                    "id": h.id,
                    "guide": h.title,
                    "title": h.title,
                    "section": h.section,
                    "score": h.score,
                    "similarity": h.similarity,
                },
            )
            for h in self.search.search(index, query, k)
        ]
