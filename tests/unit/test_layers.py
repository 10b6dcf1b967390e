"""The layers stay visible: dependencies point down (web, ops -> core; ingest -> core), never up."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit


def imports_of(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        if path.name == "__main__.py":  # an entry point joins the layers, like advisor/assembly.py
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[str(path.relative_to(REPO))] = names
    return found


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        (
            "advisor/core",
            ("advisor.web", "advisor.ops", "advisor.cli", "advisor.assembly", "ingest", "gradio", "fastapi"),
        ),
        ("advisor/ops", ("advisor.web", "advisor.cli", "advisor.assembly", "gradio")),
        ("ingest", ("advisor.web", "advisor.ops", "advisor.cli", "advisor.assembly")),
    ],
)
def test_a_layer_imports_nothing_above_it(layer, forbidden):
    offenders = {
        module: sorted(n for n in names if n.split(".")[0] in forbidden or n.startswith(forbidden))
        for module, names in imports_of(REPO / layer).items()
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_core_modules_do_not_use_relative_imports_that_hide_their_layer():
    for path in (REPO / "advisor").rglob("*.py"):
        tree = ast.parse(path.read_text())
        assert not any(isinstance(n, ast.ImportFrom) and n.level > 1 for n in ast.walk(tree)), path
