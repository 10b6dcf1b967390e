"""Resolve a follow-up ("which of those is cheapest?") into a standalone query, without a model.

A follow-up leans on the conversation: pronouns, ordinals, "what about ...", or too few words of
its own to retrieve with. Such a question is searched together with the topic it refers to.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from advisor.core.text import STOPWORDS, normalize, strip_markdown, words

_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|those|these|that|this|one|ones|ones?\s+of|which of|the (first|second|third|"
    r"last|former|latter|other)|also|too|else|same|more|another|what about|how about|and (for|at|in|the|what|how))\b",
    re.I,
)
_ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "last": -1,
    "final": -1,
}
_ORDINAL = re.compile(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|final)\b(?!\s+step)", re.I)
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$", re.M)
_CITATION = re.compile(r"\s*\[\d+\]")
_MARKUP = re.compile(r"<[^<>]{0,200}>")  # tags are not part of what is asked


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 2]


def is_follow_up(question: str, names_topic: Callable[[str], bool] = lambda q: False) -> bool:
    """Pronouns and ordinals lean on earlier turns; so does a very short question, unless it names
    a topic of its own ("What does DVC do?")."""
    q = normalize(question)
    return bool(_ANAPHORA.search(q)) or (len(content_words(q)) <= 2 and not names_topic(q))


def standalone_query(
    question: str, history: list[dict] | None, names_topic: Callable[[str], bool] = lambda q: False
) -> str:
    """The question plus, for a follow-up, the (resolved) topic of the previous user turn and the
    list item an ordinal points at."""
    question = _MARKUP.sub(" ", question)
    if not history:
        return " ".join(question.split())
    previous_topic = ""
    last_answer = ""
    for turn in history:
        if turn["role"] == "user":
            previous_topic = _resolve(turn["content"], previous_topic, last_answer, names_topic)
        else:
            last_answer = turn["content"]
    return _resolve(question, previous_topic, last_answer, names_topic)


def _resolve(question: str, previous_topic: str, last_answer: str, names_topic) -> str:
    if not previous_topic or not is_follow_up(question, names_topic):
        return question
    extra = [previous_topic]
    m = _ORDINAL.search(question)
    items = _LIST_LINE.findall(last_answer) if last_answer else []
    if m and items:
        index = _ORDINALS[m.group(1).lower()]
        if -len(items) <= index < len(items):
            extra.append(_CITATION.sub("", strip_markdown(items[index])))
    return f"{question} {' '.join(extra)}"
