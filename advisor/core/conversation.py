"""Reading the conversation the client sent: who the user is (profile) and what was last shown (topic).

Stateless by design: everything comes from the history of this request and is dropped after answering,
so the server keeps nothing personal. The topic is recovered from the last answer's own text (which
parts of the guides it quoted), so it works with any client that sends the history back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from advisor.core import tuning
from advisor.core.content import ContentModel
from advisor.core.dialogue import (
    VERSUS,
    Profile,
    Topic,
    Turn,
    build_profile,
    items_of,
    known_without_negation,
    understand,
)


@dataclass
class ConversationState:
    turn: Turn
    profile: Profile
    topic: Topic | None
    # the guide of the last answer that quoted one: a refusal or small talk in between does not end the
    # conversation's subject ("What do nurses earn?" refused, then "Is it a growing field?")
    guide: str = ""


def read_conversation(
    question: str, history: list[dict[str, str]], content: ContentModel, vocabulary: frozenset[str]
) -> ConversationState:
    turn = understand(question)
    user_turns = [understand(t["content"]) for t in history if t["role"] == "user"]
    situations = [t.situation for t in user_turns] + [turn.situation]
    profile = build_profile(situations, vocabulary)
    profile.known_terms = build_profile([known_without_negation(s) for s in situations], vocabulary).known_terms
    topic = last_topic(history, user_turns, content)
    guide = topic.guide if topic else ""
    answers = [t["content"] for t in history if t["role"] == "assistant"]
    for back in range(2, min(len(answers), tuning.GUIDE_LOOKBACK_ANSWERS) + 1):
        if guide:
            break
        earlier = last_topic(history, user_turns, content, back)
        guide = earlier.guide if earlier else ""
    return ConversationState(turn, profile, topic, guide)


def recent_guides(history: list[dict[str, str]], content: ContentModel, n: int = 2) -> list[str]:
    """The last `n` roles the answers were about, latest first ("which of those two has more openings?"
    after data scientists, then DBAs): looking back at most GUIDE_LOOKBACK_ANSWERS answers."""
    user_turns = [understand(t["content"]) for t in history if t["role"] == "user"]
    found: list[str] = []
    answers = sum(t["role"] == "assistant" for t in history)
    for back in range(1, min(answers, tuning.GUIDE_LOOKBACK_ANSWERS) + 1):
        topic = last_topic(history, user_turns, content, back)
        for guide in reversed(topic.guides or (topic.guide,)) if topic else ():
            if guide and guide not in found:
                found.append(guide)
        if len(found) >= n:
            break
    return found[:n]


def last_topic(
    history: list[dict[str, str]], user_turns: list[Turn], content: ContentModel, back: int = 1
) -> Topic | None:
    """The parts the last assistant answer (or the one `back` answers ago) quoted; None after a refusal
    or small talk."""
    answers = [t["content"] for t in history if t["role"] == "assistant"]
    if len(answers) < back:
        return None
    answer = answers[-back]
    # a sentence is quoted whole, and guides share openings ("Tasks, skills and job titles come from O*NET
    # OnLine, occupation 15-1221.00" in one guide, "15-1244.00" in another): its whole text must be there
    shown = [u.text for p in content.parts for u in p.units if len(u.plain) > 12 and u.plain in answer]
    parts = [p for p in content.parts if any(u.text in shown for u in p.units)]
    if not parts:
        return None
    # in the order the answer shows them; a sentence every guide has ("A median is the middle wage")
    # matches all guides, so the guide is the one most of the answer quotes
    at = {id(p): min(answer.find(u.plain) for u in p.units if u.text in shown) for p in parts}
    parts.sort(key=lambda p: at[id(p)])
    quoted = Counter(p.guide for p in parts for u in p.units if u.text in shown)
    guide = max(quoted, key=lambda g: (quoted[g], -min(at[id(p)] for p in parts if p.guide == g)))
    main = next(p for p in parts if p.guide == guide)
    # the roles the answer was about: a guide counts when a sentence only it holds was quoted
    holders = Counter(shown)  # `shown` has a text once per part that holds it
    about = [p.guide for p in parts if any(u.text in shown and holders[u.text] == 1 for u in p.units)]
    request = user_turns[-1].request if user_turns else ""
    # "vs security analyst" then "hourly for that?": the role set against the last one is the one to go on with
    named = [g for g in content.guide_names.mentioned(request) if g in about]
    if len(about) > 1 and named and VERSUS.match(request):
        guide = named[-1]
    return Topic(
        request=request,
        guide=guide,
        facet=main.facet,
        headings=tuple(dict.fromkeys(p.heading for p in parts)),
        items=items_of(answer),
        shown=frozenset(shown),
        guides=tuple(dict.fromkeys(about)),
    )
