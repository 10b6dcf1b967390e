"""Small ops rules without servers: which connection failures mean "the index server is down",
and what a bug looks like to the caller."""

import logging
from types import SimpleNamespace

import httpx
import pytest

from advisor.core.logs import NOISY_LOGGERS, quiet_libraries
from advisor.ops.access_log import INTERNAL_ERROR, internal_error
from advisor.ops.memory import settle_loaded_objects
from advisor.ops.watcher import is_index_unreachable

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("chroma_url", "failed_url", "unreachable"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/api/v2/heartbeat", True),
        ("127.0.0.1:8000", "http://127.0.0.1:8000/api/v2/heartbeat", True),  # no scheme: http
        ("http://chroma:8001", "http://chroma:8001/api", True),
        ("http://127.0.0.1:8000", "http://127.0.0.1:9000/v1/chat/completions", False),  # a model server
        (None, "http://127.0.0.1:8000/api", False),  # embedded store: never the index server
    ],
)
def test_only_failures_to_reach_the_chroma_server_count(chroma_url, failed_url, unreachable):
    exc = httpx.ConnectError("refused", request=httpx.Request("GET", failed_url))
    assert is_index_unreachable(exc, SimpleNamespace(chroma_url=chroma_url)) is unreachable


def test_a_non_transport_error_is_not_an_outage():
    assert not is_index_unreachable(ValueError("bug"), SimpleNamespace(chroma_url="http://127.0.0.1:8000"))


def test_a_bug_is_logged_with_its_traceback_and_answered_without_one(caplog):
    request = SimpleNamespace(method="POST", url=SimpleNamespace(path="/api/ask"))
    try:
        raise RuntimeError("secret detail")
    except RuntimeError as exc:
        with caplog.at_level(logging.ERROR):
            response = internal_error(request, exc)
    assert response.status_code == 500
    assert response.body.decode() == f'{{"error":"{INTERNAL_ERROR}"}}'
    assert "secret detail" not in response.body.decode()
    assert caplog.records[-1].exc_info and "POST /api/ask" in caplog.records[-1].getMessage()


def test_quiet_libraries_turns_down_every_noisy_logger():
    quiet_libraries(logging.ERROR)
    try:
        assert {logging.getLogger(n).level for n in NOISY_LOGGERS} == {logging.ERROR}
    finally:
        quiet_libraries()
    assert {logging.getLogger(n).level for n in NOISY_LOGGERS} == {logging.WARNING}


def test_warming_answers_the_suggested_questions_into_the_cache_without_counting_or_logging_them():
    from advisor.ops.answer_cache import AnswerCache, LocalStore
    from tests.fakes import fake_advisor

    guide = "# Baker Career Guide\n\n## How much do bakers earn?\n\nBakers earn $38,000 a year.\n\n## What do bakers do?\n\nBakers bake bread.\n"
    advisor = fake_advisor([guide])
    logged = []
    cache = AnswerCache(LocalStore(10, 60))
    answering = cache.wrap(advisor)
    advisor.observers.append(logged.append)  # stands in for the question log
    suggested = advisor.suggested_questions(2)
    assert answering.warm(suggested) == 2 and (cache.hits, cache.misses) == (0, 0) and logged == []
    assert "$38,000" in answering.ask("How much do bakers earn?").answer
    assert (cache.hits, cache.misses) == (1, 0) and len(logged) == 1


def test_settling_freezes_what_is_loaded_and_collects_garbage_first():
    import gc
    import weakref

    class Node:
        pass

    loaded, garbage = Node(), Node()
    garbage.self = garbage  # a cycle only the collector frees
    gone = weakref.ref(garbage)
    del garbage
    try:
        settle_loaded_objects()
        assert gone() is None  # collected, not frozen for good
        assert gc.get_freeze_count() > 0
        assert not any(o is loaded for o in gc.get_objects(generation=2))  # out of the collector's walks
    finally:
        gc.unfreeze()
