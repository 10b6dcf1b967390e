"""The embeddable chat: `/widget.js` (the one-line script a site adds), `/embed` (the compact chat
page the widget shows in an iframe, also embeddable on its own) and its `/embed.js` and `/embed.css`.
The page's own small JSON endpoints, under /embed/ (same origin, not part of the public API):
starter questions, follow-up suggestions for an answer, and like/dislike into the feedback store.

Static files from `advisor/web/`, read once at start-up. `/embed` may only be framed by this server
and the sites in ADVISOR_ALLOWED_ORIGINS (CSP frame-ancestors) and loads nothing but its own script
and stylesheet (CSP default-src 'none'), so it works offline and a host page cannot inject into it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from advisor.core.settings import Settings
from advisor.web.security import OriginPolicy, install_security

WEB = resources.files("advisor.web") / "static"
FILES = {  # path -> (file, media type)
    "/widget.js": ("widget.js", "text/javascript; charset=utf-8"),
    "/embed.js": ("embed.js", "text/javascript; charset=utf-8"),
    "/embed.css": ("embed.css", "text/css; charset=utf-8"),
}
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=600"}


def embed_csp(policy: OriginPolicy) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            policy.frame_ancestors_directive,
        )
    )


class SourceRef(BaseModel):
    title: str = Field("", max_length=300)
    section: str = Field("", max_length=1000)
    text: str = Field("", max_length=5000)


class FollowUpRequest(BaseModel):
    asked: list[str] = Field(default_factory=list, max_length=100)
    sources: list[SourceRef] = Field(default_factory=list, max_length=20)


class FeedbackRequest(BaseModel):
    """A like from /embed: only for an answer this server gave (its answer_id), as POST /api/feedback."""

    model_config = ConfigDict(extra="forbid")
    rating: Literal["like", "dislike"]
    answer_id: str = Field(min_length=1, max_length=100)


def install_embed_data(app: FastAPI) -> None:
    """Starters, follow-ups and feedback for /embed, from the same Advisor and feedback store as /."""
    from advisor.core.schema import Answer, Source
    from advisor.web.ui import N_FOLLOW_UPS, N_STARTERS, follow_ups

    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

    @app.get("/embed/starters", include_in_schema=False)
    def starters(request: Request) -> Response:
        questions = request.app.state.advisor.starter_questions(N_STARTERS)
        return Response(json.dumps({"starters": questions}), media_type="application/json", headers=headers)

    @app.post("/embed/follow-ups", include_in_schema=False)
    def suggestions(body: FollowUpRequest, request: Request) -> Response:
        advisor = request.app.state.advisor
        sources = [
            Source(id=str(i), title=s.title, section=s.section, text=s.text, score=0.0)
            for i, s in enumerate(body.sources)
        ]
        answer = Answer(answer="", grounded=bool(sources), backend=advisor.backend_name, sources=sources)
        questions = follow_ups(advisor, answer, body.asked, N_FOLLOW_UPS)
        return Response(json.dumps({"suggestions": questions}), media_type="application/json", headers=headers)

    @app.post("/embed/feedback", include_in_schema=False)
    def feedback(body: FeedbackRequest, request: Request) -> Response:
        """The same checks as POST /api/feedback: an issued id, a fixed rating, the likes' rate limit."""
        from advisor.ops.database import StorageUnavailable
        from advisor.web.feedback import TooManyLikes

        client = request.client.host if request.client else "unknown"
        try:
            request.app.state.feedback_desk.rate(body.answer_id, body.rating, client)
        except TooManyLikes as exc:
            return Response(
                json.dumps({"error": str(exc)}), 429, {"Retry-After": str(exc.seconds), **headers}, "application/json"
            )
        except LookupError as exc:
            return Response(json.dumps({"error": str(exc)}), 404, headers, "application/json")
        except StorageUnavailable as exc:
            return Response(json.dumps({"error": str(exc)}), 503, headers, "application/json")
        return Response(json.dumps({"stored": True}), media_type="application/json", headers=headers)


def install_embedding(app: FastAPI, settings: Settings) -> None:
    """Everything other websites use: the widget and /embed, CORS for the API and the rate limit."""
    policy = install_security(app, settings)
    install_embed_data(app)
    # The question limit goes into the page, so its counter matches the server's refusal.
    page = (WEB / "embed.html").read_bytes().replace(b"{{MAX_CHARS}}", str(settings.max_question_chars).encode())
    files = {path: ((WEB / name).read_bytes(), media) for path, (name, media) in FILES.items()}
    page_headers = {
        **COMMON_HEADERS,
        "Cache-Control": "no-cache",
        "Content-Security-Policy": embed_csp(policy),
        "Referrer-Policy": "no-referrer",
    }

    @app.get("/embed", include_in_schema=False)
    def embed() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=page_headers)

    def static(body: bytes, media: str):
        # A script any site may load with <script src>: cross-origin resource policy says so.
        headers = {**COMMON_HEADERS, "Cross-Origin-Resource-Policy": "cross-origin"}
        return lambda: Response(body, media_type=media, headers=headers)

    for path, (body, media) in files.items():
        app.add_api_route(path, static(body, media), methods=["GET", "HEAD"], include_in_schema=False)
