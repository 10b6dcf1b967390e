"""Typo repair before a message is read: "what programing langage most important" reads as "what
programming language most important", so the model embeds the words the guides use.

A word is repaired only when it is neither an English word (symspellpy's bundled frequency list) nor a
word of the knowledge base, and the knowledge base has a word a small edit away with the same first
letter (typos rarely change it). Names the guides never use ("Zalando", "TikTok") and English words they
never use ("weather") stay as typed, so the gate still sees what is not covered.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources

from symspellpy import SymSpell, Verbosity

from advisor.core import tuning

_ENGLISH_LIST = "frequency_dictionary_en_82_765.txt"
_CLITICS = ("s", "nt", "re", "ve", "ll", "d", "m")
# the guides' figures are national U.S. ones and write the country "U.S.": "salary in the USA" or "in the
# United States" asks for what they hold, not for a place they never name
_US = re.compile(
    r"(?<![\w.])(?:u\.s\.a\.?|usa|united states(?: of america)?"
    r"|(?<!latin )(?<!south )(?<!central )(?<!north )america)(?![\w])",  # "South America" is another place
    re.I,
)
_WORD = re.compile(r"(?<![\w'/.@#+-])[a-zA-Z]+(?![\w'/.@#+-])")


@cache
def english_ranks() -> dict[str, int]:
    """The bundled English list, most frequent first, read once a process: every advisor (and every
    test's) shares it. Word -> its place in the list."""
    text = (resources.files("symspellpy") / _ENGLISH_LIST).read_text(encoding="utf-8")
    return {line.split(" ", 1)[0]: n for n, line in enumerate(line for line in text.splitlines() if line)}


class Speller:
    """Light constructor; `load()` reads the English word list once; `learn()` takes a knowledge base's words."""

    def __init__(self) -> None:
        self._english: dict[str, int] = {}  # English word -> its frequency rank (english_ranks)
        self._symspell: SymSpell | None = None
        self._kb: frozenset[str] = frozenset()
        self._fixes: dict[str, str] = {}

    def load(self) -> Speller:
        self._english = english_ranks()
        return self

    def learn(self, kb_words: Iterable[str]) -> Speller:
        """The knowledge base's own words, as often as they are used: typos are repaired to these only."""
        self.load()
        counts = Counter(w.lower() for w in kb_words if w.isalpha())
        symspell = SymSpell(max_dictionary_edit_distance=tuning.TYPO_MAX_EDITS, prefix_length=7)
        for word, count in counts.items():
            if len(word) >= tuning.TYPO_MIN_LETTERS - tuning.TYPO_MAX_EDITS:
                symspell.create_dictionary_entry(word, count)
        self._symspell, self._kb, self._fixes = symspell, frozenset(counts), {}
        return self

    def fix(self, word: str) -> str:
        """The knowledge-base word a typo misspells, or the word itself."""
        lower = word.lower()
        if (
            len(lower) < tuning.TYPO_MIN_LETTERS
            or lower in self._english
            or lower in self._kb
            or self._symspell is None
        ):
            return word
        if self._contracted(lower):
            return word
        if lower not in self._fixes:
            if len(self._fixes) >= tuning.TYPO_CACHE_WORDS:
                self._fixes = {}
            edits = 1 if len(lower) < tuning.TYPO_TWO_EDITS_FROM else tuning.TYPO_MAX_EDITS
            found = self._symspell.lookup(lower, Verbosity.CLOSEST, max_edit_distance=edits)
            same_start = [s.term for s in found if s.term[0] == lower[0]]
            self._fixes[lower] = same_start[0] if same_start else lower
        fixed = self._fixes[lower]
        return word if fixed == lower else fixed

    def is_english(self, word: str) -> bool:
        return word.lower() in self._english

    def _contracted(self, word: str) -> bool:
        """ "thats", "doesnt", "theyre": an English word and a clitic, typed without the apostrophe."""
        return any(word.endswith(c) and word[: -len(c)] in self._english for c in _CLITICS)

    def correct(self, text: str) -> str:
        return _WORD.sub(lambda m: self.fix(m.group()), _US.sub("U.S.", text))
