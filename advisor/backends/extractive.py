"""The default backend: no model. Composes a short answer from the retrieved passages' own
sentences and list items, with [n] markers, so every word shown is in a cited source.

Units (sentences, list items) are embedded at ingest time; scoring them here is a dot product.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby
from typing import Iterator

import numpy as np

from ..text import is_list_item, split_blocks, stem, strip_markdown, tokens
from .base import Context, register

MAX_CHARS = 900
MAX_ITEMS = 10

_PLURAL_EXCEPTIONS = frozenset("""mlops devops dataops does kubernetes always analytics aws biases gpus
    this his has was is its ops less process business stress basis various famous""".split())
_ENUMERATIVE = re.compile(r"\b(what|which) (are|were)\b|\blist\b|\bname (some|a few|the|all)\b|\bexamples?\b"
                          r"|\b(kinds?|types?|sorts?) of\b|\bwhat all\b", re.I)
_CHEAP = re.compile(r"\b(cheapest|least expensive|lowest[- ]cost|lowest price|most affordable|cheaper)\b", re.I)
_DEAR = re.compile(r"\b(most expensive|priciest|costliest|highest[- ]cost|highest price|pricier|more expensive)\b", re.I)
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?")


@dataclass
class Scored:
    rank: int          # of the hit the unit came from
    position: int      # within its chunk
    block: int         # heading block within the chunk
    text: str
    score: float
    terms: frozenset


def enumerative(question: str) -> bool:
    if _ENUMERATIVE.search(question):
        return True
    for w in re.findall(r"[a-z]+", question.lower()):
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss") and w not in _PLURAL_EXCEPTIONS:
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
        best = max(units, key=lambda u: u.score)
        chosen = self._superlative(ctx.question, units)
        if chosen is None:
            blocks = self._list_blocks(units)
            wants_list = enumerative(ctx.question) or best.text.rstrip().endswith(":")
            in_list = [u for u in units if (u.rank, u.block) in blocks]
            top = max(in_list, key=lambda u: u.score) if in_list else None
            if top is not None and (is_list_item(best.text) or wants_list) and top.score >= best.score - 0.12 \
                    and not self._specific(ctx.question, top, blocks[(top.rank, top.block)]):
                chosen = self._list(blocks[(top.rank, top.block)])
                chosen += self._sibling_list(blocks, top, chosen)
            else:
                chosen = self._sentences(units, best)
        return self._render(chosen)

    @staticmethod
    def _list_blocks(units: list[Scored]) -> dict[tuple[int, int], list[Scored]]:
        blocks: dict[tuple[int, int], list[Scored]] = {}
        for u in units:
            blocks.setdefault((u.rank, u.block), []).append(u)
        return {k: v for k, v in blocks.items() if sum(is_list_item(u.text) for u in v) >= 2}

    def _sibling_list(self, blocks, top: Scored, chosen: list[Scored]) -> list[Scored]:
        """A second list that answers the question about as well (projects and metrics of a portfolio)."""
        used = sum(len(u.text) for u in chosen)
        for key, block in sorted(blocks.items(), key=lambda kv: -max(u.score for u in kv[1])):
            if key == (top.rank, top.block):
                continue
            if max(u.score for u in block) >= top.score - 0.03:
                extra = self._list(block)
                if used + sum(len(u.text) for u in extra) <= self.max_chars:
                    return extra
            break
        return []

    def _score(self, ctx: Context) -> list[Scored]:
        question_terms = set(tokens(ctx.question)) or set(tokens(ctx.query))
        query_terms = set(tokens(ctx.query))
        scored = []
        for rank, hit in enumerate(ctx.hits[: self.hits_used]):
            vectors = ctx.index.unit_vectors.get(hit.id)
            if vectors is None or not len(vectors):
                continue
            sims = vectors @ ctx.query_vector
            block_of = [b for b, (_, us) in enumerate(split_blocks(hit.text)) for _ in us]
            for unit, sim in zip(ctx.index.units[hit.id], sims):
                terms = frozenset(tokens(unit.text))
                overlap = len(question_terms & terms) / max(len(question_terms), 1)
                context_overlap = len(query_terms & terms) / max(len(query_terms), 1)
                score = float(sim) + 0.25 * overlap + 0.1 * context_overlap - 0.05 * rank
                block = block_of[unit.position] if unit.position < len(block_of) else 0
                scored.append(Scored(rank, unit.position, block, unit.text, score, terms))
        return scored

    @staticmethod
    def _specific(question: str, best: Scored, block: list[Scored]) -> bool:
        """The question is about one item of the list ("what does DVC do?"), not the list."""
        if not is_list_item(best.text):
            return False
        question_terms = set(tokens(question))
        for term in question_terms & best.terms:
            if sum(term in u.terms for u in block) == 1:
                return True
        others = sorted((u.score for u in block if u is not best and is_list_item(u.text)), reverse=True)
        return bool(others) and best.score - others[0] >= 0.15

    @staticmethod
    def _list(block: list[Scored]) -> list[Scored]:
        items = [u for u in block if is_list_item(u.text)]
        lead = [u for u in block if not is_list_item(u.text) and u.position < items[0].position][-1:]
        if len(items) > MAX_ITEMS:
            keep = {id(u) for u in sorted(items, key=lambda u: u.score, reverse=True)[:MAX_ITEMS]}
            items = [u for u in items if id(u) in keep]
        return lead + items

    def _sentences(self, units: list[Scored], best: Scored) -> list[Scored]:
        picked = [best]
        length = len(best.text)
        for u in sorted(units, key=lambda u: u.score, reverse=True):
            if len(picked) >= 3 or u.score < best.score - 0.08:
                break
            if u is best or length + len(u.text) > self.max_chars or _redundant(u, picked):
                continue
            picked.append(u)
            length += len(u.text)
        return sorted(picked, key=lambda u: (u.rank, u.position))

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
            prose = " ".join(strip_markdown(u.text).strip() for u in group if not is_list_item(u.text))
            items = [_LIST_MARK.sub("- ", strip_markdown(u.text).strip()) for u in group if is_list_item(u.text)]
            lines = ([prose + marker] if prose else []) + items
            if not prose:
                lines[-1] += marker
            parts.append("\n".join(lines))
        text = "\n\n".join(parts)
        while len(text) > self.max_chars and "\n" in text:
            text = text.rsplit("\n", 1)[0]
        return text


def _redundant(unit: Scored, picked: list[Scored]) -> bool:
    for p in picked:
        shared = len(unit.terms & p.terms) / max(min(len(unit.terms), len(p.terms)), 1)
        if shared > 0.8:
            return True
    return False


@register("extractive")
def _make(settings, **kwargs) -> ExtractiveBackend:
    return ExtractiveBackend(settings, **kwargs)
