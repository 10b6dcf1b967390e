"""Career Advisor: grounded answers with citations from a knowledge base of career guides."""

from __future__ import annotations

import os

# Offline by design: nothing is downloaded and nothing is reported, whichever surface starts us.
for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("ANONYMIZED_TELEMETRY", "False"),
):
    os.environ.setdefault(_name, _value)

__all__ = ["Advisor", "Answer", "Source", "InvalidInput", "Settings", "get_settings"]


def __getattr__(name):  # lazy: `import advisor` stays cheap for the CLI's fast paths
    if name == "Advisor":
        from advisor.assembly import Advisor

        return Advisor
    if name == "InvalidInput":
        from advisor.core.errors import InvalidInput

        return InvalidInput
    if name in ("Answer", "Source"):
        from advisor.core import schema

        return getattr(schema, name)
    if name in ("Settings", "get_settings"):
        from advisor.core import settings

        return getattr(settings, name)
    raise AttributeError(name)
