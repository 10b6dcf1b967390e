"""`advisor eval`: run a question file through the Advisor and score it exactly as
../shared/eval/score.py does (answer accuracy, retrieval hit, refusals), plus latency."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# JSON as read and written: a question-file line (or one conversation turn), an Answer dict
# (advisor.core.schema.Answer.model_dump(), plus "id"), and a chat history message.
Item = dict[str, Any]
Result = dict[str, Any]
Message = dict[str, str]
Ask = Callable[[str, list[Message]], Result]

MAX_ANSWER = 1200
BUDGET = 1500
TOP_SOURCES = 5


def load_questions(path: str | Path) -> list[Item]:
    items: list[Item] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if "id" not in item or not ("question" in item or item.get("turns")):
            raise ValueError(f"{path}:{n}: each line needs an 'id' and a 'question' or 'turns'")
        if is_conversation(item) and not all(
            isinstance(t, dict) and isinstance(t.get("user"), str) for t in item["turns"]
        ):
            raise ValueError(f"{path}:{n}: each conversation turn needs a 'user' message")
        items.append(item)
    return items


def is_conversation(item: Item) -> bool:
    """A judged conversation: every turn has its own expectations (`user`, `expect`, `must`)."""
    turns = item.get("turns") or []
    return bool(turns) and isinstance(turns[0], dict)


def holds(groups: list[list[str]], text: str) -> bool:
    return all(any(re.search(p, text, re.I) for p in group) for group in groups)


def expects_refusal(item: Item) -> bool:
    return item.get("kind") == "out_of_scope" or item.get("expect") == "not_grounded"


@dataclass
class Scores:
    answered: int = 0
    correct: int = 0
    retrieved: int = 0
    out_of_scope: int = 0
    refused: int = 0
    false_refusals: int = 0
    latencies: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, item: Item, result: Result) -> None:
        self.latencies.append(result.get("timings_ms", {}).get("total", 0.0))
        answer = result.get("answer") or ""
        if expects_refusal(item):
            self.out_of_scope += 1
            if result.get("grounded") is False:
                self.refused += 1
            else:
                self.misses.append(f"{item['id']}:answered")
            return
        self.answered += 1
        if result.get("grounded") is False:
            self.false_refusals += 1
        if holds(item.get("must", []), answer) and len(answer) <= MAX_ANSWER:
            self.correct += 1
        else:
            self.misses.append(f"{item['id']}:answer")
        context = "\n".join(s.get("text", "") for s in (result.get("sources") or [])[:TOP_SOURCES])[:BUDGET]
        if holds(item.get("must", []), context):
            self.retrieved += 1
        else:
            self.misses.append(f"{item['id']}:retrieval")

    def summary(self) -> dict[str, float]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else 0.0

        return {
            "answer_accuracy": round(self.correct / max(self.answered, 1), 3),
            f"retrieval_hit@{BUDGET}c": round(self.retrieved / max(self.answered, 1), 3),
            "oos_refusal": round(self.refused / max(self.out_of_scope, 1), 3),
            "false_refusal": round(self.false_refusals / max(self.answered, 1), 3),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "questions": self.answered + self.out_of_scope,
        }


def run_eval(ask: Ask, items: Iterable[Item], on_result: Callable[[Result], None] | None = None) -> Scores:
    """`ask(question, history) -> Answer dict`. Follow-ups: earlier turns are asked first, in order."""
    scores = Scores()
    for item in items:
        turns = item.get("turns") or [item["question"]]
        history: list[Message] = []
        for turn in turns[:-1]:
            earlier = ask(turn, history)
            history += [{"role": "user", "content": turn}, {"role": "assistant", "content": earlier["answer"]}]
        result = {"id": item["id"], **ask(turns[-1], history)}
        scores.add(item, result)
        if on_result:
            on_result(result)
    return scores


@dataclass
class ConversationScores:
    """Per turn of whole conversations, each turn asked with the real history like the UI sends it."""

    turns: int = 0
    answer_turns: int = 0
    correct: int = 0
    false_refusals: int = 0
    refuse_turns: int = 0
    refused: int = 0
    small_talk_turns: int = 0
    small_talk_ok: int = 0
    repeated_topic: int = 0  # a wrong answer that repeats the previous answer's passage
    refused_after_refusal: int = 0  # a false refusal right after a refusal
    misses: list[str] = field(default_factory=list)

    def add(self, turn: Item, result: Result, previous: Result | None) -> None:
        self.turns += 1
        expect = turn.get("expect", "answer")
        answer = result.get("answer") or ""
        tid = result["id"]
        if expect == "refuse":
            self.refuse_turns += 1
            if result.get("grounded") is False:
                self.refused += 1
            else:
                self.misses.append(f"{tid}:answered")
            return
        if expect == "small_talk":
            self.small_talk_turns += 1
            polite = "don't know" not in answer.lower()  # a greeting or thanks is never "not in my sources"
            if polite and (not turn.get("must") or holds(turn["must"], answer)):
                self.small_talk_ok += 1
            return
        self.answer_turns += 1
        # "partial": the guides hold something close; the turn is right when that is given, with or
        # without saying what is not covered, and a bare refusal is a false one
        partial = expect == "partial" and bool(result.get("sources"))
        if result.get("grounded") is False and not partial:
            self.false_refusals += 1
            self.misses.append(f"{tid}:refused")
            if previous is not None and previous.get("grounded") is False:
                self.refused_after_refusal += 1
            return
        if holds(turn.get("must", []), answer) and len(answer) <= MAX_ANSWER:
            self.correct += 1
            return
        self.misses.append(f"{tid}:answer")
        if previous is not None and _same_passage(previous, result):
            self.repeated_topic += 1
            self.misses[-1] += "(repeat)"

    def summary(self) -> dict[str, float]:
        return {
            "turn_accuracy": round(self.correct / max(self.answer_turns, 1), 3),
            "false_refusals": self.false_refusals,
            "refusal_when_right": round(self.refused / max(self.refuse_turns, 1), 3),
            "small_talk_ok": round(self.small_talk_ok / max(self.small_talk_turns, 1), 3),
            "repeated_topic": self.repeated_topic,
            "refused_after_refusal": self.refused_after_refusal,
            "turns": self.turns,
        }


def _same_passage(previous: Result, result: Result) -> bool:
    """The answer quotes what the previous answer quoted: the old topic came back."""
    a = set(re.findall(r"[a-z0-9$]+", (previous.get("answer") or "").lower()))
    b = set(re.findall(r"[a-z0-9$]+", (result.get("answer") or "").lower()))
    return bool(a and b) and len(a & b) / min(len(a), len(b)) > 0.7


def run_conversations(
    ask: Ask,
    items: Iterable[Item],
    on_result: Callable[[Result], None] | None = None,
) -> ConversationScores:
    scores = ConversationScores()
    for item in items:
        history: list[Message] = []
        previous: Result | None = None
        for n, turn in enumerate(item["turns"], 1):
            result = {"id": f"{item['id']}#{n}", "question": turn["user"], **ask(turn["user"], history)}
            scores.add(turn, result, previous)
            if on_result:
                on_result(result)
            history += [{"role": "user", "content": turn["user"]}, {"role": "assistant", "content": result["answer"]}]
            previous = result
    return scores
