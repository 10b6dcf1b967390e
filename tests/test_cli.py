"""The `advisor` command as a user runs it: real processes, real index, offline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, SHARED
from helpers import require_shared

ADVISOR = [sys.executable, "-m", "advisor"]


@pytest.fixture(scope="module")
def env(advisor, settings):
    """Environment pointing the CLI at the index the session fixture built."""
    return {**os.environ, "ADVISOR_DATA_DIR": str(settings.data_dir), "ADVISOR_CORPUS_DIR": str(settings.corpus_dir)}


def run(args, env, stdin=None, timeout=180):
    return subprocess.run(ADVISOR + args, env=env, input=stdin, capture_output=True, timeout=timeout, cwd=REPO)


def test_ask_json_prints_the_answer_contract(env):
    result = run(["ask", "What does an MLOps engineer earn?", "--json"], env)
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["grounded"] and "$120,000" in data["answer"] and data["sources"]


def test_ask_text_shows_answer_and_sources(env):
    result = run(["ask", "What is Kubeflow for?"], env)
    out = result.stdout.decode()
    assert result.returncode == 0 and "Kubeflow" in out and "Sources:" in out and "[1]" in out


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["ask", ""], None, "empty"),
        (["ask", "   "], None, "empty"),
        (["ask", "x" * 50_000], None, "limit is 2,000"),
        (["ask", "\x01\x02\x1b"], None, "empty"),
        (["ask", "-"], b"\xff\xfe not utf-8 \xc3\x28", "not valid UTF-8"),
        (["ask"], None, "Give a question"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_traceback(env, args, stdin, message):
    result = run(args, env, stdin=stdin)
    err = result.stderr.decode()
    assert result.returncode == 2
    assert message in err and "Traceback" not in err


def test_question_file_with_invalid_utf8(env, tmp_path):
    bad = tmp_path / "question.txt"
    bad.write_bytes(b"What does an MLOps engineer \xff earn?")
    result = run(["ask", "--file", str(bad)], env)
    assert result.returncode == 2 and "not valid UTF-8" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_unknown_backend_is_a_clear_error(env):
    result = run(["ask", "What does an MLOps engineer earn?", "--backend", "nope"], env)
    assert result.returncode == 1 and "Unknown backend 'nope'" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_ingest_of_an_unchanged_corpus_reports_up_to_date(env):
    result = run(["ingest", "-q"], env)
    assert result.returncode == 0 and "up to date" in result.stdout.decode()


def test_chat_answers_follow_ups_in_the_terminal(env):
    stdin = b"Which certifications should I get?\nwhich of those is cheapest?\n/quit\n"
    result = run(["chat"], env, stdin=stdin)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "Terraform" in out and "$70" in out and "Sources:" in out


def test_eval_meets_the_bars_and_agrees_with_the_reference_scorer(env, tmp_path):
    dev, score = require_shared(SHARED / "eval" / "dev.jsonl"), require_shared(SHARED / "eval" / "score.py")
    out = tmp_path / "results.jsonl"
    result = run(["eval", str(dev), "--out", str(out)], env, timeout=300)
    assert result.returncode == 0, result.stderr.decode()
    ours = dict(kv.split("=") for kv in result.stdout.decode().splitlines()[0].split())
    assert float(ours["answer_accuracy"]) >= 0.9 and float(ours["retrieval_hit@1500c"]) >= 0.95
    assert float(ours["oos_refusal"]) >= 0.9 and float(ours["false_refusal"]) <= 0.05
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert all("id" in line and "answer" in line for line in lines)
    reference = subprocess.run(
        [sys.executable, str(score), str(dev), str(out), "--json"],
        capture_output=True,
        check=True,
    )
    ref = json.loads(reference.stdout)
    assert float(ours["answer_accuracy"]) == ref["answer_recall"]
    assert float(ours["retrieval_hit@1500c"]) == ref["retrieval_hit@1500c"]
    assert float(ours["oos_refusal"]) == ref["oos_refusal"] and float(ours["false_refusal"]) == ref["false_refusal"]


def test_heldout_questions_meet_the_bars(advisor):
    """Our own questions, worded unlike the shared sample: a guard against tuning to it."""
    from advisor.core.evaluation import load_questions, run_eval

    scores = run_eval(lambda q, h: advisor.ask(q, h).model_dump(), load_questions(REPO / "eval" / "heldout.jsonl"))
    summary = scores.summary()
    # A regression guard at today's measured level (0.839 / 0.957 / 0.655 / 0.011 with all seven guides):
    # this set was written next to the old rules and tuned on; the blind sets in eval/blind are the
    # measure (README, "How well it answers").
    assert summary["answer_accuracy"] >= 0.78, scores.misses
    assert summary["retrieval_hit@1500c"] >= 0.92, scores.misses
    assert summary["oos_refusal"] >= 0.62 and summary["false_refusal"] <= 0.05, scores.misses


def _network_blocked_prefix() -> list[str] | None:
    """`unshare -n` gives the child a network namespace with no interfaces at all."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return None


def test_ingest_and_ask_work_with_the_network_blocked(tmp_path):
    prefix = _network_blocked_prefix()
    env = {**os.environ, "ADVISOR_DATA_DIR": str(tmp_path / "data")}
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        env.pop(key, None)  # the product itself must not need them set by the caller
    if prefix is None:
        # no namespaces here: make every non-local socket connection fail instead
        guard = tmp_path / "sitecustomize.py"
        guard.write_text(
            "import socket\n_orig = socket.socket.connect\n"
            "def connect(self, address):\n"
            "    if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ('127.0.0.1', '::1', 'localhost'):\n"
            "        raise OSError('network blocked by test')\n"
            "    return _orig(self, address)\n"
            "socket.socket.connect = connect\n"
        )
        env["PYTHONPATH"] = f"{tmp_path}:{env.get('PYTHONPATH', '')}"
        prefix = []
    ingest = subprocess.run(prefix + ADVISOR + ["ingest", "-q"], env=env, capture_output=True, timeout=300, cwd=REPO)
    assert ingest.returncode == 0, ingest.stderr.decode()[-2000:]
    ask = subprocess.run(
        prefix + ADVISOR + ["ask", "Which feature stores are mentioned?", "--json"],
        env=env,
        capture_output=True,
        timeout=300,
        cwd=REPO,
    )
    assert ask.returncode == 0, ask.stderr.decode()[-2000:]
    data = json.loads(ask.stdout)
    assert "Feast" in data["answer"] and "Tecton" in data["answer"]
