"""Is a word the knowledge base never uses the name of an occupation? "actuary salary?" asks about a role
no guide is about, though "actuary" has none of the endings a person's noun usually has (-er, -ist, -or).

No list of occupations: the bundled model reads the bare word, and a word that sits nearer to "an
occupation" or "a job title" than to plain words ("a place", "a software tool", "a feeling") by
tuning.OCCUPATION_WORD_MARGIN names one. Only words the guides never use are asked about; answers are
cached.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from advisor.core import tuning
from advisor.core.embeddings import Embedder

OCCUPATION_KINDS = ("an occupation", "a job title", "a profession", "a kind of worker")
PLAIN_KINDS = (
    "an adjective",
    "a verb",
    "a feeling",
    "an opinion",
    "a word",
    "a place",
    "a software tool",
    "a thing",
    "a topic",
)


class OccupationWords:
    """Light constructor; `load()` embeds the kinds once."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._occupations: np.ndarray | None = None
        self._plain: np.ndarray | None = None
        self.is_occupation = lru_cache(maxsize=4096)(self._is_occupation)

    def load(self) -> OccupationWords:
        if self._occupations is None:
            self._occupations = self.embedder.encode(list(OCCUPATION_KINDS))
            self._plain = self.embedder.encode(list(PLAIN_KINDS))
        return self

    def _is_occupation(self, word: str) -> bool:
        self.load()
        assert self._occupations is not None and self._plain is not None
        vector = self.embedder.encode_query(word.lower())
        margin = float((self._occupations @ vector).max() - (self._plain @ vector).max())
        return margin >= tuning.OCCUPATION_WORD_MARGIN


__all__ = ["OccupationWords"]
