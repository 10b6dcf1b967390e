"""Production set-up, for real: a `chroma run` server and two app servers (`advisor serve`, uvicorn, each
its own process and data folder) with ADVISOR_CHROMA_URL set, all started here on free loopback ports.

Covers: both apps give the same answers; an ingest while both serve under load fails no request and
reaches both without a restart; `advisor index rollback` switches answers back; kill -9 mid-embedding
leaves the previous version live; the Chroma server killed -> answers keep flowing from memory, the
watcher notices, and recovery when it comes back on the same port and path; /metrics from a real process; the JSON access log;
`advisor report` finds a planted knowledge gap.

The corpus is a small private guide whose salary figure changes between versions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from ops_helpers import REPO, AppServer, ChromaServer, advisor_cli, clean_env
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow

QUESTION = "How much does a zebra keeper earn?"
GUIDE = """# Zebra Keeper Career Guide

## What does a zebra keeper do?

A zebra keeper looks after the zebras in a zoo or wildlife park: feeding them, cleaning their
enclosures, watching their health and working with the veterinary team.

## How much do zebra keepers earn?

The typical zebra keeper salary is {salary} a year. Senior keepers who lead a team earn more.

## How do I become a zebra keeper?

Most keepers start as volunteers or apprentices at a zoo and study animal care at college.
A driving licence and first-aid training help.

## Which skills does a zebra keeper need?

Patience, physical fitness, careful record keeping and calm handling of large animals.
"""
OLD, NEW = "$41,000", "$57,000"


def write_guide(corpus, salary: str) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "zebra-keeper.md").write_text(GUIDE.format(salary=salary), encoding="utf-8")


def write_big_corpus(folder, files: int = 30) -> None:
    """Enough distinct text that embedding it takes several seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    animals = ["giraffe", "okapi", "tapir", "lemur", "otter", "penguin", "meerkat", "rhino", "bison", "ibis"]
    tasks = ["feeding", "enclosure cleaning", "health checks", "visitor talks", "record keeping", "enrichment"]
    for f in range(files):
        animal = animals[f % len(animals)]
        sections = []
        for s in range(4):
            task = tasks[(f + s) % len(tasks)]
            sentences = [
                f"Keeper {f}-{s}-{k} spends {k + 2} hours on {task} for the {animal} group number {f * 7 + s}."
                for k in range(3)
            ]
            sections.append(f"## {task.title()} for {animal} team {f}-{s}\n\n" + " ".join(sentences))
        (folder / f"{animal}-{f}.md").write_text(
            f"# {animal.title()} Keeper Notes {f}\n\n" + "\n\n".join(sections), encoding="utf-8"
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, embedder):
    """Chroma server + index v1 (in-process ingest) + two app servers, stopped at the end."""
    from advisor.core.settings import Settings
    from ingest.indexer import Indexer

    work = tmp_path_factory.mktemp("cluster")
    corpus = work / "corpus"
    write_guide(corpus, OLD)
    chroma = ChromaServer(work / "chroma", work / "chroma.log").start()
    ingest_settings = Settings(chroma_url=chroma.url, corpus_dir=corpus, data_dir=work / "ingest-data")
    v1 = Indexer(ingest_settings, embedder=embedder, progress=False).run().version
    env = clean_env(
        ADVISOR_CHROMA_URL=chroma.url,
        ADVISOR_CORPUS_DIR=corpus,
        ADVISOR_INDEX_POLL_SECONDS=0.5,
        ADVISOR_RATE_LIMIT_PER_MINUTE=0,
    )  # the load loop comes from one address
    apps = [AppServer(name, work, env) for name in ("app-a", "app-b")]
    try:
        for app in apps:
            app.start()
        for app in apps:
            app.wait_ready()
        yield {
            "chroma": chroma,
            "apps": apps,
            "corpus": corpus,
            "work": work,
            "v1": v1,
            "cli_env": {**env, "ADVISOR_DATA_DIR": str(work / "ingest-data")},
        }
    finally:
        for app in apps:
            app.stop()
        chroma.stop()


def answer_of(app: AppServer, question: str = QUESTION) -> dict:
    response = app.ask(question)
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_answer(apps, needle: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    pending = list(apps)
    while pending and time.monotonic() < deadline:
        pending = [a for a in pending if needle not in answer_of(a)["answer"]]
        if pending:
            time.sleep(0.3)
    assert not pending, f"{[a.name for a in pending]} still do not answer with {needle}"


def test_two_apps_share_one_chroma_server_and_agree(cluster):
    apps = cluster["apps"]
    questions = [
        QUESTION,
        "How do I become a zebra keeper?",
        "Which skills does a zebra keeper need?",
        "What visa do I need to work in Canada?",
        "hello",
    ]
    for question in questions:
        a, b = (answer_of(app, question) for app in apps)
        for answer in (a, b):
            answer.pop("timings_ms")
            answer.pop("answer_id")  # each answer given gets its own id (POST /api/feedback)
        assert a == b, question
    assert OLD in answer_of(apps[0])["answer"]
    ready = [httpx.get(f"{app.url}/readyz", timeout=10).json() for app in apps]
    assert ready[0]["index_version"] == ready[1]["index_version"] == cluster["v1"]


def test_ingest_while_serving_under_load_fails_no_request(cluster):
    apps, results, stop = cluster["apps"], [], threading.Event()

    def load(worker: int) -> None:
        deadline = time.monotonic() + 120
        with httpx.Client(timeout=60) as client:
            for i in range(5000):  # bounded: at most 5,000 requests or 2 minutes per worker
                if stop.is_set() or time.monotonic() > deadline:
                    return
                time.sleep(0.02)
                app = apps[(worker + i) % len(apps)]
                try:
                    r = client.post(f"{app.url}/api/ask", json={"question": QUESTION})
                    results.append((r.status_code, r.json().get("answer", "") if r.status_code == 200 else r.text))
                except httpx.HTTPError as exc:
                    results.append((0, repr(exc)))

    write_guide(cluster["corpus"], NEW)
    with ThreadPoolExecutor(3) as pool:
        workers = [pool.submit(load, w) for w in range(3)]
        try:
            time.sleep(1)
            done = advisor_cli("ingest", "-q", env=cluster["cli_env"])
            assert "is live" in done.stdout
            wait_for_answer(apps, NEW)
            time.sleep(1)  # keep the load on across the switch
        finally:
            stop.set()
            for w in workers:
                w.result(timeout=120)

    failures = [r for r in results if r[0] != 200 or (OLD not in r[1] and NEW not in r[1])]
    assert len(results) >= 20 and not failures, failures[:5]
    assert any(OLD in r[1] for r in results) and any(NEW in r[1] for r in results)
    for app in apps:
        refreshes = metric_value(scrape(app), "advisor_index_refreshes_total")
        assert refreshes >= 1


def test_rollback_switches_running_servers_back(cluster):
    apps = cluster["apps"]
    listing = advisor_cli("index", "list", env=cluster["cli_env"]).stdout
    assert cluster["v1"] in listing and listing.count("* ") == 1
    done = advisor_cli("index", "rollback", cluster["v1"], env=cluster["cli_env"])
    assert f"Index {cluster['v1']} is live" in done.stdout
    wait_for_answer(apps, OLD, timeout=30)
    for app in apps:
        info = [s for s in series(scrape(app), "advisor_index_info")]
        assert [s.labels["version"] for s in info] == [cluster["v1"]]


def test_kill_9_mid_embedding_keeps_previous_version_live(cluster):
    from advisor.core.settings import Settings
    from advisor.core.store import IndexStore, open_client

    apps = cluster["apps"]
    store = IndexStore(open_client(Settings(chroma_url=cluster["chroma"].url)))
    live_before = store.live().id
    big = cluster["work"] / "big"
    write_big_corpus(big)
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", "ingest", str(big)],
        cwd=REPO,
        env=cluster["cli_env"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(iter(lambda: process.stderr.read(64), b"")), daemon=True)
    reader.start()
    embedded = re.compile(rb"Embedding:\s+\d+%\|[^|]*\|\s*([1-9]\d*)/(\d+)")
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            match = embedded.findall(b"".join(seen))
            if match and int(match[-1][0]) < int(match[-1][1]):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"ingest did not reach embedding: {b''.join(seen)[-2000:]!r}")
        process.kill()  # SIGKILL mid-embedding
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -9
    assert store.live().id == live_before
    assert store.orphans(), "the killed ingest should have left its unfinished collections behind"
    for app in apps:
        assert httpx.get(f"{app.url}/readyz", timeout=10).status_code == 200
        assert OLD in answer_of(app)["answer"]


def test_chroma_server_down_keeps_answering_from_memory_and_recovers(cluster):
    """Each replica holds the live version in memory (advisor/core/retrieval.py open_index), so an
    outage of the Chroma server stops only following new versions: users keep getting answers."""
    apps, chroma = cluster["apps"], cluster["chroma"]
    errors_before = [_poll_errors(app) for app in apps]
    chroma.kill()
    try:
        for app in apps:
            ask = app.ask(f"Which skills does a zebra keeper need at {app.name}?")  # not asked before
            assert ask.status_code == 200 and ask.json()["grounded"], ask.text
            assert OLD in answer_of(app)["answer"]
            assert httpx.get(f"{app.url}/readyz", timeout=10).status_code == 200
            assert httpx.get(f"{app.url}/healthz", timeout=10).status_code == 200
        for app, before in zip(apps, errors_before):  # the watcher sees the outage (and logs it once)
            deadline = time.monotonic() + 30
            while _poll_errors(app) <= before:
                assert time.monotonic() < deadline, "the index watcher did not notice the Chroma server was down"
                time.sleep(0.3)
    finally:
        chroma.start()  # same port, same path
    for app in apps:
        deadline = time.monotonic() + 30
        while httpx.get(f"{app.url}/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "not ready again after the Chroma server came back"
            time.sleep(0.3)
        assert OLD in answer_of(app)["answer"]


def _poll_errors(app: AppServer) -> float:
    found = [s.value for s in series(scrape(app), "advisor_index_poll_errors") if s.name.endswith("_total")]
    return found[0] if found else 0.0


def test_access_log_is_json_without_question_text(cluster):
    app = cluster["apps"][0]
    r = httpx.post(
        f"{app.url}/api/ask",
        json={"question": "Which skills does a zebra keeper need?"},
        headers={"X-Request-ID": "trace-42"},
        timeout=30,
    )
    assert r.headers["x-request-id"] == "trace-42"
    time.sleep(0.5)
    lines = [json.loads(line) for line in app.log().splitlines() if line.startswith('{"ts"')]
    assert lines
    mine = [line for line in lines if line["request_id"] == "trace-42"]
    assert len(mine) == 1
    entry = mine[0]
    assert entry["endpoint"] == "/api/ask" and entry["status"] == 200 and entry["grounded"] is True
    assert entry["backend"] == "extractive" and 0 < entry["top_score"] <= 1 and entry["latency_ms"] > 0
    assert {line["status"] for line in lines if line["endpoint"] == "/api/ask"} == {200}  # none failed, outage included
    text = "\n".join(line for line in app.log().splitlines() if line.startswith('{"ts"'))
    assert "zebra" not in text.lower() and "visa" not in text.lower()


def test_report_lists_a_planted_knowledge_gap(cluster):
    app = cluster["apps"][1]
    planted = [
        "How do I get a work visa for Canada?",
        "What visa do I need to work in Canada?",
        "Canada work visa requirements",
        "How do I get a work visa for Canada?",
        "What visa do I need to work in Canada?",
    ]
    for question in planted + ["What is the capital of France?"]:
        assert answer_of(app, question)["grounded"] is False
    done = advisor_cli("report", "--json", "--data-dir", str(app.data_dir), env=cluster["cli_env"])
    report = json.loads(done.stdout)
    top = report["gaps"][0]
    wordings = [top["question"], *top["similar"]]
    assert all("visa" in w.lower() for w in wordings) and len(wordings) >= 2
    assert top["not_grounded"] >= len(planted)  # the earlier test also asked one of them
    assert any("france" in g["question"].lower() for g in report["gaps"][1:])
    assert report["drift"] and report["drift"][-1]["questions"] >= len(planted)


# metrics helpers
def scrape(app: AppServer) -> list:
    response = httpx.get(f"{app.url}/metrics", timeout=10)
    assert response.status_code == 200
    return list(text_string_to_metric_families(response.text))


def series(families, name: str) -> list:
    return [s for f in families if f.name == name for s in f.samples]


def metric_value(families, sample_name: str, **labels) -> float:
    return sum(
        s.value
        for f in families
        for s in f.samples
        if s.name == sample_name and all(s.labels.get(k) == v for k, v in labels.items())
    )
