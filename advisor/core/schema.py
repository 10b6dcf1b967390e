"""The Answer contract (DESIGN.md): what the CLI, the HTTP API and eval results emit."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Source(BaseModel):
    id: str
    title: str
    section: str
    text: str = Field(description="The chunk text exactly as retrieved.")
    score: float


class Timings(BaseModel):
    retrieve: float = 0.0
    generate: float = 0.0
    total: float = 0.0


class Answer(BaseModel):
    answer: str
    grounded: bool
    backend: str
    sources: list[Source] = Field(default_factory=list, description="In rank order; [n] markers point here.")
    timings_ms: Timings = Field(default_factory=Timings)
