"""The default backend: no model. Renders the answer plan (advisor/core/plans.py) as Markdown: the
guide's own sentences and list items, each run of them followed by the [n] of the source it is quoted
from, list sub-headings kept above their items, and a trailing sentence kept out of the last bullet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from advisor.core import tuning
from advisor.core.backends.base import Context, register

if TYPE_CHECKING:
    from advisor.core.plans import Plan

_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def quote(context: Context) -> str:
    """The answer quoted from the sources: what a model's answer falls back to."""
    return render(context.plan, context.citations) if context.plan is not None else ""


def render(plan: Plan, citations: dict[str, int], max_chars: int = tuning.MAX_ANSWER_CHARS) -> str:  # noqa: C901 - one pass over a block
    paragraphs: list[str] = []
    markers: list[str] = []
    for block in plan.blocks:
        if not block.units:
            continue
        marker = f" [{citations.get(block.part.chunk_id, 1)}]"
        lines: list[str] = [f"**{block.label}**"] if block.label else []
        if block.heading and block.part.sub and not any(u.is_sublead for u in block.units[:1]):
            lines.append(f"**{block.part.sub}**")
        prose: list[str] = []
        seen_item = False
        for unit in block.units:
            text = unit.plain
            if unit.is_item:
                if prose:
                    lines.append(" ".join(prose) + ("" if seen_item else marker))
                    prose = []
                lines.append(_LIST_MARK.sub("- ", text))
                seen_item = True
            elif unit.is_sublead:
                if prose:
                    lines.append(" ".join(prose))
                    prose = []
                lines.append(f"**{text.rstrip(':')}:**")
            else:
                if seen_item and not prose:
                    lines.append("")  # a sentence after a list is its own paragraph, not part of the last item
                prose.append(text)
        if prose:
            lines.append(" ".join(prose) + marker)
        elif seen_item:
            lines[-1] += marker
        paragraphs.append("\n".join(lines).strip("\n"))
        markers.append(marker)
    return _fit("\n\n".join(p for p in (plan.intro, plan.verdict) if p), paragraphs, markers, plan.outro, max_chars)


_HEADER_LINE = re.compile(r"^\*\*[^*]+\*\*:?$")


def _fit(intro: str, blocks: list[str], markers: list[str], outro: str, max_chars: int) -> str:
    """Too long: whole blocks go from the end first, so no answer ends on a heading with nothing under it
    or on an item that lost its [n]; then lines of the one block left."""

    def joined() -> str:
        return "\n\n".join(p for p in [intro, *blocks, outro] if p)

    while len(joined()) > max_chars and len(blocks) > 1:
        blocks.pop()
        markers.pop()
    text = joined()
    if len(text) <= max_chars:
        return text
    body = "\n\n".join(p for p in [intro, *blocks] if p)
    room = max_chars - (len(outro) + 2 if outro else 0)
    while len(body) > room and "\n" in body:
        body = body.rsplit("\n", 1)[0].rstrip()
    lines = body.split("\n")
    while len(lines) > 1 and (not lines[-1].strip() or _HEADER_LINE.match(lines[-1].strip())):
        lines.pop()
    body = "\n".join(lines)
    if len(body) > room:
        body = body[:room].rsplit(" ", 1)[0] + " …"
    if markers and not re.search(r"\[\d+\]$", body):
        body += markers[-1]
    return "\n\n".join(p for p in [body, outro] if p)


class ExtractiveBackend:
    name = "extractive"

    def __init__(self, settings: object = None, max_chars: int = tuning.MAX_ANSWER_CHARS) -> None:
        self.max_chars = max_chars

    def load(self) -> None:
        """Nothing to load: the plan comes from the pipeline."""

    def stream(self, context: Context) -> Iterator[str]:
        yield self.compose(context)

    def compose(self, context: Context) -> str:
        if context.plan is None:
            return ""
        return render(context.plan, context.citations, self.max_chars)


@register("extractive")
def _make(settings: object, **kwargs: Any) -> ExtractiveBackend:
    return ExtractiveBackend(settings, **kwargs)
