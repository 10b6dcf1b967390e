"""Answers about the BLS/O*NET guides keep each role's figures to that role: pay and growth asked of
each guide, and of each pair side by side, never carry another guide's figure (issue 14)."""

import csv
import itertools
import re
from pathlib import Path

import pytest

from advisor.core.guides import plural, role_name

FACTS = Path(__file__).parent / "facts" / "guide_facts.csv"
ROWS = list(csv.DictReader(FACTS.open(encoding="utf-8")))
GUIDES = sorted({r["guide"] for r in ROWS})


def figure(guide: str, fact: str) -> str:
    return next(r["figure"] for r in ROWS if r["guide"] == guide and r["fact"] == fact)


def title(guide: str) -> str:
    text = (Path(__file__).parents[1] / "corpus" / guide).read_text(encoding="utf-8")
    return re.search(r"^title:\s*(.+)$", text, re.M).group(1).strip().strip('"')


def role(guide: str) -> str:
    return plural(role_name(title(guide)))


def pay_figures() -> dict[str, str]:
    return {g: figure(g, "median_pay") for g in GUIDES}


@pytest.mark.parametrize("guide", GUIDES)
def test_pay_is_the_guides_own(advisor, guide):
    answer = advisor.ask(f"How much do {role(guide)} earn?")
    assert answer.grounded and pay_figures()[guide] in answer.answer, answer.answer
    others = [f for g, f in pay_figures().items() if g != guide and f not in pay_figures()[guide]]
    assert not [f for f in others if f in answer.answer], answer.answer


@pytest.mark.parametrize("guide", GUIDES)
def test_growth_is_the_guides_own(advisor, guide):
    answer = advisor.ask(f"How fast is the number of {role(guide)} projected to grow?")
    growth = re.search(r"[\d.]+", figure(guide, "growth")).group(0)
    assert answer.grounded and growth in answer.answer, answer.answer
    # another guide's growth figure, unless it is this guide's number too ("decline 4 percent" vs "4 percent")
    others = {figure(g, "growth") for g in GUIDES if g != guide}
    others = {o for o in others if re.search(r"[\d.]+", o).group(0) != growth}
    assert not [o for o in others if f" {o}" in answer.answer], answer.answer


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(GUIDES, 2)))
def test_a_pair_compared_on_pay_keeps_each_figure_with_its_role(advisor, first, second):
    answer = advisor.ask(f"Who earns more, {role(first)} or {role(second)}?").answer
    blocks = {b.split("\n", 1)[0].strip("*"): b for b in answer.split("\n\n") if b.startswith("**")}
    for guide in (first, second):
        label = role_name(title(guide))
        assert label in blocks, answer
        assert pay_figures()[guide] in blocks[label], answer
        other = pay_figures()[second if guide == first else first]
        assert other not in blocks[label], answer
