"""What each protocol costs over our own API: the same questions asked one after another through
`POST /api/ask` (baseline), `/v1/chat/completions` with the `openai` SDK (plain and streamed: first
content chunk and total), and the MCP tool `ask_career_advisor` over streamable HTTP; plus how long
`advisor mcp` (stdio) takes from start to its first answer. Checks every answer equals /api/ask's.\nEvery question is asked once before timing, so each protocol meets the same warm caches.

    .venv/bin/python benchmarks/protocols.py [--questions 30]

Starts its own server process on a free loopback port (rate limit off: every request comes from
127.0.0.1), with the index in ADVISOR_DATA_DIR (default data/, built from corpus/ when missing).
Bounded: --questions requests per protocol (at most the 122 of eval/heldout.jsonl), sequential.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from load_test import HOST, free_port, load_questions, start_server, wait_ready

REPO = Path(__file__).resolve().parents[1]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def row(name: str, ms: list[float]) -> str:
    return f"{name:34} p50 {statistics.median(ms):7.1f} ms   p95 {pct(ms, 0.95):7.1f} ms   n={len(ms)}"


def messages(body: dict) -> list[dict]:
    return [*(body.get("history") or []), {"role": "user", "content": body["question"]}]


async def mcp_calls(url: str, bodies: list[dict]) -> tuple[list[str], list[float]]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    answers, times = [], []
    async with streamable_http_client(f"{url}/mcp") as (read, write, _), ClientSession(read, write) as session:
        await session.initialize()
        for body in bodies:
            started = time.perf_counter()
            result = await session.call_tool("ask_career_advisor", body)
            times.append((time.perf_counter() - started) * 1000)
            answers.append(result.structuredContent["answer"])
    return answers, times


async def stdio_first_answer(body: dict) -> float:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "advisor", "mcp"], env=dict(os.environ), cwd=REPO
    )
    started = time.perf_counter()
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        await session.call_tool("ask_career_advisor", body)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=30)
    args = parser.parse_args()
    from openai import OpenAI

    bodies = load_questions(REPO / "eval" / "heldout.jsonl")[: max(1, min(args.questions, 122))]
    port = free_port()
    server = start_server(port)
    try:
        wait_ready(port, server, timeout=300)
        url = f"http://{HOST}:{port}"
        client = OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        expected, base, plain, first, total = [], [], [], [], []
        with httpx.Client(timeout=60) as http:
            for body in bodies:  # warm-up: every protocol then meets the same cached query embeddings
                expected.append(http.post(f"{url}/api/ask", json=body).json()["answer"])
            for body in bodies:
                started = time.perf_counter()
                http.post(f"{url}/api/ask", json=body).raise_for_status()
                base.append((time.perf_counter() - started) * 1000)
        mismatches = 0
        for body, want in zip(bodies, expected):
            started = time.perf_counter()
            got = client.chat.completions.create(model="career-advisor", messages=messages(body))
            plain.append((time.perf_counter() - started) * 1000)
            mismatches += got.choices[0].message.content != want
            started, text, first_ms = time.perf_counter(), [], None
            for chunk in client.chat.completions.create(model="career-advisor", messages=messages(body), stream=True):
                piece = chunk.choices[0].delta.content if chunk.choices else None
                if piece and first_ms is None:
                    first_ms = (time.perf_counter() - started) * 1000
                text.append(piece or "")
            total.append((time.perf_counter() - started) * 1000)
            first.append(first_ms or total[-1])
            mismatches += "".join(text).strip() != want
        mcp_answers, mcp_ms = asyncio.run(mcp_calls(url, bodies))
        mismatches += sum(a != w for a, w in zip(mcp_answers, expected))
    finally:
        server.terminate()
        server.wait(timeout=30)
    stdio_s = asyncio.run(stdio_first_answer(bodies[0]))
    print(f"{len(bodies)} questions from eval/heldout.jsonl, one at a time, backend extractive")
    print(row("POST /api/ask (baseline)", base))
    print(row("openai SDK, plain", plain))
    print(row("openai SDK, stream: first content", first))
    print(row("openai SDK, stream: total", total))
    print(row("MCP over HTTP, ask_career_advisor", mcp_ms))
    print(f"{'advisor mcp (stdio): start to 1st answer':34} {stdio_s:.1f} s")
    print(f"answers different from /api/ask: {mismatches}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
