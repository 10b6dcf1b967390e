"""How much nearer a bare word sits to some kinds of word ("a country", "an occupation") than to plain
ones ("a verb", "a feeling"), by the bundled model: what advisor/core/places.py and occupations.py ask
instead of keeping word lists."""

from __future__ import annotations

import numpy as np

from advisor.core.embeddings import Embedder


class WordKinds:
    """Light constructor; `load()` embeds the kinds once."""

    def __init__(self, embedder: Embedder, kinds: tuple[str, ...], plain: tuple[str, ...]) -> None:
        self.embedder = embedder
        self.kinds, self.plain = kinds, plain
        self._kinds: np.ndarray | None = None
        self._plain: np.ndarray | None = None

    def load(self) -> WordKinds:
        if self._kinds is None:
            self._kinds = self.embedder.encode(list(self.kinds))
            self._plain = self.embedder.encode(list(self.plain))
        return self

    def margins(self, vectors: np.ndarray) -> np.ndarray:
        """Per row of `vectors` (embedded words): best similarity to a kind minus best to a plain kind."""
        self.load()
        assert self._kinds is not None and self._plain is not None
        result: np.ndarray = (vectors @ self._kinds.T).max(axis=1) - (vectors @ self._plain.T).max(axis=1)
        return result

    def margin(self, word: str) -> tuple[float, np.ndarray]:
        """One word's margin, and its vector."""
        vector = self.embedder.encode_query(word.lower())
        return float(self.margins(vector[None, :])[0]), vector
