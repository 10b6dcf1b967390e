"""The answer-backend interface and its registry: backends are chosen by name.

A backend gets the question and the retrieved, already-gated passages and returns text with [n]
markers into them. Citations and the grounded decision are made before a backend runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from advisor.core.errors import BackendError as BackendError  # re-exported: backends raise it
from advisor.core.retrieval import Hit, LoadedIndex
from advisor.core.settings import Settings


@dataclass
class Context:
    question: str  # as the user asked it
    query: str  # standalone form used for retrieval (follow-ups resolved)
    hits: list[Hit]  # in rank order; marker [n] points at hits[n-1]
    index: LoadedIndex
    query_vector: np.ndarray
    history: list[dict[str, str]] = field(default_factory=list)
    question_vector: np.ndarray | None = None  # set for follow-ups, where query != question
    plan: Any = None  # advisor.core.plans.Plan: the facts chosen for this request, in order
    citations: dict[str, int] = field(default_factory=dict)  # chunk id -> its [n]


class AnswerBackend(Protocol):
    name: str

    def load(self) -> None:
        """Pay start-up costs (model load, connection) once, before the first question."""

    def stream(self, context: Context) -> Iterator[str]:
        """Yield the answer text in pieces."""


Factory = Callable[..., AnswerBackend]  # (settings, **kwargs) -> backend
_FACTORIES: dict[str, Factory] = {}
# Backends whose modules import optional packages: loaded only when chosen.
_LAZY = {
    "local": "advisor.core.backends.llamacpp",
    "openai": "advisor.core.backends.openai_compat",
    "ollama": "advisor.core.backends.ollama",
}


def register(name: str) -> Callable[[Factory], Factory]:
    def decorator(factory: Factory) -> Factory:
        _FACTORIES[name] = factory
        return factory

    return decorator


def available() -> list[str]:
    return sorted(set(_FACTORIES) | set(_LAZY))


def create_backend(name: str, settings: Settings, **kwargs: Any) -> AnswerBackend:
    """Light: builds the backend object; call its `load()` before use."""
    if name not in _FACTORIES and name in _LAZY:
        try:
            importlib.import_module(_LAZY[name])
        except ImportError as exc:
            raise BackendError(
                f"The '{name}' backend needs an optional package ({exc.name}); "
                f"install it with: pip install 'career-advisor[{name}]'"
            ) from None
    if name not in _FACTORIES:
        raise BackendError(f"Unknown backend '{name}'. Choose one of: {', '.join(available())}.")
    return _FACTORIES[name](settings, **kwargs)
