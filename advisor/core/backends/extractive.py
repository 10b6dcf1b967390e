"""The default backend: no model. Composes a short answer from the retrieved passages' own
sentences and list items, with [n] markers, so every word shown is in a cited source.

Units (sentences, list items) are embedded at ingest time; scoring them here is a dot product.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from advisor.core.backends.base import Context, register
from advisor.core.text import block_heading, is_list_item, split_blocks, strip_markdown, tokens

MAX_CHARS = 900
MAX_ITEMS = 10

_PLURAL_EXCEPTIONS = frozenset(
    """mlops devops dataops does kubernetes always analytics aws biases gpus
    this his has was is its ops less process business stress basis various famous""".split()
)
_SUBJECTS = frozenset("engineers people folks years months weeks days guys others things jobs roles".split())
_ENUMERATIVE = re.compile(
    r"\b(what|which) (are|were)\b|\blist\b|\bname (some|a few|the|all)\b|\bexamples?\b"
    r"|\b(kinds?|types?|sorts?) of\b|\bwhat all\b",
    re.I,
)
_CHEAP = re.compile(r"\b(cheapest|least expensive|lowest[- ]cost|lowest price|most affordable|cheaper)\b", re.I)
_DEAR = re.compile(
    r"\b(most expensive|priciest|costliest|highest[- ]cost|highest price|pricier|more expensive)\b", re.I
)
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?")


@dataclass
class Scored:
    rank: int  # of the hit the unit came from
    section: str  # top-level section of that hit
    position: int  # within its chunk
    block: int  # heading block within the chunk
    text: str
    score: float
    terms: frozenset


def enumerative(question: str) -> bool:
    if _ENUMERATIVE.search(question):
        return True
    for w in re.findall(r"[a-z]+", question.lower()):
        if (
            len(w) > 3
            and w.endswith("s")
            and not w.endswith("ss")
            and w not in _PLURAL_EXCEPTIONS
            and w not in _SUBJECTS
        ):
            return True
    return False


def money(text: str) -> float | None:
    m = _MONEY.search(text)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    return value * {"k": 1e3, "m": 1e6}.get((m.group(2) or "").lower(), 1)


class ExtractiveBackend:
    name = "extractive"

    def __init__(self, settings=None, max_chars: int = MAX_CHARS, hits_used: int = 3):
        self.max_chars = max_chars
        self.hits_used = hits_used

    def load(self) -> None:
        """Nothing to load: unit vectors come with the index."""

    def stream(self, context: Context) -> Iterator[str]:
        yield self.compose(context)

    # composition
    def compose(self, ctx: Context) -> str:
        units = self._score(ctx)
        if not units:
            return ""
        chosen = self._superlative(ctx.question, units)
        if chosen is None:
            blocks: dict[tuple[int, int], list[Scored]] = {}
            for u in units:
                blocks.setdefault((u.rank, u.block), []).append(u)
            list_bonus = 0.08 if enumerative(ctx.question) else 0.0
            ranked = sorted(
                blocks.values(),
                key=lambda b: -(_block_score(b) + list_bonus * (sum(is_list_item(u.text) for u in b) >= 2)),
            )
            chosen = self._answer_from(ctx.question, ranked[0])
            chosen += self._list_after_intro(ranked[0], blocks) or self._second_block(ctx.question, ranked, chosen)
        return self._render(chosen)

    def _answer_from(self, question: str, block: list[Scored]) -> list[Scored]:
        """A list block answers with its lead and items (or the one item asked about);
        a prose block with its best sentences, in reading order."""
        best = max(block, key=lambda u: u.score)
        items = [u for u in block if is_list_item(u.text)]
        if len(items) >= 2:
            named = self._named_items(question, block, items)
            if named:  # with the list's lead, so the user knows what the item is one of
                return _lead(block, named[0]) + named
            return self._list(block)
        picked, length = [], 0
        for u in sorted(block, key=lambda u: u.score, reverse=True):
            if len(picked) >= 4 or u.score < best.score - 0.15:
                break
            if length + len(u.text) > self.max_chars or _redundant(u, picked):
                continue
            picked.append(u)
            length += len(u.text)
        return sorted(picked, key=lambda u: u.position)

    def _list_after_intro(self, block: list[Scored], blocks: dict) -> list[Scored]:
        """A short intro ("Questions come in three kinds...") is not an answer by itself: add the
        best list that follows it in the same passage."""
        if len(block) > 2 or any(is_list_item(u.text) for u in block):
            return []
        rank, number = block[0].rank, block[0].block
        following = [
            b for (r, n), b in blocks.items() if r == rank and n > number and sum(is_list_item(u.text) for u in b) >= 2
        ]
        if not following:
            return []
        return self._list(max(following, key=_block_score))

    def _second_block(self, question: str, ranked: list[list[Scored]], chosen: list[Scored]) -> list[Scored]:
        """A second block that answers about as well (a portfolio's projects and its metrics)."""
        if len(ranked) < 2 or all(is_list_item(u.text) for u in chosen):
            return []
        first, second = ranked[0], ranked[1]
        gap = _block_score(first) - _block_score(second)
        same_section = first[0].section == second[0].section
        if gap > (0.06 if same_section else 0.03):
            return []
        extra = self._answer_from(question, second)
        used = sum(len(u.text) for u in chosen)
        return extra if used + sum(len(u.text) for u in extra) <= self.max_chars else []

    def _score(self, ctx: Context) -> list[Scored]:
        """Unit similarity, plus word overlap weighted by rarity (naming "Grafana" counts, "run" barely),
        plus how well the unit's whole chunk matched."""
        df = ctx.index.document_frequency
        n = max(len(ctx.index.ids), 1)
        idf = lambda t: math.log((n + 1) / (df.get(t, 0) + 0.5))
        question_terms = set(ctx.index.known_tokens(ctx.question)) or set(ctx.index.known_tokens(ctx.query))
        query_terms = set(ctx.index.known_tokens(ctx.query))
        overlap = lambda terms, have: sum(idf(t) for t in terms & have) / max(sum(idf(t) for t in terms), 1e-9)
        top_similarity = max((h.similarity for h in ctx.hits[: self.hits_used]), default=0.0)
        scored = []
        for rank, hit in enumerate(ctx.hits[: self.hits_used]):
            vectors = ctx.index.unit_vectors.get(hit.id)
            if vectors is None or not len(vectors):
                continue
            sims = vectors @ ctx.query_vector
            if ctx.question_vector is not None:  # a follow-up: its own words matter as much as the topic
                sims = 0.5 * sims + 0.5 * (vectors @ ctx.question_vector)
            section = hit.section.split(" > ")[0]
            blocks = split_blocks(hit.text)
            block_of = [b for b, (_, us) in enumerate(blocks) for _ in us]
            for unit, sim in zip(ctx.index.units[hit.id], sims):
                block = block_of[unit.position] if unit.position < len(block_of) else 0
                heading = block_heading(hit.section, blocks[block][0] if block < len(blocks) else "")
                terms = frozenset(tokens(unit.text))
                context_terms = terms | frozenset(tokens(heading))
                score = (
                    float(sim)
                    + 0.3 * overlap(question_terms, context_terms)
                    + 0.1 * overlap(query_terms, context_terms)
                    + 0.5 * (hit.similarity - top_similarity)
                )
                scored.append(Scored(rank, section, unit.position, block, unit.text, score, terms))
        return scored

    @staticmethod
    def _named_items(question: str, block: list[Scored], items: list[Scored]) -> list[Scored]:
        """The items a question is about ("what does DVC do?", "tecton vs feast"): each has a question
        word that no other item, nor the list's lead, uses. Empty when the question is about the list."""
        lead_terms = frozenset().union(*(u.terms for u in block if not is_list_item(u.text)))
        question_terms = set(tokens(question)) - lead_terms
        unique = {
            id(u): sum(1 for t in question_terms if t in u.terms and sum(t in v.terms for v in items) == 1)
            for u in items
        }
        most = max(unique.values())
        if most:
            return [u for u in items if unique[id(u)] == most]
        best = max(items, key=lambda u: u.score)
        others = sorted((u.score for u in items if u is not best), reverse=True)
        return [best] if others and best.score - others[0] >= 0.15 else []

    @staticmethod
    def _list(block: list[Scored]) -> list[Scored]:
        items = [u for u in block if is_list_item(u.text)]
        lead = _lead(block, items[0])
        if len(items) > MAX_ITEMS:
            keep = {id(u) for u in sorted(items, key=lambda u: u.score, reverse=True)[:MAX_ITEMS]}
            items = [u for u in items if id(u) in keep]
        best = max(u.score for u in items)
        after = [
            u for u in block if not is_list_item(u.text) and u.position > items[-1].position and u.score >= best - 0.05
        ][:1]
        return lead + items + after

    @staticmethod
    def _superlative(question: str, units: list[Scored]) -> list[Scored] | None:
        cheap, dear = _CHEAP.search(question), _DEAR.search(question)
        if not (cheap or dear):
            return None
        priced = [(money(u.text), u) for u in units if money(u.text) is not None]
        if len(priced) < 2:
            return None
        top_rank = min(u.rank for _, u in priced)
        priced = [(v, u) for v, u in priced if u.rank == top_rank]
        value, unit = (min if cheap else max)(priced, key=lambda p: p[0])
        return [unit]

    def _render(self, chosen: list[Scored]) -> str:
        """Prose of one source as a sentence run with its marker, then its list items as bullets."""
        parts = []
        for (rank, _), group in groupby(chosen, key=lambda u: (u.rank, u.block)):
            group = list(group)
            marker = f" [{rank + 1}]"
            prose = " ".join(
                strip_markdown(u.text).strip()
                for u in group
                if not is_list_item(u.text)
                and not u.position > max([v.position for v in group if is_list_item(v.text)], default=10**6)
            )
            tail = " ".join(
                strip_markdown(u.text).strip()
                for u in group
                if not is_list_item(u.text)
                and u.position > max([v.position for v in group if is_list_item(v.text)], default=10**6)
            )
            items = [_LIST_MARK.sub("- ", strip_markdown(u.text).strip()) for u in group if is_list_item(u.text)]
            lines = ([prose + marker] if prose else []) + items + ([tail + marker] if tail else [])
            if not prose and not tail:
                lines[-1] += marker
            parts.append("\n".join(lines))
        text = "\n\n".join(parts)
        while len(text) > self.max_chars and "\n" in text:
            text = text.rsplit("\n", 1)[0]
        return text


def _lead(block: list[Scored], item: Scored) -> list[Scored]:
    """The sentence that introduces a list ("The soft skills ... are:"), as a one-element list."""
    return [u for u in block if not is_list_item(u.text) and u.position < item.position][-1:]


def _block_score(block: list[Scored]) -> float:
    """Best unit, tempered by the next best: one stray sentence should not outrank a section."""
    scores = sorted((u.score for u in block), reverse=True)
    return 0.5 * scores[0] + 0.5 * sum(scores[:3]) / len(scores[:3])


def _redundant(unit: Scored, picked: list[Scored]) -> bool:
    for p in picked:
        shared = len(unit.terms & p.terms) / max(min(len(unit.terms), len(p.terms)), 1)
        if shared > 0.8:
            return True
    return False


@register("extractive")
def _make(settings, **kwargs) -> ExtractiveBackend:
    return ExtractiveBackend(settings, **kwargs)
