"""Is an unknown word a place (or a place's money)? "mlops salary in germany" asks about a country the
guides never mention, however it is capitalised.

No list of places: the bundled model reads the bare word, and a word that sits nearer to "a country",
"a city", "a US state" or "a currency" than to plain words ("an adjective", "a verb", "a feeling") is
a place. Only words the knowledge base never uses are asked about, so each costs one small encode,
and answers are cached.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from advisor.core import tuning
from advisor.core.embeddings import Embedder
from advisor.core.word_kinds import WordKinds

PLACE_KINDS = ("a country", "a city", "a US state", "a region of the world", "a currency")
PLAIN_KINDS = ("an adjective", "a verb", "a feeling", "an opinion", "a word")


class PlaceWords:
    """Light constructor; `load()` embeds the kinds once."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._kinds = WordKinds(embedder, PLACE_KINDS, PLAIN_KINDS)
        self._known: np.ndarray = np.zeros((0, 1), dtype=np.float32)
        self._named: dict[str, bool] = {}
        self.is_place = lru_cache(maxsize=4096)(self._is_place)
        self.looks_like_place = lru_cache(maxsize=4096)(self._looks_like_place)

    def load(self) -> PlaceWords:
        self._kinds.load()
        return self

    def learn(self, names: list[str]) -> PlaceWords:
        """The places the guides themselves name ("U.S.", "Washington"): a word that means one of them
        ("america", "usa") is no place the guides lack."""
        names = sorted(set(names))
        if names:
            vectors = self.embedder.encode(names)
            margins = self._kinds.margins(vectors)
            self._known = vectors[margins >= tuning.PLACE_WORD_MARGIN]
        else:
            margins, self._known = np.zeros(0), np.zeros((0, 1), dtype=np.float32)
        # the guides' own names are read once here, not one encoding per name at question time
        self._named = {name.lower(): bool(m >= tuning.PLACE_WORD_MARGIN) for name, m in zip(names, margins)}
        self.is_place.cache_clear()
        self.looks_like_place.cache_clear()
        return self

    def _margin(self, word: str) -> tuple[float, np.ndarray]:
        return self._kinds.margin(word)

    def _looks_like_place(self, word: str) -> bool:
        """A place, named by the guides or not ("Texas" in "what would it pay in Texas?")."""
        if word.lower() in self._named:
            return self._named[word.lower()]
        return self._margin(word)[0] >= tuning.PLACE_WORD_MARGIN

    def _is_place(self, word: str) -> bool:
        margin, vector = self._margin(word)
        if margin < tuning.PLACE_WORD_MARGIN:
            return False
        return not (len(self._known) and float((self._known @ vector).max()) >= tuning.PLACE_SAME_AS)


__all__ = ["PlaceWords"]
