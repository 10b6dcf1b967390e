"""Load test for POST /api/ask: N concurrent clients for T seconds against a server process this
script starts itself (loopback only), with a varied set of questions from eval/heldout.jsonl.

    .venv/bin/python benchmarks/load_test.py [--clients 20] [--duration 30] [--port 0]

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    # All clients share 127.0.0.1: the per-client rate limit is off unless the caller sets one.
    env = {
        "ADVISOR_RATE_LIMIT_PER_MINUTE": "0",
        **os.environ,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--questions", type=Path, default=REPO / "eval" / "heldout.jsonl")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    parser.add_argument("--ready-timeout", type=float, default=600, help="first run builds the index")
    parser.add_argument("--p95-target-ms", type=float, default=300)
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 200 and 0 < args.duration <= 600):
        parser.error("keep it bounded: 1-200 clients, at most 600 s")

    bodies = load_questions(args.questions)
    port = args.port or free_port()
    print(f"starting server on {HOST}:{port} (log: {SERVER_LOG}) ...", flush=True)
    started = time.monotonic()
    server = start_server(port)
    try:
        wait_ready(port, server, args.ready_timeout)
        print(
            f"ready in {time.monotonic() - started:.1f} s; RSS {rss_mb(server.pid):.0f} MB; "
            f"{args.clients} clients x {args.duration:.0f} s, {len(bodies)} distinct questions",
            flush=True,
        )
        latencies: list[float] = []
        errors: list[str] = []
        budget = threading.Semaphore(args.max_requests)
        t0 = time.monotonic()
        stop_at = t0 + args.duration
        threads = [
            threading.Thread(target=client, args=(port, bodies, i * 7, stop_at, budget, latencies, errors))
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

    total = len(latencies) + len(errors)
    ms = [x * 1000 for x in latencies]
    print(f"requests: {total} in {wall:.1f} s = {total / wall:.1f} req/s; errors: {len(errors)}")
    if ms:
        print(
            f"latency ms: p50 {percentile(ms, 50):.0f}  p95 {percentile(ms, 95):.0f}  p99 {percentile(ms, 99):.0f}"
            f"  mean {statistics.fmean(ms):.0f}  max {max(ms):.0f}"
        )
    print(f"server RSS after the run: {rss:.0f} MB")
    for error in errors[:5]:
        print("  error:", error)
    ok = not errors and ms and percentile(ms, 95) <= args.p95_target_ms
    if ms and percentile(ms, 95) > args.p95_target_ms:
        print(f"p95 above the {args.p95_target_ms:.0f} ms target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
