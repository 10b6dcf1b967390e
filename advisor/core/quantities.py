"""What kind of figure a request asks for, and whether an answer holds one.

"What percentage of MLOps jobs are remote?" is answered by a percentage, "how many hours a week" by
hours. When the parts a plan would show hold no figure of the kind asked for, the guides do not answer
the question, however close the topic: the honest answer says so and gives the closest facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|thousand|million"
_NUMBER = rf"(?:\d|\b(?:{_NUMBER_WORDS})\b)"

# (kind, what the request says, what an answer holding that kind of figure says, words for "that figure")
_KINDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str], str], ...] = (
    (
        "percent",
        re.compile(
            r"\b(?:what|which|how big (?:a|of a))\s+(?:(?:percent(?:age)?|share|proportion|fraction)\b|%)"
            r"|\b(?:pass(?:ing)?|success|failure|unemployment|acceptance|placement|hiring|turnover|retention)\s+rates?\b"
            r"|\bhow many percent\b",
            re.I,
        ),
        re.compile(rf"{_NUMBER}[\d.,]*\s?(?:%|percent|per cent)|\bhalf\b|\bmost\b|\bmajority\b", re.I),
        "that percentage",
    ),
    (
        "hours",
        re.compile(r"\bhow many hours\b|\bhours (?:a|per) (?:week|day)\b", re.I),
        re.compile(rf"{_NUMBER}[\d,]*\s?(?:\+\s?)?hours?\b|\bfull[- ]time\b|\bovertime\b", re.I),
        "working hours",
    ),
    (
        "frequency",
        re.compile(r"\bhow often\b|\bhow frequently\b", re.I),
        re.compile(
            r"\b(?:every|each|per|a|once a|twice a)\s+(?:day|week|month|quarter|year)\b|\b(?:daily|weekly|monthly|yearly|annually)\b",
            re.I,
        ),
        "how often",
    ),
    (
        "duration",
        re.compile(r"\bhow long\b(?!\s+(?:ago|have you))", re.I),
        re.compile(
            rf"{_NUMBER}[\d.,]*(?:\s?(?:-|–|to)\s?{_NUMBER}[\d.,]*)?\s?\+?\s?(?:years?|months?|weeks?|days?|hours?|minutes?)\b",
            re.I,
        ),
        "how long that takes",
    ),
    (
        "price",
        re.compile(
            r"\bhow much\b[^.?!]{0,90}\b(?:cost|costs|charge|charges|price|fee|fees)\b|\bhow much (?:is|are|for)\b(?![^.?!]{0,40}\b(?:salar\w*|pay|wages?|income|compensation|earn\w*)\b)"
            r"|\b(?:price|cost) of\b",
            re.I,
        ),
        # a price is not a wage: "$395", not "$133,080 a year" or "$60.05 an hour"
        re.compile(r"\$\s?\d[\d,.]*\+?(?![\d,.]*\s*(?:-\s*\$?[\d,.]+\s*)?(?:a|an|per)\s+(?:year|hour))|\bfree\b", re.I),
        "that price",
    ),
    (
        "pay",
        re.compile(
            r"\bhow much\b[^.?!]{0,60}\b(?:pay|pays|paid|earn|earns|make|makes|salary)\b"
            r"|\bwhat (?:do|does|did|would|will) (?:the |a |an )?[\w.&-]+(?: [\w.&-]+)? pay\b"  # "what does spotify pay"
            # "what do they make starting out", "what does an actual software dev make on avg"
            r"|\bwhat (?:do|does|did|would|will|could|can) (?:the |a |an )?(?:[\w.&-]+ ){0,2}?[\w.&-]+ "
            r"(?:make|earn|get paid)\b(?!\s+(?:sure|of|a |an |the |it |them |decisions?))"
            # "pay for that vs security", "salary?": the pay word leads ("pay for the CKA" is a price)
            r"|^\s*(?:(?:and|so|ok|okay|but|then)\b[\s,]*)?(?:pay|salary|salaries|wages?)\b"
            r"(?!\s+(?:for\s+(?:the|a|an|my|your)\b|off\b|back\b|attention\b))",
            re.I,
        ),
        re.compile(r"\$\s?\d|\b\d[\d,.]*\s?(?:k|usd|dollars|euros?|pounds?)\b", re.I),
        "that pay figure",
    ),
    (
        "count",
        re.compile(r"\bhow many\b", re.I),
        re.compile(_NUMBER, re.I),
        "that number",
    ),
)


_SALARY_STATED = re.compile(
    r"\$?\b(\d{2,3})\s?k\b|\$\s?\d{2,3},\d{3}\b|\b\d{2,3},\d{3}\s?(?:a|per)\s+year\b"
    r"|\b(?:six|6|seven|7)[- ]figures?\b",  # "make six figures right out of college"
    re.I,
)
_GROWTH_STATED = re.compile(
    r"\b\d+(?:\.\d+)?\s?(?:%|percent)[^.?!]{0,40}\b(?:grow\w*|declin\w*|shrink\w*)\b"
    r"|\b(?:grow\w*|declin\w*|shrink\w*)\b[^.?!]{0,40}\b\d+(?:\.\d+)?\s?(?:%|percent)",
    re.I,
)


def stated_facet(request: str) -> str | None:
    """The facet of a figure the user states ("bls says the median is 150k", "only growing like 12%"): a
    premise to check against the guide's own figure."""
    if _SALARY_STATED.search(request):
        return "pay"
    if _GROWTH_STATED.search(request):
        return "outlook"
    return None


_PHRASE = r"((?:[\w+#/.-]+\s+){0,4}?[\w+#/.-]+?)"
_END = r"(?=\s+(?:do|does|did|are|is|would|will|can|should|r|there|have|has|in|at|for|of|per|each|cost|costs|charge|now|right|these|this|today|nowadays)\b|\s*[?.!,;]|\s*$)"
_SUBJECT = re.compile(
    rf"\bhow many\s+{_PHRASE}{_END}"
    rf"|\b(?:price|cost|fee) (?:of|for) (?:the |a |an )?{_PHRASE}{_END}"
    rf"|\bhow much (?:do|does|did|would|will|can) (?:the |a |an )?{_PHRASE}\s+(?:pay|make|earn|get paid)\b"
    rf"|\bwhat (?:do|does|did|would|will) (?:the |a |an )?{_PHRASE}\s+pay\b"
    rf"|\bhow much (?:is|are|was|does|do) (?:the |a |an )?{_PHRASE}(?=\s+(?:cost|costs|charge|charges|exam)\b|\s*[?.!,;]|\s*$)"
    rf"|\b(?:percentage|percent|share|proportion|fraction) of (?:the |all )?{_PHRASE}{_END}"
    r"|\b(?:what(?:'s| is)? (?:the )?)?([\w-]+) rates?\b",
    re.I,
)


def figure_subject(request: str) -> str:
    """What a figure is asked about: "ckad exam" in "how much is the ckad exam?", "tesla" in "how much
    does tesla pay its engineers?"; '' when the request names none."""
    m = _SUBJECT.search(request)
    return next((g for g in m.groups() if g), "") if m else ""


_SENIORITY = re.compile(
    r"\b(?:starting|entry[- ]level|first[- ]year|(?:very )?first year|new[- ]grads?|fresh(?:er| grads?)|out of "
    r"(?:school|college|university)|junior|right after (?:school|college|graduating))\b",
    re.I,
)


_PERCENTILE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th) percentile\b|\b(?:top|bottom|highest|lowest) \d{1,2} ?(?:%|percent)", re.I
)


def pay_for_a_level(request: str, shown: str) -> str:
    """ "What would he make in his first year out of school?": pay at a career stage the shown pay does
    not speak of (a median for everyone is no starting salary); '' when none is asked or it is shown."""
    if _PERCENTILE.search(request) and not _PERCENTILE.search(shown):
        return "pay at that percentile"  # "top 10% pay", "90th percentile": the guides give medians and ranges
    m = _SENIORITY.search(request)
    if not m or _SENIORITY.search(shown) or re.search(r"\bentry\b", shown, re.I):
        return ""
    return "starting pay"


def asked_figure(request: str) -> str | None:
    """The kind of figure a request asks for, or None when it asks for none."""
    for kind, asks, _, _ in _KINDS:
        if asks.search(request):
            return kind
    return None


# a pay figure is no price, however it is written ("reach total compensation of $250,000+")
_PAY_SENTENCE = re.compile(
    r"[^.!?\n]*\b(?:salar\w*|pay|paid|earn\w*|compensation|wages?|median|income)\b[^.!?\n]*[.!?]?", re.I
)


_GROWTH_WORDS = re.compile(
    r"\b(?:grow\w*|rise|rising|increas\w*|declin\w*|shrink\w*|fall\w*|drop\w*|outlook|projected)\b", re.I
)


def _percent_about(request: str, text: str, words_of: Callable[[str], set[str]]) -> str:
    """The sentences of `text` whose percentage is about what the request asks: growth when it asks
    about growth, else a sentence sharing one of its words ("what percentage of analysts are women"
    is not answered by a growth rate)."""
    asked = words_of(request)
    growth = bool(_GROWTH_WORDS.search(request))
    kept = [
        s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if (growth and _GROWTH_WORDS.search(s)) or (asked & words_of(s))
    ]
    return " ".join(kept)


def holds_figure(kind: str, text: str, request: str = "", words_of: Callable[[str], set[str]] | None = None) -> bool:
    """`request` and `words_of` (the request's own content words): for a percentage, only sentences
    about what was asked count."""
    if kind == "price":
        text = _PAY_SENTENCE.sub(" ", text)
        if request and words_of is not None and not _mentions_subject(request, text, words_of):
            return False  # "how much does a masters cost?" is not answered by certification prices
    if kind == "percent" and request and words_of is not None:
        text = _percent_about(request, text, words_of)
    for name, _, holds, _ in _KINDS:
        if name == kind:
            return bool(holds.search(text))
    return True


_POINTS_BACK = re.compile(r"(?:that|this|these|those|it|they|them|all|everything|both)\b", re.I)


def _mentions_subject(request: str, text: str, words_of: Callable[[str], set[str]]) -> bool:
    """The thing a figure is asked about is named in `text` (a word, or its shortening: "certs" and
    "certifications"); true when the request names no such thing."""
    subject = figure_subject(request)
    if not subject or _POINTS_BACK.match(subject):
        return True  # "how much is that all together": what was just shown
    wanted = words_of(subject)
    if not wanted:
        return True
    have = words_of(text)
    return any(
        w == h or (min(len(w), len(h)) >= 4 and (w.startswith(h) or h.startswith(w))) for w in wanted for h in have
    )


def missing_words(kind: str) -> str:
    """How an answer names the figure the guides lack ("My sources don't cover that percentage")."""
    return next((words for name, _, _, words in _KINDS if name == kind), "that figure")


__all__ = ["asked_figure", "figure_subject", "holds_figure", "missing_words", "pay_for_a_level", "stated_facet"]
