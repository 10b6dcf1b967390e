"""A knowledge base of many guides: figures for N = 1, 50, ... guides side by side (issue #13).

    .venv/bin/python benchmarks/many_guides.py [--sizes 1,50] [--limit 60]   # --sizes 1,50,500 takes ~1 h here

For each N it writes a corpus of the MLOps guide plus N-1 synthetic guides (the same guide with
"MLOps" replaced by a made-up occupation name, so every guide has its own chunks), then measures:

- first ingest: seconds, and its throughput (texts embedded per second) against the raw encode rate
  of the same model on the same machine;
- retrieval + answer time per question, query embedding excluded (a second pass over the questions:
  the Advisor caches query vectors), p50 / p95, over the single questions of eval/heldout.jsonl;
- re-ingest after a one-line change to one guide (what must stay small as N grows);
- resident memory of this process after loading the index;
- whether the answers to the questions (about the MLOps guide) are the same as with one guide.

Bounded: at most 500 guides, --limit questions; everything in a temporary folder; no network.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def measure(n: int, work: Path, embedder, asked: list[str]) -> dict:
    from advisor.assembly import Advisor
    from advisor.core.settings import Settings
    from ingest.indexer import Indexer

    corpus = write_corpus(work / f"corpus-{n}", n)
    settings = Settings(data_dir=work / f"data-{n}", corpus_dir=corpus)
    started = time.perf_counter()
    report = Indexer(settings, embedder=embedder, progress=False).run()
    ingest_s = time.perf_counter() - started
    units = report.units
    advisor = Advisor.from_settings(settings, embedder=embedder)
    for q in asked:  # warm: query vectors cached, so the timed pass measures retrieval + answer
        advisor.ask(q)
    times, answers = [], {}
    for q in asked:
        t = time.perf_counter()
        answers[q] = advisor.ask(q).answer
        times.append((time.perf_counter() - t) * 1000)
    rss = rss_mb()
    changed = corpus / (f"synthetic-{n - 1:03d}.md" if n > 1 else GUIDE.name)
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more line about the role.\n", encoding="utf-8")
    started = time.perf_counter()
    again = Indexer(settings, embedder=embedder, progress=False).run()
    reingest_s = time.perf_counter() - started
    return {
        "guides": n,
        "chunks": report.chunks,
        "units": units,
        "ingest_s": ingest_s,
        "ingest_rate": (report.embedded + units) / ingest_s,
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "rss": rss,
        "reingest_s": reingest_s,
        "reingest_embedded": again.embedded,
        "answers": answers,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,50", help="comma-separated guide counts (each 1-500)")
    parser.add_argument("--limit", type=int, default=60, help="questions timed per size")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if not all(1 <= s <= 500 for s in sizes):
        parser.error("keep it bounded: 1-500 guides")

    from advisor.core.embeddings import Embedder

    embedder = Embedder().load()
    # texts shaped like the ingest's mix: paragraphs (chunks are several of them) and sentences (units)
    paragraphs = [p for p in GUIDE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    chunk_texts = (paragraphs + [s for p in paragraphs for s in p.split(". ")])[:256]
    rate = raw_encode_rate(embedder, chunk_texts)
    asked = questions(args.limit)
    results = []
    with tempfile.TemporaryDirectory(prefix="advisor-many-guides-") as tmp:
        for n in sizes:
            print(f"measuring {n} guide(s) ...", flush=True)
            results.append(measure(n, Path(tmp), embedder, asked))
    base = results[0]["answers"]
    print()
    print(f"raw encode rate of the model here: {rate:.0f} texts/s (paragraphs of the guide, batched)")
    print(f"{'guides':34}" + "".join(f"{r['guides']:>12}" for r in results))
    rows = [
        ("chunks / answer units", lambda r: f"{r['chunks']}/{r['units']}"),
        ("first ingest s", lambda r: f"{r['ingest_s']:.1f}"),
        ("ingest texts/s (vs raw)", lambda r: f"{r['ingest_rate']:.0f} ({r['ingest_rate'] / rate:.2f}x)"),
        ("retrieve+answer p50 ms", lambda r: f"{r['p50']:.1f}"),
        ("retrieve+answer p95 ms", lambda r: f"{r['p95']:.1f}"),
        ("RSS after loading MB", lambda r: f"{r['rss']:.0f}"),
        ("re-ingest, 1 line changed s", lambda r: f"{r['reingest_s']:.1f}"),
        ("  chunks embedded again", lambda r: f"{r['reingest_embedded']}"),
        ("answers as with 1 guide", lambda r: f"{sum(r['answers'][q] == base[q] for q in base)}/{len(base)}"),
    ]
    for name, cell in rows:
        print(f"{name:34}" + "".join(f"{cell(r):>12}" for r in results))
    print(f"(p50/p95 over {len(asked)} questions from eval/heldout.jsonl, query embedding excluded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
