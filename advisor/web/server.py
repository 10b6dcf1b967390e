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

from advisor.core.logs import quiet_libraries
from advisor.core.settings import Settings, get_settings

log = logging.getLogger(__name__)


DOCS = """

**Endpoints.** `POST /api/ask` and `POST /api/chat` (server-sent events) answer with the Answer JSON.
`POST /v1/chat/completions` and `GET /v1/models` speak OpenAI's chat API (the Answer's sources and
`grounded` flag travel in the extension field `advisor`). `/mcp` is a Model Context Protocol server
(streamable HTTP; tools `ask_career_advisor` and `list_guides`, resources `guide://NAME`); it is not an
OpenAPI operation, so it is not listed below. With `ADVISOR_API_KEYS` set, `/v1/*` and `/mcp` need
`Authorization: Bearer KEY`.
"""


def load_advisor(settings: Settings):
    """Opens the index (building it from the corpus, with a progress bar, on first run), loads the
    models and warms up, so the first user is as fast as the later ones."""
    from advisor.assembly import Advisor
    from advisor.core.errors import AdvisorError

    started = time.perf_counter()
    log.info("Loading Career Advisor (index in %s)", settings.chroma_url or settings.chroma_path)
    try:
        advisor = Advisor.from_settings(settings)
    except AdvisorError:
        raise
    except Exception as exc:  # a damaged or read-only store: one clear line, not chromadb's traceback
        where = settings.chroma_url or settings.chroma_path
        raise AdvisorError(
            f"Could not open the index in {where} ({type(exc).__name__}: {str(exc)[:200]}). If the data folder "
            "is damaged, move it aside and run `advisor ingest` to rebuild it; if it is read-only, make it "
            "writable or point ADVISOR_DATA_DIR at a writable folder."
        ) from exc
    index = advisor.index
    log.info(
        "Ready in %.1f s: index %s, %d chunks, backend %s",
        time.perf_counter() - started,
        index.version.id,
        len(index.ids),
        advisor.backend_name,
    )
    return advisor


def install_ui(app: FastAPI, advisor, feedback, settings: Settings, desk=None) -> FastAPI:
    import gradio as gr

    from advisor.web.ui import CSS, build_ui, head

    # The chat counts its questions itself (security.RateLimit's limiter), to say so in the conversation.
    demo = build_ui(advisor, feedback, settings.data_dir, desk=desk, limiter=getattr(app.state, "rate_limiter", None))
    # The Advisor is thread-safe for asking: serve several chat users at once.
    demo.queue(default_concurrency_limit=8)
    # show_error=False: a gr.Error (bad input) still shows its message; anything else shows no repr.
    # max_file_size=0: the chat has no file inputs (uploads are refused before Gradio, advisor/web/guard.py).
    return gr.mount_gradio_app(
        app,
        demo,
        path="/",
        css=CSS,
        head=head(advisor.settings.max_question_chars),
        footer_links=["api"],
        show_error=False,
        max_file_size=0,
    )


def install_protocols(app: FastAPI, get_advisor, settings: Settings) -> None:
    """The ecosystem's protocols: OpenAI-compatible chat at /v1 and MCP over streamable HTTP at /mcp."""
    from advisor.web.openai_api import install_openai_api

    try:
        from advisor.web.mcp_server import install_mcp
    except ImportError as exc:  # an install without the `mcp` package still serves everything else
        log.warning("MCP at /mcp is off: the package %s is missing (pip install 'mcp>=1.20,<2')", exc.name)
    else:
        install_mcp(app, get_advisor)
    install_openai_api(app, get_advisor, settings)


def install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc from the files in the `fastapi-offline` package, so
    the API docs work without a network (FastAPI's own pages load their scripts from a CDN)."""
    from importlib.util import find_spec

    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    spec = find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        raise RuntimeError("fastapi-offline is not installed: pip install 'fastapi-offline>=1.7,<2'")
    files = Path(spec.origin).parent / "static"
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
    from advisor.ops.answer_cache import AnswerCache
    from advisor.ops.feedback import FeedbackStore
    from advisor.ops.install import install_operations
    from advisor.ops.memory import settle_loaded_objects
    from advisor.web.api import install_api, install_body_limit, install_errors, install_health
    from advisor.web.feedback import FeedbackDesk, install_feedback
    from advisor.web.guard import install_guards
    from advisor.web.headers import install_headers
    from advisor.web.widget import install_embedding

    settings = settings or get_settings()
    advisor = advisor or load_advisor(settings)
    feedback = FeedbackStore.for_settings(settings)
    desk = FeedbackDesk(feedback, settings)
    cache = AnswerCache.for_settings(settings)
    # Users' questions go through the answer cache; health probes and the index watcher use the
    # Advisor itself (a cached answer must not hide an index that cannot answer).
    answering = cache.wrap(advisor) if cache is not None else advisor
    if cache is not None and settings.warm_answers > 0:
        # most FAQ traffic is the questions the chat suggests; a cold one costs 20-40 ms of CPU while the
        # other requests wait (benchmarks/load_test.py --workload faq)
        started = time.perf_counter()
        warmed = answering.warm(advisor.suggested_questions(settings.warm_answers))
        log.info("Answer cache warmed with %d suggested questions in %.1f s", warmed, time.perf_counter() - started)

    app = FastAPI(
        title="Career Advisor",
        version="0.1.0",
        description=summary + DOCS,
        docs_url=None,  # served by install_docs from packaged files: FastAPI's default pages load a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings, app.state.advisor, app.state.feedback = settings, advisor, feedback
    app.state.answer_cache, app.state.feedback_desk = cache, desk

    def get_advisor():
        return app.state.advisor

    install_errors(app)
    install_docs(app)
    install_health(app, get_advisor)
    install_feedback(app, desk)  # before install_api: its /api/{path} catch-all must come last
    install_api(app, lambda: answering, desk)
    install_embedding(app, settings)  # /widget.js, /embed, CORS, rate limit
    install_guards(app, settings)  # no uploads, clean Gradio errors, /metrics token or port
    install_headers(app, app.state.origin_policy)  # nosniff everywhere, frame-ancestors on every page
    install_body_limit(app)  # around the rate limit: an oversized body is refused before it is read
    install_operations(app, get_advisor, feedback, settings)  # watcher, question log, /metrics, JSON access log
    install_protocols(app, get_advisor, settings)  # /v1 (OpenAI-compatible), /mcp, ADVISOR_API_KEYS
    # Add further install_* calls here, before the UI: its mount at "/" would shadow later routes.
    install_ui(app, answering, feedback, settings, desk)
    settle_loaded_objects()  # last: a full garbage collection over the loaded index stalls every request
    log.info("App ready: chat at /, API at /api/ask, /api/chat, /v1/chat/completions and /mcp, docs at /docs")
    return app


def configure_logging(level: int = logging.INFO) -> None:
    """A server logs what it does: INFO at least, even when the CLI set a quieter default."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    quiet_libraries()


def serve(host: str | None = None, port: int | None = None, settings: Settings | None = None) -> None:
    """`python app.py` and `advisor serve`: load once, then serve until interrupted."""
    import uvicorn

    from advisor.web.connections import uvicorn_options

    configure_logging()
    settings = settings or get_settings()
    host = host or settings.host
    port = port or settings.port
    app = create_app(settings)
    log.info("Serving Career Advisor at http://%s:%d/ (API docs at /docs)", host, port)
    options = {"log_level": "info", "access_log": False, **uvicorn_options(settings)}
    if settings.metrics_port is None:
        uvicorn.run(app, host=host, port=port, **options)
        return
    import threading

    from advisor.web.guard import metrics_only

    log.info("Metrics at http://%s:%d/metrics only", host, settings.metrics_port)
    metrics = uvicorn.Server(
        uvicorn.Config(metrics_only(app), host=host, port=settings.metrics_port, lifespan="off", **options)
    )
    threading.Thread(target=metrics.run, daemon=True, name="metrics-port").start()  # no signals off the main thread
    uvicorn.run(app, host=host, port=port, **options)
