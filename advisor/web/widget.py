"""The embeddable chat: `/widget.js` (the one-line script a site adds), `/embed` (the compact chat
page the widget shows in an iframe, also embeddable on its own) and its `/embed.js` and `/embed.css`.

Static files from `advisor/web/`, read once at start-up. `/embed` may only be framed by this server
and the sites in ADVISOR_ALLOWED_ORIGINS (CSP frame-ancestors) and loads nothing but its own script
and stylesheet (CSP default-src 'none'), so it works offline and a host page cannot inject into it.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.responses import Response

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


def install_embedding(app: FastAPI, settings: Settings) -> None:
    """Everything other websites use: the widget and /embed, CORS for the API and the rate limit."""
    policy = install_security(app, settings)
    page = (WEB / "embed.html").read_bytes()
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
