"""A knowledge base of many guides: figures for N = 1, 50, ... guides side by side (issue #13).

    .venv/bin/python benchmarks/many_guides.py [--sizes 1,50] [--limit 60]   # --sizes 1,50,500: ~30 min here

For each N it writes a corpus of the MLOps guide plus N-1 synthetic guides (the same guide with
"MLOps" replaced by a made-up occupation name, so every guide has its own chunks), then measures:

- first ingest: seconds, and its throughput (texts embedded per second) against the raw encode rate
  of the same model on the same texts (the seconds spent inside the model during that ingest);
- in a fresh process, as a server starts: index load time, retrieval + answer time per question,
  query embedding excluded (passes after the first: the Advisor caches query vectors), p50 / p95,
  over the single questions of eval/heldout.jsonl, and resident memory after answering; also the CPU
  time of the answering thread (time.thread_time: what the answer costs, without the waits for a core
  that a machine shared with other work adds to the wall-clock figure);
- re-ingest after a one-line change to one guide (what must stay small as N grows);
- whether the answers to the questions (about the MLOps guide) are the same as with one guide.

Bounded: at most 500 guides, --limit questions; everything in a temporary folder; no network.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
for _k, _v in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("ANONYMIZED_TELEMETRY", "False")):
    os.environ.setdefault(_k, _v)

GUIDE = REPO / "corpus" / "mlops-engineer.md"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = GUIDE.read_text(encoding="utf-8")
    shutil.copy(GUIDE, folder / GUIDE.name)
    for i in range(1, n):
        name = f"Synthetic{i:03d}"
        (folder / f"synthetic-{i:03d}.md").write_text(
            text.replace("MLOps", name).replace("mlops", name.lower()), encoding="utf-8"
        )
    return folder


def questions(limit: int) -> list[str]:
    out = []
    for line in (REPO / "eval" / "heldout.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            if item.get("question"):
                out.append(item["question"])
    return out[:limit]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def raw_encode_rate(embedder, texts: list[str]) -> float:
    embedder.encode(texts[:8])  # warm-up: the first call pays for lazy initialisation
    started = time.perf_counter()
    embedder.encode(texts)
    return len(texts) / (time.perf_counter() - started)


def serve_probe(data_dir: str, corpus: str, limit: int) -> dict:
    """In a fresh process, like a server: load the index, answer, time the second pass, report RSS."""
    from advisor.assembly import Advisor
    from advisor.core.embeddings import Embedder
    from advisor.core.settings import Settings

    settings = Settings(data_dir=Path(data_dir), corpus_dir=Path(corpus))
    started = time.perf_counter()
    advisor = Advisor.from_settings(settings, embedder=Embedder())
    load_s = time.perf_counter() - started
    asked = questions(limit)
    for q in asked:  # warm: query vectors cached, so the timed pass measures retrieval + answer
        advisor.ask(q)
    times, cpu, answers = [], [], {}
    for _ in range(3):  # three timed passes: percentiles over 3 x limit answers
        for q in asked:
            t, c = time.perf_counter(), time.thread_time()
            answers[q] = advisor.ask(q).answer
            cpu.append((time.thread_time() - c) * 1000)
            times.append((time.perf_counter() - t) * 1000)
    return {"load_s": load_s, "times": times, "cpu": cpu, "answers": answers, "rss": rss_mb()}


def probe(data_dir: Path, corpus: Path, limit: int) -> dict:
    command = [sys.executable, __file__, "--probe", str(data_dir), str(corpus), "--limit", str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"probe failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(n: int, work: Path, embedder, limit: int, keep: bool = False) -> dict:
    from advisor.core.settings import Settings
    from ingest.indexer import Indexer

    saved = work / f"first-ingest-{n}.json"
    settings = Settings(data_dir=work / f"data-{n}", corpus_dir=work / f"corpus-{n}")
    if keep and saved.exists():  # --workdir: the first ingest of an earlier run, figures and index kept
        first = json.loads(saved.read_text(encoding="utf-8"))
        print(f"  reusing the first ingest of {first['date']} in {work}", flush=True)
        corpus = settings.corpus_dir
    else:
        shutil.rmtree(settings.data_dir, ignore_errors=True)
        corpus = write_corpus(work / f"corpus-{n}", n)
        started = time.perf_counter()
        report = Indexer(settings, embedder=embedder, progress=False).run()
        first = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "seconds": time.perf_counter() - started,
            "chunks": report.chunks,
            "units": report.units,
            "texts": report.embedded + report.units_embedded,
            "embed_seconds": report.embed_seconds,
        }
        saved.write_text(json.dumps(first), encoding="utf-8")
    served = probe(settings.data_dir, corpus, limit)
    changed = corpus / (f"synthetic-{n - 1:03d}.md" if n > 1 else GUIDE.name)
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more line about the role.\n", encoding="utf-8")
    started = time.perf_counter()
    again = Indexer(settings, embedder=embedder, progress=False).run()
    reingest_s = time.perf_counter() - started
    if not keep:
        shutil.rmtree(settings.data_dir, ignore_errors=True)
        shutil.rmtree(corpus, ignore_errors=True)
    ingest_s, texts = first["seconds"], first["texts"]
    return {
        "guides": n,
        "chunks": first["chunks"],
        "units": first["units"],
        "ingest_s": ingest_s,
        "ingest_rate": texts / ingest_s,
        "encode_rate": texts / first["embed_seconds"] if first["embed_seconds"] else float("nan"),
        "load_s": served["load_s"],
        "p50": percentile(served["times"], 50),
        "p95": percentile(served["times"], 95),
        "cpu50": percentile(served["cpu"], 50),
        "cpu95": percentile(served["cpu"], 95),
        "rss": served["rss"],
        "reingest_s": reingest_s,
        "reingest_embedded": f"{again.embedded}/{again.units_embedded}",
        "answers": served["answers"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,50", help="comma-separated guide counts (each 1-500)")
    parser.add_argument("--limit", type=int, default=60, help="questions timed per size (each asked 3 times)")
    parser.add_argument(
        "--workdir",
        help="keep corpora and indexes here; a later run with the same folder reuses each first ingest "
        "(and its figures) and measures serving and re-ingest again",
    )
    parser.add_argument("--probe", nargs=2, metavar=("DATA_DIR", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(serve_probe(args.probe[0], args.probe[1], args.limit)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    if not all(1 <= s <= 500 for s in sizes):
        parser.error("keep it bounded: 1-500 guides")

    from advisor.core.embeddings import Embedder

    embedder = Embedder().load()
    # texts shaped like the ingest's mix: paragraphs (chunks are several of them) and sentences (units)
    paragraphs = [p for p in GUIDE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    chunk_texts = (paragraphs + [s for p in paragraphs for s in p.split(". ")])[:256]
    rate = raw_encode_rate(embedder, chunk_texts)
    results = []
    with tempfile.TemporaryDirectory(prefix="advisor-many-guides-") as tmp:
        work = Path(args.workdir) if args.workdir else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            print(f"measuring {n} guide(s) ...", flush=True)
            results.append(measure(n, work, embedder, args.limit, keep=bool(args.workdir)))
    base = results[0]["answers"]
    print()
    print(f"raw encode rate of the model here: {rate:.0f} texts/s (paragraphs and sentences of the guide, batched)")
    print(f"{'guides':34}" + "".join(f"{r['guides']:>12}" for r in results) + f"{'target at 500':>16}")
    rows = [
        ("chunks / answer units", lambda r: f"{r['chunks']}/{r['units']}", ""),
        ("first ingest s", lambda r: f"{r['ingest_s']:.1f}", ""),
        ("  model encode rate texts/s", lambda r: f"{r['encode_rate']:.0f}", ""),
        (
            "  ingest texts/s (x encode)",
            lambda r: f"{r['ingest_rate']:.0f} ({r['ingest_rate'] / r['encode_rate']:.2f}x)",
            ">= 0.9x",
        ),
        ("index load s (server start)", lambda r: f"{r['load_s']:.1f}", ""),
        ("retrieve+answer p50 ms", lambda r: f"{r['p50']:.1f}", ""),
        ("retrieve+answer p95 ms", lambda r: f"{r['p95']:.1f}", "<= 20"),
        ("  CPU of the answering thread p50", lambda r: f"{r['cpu50']:.1f}", ""),
        ("  CPU of the answering thread p95", lambda r: f"{r['cpu95']:.1f}", "(busy machine)"),
        ("server RSS after answering MB", lambda r: f"{r['rss']:.0f}", "<= 1536"),
        ("re-ingest, 1 line changed s", lambda r: f"{r['reingest_s']:.1f}", "<= 10"),
        ("  chunks/units embedded again", lambda r: r["reingest_embedded"], ""),
        ("answers as with 1 guide", lambda r: f"{sum(r['answers'][q] == base[q] for q in base)}/{len(base)}", "all"),
    ]
    for name, cell, target in rows:
        print(f"{name:34}" + "".join(f"{cell(r):>12}" for r in results) + f"{target:>16}")
    print(
        f"(p50/p95 over {len(base)} questions from eval/heldout.jsonl x 3 passes, query embedding excluded,"
        " in a fresh server-like process; encode rate = texts / seconds inside the model during that ingest)"
    )
    for r in results[1:]:  # what to look at when "answers as with 1 guide" is short of all
        for q in (q for q in base if r["answers"].get(q) != base[q]):
            print(f"  answer changed at {r['guides']} guides: {q}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
