"""Small text helpers shared by ingest and answering: units (sentences, list items) and word tokens.

Kept dependency-free so the fast paths (re-ingest of an unchanged corpus, the gate) import nothing heavy.
"""

from __future__ import annotations

import math
import re
import unicodedata

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing done down during each either else few for from
    further get gets got had has have having he her here hers herself him himself his how i if in into
    is it its itself just let me might mine more most much must my myself no nor not now of off on once
    only or other ought our ours ourselves out over own per please same shall she should so some such
    than that the their theirs them themselves then there these they this those through to too under
    until up upon us very was we were what when where which while who whom whose why will with would
    you your yours yourself yourselves also really actually tell know like want need one ones thing
    things kind sort way ways lot lots many since though although anyway somebody someone anybody anyone
    everybody everyone nobody something anything everything nothing""".split()
    # the country every figure in the guides is for (advisor/core/spelling.py reads "USA" as "U.S."): it
    # tells no part from another, so "how many developers are there in the U.S.?" is no question on pay
    + ["u.s"]
)

_WORD = re.compile(r"[a-z0-9]+(?:[+#]+|(?:[.\-/][a-z0-9]+)*)")


def normalize(text: str) -> str:
    """NFKC, drop control characters (keep newlines and tabs), unify dashes and quotes."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")


def stem(word: str) -> str:
    """A tiny suffix stripper: enough to match 'pipelines'/'pipeline', 'certifications'/'certification'."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if word.endswith(suffix):
            return word[: -len(suffix)] + repl
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-cased word tokens, punctuation kept inside tokens such as 'ci/cd', 'c++', '15-1252'."""
    return _WORD.findall(normalize(text).lower())


def tokens(text: str) -> list[str]:
    """Content tokens for keyword search: words minus stopwords, lightly stemmed, split compounds too."""
    out: list[str] = []
    for w in words(text):
        if w in STOPWORDS or len(w) < 2:
            continue
        out.append(stem(w))
        if re.search(r"[.\-/]", w):
            out.extend(stem(p) for p in re.split(r"[.\-/]", w) if p and p not in STOPWORDS)
    return out


# A Markdown list item's marker ("- ", "* ", "+ ", "1. ", "2) "): the one definition for ingest,
# answering and verification. LIST_LINE captures the item's text after the marker, line by line.
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$", re.M)
# A sentence ends at . ! ? before a capital, but not after an initialism ("the U.S. Bureau") or
# "e.g." / "i.e.".
_SENTENCE_END = re.compile(r"(?<![A-Z]\.[A-Z]\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'(*\[$])")


def strip_markdown(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)[*_](.+?)[*_](?!\w)", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    return text


def split_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Units grouped under the heading line that precedes them ('' before any heading)."""
    blocks: list[tuple[str, list[str]]] = [("", [])]
    for paragraph in re.split(r"\n\s*\n", text):
        for line in paragraph.splitlines():
            line = line.strip()
            if not line:
                continue
            heading = re.fullmatch(r"#+\s+(.*)", line)
            if heading:
                blocks.append((heading.group(1).strip(), []))
            elif LIST_ITEM.match(line):
                blocks[-1][1].append(line)
            else:
                blocks[-1][1].extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return [b for b in blocks if b[1]]


def block_heading(section: str, heading: str) -> str:
    """The heading a unit sits under: its block's own heading, else the chunk's first subsection,
    else the chunk's section."""
    if heading:
        return heading
    parts = section.split(" > ")
    return parts[1].split("; ")[0] if len(parts) > 1 else parts[0]


def split_units(text: str) -> list[str]:
    """A chunk's answerable pieces: each list item whole, each prose sentence alone."""
    return [unit for _, units in split_blocks(text) for unit in units]


def is_list_item(unit: str) -> bool:
    return bool(LIST_ITEM.match(unit))


def idf(documents: int, containing: int) -> float:
    """Inverse document frequency, smoothed (BM25's form): log((N + 1) / (df + 0.5)). Positive for
    every df <= N, so a word in every passage still counts a little; a word in none counts most."""
    return math.log((documents + 1) / (containing + 0.5))
