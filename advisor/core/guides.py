"""Which guide a request is about, from the guides' own titles (no list of occupations).

A title names a role ("Data Scientist Career Guide"). A request mentions a guide when it uses two words of
that role name, or one word no other title uses that is long enough not to be a common word ("MLOps",
"database", "security"). A role phrase ("data engineer", "DBA") names a guide only when all its words
belong to that guide's role name (or shorten one: "admin"), so a role that merely shares a word with a
guide ("data engineer" and "data scientist") is another role. A guide may also list the other names
people use for its role (front matter `also_called: DBA, database admin`); those name it too.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from rapidfuzz import fuzz

from advisor.core import tuning
from advisor.core.text import STOPWORDS, stem, words

_SUFFIX = re.compile(r"\s+(?:career\s+)?guide$", re.I)
# English idioms in which a role word means something else: "job security" is not information security
_IDIOMS = re.compile(r"\b(?:job|employment|financial)\s+security\b", re.I)


def role_name(title: str) -> str:
    """ "Data Scientist Career Guide" -> "Data Scientist"."""
    return _SUFFIX.sub("", title).strip()


def plural(role: str) -> str:
    """ "MLOps Engineer" -> "MLOps engineers"; "Database Administrator and Architect" -> "database
    administrators and architects"."""
    ws = role.split()
    plural_at = {len(ws) - 1} | ({len(ws) - 3} if len(ws) >= 3 and ws[-2].lower() == "and" else set())
    out = []
    for i, w in enumerate(ws):
        w = w + "s" if i in plural_at and not w.endswith("s") else w
        out.append(w if w.isupper() or any(c.isupper() for c in w[1:]) else w.lower())
    return " ".join(out)


def _role_words(title: str) -> list[str]:
    return [stem(w) for w in words(role_name(title)) if w not in STOPWORDS]


def _matches(word: str, name_word: str) -> bool:
    """Same stem, a shortening of at least ROLE_PREFIX_LETTERS letters ("admin" of "administrator"),
    the same word family ("development" and "developer" share "develop"), or a typo of a long one
    ("data sciencist")."""
    if word == name_word or (len(word) >= tuning.ROLE_PREFIX_LETTERS and name_word.startswith(word)):
        return True
    return len(os.path.commonprefix([word, name_word])) >= tuning.ROLE_FAMILY_LETTERS or _misspells(word, name_word)


# the last word of a role's name that many jobs share ("engineer"): alone it may name the one guide whose
# role ends with it, but after another word ("data engineer", "ML engineer") it names another job
_GENERIC_HEADS = frozenset(stem(w) for w in tuning.CAREER_WORDS)


@lru_cache(maxsize=4096)
def _misspells(word: str, name_word: str) -> bool:
    """The same first letter and the typo matchers' similarity (tuning.TYPO_CUTOFF), for long words only."""
    return (
        len(word) >= tuning.ROLE_TYPO_LETTERS
        and word[0] == name_word[0]
        and fuzz.ratio(word, name_word) >= tuning.TYPO_CUTOFF * 100
    )


def _joined(ws: list[str], one_words: frozenset[str]) -> list[str]:
    """ "sys admin", "net admin", "ml ops": a one-word name typed as two words, written as one."""
    out: list[str] = []
    i = 0
    while i < len(ws):
        if i + 1 < len(ws) and stem(ws[i] + ws[i + 1]) in one_words:
            out.append(ws[i] + ws[i + 1])
            i += 2
        else:
            out.append(ws[i])
            i += 1
    return out


def _alias_stems(also_called: str) -> list[list[str]]:
    return [[stem(w) for w in words(a)] for a in re.split(r"[,;]", also_called) if words(a)]


def starter_order(questions_by_guide: dict[str, list[str]], default_guide: str, n: int) -> list[str]:
    """The chat's starter questions: the default guide's question headings in document order, then the
    first question of each other guide, so the starters show the roles covered. `questions_by_guide`:
    each guide's question headings in reading order, guides in the order to show them."""
    default = default_guide.strip().lower()
    main = next((t for t in questions_by_guide if default and default in t.lower()), next(iter(questions_by_guide), ""))
    others = [qs[0] for t, qs in questions_by_guide.items() if t != main and qs]
    first = questions_by_guide.get(main, [])
    take = n - min(len(others), max(n // 4, 1)) if others else n
    return (first[:take] + others)[:n]


class GuideNames:
    """`chunks`: (guide title, chunk text) pairs of the whole knowledge base; `also_called`: a guide's
    other names for its role, comma-separated, by title."""

    def __init__(self, chunks: list[tuple[str, str]], also_called: dict[str, str] | None = None) -> None:
        self.titles = sorted({t for t, _ in chunks})
        self.words = {t: _role_words(t) for t in self.titles}
        # a role name's words as written, but its last (the person: "administrator"), whose plural ("networks",
        # "databases") is a thing, not the role
        self._thing_plurals = {
            t: {w + "s" for w in [x for x in words(role_name(t)) if x not in STOPWORDS][:-1]} for t in self.titles
        }
        self.aliases = {t: _alias_stems((also_called or {}).get(t, "")) for t in self.titles}
        self.one_words = frozenset(
            [w for t in self.titles for w in self.words[t]]
            + [seq[0] for seqs in self.aliases.values() for seq in seqs if len(seq) == 1]
        )
        counts = Counter(w for t in self.titles for w in set(self.words[t]))
        # a role word marks its guide when no other title has it and most chunks that use it are that
        # guide's ("MLOps", "network"); "data" is everywhere, so "data" alone names no guide
        used_in: dict[str, Counter[str]] = {}
        for title, text in chunks:
            for w in {stem(x) for x in words(text)}:
                used_in.setdefault(w, Counter())[title] += 1
        self.unique = {
            t: {
                w
                for w in self.words[t]
                if counts[w] == 1
                and used_in.get(w, Counter())[t] >= tuning.ROLE_WORD_OWN_SHARE * sum(used_in.get(w, Counter()).values())
            }
            for t in self.titles
        }
        # which titles each role-name word is in, so a text is matched against the distinct words of all
        # titles once, not title by title (a knowledge base of hundreds of guides; issue #13)
        self._titles_of: dict[str, list[str]] = {}
        for t in self.titles:
            for w in dict.fromkeys(self.words[t]):
                self._titles_of.setdefault(w, []).append(t)
        self._alias_starts: dict[str, list[tuple[str, list[str]]]] = {}
        for t in self.titles:
            for seq in self.aliases[t]:
                self._alias_starts.setdefault(seq[0], []).append((t, seq))
        self._heads = frozenset(self.words[t][-1] for t in self.titles if self.words[t])
        self._matching_cache: dict[str, frozenset[str]] = {}

    def unclipped(self, word: str) -> str:
        """ "eng" -> "engineer": the person word of a role name that a short word clips, else the word."""
        if tuning.ROLE_HEAD_LETTERS <= len(word) < tuning.ROLE_PREFIX_LETTERS:
            heads = [h for h in self._heads if h.startswith(stem(word))]
            if len(heads) == 1:
                return heads[0]
        return word

    def _matching(self, word_stem: str) -> frozenset[str]:
        """The role-name words a word matches (_matches), remembered: requests reuse the same words."""
        found = self._matching_cache.get(word_stem)
        if found is None:
            if len(self._matching_cache) >= tuning.ROLE_MATCH_CACHE:
                self._matching_cache.clear()
            found = frozenset(
                n
                for n in self._titles_of
                if _matches(word_stem, n)
                # "mlops eng", "full stack dev": the person word of a role name is shortened to a few letters
                or (n in self._heads and len(word_stem) >= tuning.ROLE_HEAD_LETTERS and n.startswith(word_stem))
            )
            self._matching_cache[word_stem] = found
        return found

    def _candidates(self, stems: list[str]) -> list[str]:
        """The titles with a word of their role name that one of these words matches."""
        hit = {t for s in stems for n in self._matching(s) for t in self._titles_of[n]}
        return [t for t in self.titles if t in hit]

    def _by_alias(self, all_stems: list[str]) -> dict[str, set[int]]:
        """Per title, the word positions where another name of its role stands ("DBA", "database admin")."""
        found: dict[str, set[int]] = {}
        # "software engineering" names "software engineer": the later words may be of the same family
        for i, title, seq in self._other_names_in(all_stems, same_family=True):
            found.setdefault(title, set()).update(range(i, i + len(seq)))
        return found

    def mentioned(self, text: str) -> list[str]:
        """The guides a text names, in the order it names them."""
        ws = _joined(words(_IDIOMS.sub(lambda m: "_" * len(m.group()), text)), self.one_words)
        kept = [i for i, w in enumerate(ws) if w not in STOPWORDS]
        position = {i: k for k, i in enumerate(kept)}
        all_stems = [stem(w) for w in ws]
        stems = [all_stems[i] for i in kept]
        found: list[tuple[int, int, str, set[int]]] = []
        matching = [self._matching(s) for s in stems]
        aliased = self._by_alias(all_stems)
        hits_of: dict[str, list[int]] = {}  # per title, the positions of the words that match its name
        for i, m in enumerate(matching):
            for title in {t for n in m for t in self._titles_of[n]}:
                hits_of.setdefault(title, []).append(i)

        def may_be_named(title: str) -> bool:  # cheap: enough of its words, one only it has, or another name
            hits = hits_of.get(title, [])
            return (
                title in aliased
                or len({stems[i] for i in hits}) >= min(2, len(self.words[title]))
                or any(n in self.unique[title] for i in hits for n in matching[i])
            )

        for title in [t for t in self.titles if (t in hits_of or t in aliased) and may_be_named(t)]:
            by_alias = {position[j] for j in aliased.get(title, ()) if j in position}
            hits = hits_of.get(title, [])
            # words of one role name stand together ("network and computer systems administrators"), so
            # "computer" there and "scientists" elsewhere do not name the research scientist guide
            near = [i for i in hits if any(j != i and abs(j - i) <= tuning.ROLE_WORDS_WITHIN for j in hits)]
            unique = [
                i
                for i in hits
                if any(u in matching[i] for u in self.unique[title])
                and not self._other_kind(title, stems, kept, i)
                and not self._a_kind_of_thing(title, ws, stems, kept, i)
            ]
            chosen = (
                set(near if len({stems[i] for i in near}) >= min(2, len(self.words[title])) else [])
                | set(unique)
                | by_alias
            )
            if chosen:
                found.append((-len(chosen), min(chosen), title, chosen))
        taken: set[int] = set()
        named: list[tuple[int, str]] = []
        for _, first, title, positions in sorted(found):  # longest name first; a shorter one inside it is not another
            if positions <= taken:
                continue
            taken |= positions
            named.append((first, title))
        return [t for _, t in sorted(named)]

    def _a_kind_of_thing(self, title: str, ws: list[str], stems: list[str], kept: list[int], i: int) -> bool:
        """ "neural networks": the plural of a role-name word that is not the person ("network" in network
        administrator) right after a word not in that name is a kind of thing, not the role ("access to
        databases" still points at database administrators)."""
        if ws[kept[i]] not in self._thing_plurals[title] or i == 0 or kept[i - 1] != kept[i] - 1:
            return False
        before = stems[i - 1]
        return before.isalpha() and not any(_matches(before, n) for n in self.words[title])

    def _other_kind(self, title: str, stems: list[str], kept: list[int], i: int) -> bool:
        """ "data engineer", "ML engineer": the last word of a role's name right after a word that is not
        in that name names another kind of that job, not this role."""
        head = self.words[title][-1]
        if (
            head not in _GENERIC_HEADS
            or not _matches(self.unclipped(stems[i]), head)
            or i == 0
            or kept[i - 1] != kept[i] - 1
        ):
            return False
        before = stems[i - 1]
        return not any(_matches(before, n) for n in self.words[title]) and before.isalpha()

    def other_name_words(self, text: str) -> frozenset[str]:
        """The stems of the other names for a role that the text uses as a whole ("cyber", "ML platform
        engineer"), its title's words aside: they name the role, so they say nothing about which part of
        its guide is asked for. "ML" alone is no name of a role."""
        return frozenset(
            s
            for _, title, seq in self._other_names_in([stem(w) for w in words(text)])
            for s in seq
            if s not in self.words[title]
        )

    def _other_names_in(self, stems: list[str], same_family: bool = False) -> Iterator[tuple[int, str, list[str]]]:
        """(where, whose, which) for each other name of a role the stems hold as a whole; `same_family`:
        a word after the first may be of its family (_matches) rather than the same stem."""
        for i, first in enumerate(stems):
            for title, seq in self._alias_starts.get(first, []):
                later = stems[i + 1 : i + len(seq)]
                if len(later) == len(seq) - 1 and all(
                    _matches(w, n) if same_family else w == n for w, n in zip(later, seq[1:], strict=True)
                ):
                    yield i, title, seq

    def named_by(self, phrase_words: list[str]) -> str | None:
        """The guide a role phrase names, or None when it names a role no guide is about."""
        phrase_words = _joined([w.lower() for w in phrase_words], self.one_words)
        stems = [stem(w) for w in phrase_words if w not in STOPWORDS]
        if not stems:
            return None
        aliased = self._by_alias([stem(w) for w in phrase_words])
        for title in self.titles:  # "QA testers", "software QA testers": an other name of the role
            if title in aliased:
                return title
        for title in self._candidates(stems):
            if all(any(n in self._matching(s) for n in self.words[title]) for s in stems):
                return title
        return None

    def without_role_words(self, text: str) -> str:
        """The text without the words that name a guide's role ("how many data scientists are
        employed" -> "how many are employed"), and without any other name of a role as a whole ("DBA",
        "security analyst"; "security" alone stays)."""
        pieces = re.findall(r"\S+", text)
        piece_stems = [[stem(x) for x in words(p)] for p in pieces]
        stems = [" ".join(ps) for ps in piece_stems]

        def of_title(i: int, title: str, names: set[str] | list[str]) -> bool:
            return any(_matches(s, n) for s in piece_stems[i] for n in names)

        drop: set[int] = set()
        for title in self.mentioned(text):  # only a role the text names has words to drop
            # a word only this role's name has ("MLOps"), or title words standing together ("data
            # scientists"); "engineers" in "ML engineers" names another role and stays
            for i in range(len(pieces)):
                alone = of_title(i, title, [w for w in self.unique[title] if w == self.words[title][0]])
                if alone or (
                    of_title(i, title, self.words[title])
                    and any(0 <= j < len(pieces) and of_title(j, title, self.words[title]) for j in (i - 1, i + 1))
                ):
                    drop.add(i)
        for i, _, seq in self._other_names_in(stems):
            drop.update(range(i, i + len(seq)))
        return " ".join(p for i, p in enumerate(pieces) if i not in drop)

    def names(self) -> list[str]:
        return [role_name(t) for t in self.titles]
