"""Our retrieval next to the LangChain tutorial baseline, on the same corpus, model and questions.

Baseline: RecursiveCharacterTextSplitter(1000, 200) -> the same all-MiniLM-L6-v2 -> Chroma
similarity search, k=4. Ours: heading-aware chunks, dense + unit + BM25 fused. Also: warm `ask`
p50 on the default backend and the CLI's re-ingest of an unchanged corpus.

    .venv/bin/python benchmarks/retrieval.py
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from advisor import Advisor
from advisor.core.embeddings import Embedder
from advisor.core.evaluation import BUDGET, expects_refusal, holds, load_questions
from advisor.core.settings import Settings
from ingest.indexer import Indexer
from ingest.loaders import discover, load_file

QUESTION_FILES = [REPO.parent / "shared" / "eval" / "dev.jsonl", REPO / "eval" / "heldout.jsonl"]


def questions() -> list[dict]:
    items = []
    for path in QUESTION_FILES:
        if path.exists():
            items += [q for q in load_questions(path) if not expects_refusal(q) and "question" in q]
    return items


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def measure(searches: dict, items, embedder: Embedder, rounds: int = 3) -> dict:
    """Each system answers each question in turn (interleaved, so a busy machine slows both alike),
    with the query-embedding cache emptied: a new question costs an embedding. Latency is the
    median over `rounds` passes; hits are counted on the first."""
    for search in searches.values():
        for q in items[:5]:
            search(q["question"])  # warm
    hits = {name: 0 for name in searches}
    times: dict[str, list[list[float]]] = {name: [[] for _ in items] for name in searches}
    for round_ in range(rounds):
        for i, q in enumerate(items):
            for name, search in searches.items():
                embedder.clear_cache()
                started = time.perf_counter()
                texts = search(q["question"])
                times[name][i].append((time.perf_counter() - started) * 1000)
                if round_ == 0:
                    hits[name] += holds(q["must"], "\n".join(texts)[:BUDGET])
    out = {}
    for name in searches:
        per_question = [statistics.median(t) for t in times[name]]
        out[name] = {"hit": hits[name] / len(items), "p50": pct(per_question, 0.5), "p95": pct(per_question, 0.95)}
    return out


def baseline(embedder: Embedder, workdir: Path):
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    files, _ = discover([REPO / "corpus"])
    docs = [Document(page_content=load_file(f).text, metadata={"source": str(f)}) for f in files]
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    client = chromadb.PersistentClient(path=str(workdir / "baseline"))
    store = Chroma.from_documents(splits, embedding=embedder, client=client, collection_name="baseline")
    ingest_s = time.perf_counter() - started
    return (lambda q: [d.page_content for d in store.similarity_search(q, k=4)]), ingest_s, len(splits)


def ours(embedder: Embedder, workdir: Path):
    settings = Settings(data_dir=workdir / "ours", corpus_dir=REPO / "corpus")
    started = time.perf_counter()
    report = Indexer(settings, embedder=embedder, progress=False).run()
    ingest_s = time.perf_counter() - started
    advisor = Advisor.from_settings(settings, embedder=embedder)

    def search(q):
        return [h.text for h in advisor._search.search(advisor.index, q, settings.top_k)]

    return search, ingest_s, report.chunks, advisor, settings


def main() -> None:
    items = questions()
    embedder = Embedder().load()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        base_search, base_ingest, base_chunks = baseline(embedder, workdir)
        our_search, our_ingest, our_chunks, advisor, settings = ours(embedder, workdir)
        results = measure({"baseline": base_search, "ours": our_search}, items, embedder)
        base, mine = results["baseline"], results["ours"]

        ask_times = []
        for q in items[:5]:
            advisor.ask(q["question"])
        for q in items:
            embedder.clear_cache()
            started = time.perf_counter()
            advisor.ask(q["question"])
            ask_times.append((time.perf_counter() - started) * 1000)

        env = {**os.environ, "ADVISOR_DATA_DIR": str(settings.data_dir)}
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "advisor", "ingest", "-q"], env=env, capture_output=True, text=True)
        reingest_s = time.perf_counter() - started
        assert "up to date" in out.stdout, out.stdout + out.stderr

    print(
        f"Retrieval on {len(items)} answerable questions (dev + heldout), hit = every must-group "
        f"within the first {BUDGET} characters of the sources"
    )
    print(f"{'':28}{'baseline':>12}{'ours':>12}")
    print(f"{'chunks':28}{base_chunks:>12}{our_chunks:>12}")
    print(f"{'hit rate':28}{base['hit']:>12.3f}{mine['hit']:>12.3f}")
    print(f"{'retrieval p50 (ms)':28}{base['p50']:>12.1f}{mine['p50']:>12.1f}")
    print(f"{'retrieval p95 (ms)':28}{base['p95']:>12.1f}{mine['p95']:>12.1f}")
    print(f"{'ingest, model loaded (s)':28}{base_ingest:>12.2f}{our_ingest:>12.2f}")
    print(f"latency ratio ours/baseline p50: {mine['p50'] / base['p50']:.2f}x (target <= 1.5x)")
    print(f"warm ask p50, extractive backend, new questions: {statistics.median(ask_times):.1f} ms (target <= 50 ms)")
    print(f"re-ingest of an unchanged corpus, whole CLI process: {reingest_s:.2f} s (target <= 2 s)")


if __name__ == "__main__":
    main()
