"""Answer backends, chosen by name: `extractive` (default, no model) and optional model backends."""
from .base import AnswerBackend, BackendError, Context, available, create_backend, register
from . import extractive  # noqa: F401  (registers the default backend)

__all__ = ["AnswerBackend", "BackendError", "Context", "available", "create_backend", "register"]
