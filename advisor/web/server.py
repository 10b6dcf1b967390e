"""One web server for every surface: FastAPI with the HTTP API, health checks and OpenAPI docs,
and the Gradio chat mounted at `/`.

`create_app` builds FastAPI, then calls small `install_*` functions, one per concern, so more
(a widget, CORS, metrics, rate limits) can be added as their own modules. The Gradio mount at `/`
catches every path, so it is installed last.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from fastapi import FastAPI

from advisor.core.settings import Settings, get_settings

log = logging.getLogger(__name__)


def load_advisor(settings: Settings):
    """Opens the index (building it from the corpus, with a progress bar, on first run), loads the
    models and warms up, so the first user is as fast as the later ones."""
    from advisor.assembly import Advisor

    started = time.perf_counter()
    log.info("Loading Career Advisor (index in %s)", settings.chroma_url or settings.chroma_path)
    advisor = Advisor.from_settings(settings)
    index = advisor.index
    log.info(
        "Ready in %.1f s: index %s, %d chunks, backend %s",
        time.perf_counter() - started,
        index.version.id,
        len(index.ids),
        advisor.backend_name,
    )
    return advisor


def install_ui(app: FastAPI, advisor, feedback, settings: Settings) -> FastAPI:
    import gradio as gr

    from advisor.web.ui import CSS, build_ui, head

    # The chat counts its questions itself (security.RateLimit's limiter), to say so in the conversation.
    demo = build_ui(advisor, feedback, settings.data_dir, limiter=getattr(app.state, "rate_limiter", None))
    # The Advisor is thread-safe for asking: serve several chat users at once.
    demo.queue(default_concurrency_limit=8)
    return gr.mount_gradio_app(
        app,
        demo,
        path="/",
        css=CSS,
        head=head(advisor.settings.max_question_chars),
        footer_links=["api"],
        show_error=True,
    )


def install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc from the files in the `fastapi-offline` package, so
    the API docs work without a network (FastAPI's own pages load their scripts from a CDN)."""
    from importlib.util import find_spec

    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    files = Path(find_spec("fastapi_offline").origin).parent / "static"
    app.mount("/docs-static", StaticFiles(directory=files), name="docs-static")

    # Nothing from elsewhere, not even ReDoc's logo: the pages must look the same offline.
    csp = {
        "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; font-src 'self' data:"
    }

    @app.get("/docs", include_in_schema=False)
    def swagger():
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} API",
            swagger_js_url="/docs-static/swagger-ui-bundle.js",
            swagger_css_url="/docs-static/swagger-ui.css",
            swagger_favicon_url="/docs-static/favicon.png",
        )
        page.headers.update(csp)
        return page

    @app.get("/redoc", include_in_schema=False)
    def redoc():
        page = get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title} API",
            redoc_js_url="/docs-static/redoc.standalone.js",
            redoc_favicon_url="/docs-static/favicon.png",
            with_google_fonts=False,
        )
        page.headers.update(csp)
        return page


def create_app(settings: Settings | None = None, advisor=None) -> FastAPI:
    """The whole server as an ASGI app. Loads the Advisor unless one is given (tests share theirs)."""
    from advisor import __doc__ as summary
    from advisor.ops.feedback import FeedbackStore
    from advisor.ops.install import install_operations
    from advisor.web.api import install_api, install_errors, install_health
    from advisor.web.widget import install_embedding

    settings = settings or get_settings()
    advisor = advisor or load_advisor(settings)
    feedback = FeedbackStore.for_settings(settings)

    app = FastAPI(
        title="Career Advisor",
        version="0.1.0",
        description=summary,
        docs_url=None,  # served by install_docs from packaged files: FastAPI's default pages load a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings, app.state.advisor, app.state.feedback = settings, advisor, feedback

    def get_advisor():
        return app.state.advisor

    install_errors(app)
    install_docs(app)
    install_health(app, get_advisor)
    install_api(app, get_advisor)
    install_embedding(app, settings)  # /widget.js, /embed, CORS, rate limit
    install_operations(app, get_advisor, feedback, settings)  # watcher, question log, /metrics, JSON access log
    # Add further install_* calls here, before the UI: its mount at "/" would shadow later routes.
    install_ui(app, advisor, feedback, settings)
    log.info("App ready: chat at /, API at /api/ask and /api/chat, docs at /docs")
    return app


def configure_logging(level: int = logging.INFO) -> None:
    """A server logs what it does: INFO at least, even when the CLI set a quieter default."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    for noisy in ("httpx", "sentence_transformers", "bm25s", "chromadb", "urllib3", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def serve(host: str | None = None, port: int | None = None, settings: Settings | None = None) -> None:
    """`python app.py` and `advisor serve`: load once, then serve until interrupted."""
    import uvicorn

    configure_logging()
    settings = settings or get_settings()
    host = host or settings.host
    port = port or settings.port
    app = create_app(settings)
    log.info("Serving Career Advisor at http://%s:%d/ (API docs at /docs)", host, port)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
