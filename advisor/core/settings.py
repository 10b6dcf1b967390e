"""Settings from `ADVISOR_*` environment variables (and an optional `.env`).

One place for every knob, so the CLI, the web app and the tests agree on defaults.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADVISOR_", env_file=".env", extra="ignore")

    # Knowledge base and index
    corpus_dir: Path = Field(default=REPO_ROOT / "corpus", description="Documents indexed when none are named.")
    data_dir: Path = Field(default=REPO_ROOT / "data", description="Embedded Chroma store, feedback, logs.")
    chroma_url: str | None = Field(default=None, description="Chroma server URL; unset = embedded store in data_dir.")
    collection_prefix: str = "advisor"

    # Chunking
    chunk_size: int = 900
    chunk_overlap: int = 100

    # Retrieval
    top_k: int = 4
    candidates: int = 12
    rrf_k: int = 60

    # Answering
    backend: str = "extractive"
    default_guide: str = Field(
        default="MLOps Engineer",
        description="The guide a question that names no role is about (part of its title); empty = all guides.",
    )
    max_question_chars: int = 2000
    model_path: str | None = None
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"
    ollama_url: str = "http://127.0.0.1:11434"
    ollama_model: str = "llama3.2"
    llm_threads: int = 2
    llm_context: int = 2048
    first_token_timeout_s: float = 10.0
    total_timeout_s: float = 60.0

    # Web
    host: str = "127.0.0.1"
    port: int = 7860
    allowed_origins: str = ""
    rate_limit_per_minute: int = 30
    # Hardening (docs/security.md)
    client_backends: str | None = Field(
        default=None,
        description="Backends a client may pick per request (comma list, or *); unset: the configured one only.",
    )
    max_model_calls: int = Field(
        default=8, ge=1, description="Answers from a model backend at once; more wait up to a second, then 503."
    )
    max_connections: int = Field(default=2000, ge=1, description="Open connections; a new one beyond this is closed.")
    max_concurrent_requests: int = Field(default=1000, ge=0, description="Requests in flight; beyond: 503. 0 = no cap.")
    header_timeout_s: float = Field(
        default=10.0, gt=0, description="A connection must send complete headers this fast."
    )
    metrics_token: str | None = Field(
        default=None, description="If set, /metrics needs 'Authorization: Bearer <token>'."
    )
    metrics_port: int | None = Field(default=None, description="If set, /metrics is served on this port only.")
    # Comma-separated bearer keys for /v1/* and /mcp (README, "OpenAI-compatible API"); unset = open.
    api_keys: str = ""

    # Operations (docs/deploy.md)
    question_log_days: int = Field(default=30, ge=0, description="Keep logged questions this many days; 0 = log none.")
    index_poll_seconds: float = Field(default=5.0, ge=0, description="Check for a new live index version; 0 = never.")
    access_log: bool = Field(default=True, description="One JSON line per HTTP request on standard error.")

    # Shared services for several replicas (docs/deploy.md)
    database_url: str | None = Field(
        default=None,
        description="Feedback and question log database (postgresql://...); unset = SQLite files in data_dir.",
    )
    redis_url: str | None = Field(
        default=None, description="Redis for rate limits and the answer cache shared by replicas; unset = in memory."
    )
    answer_cache_size: int = Field(
        default=1024, ge=0, description="Answers kept for repeated questions (in-process LRU; 0 = no cache)."
    )
    answer_cache_ttl_seconds: int = Field(default=3600, ge=1, description="How long a cached answer is reused.")
    warm_answers: int = Field(
        default=16,
        ge=0,
        description="Questions the chat offers first (starters, then follow-up options) answered into the "
        "answer cache at start-up, so the first visitors get cached answers (0 = none).",
    )

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
