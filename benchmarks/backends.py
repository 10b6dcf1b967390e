"""Answer backends side by side on the same questions: `advisor eval` scoring plus streaming latency.

For each backend: answer accuracy, retrieval hit, out-of-scope refusal and false-refusal rates
(exactly as `advisor eval` and ../shared/eval/score.py score them), time to the first streamed
piece and total time (p50 over the questions that reach a backend), verification time per
generated answer, and how many model answers were kept, replaced after verification, or fell back
after an error or timeout.

    .venv/bin/python benchmarks/backends.py                       # extractive vs local, dev set
    .venv/bin/python benchmarks/backends.py --backends extractive,local --heldout
    .venv/bin/python benchmarks/backends.py --backends openai     # ADVISOR_OPENAI_BASE_URL=...

Builds its own index from corpus/ in a temporary folder; needs the `local` extra for `local`.
"""

from __future__ import annotations

import os

for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("ANONYMIZED_TELEMETRY", "False"),
    ("GRADIO_ANALYTICS_ENABLED", "False"),
):
    os.environ.setdefault(_name, _value)

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from advisor import Advisor
from advisor import pipeline as pipeline_module
from advisor.core.backends.generative import FAILURES
from advisor.core.embeddings import Embedder
from advisor.core.evaluation import load_questions, run_eval
from advisor.core.settings import Settings
from advisor.core.verify import STATS

DEV = REPO.parent / "shared" / "eval" / "dev.jsonl"
HELDOUT = REPO / "eval" / "heldout.jsonl"


def p50(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def run_backend(advisor: Advisor, backend: str, items: list[dict]) -> dict:
    first_ms, total_ms, verify_ms = [], [], []
    kept = replaced = failed = 0
    original = pipeline_module.verify_answer

    def timed_verify(*args, **kwargs):
        verdict = original(*args, **kwargs)
        verify_ms.append(verdict.ms)
        return verdict

    def ask(question: str, history: list[dict]) -> dict:
        nonlocal kept, replaced, failed
        checked_before = len(verify_ms)
        started = time.perf_counter()
        first, answer = None, None
        for kind, value in advisor.events(question, history, backend=backend):
            if kind == "delta" and first is None:
                first = time.perf_counter() - started
            elif kind == "answer":
                answer = value
        total = time.perf_counter() - started
        if answer.grounded:  # reached the backend: the gate refuses the rest before any model
            first_ms.append(first * 1000)
            total_ms.append(total * 1000)
            if backend != "extractive":
                if answer.backend == backend:
                    kept += 1
                elif len(verify_ms) > checked_before:
                    replaced += 1
                else:
                    failed += 1
        return answer.model_dump()

    pipeline_module.verify_answer = timed_verify
    try:
        scores = run_eval(ask, items)
    finally:
        pipeline_module.verify_answer = original
    summary = scores.summary()
    return {
        "backend": backend,
        "answer_accuracy": summary["answer_accuracy"],
        "retrieval_hit": summary["retrieval_hit@1500c"],
        "oos_refusal": summary["oos_refusal"],
        "false_refusal": summary["false_refusal"],
        "first_piece_p50_ms": p50(first_ms),
        "total_p50_ms": p50(total_ms),
        "verify_mean_ms": round(statistics.fmean(verify_ms), 3) if verify_ms else None,
        "verify_max_ms": round(max(verify_ms), 3) if verify_ms else None,
        "model_answers_kept": kept if backend != "extractive" else None,
        "replaced_after_verification": replaced if backend != "extractive" else None,
        "fell_back_on_error": failed if backend != "extractive" else None,
        "questions": summary["questions"],
        "misses": scores.misses,
    }


ROWS = [
    ("answer accuracy", "answer_accuracy"),
    ("retrieval hit @1,500 chars", "retrieval_hit"),
    ("out-of-scope refused", "oos_refusal"),
    ("false refusals", "false_refusal"),
    ("time to first piece, p50 (ms)", "first_piece_p50_ms"),
    ("total time, p50 (ms)", "total_p50_ms"),
    ("verification per answer, mean / max (ms)", None),
    ("model answers kept", "model_answers_kept"),
    ("replaced by extractive after verification", "replaced_after_verification"),
    ("fell back after an error or timeout", "fell_back_on_error"),
]


def table(results: list[dict]) -> str:
    head = "| | " + " | ".join(r["backend"] for r in results) + " |"
    lines = [head, "| --- |" + " --- |" * len(results)]
    for label, key in ROWS:
        cells = []
        for r in results:
            if key is None:
                cells.append("-" if r["verify_mean_ms"] is None else f"{r['verify_mean_ms']} / {r['verify_max_ms']}")
            else:
                cells.append("-" if r[key] is None else str(r[key]))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="extractive,local", help="comma-separated backend names")
    parser.add_argument("--questions", default=str(DEV), help="an eval file (JSON lines)")
    parser.add_argument("--heldout", action="store_true", help=f"also run {HELDOUT.relative_to(REPO)}")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each rejected answer")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.verbose else logging.ERROR, format="%(levelname)s %(name)s: %(message)s"
    )

    files = [Path(args.questions)] + ([HELDOUT] if args.heldout else [])
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(data_dir=Path(data), corpus_dir=REPO / "corpus")
        advisor = Advisor.from_settings(settings, embedder=Embedder())
        for name in backends:
            started = time.perf_counter()
            advisor.backend(name)
            advisor.ask("What does an MLOps engineer do?", backend=name)  # warm: the first user is not the slow one
            print(f"{name}: loaded and warmed in {time.perf_counter() - started:.2f} s", file=sys.stderr)
        STATS.reset()
        everything = {}
        for path in files:
            items = load_questions(path)
            results = [run_backend(advisor, name, items) for name in backends]
            everything[str(path)] = results
            print(
                f"\n{path.name}: {len(items)} questions; threads={settings.llm_threads}, context={settings.llm_context}"
            )
            print(table(results))
            for r in results:
                print(f"  {r['backend']} misses: {' '.join(r['misses']) or 'none'}")
        print(f"\nverification: {STATS.snapshot()}; backend failures: {FAILURES.snapshot() or 'none'}")
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
