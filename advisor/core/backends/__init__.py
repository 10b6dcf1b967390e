"""Answer backends, chosen by name: `extractive` (default, no model) and optional model backends."""

from advisor.core.backends import extractive as extractive  # imported to register the default backend
from advisor.core.backends.base import AnswerBackend, BackendError, Context, available, create_backend, register

__all__ = ["AnswerBackend", "BackendError", "Context", "available", "create_backend", "register"]
