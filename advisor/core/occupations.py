"""Is a word the knowledge base never uses the name of an occupation? "actuary salary?" asks about a role
no guide is about, though "actuary" has none of the endings a person's noun usually has (-er, -ist, -or).

No list of occupations: the bundled model reads the bare word, and a word that sits nearer to "an
occupation" or "a job title" than to plain words ("a place", "a software tool", "a feeling") by
tuning.OCCUPATION_WORD_MARGIN names one. Only words the guides never use are asked about; answers are
cached.
"""

from __future__ import annotations

from functools import lru_cache

from advisor.core import tuning
from advisor.core.embeddings import Embedder
from advisor.core.word_kinds import WordKinds

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
        self._kinds = WordKinds(embedder, OCCUPATION_KINDS, PLAIN_KINDS)
        self.is_occupation = lru_cache(maxsize=4096)(self._is_occupation)

    def load(self) -> OccupationWords:
        self._kinds.load()
        return self

    def _is_occupation(self, word: str) -> bool:
        return self._kinds.margin(word)[0] >= tuning.OCCUPATION_WORD_MARGIN


__all__ = ["OccupationWords"]
