"""Settings from ADVISOR_* variables (advisor/core/settings.py): defaults, types, bounds."""

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from advisor.core.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No ADVISOR_* from the caller's shell, and no .env from the working folder."""
    for name in [n for n in os.environ if n.startswith("ADVISOR_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("field", "default"),
    [
        ("backend", "extractive"),
        ("top_k", 4),
        ("candidates", 12),
        ("rrf_k", 60),
        ("chunk_size", 900),
        ("max_question_chars", 2000),
        ("chroma_url", None),
        ("host", "127.0.0.1"),
        ("port", 7860),
        ("rate_limit_per_minute", 30),
        ("question_log_days", 30),
        ("index_poll_seconds", 5.0),
        ("access_log", True),
        ("corpus_dir", REPO_ROOT / "corpus"),
        ("data_dir", REPO_ROOT / "data"),
    ],
)
def test_defaults(field, default):
    assert getattr(Settings(), field) == default


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("ADVISOR_TOP_K", "6", "top_k", 6),
        ("ADVISOR_BACKEND", "local", "backend", "local"),
        ("ADVISOR_CHROMA_URL", "http://127.0.0.1:8000", "chroma_url", "http://127.0.0.1:8000"),
        ("ADVISOR_DATA_DIR", "/srv/advisor", "data_dir", Path("/srv/advisor")),
        ("ADVISOR_ACCESS_LOG", "false", "access_log", False),
        ("ADVISOR_INDEX_POLL_SECONDS", "0", "index_poll_seconds", 0.0),
        ("advisor_port", "8080", "port", 8080),  # names are case-insensitive
    ],
)
def test_environment_variables_override(monkeypatch, variable, value, field, expected):
    monkeypatch.setenv(variable, value)
    assert getattr(Settings(), field) == expected


def test_a_dotenv_file_in_the_working_folder_is_read(tmp_path):
    (tmp_path / ".env").write_text("ADVISOR_TOP_K=7\n")
    assert Settings().top_k == 7


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ADVISOR_TOP_K", "many"), ("ADVISOR_QUESTION_LOG_DAYS", "-1"), ("ADVISOR_INDEX_POLL_SECONDS", "-5")],
)
def test_invalid_values_are_refused_with_the_field_named(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.removeprefix("ADVISOR_").lower()):
        Settings()


def test_the_chroma_path_is_inside_the_data_folder(tmp_path):
    assert Settings(data_dir=tmp_path).chroma_path == tmp_path / "chroma"
