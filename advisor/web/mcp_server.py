"""The advisor as a Model Context Protocol server (official `mcp` SDK), so assistants such as Claude
Desktop or any MCP client can consult the guides:

- tool `ask_career_advisor(question, history?)`: the Answer JSON (answer with [n] markers, grounded,
  backend, sources in rank order, timings), the same answer /api/ask gives;
- tool `list_guides()`: every guide with its sections and its resource URI;
- resources `guide://NAME`: each guide as Markdown, rebuilt from the live index.

Transports: stdio (`advisor mcp`, for a client that starts the server itself) and streamable HTTP
at `/mcp` on the web app (stateless, so any replica can answer any request). Over HTTP the tool
counts against the same per-address rate limit as /api/*, CORS follows ADVISOR_ALLOWED_ORIGINS and
ADVISOR_API_KEYS (when set) applies. Nothing personal is logged: the SDK logs request types, the
advisor logs answer metadata, never the question.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import threading
from io import TextIOWrapper
from pathlib import PurePath
from typing import Literal

import anyio
from mcp.server.fastmcp import Context, FastMCP
from mcp.server.fastmcp.exceptions import ResourceError
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.stdio import stdio_server
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import Resource
from pydantic import BaseModel, Field

from advisor.core.errors import AdvisorError, InvalidInput
from advisor.core.schema import Answer

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Career Advisor answers career questions (pay, skills, tools, certifications, interviews, how to "
    "get started) from its career guides only, citing them with [n] markers that point into `sources`. "
    "`grounded: false` means the guides do not hold the answer: do not fill the gap from memory."
)


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Guide(BaseModel):
    guide: str = Field(description="Short name; the resource is guide://<guide>.")
    title: str
    uri: str
    sections: list[str] = Field(description="Section headings in document order.")


def guides(index) -> dict[str, tuple[Guide, list[dict]]]:
    """Guides of a loaded index: name -> (Guide, its chunk records in document order)."""
    by_source: dict[str, list[dict]] = {}
    for record in index.records.values():
        by_source.setdefault(record.get("source", record["title"]), []).append(record)
    out = {}
    for source, records in sorted(by_source.items()):
        records.sort(key=lambda r: r.get("position", 0))
        name = PurePath(source).stem or records[0]["title"]
        sections = list(dict.fromkeys(r["section"] for r in records))
        out[name] = (Guide(guide=name, title=records[0]["title"], uri=f"guide://{name}", sections=sections), records)
    return out


def guide_markdown(guide: Guide, records: list[dict]) -> str:
    lines, section = [f"# {guide.title}"], None
    for record in records:
        if record["section"] != section:
            section = record["section"]
            lines.append(f"## {section}")
        lines.append(record["text"].strip())
    return "\n\n".join(lines) + "\n"


def build_mcp(get_advisor, rate_limiter=None):
    """The FastMCP server. `get_advisor()` returns the loaded Advisor; `rate_limiter` (the web app's
    SlidingWindowLimiter) counts HTTP tool calls per client address."""

    class AdvisorMCP(FastMCP):
        """Lists the guides of the index being served now (it can change under a running server)."""

        async def list_resources(self):
            found = await _guides_of(get_advisor)
            return [
                Resource(
                    uri=g.uri,
                    name=g.guide,
                    title=g.title,
                    description=f"{g.title} (Markdown)",
                    mimeType="text/markdown",
                )
                for g, _ in found.values()
            ]

        async def read_resource(self, uri):
            name = str(uri).removeprefix("guide://")
            found = (await _guides_of(get_advisor)).get(name)
            if found is None:
                raise ResourceError(f"Unknown resource: {uri}. list_guides names the guides.")
            return [ReadResourceContents(content=guide_markdown(*found), mime_type="text/markdown")]

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # FastMCP() calls logging.basicConfig: undo that
    server = AdvisorMCP(
        "career-advisor",
        instructions=INSTRUCTIONS,
        stateless_http=True,
        streamable_http_path="/mcp",
        # Origins are the web app's CORS policy (ADVISOR_ALLOWED_ORIGINS), as for /api/*; the SDK's
        # own host check would refuse every deployment not reached as localhost.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        log_level="WARNING",
    )
    root.handlers[:] = handlers
    root.setLevel(level)

    @server.tool(
        title="Ask Career Advisor",
        description="Answer a career question from the career guides, with the passages it comes from. "
        "Pass earlier turns as `history` for follow-ups such as 'which one is open source?'. "
        "`grounded: false` means the guides do not cover the question.",
    )
    async def ask_career_advisor(question: str, ctx: Context, history: list[Turn] | None = None) -> Answer:
        _count(ctx, rate_limiter)
        turns = [t.model_dump() for t in history] if history else None
        return await anyio.to_thread.run_sync(lambda: get_advisor().ask(question, turns))

    @server.tool(
        title="List the career guides",
        description="The career guides this advisor answers from, each with its section headings "
        "and the resource URI holding its full text.",
    )
    async def list_guides() -> list[Guide]:
        return [g for g, _ in (await _guides_of(get_advisor)).values()]

    return server


async def _guides_of(get_advisor) -> dict:
    # In a worker thread: get_advisor() may wait for the index to finish loading (`advisor mcp`).
    return await anyio.to_thread.run_sync(lambda: guides(get_advisor().index))


def _count(ctx, limiter) -> None:
    """Over HTTP, one question against the caller's per-minute limit (as /api/ask). stdio has no
    network caller: its user started the process."""
    request = getattr(ctx.request_context, "request", None)
    if limiter is None or request is None or not limiter.enabled:
        return
    wait = limiter.hit(request.client.host if request.client else "unknown")
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise InvalidInput(
            f"Too many questions: the limit is {limiter.limit} a minute. Please try again in {seconds} seconds."
        )


def install_mcp(app, get_advisor) -> None:
    """Streamable HTTP at /mcp on the web app, its session manager running for the app's lifetime."""
    server = build_mcp(get_advisor, getattr(app.state, "rate_limiter", None))
    http_app = server.streamable_http_app()
    app.router.routes.extend(http_app.routes)
    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(parent):
        async with server.session_manager.run(), previous(parent) as state:
            yield state

    app.router.lifespan_context = lifespan
    app.state.mcp = server


def run_stdio(load_advisor) -> None:
    """`advisor mcp`: serve one client over standard input/output. The client's handshake is
    answered at once while `load_advisor()` opens the index (and loads the model) in a thread, which
    takes 20-30 s here (benchmarks/protocols.py); tool calls wait for it. Standard output carries
    only the protocol: the process's file descriptor 1 is pointed at standard error, so nothing a
    library prints while loading can corrupt a message."""
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    loaded: dict = {}
    ready = threading.Event()

    def load() -> None:
        try:
            loaded["advisor"] = load_advisor()
        except Exception as exc:  # reported on every tool call instead
            log.exception("the advisor could not be loaded")
            loaded["error"] = exc
        finally:
            ready.set()

    def get_advisor():
        ready.wait()
        if "error" in loaded:
            raise AdvisorError(f"The advisor could not start: {loaded['error']}") from loaded["error"]
        return loaded["advisor"]

    threading.Thread(target=load, name="advisor-load", daemon=True).start()
    server = build_mcp(get_advisor)

    async def serve() -> None:
        stdout = anyio.wrap_file(TextIOWrapper(protocol, encoding="utf-8"))
        async with stdio_server(stdout=stdout) as (read, write):
            await server._mcp_server.run(read, write, server._mcp_server.create_initialization_options())

    anyio.run(serve)
