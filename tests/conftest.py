"""Shared fixtures: a real index built from the real corpus with the real bundled model, in a
temporary data folder. Nothing here touches the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("ANONYMIZED_TELEMETRY", "False"),
):
    os.environ[_name] = _value

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def embedder():
    from advisor.core.embeddings import Embedder

    return Embedder().load()


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from advisor.core.settings import Settings

    # rate_limit_per_minute=0: the shared test server's many clients all come from 127.0.0.1; the
    # limit has its own servers and tests (tests/test_widget.py).
    return Settings(data_dir=tmp_path_factory.mktemp("data"), corpus_dir=REPO / "corpus", rate_limit_per_minute=0)


@pytest.fixture(scope="session")
def advisor(settings, embedder):
    """The product as a user gets it: index built from corpus/ on first use."""
    from advisor import Advisor

    return Advisor.from_settings(settings, embedder=embedder)


@pytest.fixture
def make_settings(tmp_path):
    """Settings with a private data folder (and optionally a private corpus) for tests that change the index."""
    from advisor.core.settings import Settings

    def make(**overrides):
        overrides.setdefault("data_dir", tmp_path / "data")
        overrides.setdefault("corpus_dir", REPO / "corpus")
        return Settings(**overrides)

    return make


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (its own browser download cannot work here)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (Debian package 'chromium'); browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def pytest_collection_modifyitems(config, items):
    """Unit tests (fakes, milliseconds) run first, so a broken rule fails in seconds, not after the
    slow suite; browser tests run last, because Playwright's sync API keeps an event loop running in
    the main thread for the rest of the session, and async clients (MCP, LangChain's async retriever
    test) cannot start theirs after it. The order is otherwise unchanged."""
    items.sort(
        key=lambda item: (item.get_closest_marker("unit") is None, item.get_closest_marker("browser") is not None)
    )
