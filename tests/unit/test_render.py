"""How a plan reads as Markdown when it is too long for one answer."""

import re

import numpy as np
import pytest

from advisor.core.backends.extractive import render
from advisor.core.content import Part, Unit
from advisor.core.plans import Block, Plan

pytestmark = pytest.mark.unit


def part(n: int, sub: str, lines: list[str]) -> Part:
    units = [Unit(text, np.zeros(3, dtype=np.float32), frozenset()) for text in lines]
    return Part("Baker Career Guide", f"What do bakers use? > {sub}", f"c{n}", n, units)


def test_a_long_answer_drops_whole_blocks_so_it_never_ends_on_a_heading_or_an_uncited_line():
    parts = [
        part(n, f"Group {n}", ["The tools are:", *[f"- Tool {n}.{i}: does a thing" for i in range(8)]])
        for n in range(4)
    ]
    plan = Plan([Block(p, p.units, heading=True) for p in parts], outro="Not covered: prices.")
    text = render(plan, {p.chunk_id: n for n, p in enumerate(parts, 1)}, max_chars=400)
    assert len(text) <= 400
    body = text.rsplit("\n\n", 1)[0]
    assert re.search(r"\[\d+\]$", body), body
    assert not body.splitlines()[-1].startswith("**")
    assert text.endswith("Not covered: prices.")
