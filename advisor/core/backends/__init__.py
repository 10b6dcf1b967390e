"""Answer backends, chosen by name: `extractive` (default, no model) and optional model backends."""

from advisor.core.backends import extractive
from advisor.core.backends.base import AnswerBackend, BackendError, Context, available, create_backend, register

__all__ = ["AnswerBackend", "BackendError", "Context", "available", "create_backend", "register"]
