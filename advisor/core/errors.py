"""Every error this project raises on purpose, in one hierarchy, so each surface maps them in one place:
the CLI prints the message and exits 2, the HTTP API answers a 4xx or 503 with it.

Messages say what to do next; they never carry a traceback or a stack of library names.
"""

from __future__ import annotations


class AdvisorError(Exception):
    """Base of every expected failure: the message is for the user."""


class InvalidInput(AdvisorError, ValueError):
    """Bad input from a user: the message says what to fix (surfaces show it, with a 4xx)."""


class BackendError(AdvisorError, RuntimeError):
    """An answer backend could not answer (not installed, unreachable, timed out, gave nothing)."""


class IngestError(AdvisorError, RuntimeError):
    """Ingest could not build a new index version; the previous one stays live."""


class VersionNotFound(AdvisorError, LookupError):
    """No index version with that id (e.g. `advisor index rollback` to a version that was dropped)."""


class IndexMissing(AdvisorError, LookupError):
    """No index has been built yet and this Advisor was given no way to build one."""
