"""API fuzz (issue 12): schemathesis generates requests from /openapi.json, valid and invalid, and
checks every response: no 5xx, status codes and bodies as documented, invalid data refused.
In process (ASGI), against the real app and index; bounded to about a minute (MAX_EXAMPLES per
operation and mode: 1,003 requests in 28.7 s here)."""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

MAX_EXAMPLES = 250  # ~1,000 requests in ~30 s here (150: 603 in 18.6 s)
# Excluded: "a schema-valid body must be accepted". A question that is blank once control, format and
# unassigned characters are dropped is a 400 with a message, a rule JSON Schema cannot express (the
# schema says minLength 1, maxLength 2,000). Every other check runs: no 5xx, documented status
# codes, content types and response bodies, invalid data refused.
BUDGET_S = 90.0  # "bounded to a minute", with room for a loaded CI machine


@pytest.fixture(scope="module")
def api_schema(settings, advisor):
    from advisor.web.server import create_app

    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 0}), advisor=advisor)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_api_fuzz(api_schema):
    started, calls = time.monotonic(), []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/ask", "/api/chat", "/healthz", "/readyz"}
    for operation in operations:
        for mode in schemathesis.GenerationMode:

            @hypothesis_settings(
                max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case):
                calls.append(case.call_and_validate(excluded_checks=[positive_data_acceptance]))

            try:
                fuzz()
            except Unsatisfiable:
                assert mode is schemathesis.GenerationMode.NEGATIVE  # nothing to make invalid (GET /healthz)
    elapsed = time.monotonic() - started
    print(f"fuzz: {len(calls)} requests over {len(operations)} operations in {elapsed:.1f} s")
    assert all(r.status_code < 500 for r in calls)
    assert elapsed < BUDGET_S, f"the fuzz took {elapsed:.0f} s for {len(calls)} requests"
