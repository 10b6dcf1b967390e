"""Load test for POST /api/ask: N concurrent clients for T seconds against a server process this
script starts itself (loopback only).

    .venv/bin/python benchmarks/load_test.py [--clients 20] [--duration 30] [--port 0]
    .venv/bin/python benchmarks/load_test.py --workload faq --compare   # answer cache off vs on

Workloads: `heldout` (default) asks the varied questions of eval/heldout.jsonl in turn; `faq` is shaped
like a career site's traffic: 60% the chat's four starter questions, 25% a dozen other common questions
(the guide's other question headings, i.e. the follow-up options), 15% a long tail (eval/heldout.jsonl),
drawn with a fixed seed. `--compare` runs the workload twice, the server's answer cache off
(ADVISOR_ANSWER_CACHE_SIZE=0) then on (default), and prints both side by side.

Each client is a thread with its own keep-alive connection (standard library http.client) asking
one question after another, no pause. Prints throughput, latency percentiles, error count and the
server's resident memory after the run. Exits 1 on any error, or when p95 is above --p95-target-ms.
Bounded: at most --clients threads, --duration seconds of load, --max-requests in total.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only, by design
SERVER_LOG = Path(tempfile.gettempdir()) / "career-advisor-load-test-server.log"


def load_questions(path: Path) -> list[dict]:
    """Single questions as they are; follow-ups as their last turn with the earlier turns as history."""
    bodies = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if item.get("question"):
            bodies.append({"question": item["question"]})
        elif item.get("turns"):
            *earlier, last = item["turns"]
            bodies.append({"question": last, "history": [{"role": "user", "content": t} for t in earlier]})
    return bodies


def question_headings(corpus: Path) -> list[str]:
    """The questions the chat offers, in its order (Advisor.suggested_questions, from the same
    advisor.core.guides.starter_order): the first four are its starter questions, the next ones its
    follow-up options. Read from the corpus's question-shaped level-2 headings, without loading a model."""
    from advisor.core.guides import starter_order
    from advisor.core.settings import Settings

    by_guide: dict[str, list[str]] = {}
    for path in sorted(corpus.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        title = re.search(r"^#\s+(.+?)\s*$", text, re.M)
        questions = by_guide.setdefault(title[1] if title else path.stem, [])
        for match in re.finditer(r"^##\s+(.+\?)\s*$", text, re.M):
            if match[1] not in questions:
                questions.append(match[1])
    default = Settings().default_guide
    starters = starter_order(by_guide, default, 4)
    return starters + [q for q in starter_order(by_guide, default, 1000) if q not in starters]


def faq_bodies(tail: list[dict], n: int = 20_000, seed: int = 13) -> list[dict]:
    """A FAQ-shaped request sequence (see the module docstring); shares from the issue (#13): FAQ
    traffic is mostly the starters and a few common questions."""
    headings = question_headings(REPO / "corpus")
    starters, common = headings[:4], headings[4:16]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.60:
            out.append({"question": rng.choice(starters)})
        elif r < 0.85:
            out.append({"question": rng.choice(common or starters)})
        else:
            out.append(rng.choice(tail))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int, overrides: dict | None = None) -> subprocess.Popen:
    # All clients share 127.0.0.1: the per-client rate limit is off unless the caller sets one.
    env = {
        "ADVISOR_RATE_LIMIT_PER_MINUTE": "0",
        **os.environ,
        **(overrides or {}),
        "ADVISOR_HOST": HOST,
        "ADVISOR_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
    }
    with open(SERVER_LOG, "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, str(REPO / "app.py")], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def wait_ready(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with code {process.returncode}; see {SERVER_LOG}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    sys.exit(f"server not ready after {timeout:.0f} s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def client(
    port: int,
    bodies: list[dict],
    offset: int,
    stop_at: float,
    budget: threading.Semaphore,
    latencies: list[float],
    errors: list[str],
) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    i = offset
    while time.monotonic() < stop_at and budget.acquire(blocking=False):
        body = json.dumps(bodies[i % len(bodies)]).encode()
        i += 1
        started = time.perf_counter()
        try:
            conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                errors.append(f"HTTP {response.status}: {payload[:200]!r}")
            elif "answer" not in json.loads(payload):
                errors.append(f"no answer in {payload[:200]!r}")
            else:
                latencies.append(elapsed)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run_once(args, bodies: list[dict], label: str, overrides: dict | None = None) -> dict:
    """Starts a server, runs the load, stops the server; returns the figures."""
    port = args.port or free_port()
    print(f"[{label}] starting server on {HOST}:{port} (log: {SERVER_LOG}) ...", flush=True)
    started = time.monotonic()
    server = start_server(port, overrides)
    try:
        wait_ready(port, server, args.ready_timeout)
        print(
            f"[{label}] ready in {time.monotonic() - started:.1f} s; RSS {rss_mb(server.pid):.0f} MB; "
            f"{args.clients} clients x {args.duration:.0f} s",
            flush=True,
        )
        latencies: list[float] = []
        errors: list[str] = []
        budget = threading.Semaphore(args.max_requests)
        t0 = time.monotonic()
        stop_at = t0 + args.duration
        threads = [
            threading.Thread(
                target=client,
                args=(port, bodies, i * (len(bodies) // args.clients), stop_at, budget, latencies, errors),
            )
            for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 60)
        wall = time.monotonic() - t0
        rss = rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    ms = [x * 1000 for x in latencies]
    total = len(latencies) + len(errors)
    return {
        "label": label,
        "requests": total,
        "rps": total / wall,
        "errors": errors,
        "p50": percentile(ms, 50) if ms else float("nan"),
        "p95": percentile(ms, 95) if ms else float("nan"),
        "p99": percentile(ms, 99) if ms else float("nan"),
        "mean": statistics.fmean(ms) if ms else float("nan"),
        "max": max(ms) if ms else float("nan"),
        "rss": rss,
    }


def print_results(results: list[dict]) -> None:
    print()
    print(f"{'':22}" + "".join(f"{r['label']:>16}" for r in results))
    rows = [
        ("requests", "requests", "{:.0f}"),
        ("throughput (req/s)", "rps", "{:.1f}"),
        ("errors", None, "{}"),
        ("p50 ms", "p50", "{:.1f}"),
        ("p95 ms", "p95", "{:.1f}"),
        ("p99 ms", "p99", "{:.1f}"),
        ("mean ms", "mean", "{:.1f}"),
        ("max ms", "max", "{:.0f}"),
        ("server RSS MB", "rss", "{:.0f}"),
    ]
    for name, key, fmt in rows:
        cells = [fmt.format(len(r["errors"]) if key is None else r[key]) for r in results]
        print(f"{name:22}" + "".join(f"{c:>16}" for c in cells))
    for r in results:
        for error in r["errors"][:5]:
            print(f"  [{r['label']}] error:", error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--questions", type=Path, default=REPO / "eval" / "heldout.jsonl")
    parser.add_argument("--workload", choices=("heldout", "faq"), default="heldout")
    parser.add_argument("--compare", action="store_true", help="answer cache off, then on, side by side")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    parser.add_argument("--ready-timeout", type=float, default=600, help="first run builds the index")
    parser.add_argument("--p95-target-ms", type=float, default=300)
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 200 and 0 < args.duration <= 600):
        parser.error("keep it bounded: 1-200 clients, at most 600 s")

    bodies = load_questions(args.questions)
    if args.workload == "faq":
        bodies = faq_bodies(bodies)
    print(f"workload {args.workload}: {len({json.dumps(b) for b in bodies})} distinct questions", flush=True)
    runs = [("uncached", {"ADVISOR_ANSWER_CACHE_SIZE": "0"}), ("cached", {})] if args.compare else [("run", {})]
    results = [run_once(args, bodies, label, overrides) for label, overrides in runs]
    print_results(results)
    last = results[-1]
    ok = not any(r["errors"] for r in results) and last["p95"] <= args.p95_target_ms
    if last["p95"] > args.p95_target_ms:
        print(f"p95 above the {args.p95_target_ms:.0f} ms target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
