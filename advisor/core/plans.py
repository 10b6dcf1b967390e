"""Answer plans: which guide parts answer a request, in which order, tailored by what the user said.

Every factual sentence shown is quoted from a guide part and carries the [n] of the chunk that holds it;
the only sentences in our own words are short joins ("You already have ...", "My sources don't cover
..."), which state no fact. A plan is data (`Plan`); `render` turns it into Markdown. Model backends get
the same plan to phrase (advisor/core/backends/generative.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from advisor.core import intents, tuning
from advisor.core.content import ContentModel, Part, Unit
from advisor.core.dialogue import Profile, Topic, content_words, ordinal, points_back, wants_more
from advisor.core.facets import ANSWERED_BY, MENTIONED_IN, STAND_INS
from advisor.core.guides import plural, role_name
from advisor.core.quantities import asked_figure
from advisor.core.spelling import english_ranks
from advisor.core.text import idf, stem, tokens

# a sentence that opens by pointing back at the one before it ("That adds ...", "Their number ...")
_LEANS_BACK = re.compile(r"(?:that|this|these|those|it|its|they|their|such)\b", re.I)
_STEP = re.compile(r"^step\s*(\d+)", re.I)
_PRICE_LIMIT = re.compile(
    r"\b(?:under|below|less than|at most|up to|no more than|max(?:imum)? of|spend(?: about| around| up to)?|"
    r"budget (?:of|is)(?: about| around)?)\s*\$\s?(\d[\d,]*)|\$\s?(\d[\d,]*)\s*(?:max|maximum|or less|tops|at most)\b",
    re.I,
)
_ACROSS = re.compile(
    r"\b(?:which|what)\s+(?:one\s+)?(?:of\s+(?:these|those|the|your|all)\s+(?:\w+\s+)?)?(?:jobs?|roles?|careers?|"
    r"occupations?|fields?|professions?|guides?)"
    r"(?=\s+(?:(?:actually|really|currently|usually|only|still|typically)\s+)?(?:is|are|has|have|pays?|earns?|makes?|grows?|offers?|needs?|"
    r"requires?|wants?|expects?|asks?|would|will|could|should|can|seems?)\b)(?!\s+(?:do|does|is|are)\s+(?:an?|the)\b)"
    # "are any of these jobs actually shrinking?"
    r"|\b(?:are|is)\s+any\s+of\s+(?:these|those|the|your|all)\s+(?:\w+\s+)?(?:jobs|roles|careers|occupations|fields|professions)\b"
    # "whats the fastest growing one", "what is the best paid job"
    r"|\b(?:which|what)(?:'?s|\s+is|\s+are)?\s+(?:the\s+)?(?:most|least|best|worst|highest|lowest|fastest|slowest|"
    r"biggest|largest|smallest|fewest)[\s-]+(?:[\w-]+\s+)?(?:one|jobs?|roles?|careers?|fields?|occupations?|professions?)\b"
    # "growth rates for every role?", "pay for all the roles you cover"
    r"|\b(?:for|of|across)\s+(?:every|each|all)\s+(?:of\s+)?(?:the\s+|these\s+|those\s+|your\s+)?(?:[\w-]+\s+)?"
    r"(?:jobs?|roles?|careers?|occupations?|fields?|guides?)\b"
    # "rank the roles by pay", "how do all these jobs compare on growth", "what pays best out of these?"
    r"|\b(?:rank|compare|sort|list)\b[^?.!]{0,25}?\b(?:the|these|those|your|all)\s+(?:jobs|roles|careers|occupations|fields)\b"
    r"|\ball\s+(?:of\s+)?(?:these|those|the|your)\s+(?:\w+\s+)?(?:jobs|roles|careers|occupations|fields)\b"
    r"|\b(?:best|most|least|highest|lowest|fastest|slowest)\b[^?.!]{0,15}?\b(?:out )?of (?:these|them|those|them all|"
    r"(?:the|your|all the) (?:roles|jobs|careers|fields|guides)(?= you\b))\b"  # "... out of the roles you have"
    # "best paying overall?", "fastest growing of them all"
    r"|\b(?:most|least|best|worst|highest|lowest|fastest|slowest)[- ](?:paying|paid|growing|demanded|in[- ]demand)\b"
    r"[\w -]{0,12}?\b(?:overall|of (?:them )?all)\b"
    # "out of all the careers you have guides for, which is growing fastest?"
    r"|\b(?:of|among|out of|across)\s+(?:all\s+)?(?:these|those|the|your|all)\s+(?:\w+\s+){0,2}?(?:jobs|roles|careers|"
    r"occupations|fields|professions|guides)\b[^?.!]*\bwhich\b"
    # "which role in ur guides has the most openings", "which of the careers you cover pays the least?",
    # "lowest paying role out of all the ones u cover?" (faq11-tune)
    r"|\b(?:which|what)\s+(?:one|jobs?|roles?|careers?|occupations?|fields?)\s+(?:in|on|from|among)\s+(?:ur|your)\s+"
    r"(?:guides?|list)\b"
    r"|\b(?:which|what|most|least|best|worst|highest|lowest|fastest|slowest)\b[^?.!]{0,30}?\b(?:ones|roles?|jobs?|"
    r"careers?|occupations?|fields?)\s+(?:you|u)\s+(?:do\s+|actually\s+)?(?:cover|have|list|know)\b",
    re.I,
)


_COMPARED_IN_MATCH = re.compile(r"[- ](?:paying|paid|growing|demanded|in[- ]demand)\b", re.I)


def across_clause(request: str) -> str:
    """The part of an across-roles request that says what is compared ("which is growing fastest"), so
    its preamble ("out of all the careers you have guides for") does not decide the facet; '' if none."""
    m = _ACROSS.search(request)
    if not m:
        return ""
    if m.group(0).lower().startswith(("which", "what", "are", "is")):
        # "which of these careers pays the most based on the gov (bls) data", "are any of these jobs
        # actually shrinking?": the question's own words
        clause = re.match(r"[^,.;:!?()]*", request[m.start() :]).group(0)  # type: ignore[union-attr]
        return " ".join(clause.split()[: len(m.group(0).split()) + tuning.ACROSS_CLAUSE_WORDS])
    if "which" in request.lower() and not m.group(0).lower().startswith(("for", "of", "across")):
        return request[request.lower().rfind("which") :]
    # "growth rates for every role", "rank the roles by pay": the rest says what is compared;
    # "best paying overall?" is all said in the match, and "lowest paying role out of all the ones u cover?"
    # says it there too
    rest = " ".join(request.replace(m.group(0), " ").split())
    return rest if content_words(rest) and not _COMPARED_IN_MATCH.search(m.group(0)) else m.group(0)


_DEGREE_ASKED = re.compile(r"\b(?:degree|diploma|college|school|bachelor'?s?|master'?s?|education)\b", re.I)
_GROWTH_ASKED = re.compile(r"\b(?:grow\w*|outlook|future|in demand|more openings|job security)\b", re.I)
_SUPERLATIVE = re.compile(
    r"\b(?:most|least|fewest|highest|lowest|fastest|slowest|biggest|largest|smallest|best|worst|more|fewer|"
    r"\w+est|shrink\w*|declin\w*)\b",
    re.I,
)
_LOWEST = re.compile(r"\b(?:shrink\w*|declin\w*|least|lowest|slowest|worst|smallest|fewest)\b", re.I)
_FIGURE = re.compile(r"\$?\s?(\d[\d,]*(?:\.\d+)?)\s?(?:percent|%)?")
_FALLING = re.compile(r"\b(?:decline|declining|fall|shrink|fewer|drop)\w*", re.I)


def _headline_value(units: list[Unit]) -> float:
    """The first figure a side states ("$140,910", "rise by 34 percent", "decline 4 percent" is -4)."""
    text = " ".join(u.plain for u in units)
    m = _FIGURE.search(text)
    if not m:
        return float("-inf")
    value = float(m.group(1).replace(",", ""))
    return -value if _FALLING.search(text[: m.end() + 20]) else value


# what a verdict compares: the openings a year or the jobs there are when those are asked ("which has more
# openings", "the smallest field"), else the headline figure (median pay, growth rate); a pay band
# (Levels.fyi) is no median to set against the BLS's
_ASKS_OPENINGS = re.compile(r"\b(?:openings?|jobs open)\b", re.I)
_ASKS_JOBS = re.compile(
    r"\b(?:positions|employ\w*|(?:more|most|fewer|fewest|how many|total|actual)\s+(?:\w+\s+)?jobs|"
    r"(?:smallest|biggest|largest)\s+(?:field|occupation|job)|jobs? total|size)\b",
    re.I,
)
_COUNTS = {
    "openings": re.compile(r"(\d[\d,]*)\s+(?:[A-Za-z-]+\s+){0,4}openings\b", re.I),
    "jobs": re.compile(r"(\d[\d,]*)\s+(?:[A-Za-z-]+\s+){0,5}jobs in 20\d\d\b", re.I),
}
_DOLLARS = re.compile(r"\$\s?\d[\d,]*")
_BAND = re.compile(r"\$\s?\d[\d,]*\s?(?:-|\u2013|to)\s?\$?\d", re.I)
_VERDICT_WORDS = {  # (two roles, more roles): the leader's figure, then the last one's
    "pay": (("the higher median pay", "the lower median pay"), ("the highest median pay", "the lowest median pay")),
    "outlook": (
        ("the faster projected growth", "the slower projected growth"),
        ("the fastest projected growth", "the slowest projected growth"),
    ),
    "openings": (
        ("more openings a year", "fewer openings a year"),
        ("the most openings a year", "the fewest openings a year"),
    ),
    "jobs": (("more jobs today", "fewer jobs today"), ("the most jobs today", "the fewest jobs today")),
}


def _measure(request: Request, facet: str) -> str:
    """What roles are ranked by: "openings" or "jobs" when the outlook question asks for them, else the facet."""
    if facet == "outlook" and _ASKS_OPENINGS.search(request.text):
        return "openings"
    if facet == "outlook" and _ASKS_JOBS.search(request.text):
        return "jobs"
    return facet


def _same_word(a: str, b: str) -> bool:
    """The same stem, or one a clipping of the other ("tech" of "technical")."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _compared_value(block: Block, measure: str) -> float:
    """The figure a role is ranked by: a count when asked for one, else its headline figure."""
    if measure in _COUNTS:
        m = _COUNTS[measure].search(" ".join(u.plain for u in block.units))
        return float(m.group(1).replace(",", "")) if m else float("-inf")
    return _headline_value(block.units[:1])


def _verdict(request: Request, blocks: list[Block], facet: str) -> str:
    """ "Which one pays more?" answered in so many words before the figures: judged transcripts marked
    side-by-side figures without a conclusion down a point (conv9 tune: 20 turns). No figure of our own:
    which role leads, by the figures quoted below. "" when a side has no comparable figure."""
    measure = _measure(request, facet)
    words = _VERDICT_WORDS.get(measure)
    if words is None or len(blocks) < 2 or len({b.label for b in blocks}) != len(blocks):
        return ""
    for block in blocks:
        text = " ".join(u.plain for u in block.units)
        if measure == "pay" and (_BAND.search(text) or len(set(_DOLLARS.findall(text))) > 1):
            return ""  # a band, or several medians ("together ...; separately ..."): no one figure to set against
    values = [_compared_value(b, measure) for b in blocks]
    if float("-inf") in values or len(set(values)) < len(values):
        return ""
    lowest = bool(_LOWEST.search(request.text))
    lead = blocks[values.index(min(values) if lowest else max(values))].label
    among, (higher, lower) = ("the two", words[0]) if len(blocks) == 2 else ("these roles", words[1])
    return f"Of {among}, {plural(lead)} have {lower if lowest else higher}:"


# "Is Colorado in that list?", "is the CKA one of them?", "is Texas one of the top MLOps states?"
_IS_IT_AMONG = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+|ok\s+)?(?:is|are)\s+(?:the\s+)?(?P<thing>[^?,]{1,40}?)\s+"
    r"(?:(?:in|on|among|part of)\s+(?:that|the|this|your|those|these)\s+(?:list|ones?)\b"
    r"|(?:one|any|some) of (?:them|those|these|the\b)|among (?:them|those|these|the\b))",
    re.I,
)


def topic_parts(content: ContentModel, topic: Topic | None) -> list[Part]:
    """The parts the last answer showed. Guides share headings ("What is the occupation code?"): only the
    parts of the roles it was about."""
    if topic is None:
        return []
    guides = set(topic.guides) | ({topic.guide} if topic.guide else set())
    return [p for p in content.parts if p.heading in topic.headings and (not guides or p.guide in guides)]


def membership(request: str, blocks: list[Block]) -> str:
    """ "Is Colorado in that list?" over a plan that shows a list: whether it names the thing, said first
    ('' when the request asks no such thing or the plan shows no list)."""
    m = _IS_IT_AMONG.match(request)
    thing = m.group("thing").strip() if m else ""
    wanted = set(tokens(thing))
    heads = [
        re.split(r":\s| - ", u.plain.lstrip("-*+ "), maxsplit=1)[0]
        for b in blocks
        if b.part.is_list
        for u in b.units
        if u.is_item
    ]
    if not wanted or not heads or wanted <= {"it", "that", "this", "they", "there"}:
        return ""
    if any(wanted <= set(tokens(h)) for h in heads):
        return f"Yes, {thing} is one of them:"
    return f"No, {thing} is not one of them. The list is:"


# "and which one is shrinking?" after every guide was shown side by side
_WHICH_ONE = re.compile(
    r"\bwhich(?:\s+one|\s+of (?:them|those|these))?\s+(?:is|are|has|pays|grows|would|will)\b"
    # "and the slowest, anything shrinking?" after every role was shown
    r"|^\s*(?:and|ok|so)?\s*(?:the\s+)?(?:slowest|fastest|lowest|highest|biggest|smallest|worst|best)\b"
    r"|\banything\s+(?:shrinking|declining|growing)\b",
    re.I,
)
_COUNTS_THE_LIST = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten)\b|(?<![\d.-])\b\d{1,2}\b(?![\d.-])|\bbelow\b", re.I
)
_PRONOUN_SUBJECT = re.compile(
    r"^\s*(?:and\s+|but\s+|so\s+)?(?:does|do|is|are|was|will|would|can|could|should|did)\s+(?:it|that|this|they|those|these)\b",
    re.I,
)
_NEGATED = re.compile(r"\bnon[- ]?([a-z]+(?:[ -](?:design|skills?|questions?))?)", re.I)
_ONLY_THAT = re.compile(
    r"\bis it (?:just |only )?[\w+#.-]+ only\b|\bis it (?:just|only|mostly|all) [\w+#.-]+\b", re.I
)  # "is it mostly cleaning data?": the whole list says how much else there is
_WHO_HIRES = re.compile(
    r"\b(?:who|which (?:companies|employers|industries|firms|organi[sz]ations)|what (?:companies|employers|industries|kind of companies))"
    r"\s+(?:\w+\s+){0,2}?(?:hires?|hiring|employs?|pays? for)\b|\bhire\b|\bemployers?\b",
    re.I,
)
# "which cert would actually matter, i already have CKA": what the user holds is no subject to show them
_ALREADY_HAVE = re.compile(
    r"\b(?:already (?:have|hold|got|did|passed|earned|use|know|do)|i (?:have|hold|got|passed|earned))\s+"
    r"((?:(?:the|my|a|an)\s+)?[\w+#.-]+(?:\s+[\w+#.-]+)?)",
    re.I,
)


def _chars(blocks: list[Block]) -> int:
    """About what the blocks take rendered: their text, sub-headings, list marks and [n] markers."""
    return sum(len(b.part.sub) + 10 + sum(len(u.plain) + 3 for u in b.units) for b in blocks)


def _first_items_of_each(blocks: list[Block], room: int) -> bool:
    """Every kind a section announces, each cut to its first items, rather than the first kinds whole
    and the rest cut off by the answer's length ("list the main tools" showed one category of five).
    Whether any was cut."""
    if _chars(blocks) <= room:
        return False
    longest = max((sum(u.is_item for u in b.units) for b in blocks), default=0)
    for keep in range(longest, 0, -1):
        cut = [_first_items(b, keep) for b in blocks]
        if _chars(cut) <= room or keep == 1:
            for block, units in zip(blocks, cut, strict=True):
                block.units = units.units
            return True
    return False


def _first_items(block: Block, keep: int) -> Block:
    kept = {id(u) for u in [u for u in block.units if u.is_item][:keep]}
    # the sub-heading names the kind, so its lead ("The model serving tools MLOps engineers use are:") goes
    units = [u for u in block.units if (u.is_item and id(u) in kept) or not (u.is_item or u.plain.endswith(":"))]
    return Block(block.part, units, heading=block.heading)


def _already_had(text: str) -> set[str]:
    return {t for m in _ALREADY_HAVE.finditer(text) for t in tokens(m.group(1))}


# a request for named things ("which security cert?"), not whether they matter ("do certs matter?")
_NAMING = re.compile(r"\b(?:which|what|name|list|recommend\w*|suggest\w*|best|top)\b", re.I)
# the whole way in, not one step of it: "whats the path", "what are the steps", "how do i become one"
_WHOLE_PATH = re.compile(
    r"\b(?:path|paths|steps|roadmap|route|how (?:do|can|would|does) (?:i|you|one|someone|he|she) (?:become|get into)|"
    r"how to (?:become|get into))\b",
    re.I,
)
_WHERE_ON_PATH = re.compile(r"\b(?:where am i|where i am|where i'?m at|what'?s next|whats next|next step)\b", re.I)
_STEP_ASKED = re.compile(r"\bstep\s*#?(\d+)\b", re.I)
_STEP_BY_PLACE = re.compile(
    r"\b(?:first|1st|second|2nd|third|3rd|fourth|4th|last|final)\s+(?:step|stage|phase|thing to learn)\b", re.I
)
FACET_WORDS = {"pay": "pay", "overview": "what the job is", "demand": "demand and growth", "path": "how to get in"}
GENERIC_STEP_WORDS = frozenset(
    tokens("step gain build learn get become experience foundation specialize senior junior")
)
_HOW_MANY = re.compile(r"\b(two|both|2|three|3)\b", re.I)


@dataclass
class Block:
    """What one guide part contributes: some of its units, in reading order."""

    part: Part
    units: list[Unit]
    heading: bool = False  # show the part's sub-heading above its units
    label: str = ""  # the role this block is about, shown when several guides are in play


@dataclass
class Plan:
    blocks: list[Block] = field(default_factory=list)
    intro: str = ""  # our own words, no facts: tailoring or what the guides do not cover
    verdict: str = ""  # our own words above a comparison: which role leads by the figures quoted below
    outro: str = ""

    @property
    def parts(self) -> list[Part]:
        seen: list[Part] = []
        for b in self.blocks:
            if b.part not in seen:
                seen.append(b.part)
        return seen


@dataclass
class Request:
    text: str
    vector: np.ndarray
    intent: str
    facet_scores: dict[str, float]
    profile: Profile
    topic: Topic | None = None
    uncovered: list[str] = field(default_factory=list)
    partial: bool = False
    terms: frozenset[str] = frozenset()  # the request's words mapped onto the index vocabulary (typos fixed)
    guides: list[str] = field(default_factory=list)  # guides the request names, in its order
    guide: str = ""  # the guide the conversation is about (named earlier, or the default)
    previous: Topic | None = None  # what the last answer showed, follow-up or not
    # roles the user just listed to choose among ("security, ML or networking?")
    choosing: list[str] = field(default_factory=list)
    # what the user told of themselves, embedded, when they ask which role suits them
    background: np.ndarray | None = None
    # nothing but a role, with no kind of question carried from the last answer ("what about network admin
    # instead"): the role in short
    only_role: bool = False

    @property
    def top_facet(self) -> str:
        """The kind of part the request reads most like ('' when nothing was scored)."""
        return max(self.facet_scores, key=lambda f: self.facet_scores[f], default="")


class Planner:
    def __init__(self, content: ContentModel, document_frequency: dict[str, int], chunks: int):
        self.content = content
        self.df = document_frequency
        self.n = max(chunks, 1)
        # a share of one guide's chunks, not of the whole knowledge base: with seven guides "ML" (23 of 94
        # chunks, nearly all of the MLOps guide's) is no name
        per_guide: dict[str, set[str]] = {}
        for part in content.parts:
            per_guide.setdefault(part.guide, set()).add(part.chunk_id)
        largest = max((len(c) for c in per_guide.values()), default=self.n)
        self.named_limit = max(tuning.RARE_IN_A_GUIDE, int(tuning.NAMED_CHUNK_SHARE * largest))
        self._guide_frequency: dict[str, tuple[Counter[str], int]] = {}

    # -- scoring ---------------------------------------------------------------------------------
    def idf(self, term: str) -> float:
        return idf(self.n, self.df.get(term, 0))

    def overlap(self, terms: set[str], have: frozenset[str], weights: dict[str, float] | None = None) -> float:
        """Rarity-weighted share of the request's words the part has; words every chunk uses ("MLOps",
        "job") weigh almost nothing, and a request of only such words gets almost no keyword credit.
        `weights`: rarities that replace the knowledge base's for some words."""
        weight = {t: self.idf(t) for t in terms} | {t: w for t, w in (weights or {}).items() if t in terms}
        total = max(sum(weight.values()), tuning.KEYWORD_IDF_FLOOR)
        return sum(weight[t] for t in terms & have) / total

    def _frequency_in(self, guide: str) -> tuple[Counter[str], int]:
        """How many of one guide's chunks use each word, and its number of chunks (kept per guide)."""
        if guide not in self._guide_frequency:
            chunks: dict[str, set[str]] = {}
            for part in self.content.parts_of(guide):
                chunks.setdefault(part.chunk_id, set()).update(part.terms)
            self._guide_frequency[guide] = (Counter(t for terms in chunks.values() for t in terms), len(chunks))
        return self._guide_frequency[guide]

    def _in_few_chunks_of(self, guide: str, term: str, share: float) -> bool:
        """Used by at most `share` of the guide's chunks (or tuning.RARE_IN_A_GUIDE), whatever other guides
        say: NAMED_CHUNK_SHARE, a word that can name a thing ("Terraform"); RARE_CHUNK_SHARE, one distinctive
        of a topic ("azure")."""
        in_guide, chunks = self._frequency_in(guide)
        return in_guide.get(term, 0) <= max(tuning.RARE_IN_A_GUIDE, int(share * chunks))

    def _uncapitalised_names(self, request: Request) -> set[str]:
        """Words the guides use both as a name and as a plain word ("Go", "go") that the request writes in
        lower case: "go into MLOps" names no language."""
        return {
            t
            for t in self.content.common_names
            if t in request.terms and not re.search(rf"\b{re.escape(t[:1].upper() + t[1:])}\b", request.text)
        }

    def rank(self, request: Request, parts: list[Part] | None = None) -> list[tuple[float, Part]]:
        candidates = [p for p in (parts if parts is not None else self.content.parts) if p.units]
        # "go into MLOps" is no word about the Go language: neither a name nor a keyword
        terms = (set(request.terms) or set(tokens(request.text))) - self._uncapitalised_names(request)
        # a list item is the subject only when the request names it: a rare word the guides write as a
        # name ("DVC", "Terraform"), not a rare plain word ("current")
        named = {t for t in terms if t in self.content.named_terms}
        own: dict[str, float] = {}
        if len(guides := {p.guide for p in candidates}) == 1:
            # rare within the guide asked about: "Terraform" in 4 of its chunks names a tool however many
            # other guides mention it (issue 13: answers about a guide stay as they were with it alone)
            guide = guides.pop()
            in_guide, chunks = self._frequency_in(guide)
            # the guide's own name ("MLOps engineer") names none of its things, and weighs by its rarity
            # within the guide (nearly every chunk: nothing), not in the knowledge base, where it grows
            # rarer with every guide added
            own = {t: idf(chunks, in_guide.get(t, 0)) for t in tokens(role_name(guide))}
            named = {t for t in named - set(own) if self._in_few_chunks_of(guide, t, tuning.NAMED_CHUNK_SHARE)}
        else:
            named = {t for t in named if self.df.get(t, 0) <= self.named_limit}
        named -= _already_had(request.text)
        # "does it depend on experience?" after the pay answer: "it" is what was just shown
        shown = (
            set(request.previous.headings)
            if request.previous and not request.guides and _PRONOUN_SUBJECT.search(request.text)
            else set()
        )
        # "technical (non system design) questions", "non-technical skills": not the part named so
        negated = frozenset(tokens(" ".join(_NEGATED.findall(request.text))))
        top_facet = max(request.facet_scores.values(), default=0.0)
        held = {(p.guide, p.facet) for p in candidates}

        answered_by = dict(ANSWERED_BY)
        if _WHO_HIRES.search(request.text):  # "would hospitals hire security people?": where they work, first
            answered_by["demand"] = ("locations",)

        def facet_score(part: Part) -> float:  # a guide without the facet asked answers from its stand-ins, in order
            stand_in = [
                request.facet_scores.get(f, 0.0) - s.index(part.facet) * tuning.STAND_IN_STEP
                for f, s in answered_by.items()
                if part.facet in s and (part.guide, f) not in held
            ]
            return max([request.facet_scores.get(part.facet, 0.0), *stand_in])

        scored = []
        for part in candidates:
            heading = float(part.heading_vector @ request.vector) if part.heading_vector is not None else 0.0
            unit = max(float(u.vector @ request.vector) for u in part.units)
            score = (
                tuning.PART_HEADING_WEIGHT * heading
                + tuning.PART_UNIT_WEIGHT * unit
                + tuning.PART_FACET_WEIGHT * facet_score(part)
                + tuning.PART_KEYWORD_WEIGHT * self.overlap(terms, part.terms, own)
                + tuning.ITEM_SUBJECT_BONUS
                * (request.facet_scores.get(part.facet, 0.0) >= top_facet - tuning.ITEM_FACET_MARGIN)
                * bool(named and any(u.is_item and u.lead_terms & named for u in part.units))
                + tuning.SUBHEADING_WORD_BONUS * self.overlap(terms, part.sub_terms, own)
                + tuning.PRONOUN_TOPIC_BONUS * (part.heading in shown)
                - tuning.SUBHEADING_WORD_BONUS * bool(negated & part.sub_tokens)
            )
            scored.append((score, part))
        scored.sort(key=lambda sp: -sp[0])
        return scored

    # -- plans -----------------------------------------------------------------------------------
    def plan(self, request: Request) -> Plan:
        special = self._across_carry_or_follow_up(request)
        if special is not None:
            return special
        if len(request.guides) >= 2 and (
            request.intent == intents.COMPARE or max(request.facet_scores.values()) >= tuning.COMPARE_FACET_AT
        ):
            return self._compare(request, request.guides[: tuning.ROLES_COMPARED])
        if len(request.guides) >= 2:  # "friction between data scientists and MLOps people?": not a comparison
            pair = request.guides[: tuning.ROLES_COMPARED]
            ranked = self.rank(request, self.content.parts_of(*pair))
            if ranked and request.intent == intents.FACT and self._both_answer(ranked, pair):
                return self._side_by_side(request, pair, [ranked[0][1].facet])  # "pay for X and Y": both roles' pay
            return self._by_intent(request, ranked) if ranked else Plan()
        guide = request.guides[0] if request.guides else request.guide
        step = self._step(guide, request.text, by_place=request.intent not in intents.TAILORED)
        if step is not None:  # "step 3?"
            return Plan([Block(step, self._lead_and_items(step) if step.is_list else list(step.units), heading=True)])
        ranked = self.rank(request, self.content.parts_of(guide) if guide else None)
        if not ranked:
            return Plan()
        plan = self._by_intent(request, ranked)
        if request.uncovered:
            named = ", ".join(request.uncovered)
            plan.intro = (
                self.not_covered(request.uncovered)
                if request.partial
                else f"The guide does not give figures for {named} specifically; here is what it does say."
            )
        elif lacking := self._lacks(request, guide):
            # "what certifications should a data scientist get?": say so, then the closest facts
            request.uncovered, request.partial = [lacking], True
            plan.intro = f"The {role_name(guide)} guide has nothing on {lacking}. The closest it holds:"
        elif (
            _NAMING.search(request.text)
            and (passing := self._lacks(request, guide, mentions_count=False))
            and any(b.part.facet in MENTIONED_IN.get(passing, ()) for b in plan.blocks)
        ):
            # "which security cert tho?": the guide names none, it only says employers may prefer one
            request.uncovered, request.partial = [passing], True
            plan.intro = f"The {role_name(guide)} guide names no particular {passing}; what it says about them:"
        return plan

    def _lacks(self, request: Request, guide: str, mentions_count: bool = True) -> str:
        """The kind of thing asked for ("certifications", "tools") when the guide has no part about it,
        no stand-in part and (when `mentions_count`) no mention of it where such guides keep it; ''
        otherwise."""
        top = request.top_facet
        if (
            not guide
            or top not in tuning.FACETS_SAID_MISSING
            or request.intent != intents.FACT
            or request.facet_scores[top] < tuning.FACET_IN_SCOPE_AT
            or any(self.content.of_facet(f, guide) for f in (top, *STAND_INS.get(top, ())))
        ):
            return ""
        own_parts = self.content.parts_of(guide)
        if any(
            self.idf(t) >= tuning.PROFILE_TERM_MIN_IDF for t in request.terms & {t for p in own_parts for t in p.terms}
        ):
            return ""  # "the SQL part: what do DBAs use it for?" names something the guide holds
        word = stem(top)[: tuning.ROLE_PREFIX_LETTERS]  # "certif" in "professional certification"
        for facet in MENTIONED_IN.get(top, ()) if mentions_count else ():
            if any(t.startswith(word) for p in self.content.of_facet(facet, guide) for t in p.terms):
                return ""
        return top

    def _across_carry_or_follow_up(self, request: Request) -> Plan | None:
        """Plans that come before the request's own guide: every guide side by side ("which of these jobs
        is growing fastest?"), what carries over from the user's background, a role in short, a follow-up
        on the topic."""
        if request.background is not None:
            suggested = self._roles_for(request)
            if suggested.blocks:
                return suggested
        shown_all = request.previous is not None and len(request.previous.guides) > 2
        across = _ACROSS.search(request.text) or ((shown_all or request.choosing) and _WHICH_ONE.search(request.text))
        # "besides software dev, which job has the most openings?": every other guide
        left_out = self.content.guide_names.mentioned(intents.excluded(request.text)) if across else []
        named = [g for g in request.guides if g not in left_out]
        if not named and across and len(self.content.guides()) > 1 + len(left_out):
            plan = self._across(request, left_out)
            if plan.blocks:
                return plan
        if request.only_role and len(request.guides) == 1:  # "what about network admin instead"
            plan = Plan(self._in_short(request, request.guides[0], tuning.ROLE_IN_SHORT))
            if plan.blocks:
                return plan
        if request.intent == intents.CARRY:  # "which of the tools I already use carry over?"
            carried = self._carried_over(request, request.guides[0] if request.guides else request.guide)
            if carried.blocks:
                return carried
            request.intent = intents.GAP  # nothing they named is in the guide: what would be new
        return self._on_topic(request)

    def _on_topic(self, request: Request) -> Plan | None:
        """A follow-up on what the last answer showed ("tell me more", "the second one"), or None."""
        topic = request.topic
        if (
            topic
            and topic.headings
            and len(request.guides) < 2
            and (wants_more(request.text) or points_back(request.text))
        ):
            if self._asks_another_kind(request, topic) or (
                ordinal(request.text) is None and self._names_another_part(request, topic)
            ):
                return None  # "education requirement for that one?": that role's education, not the items shown
            plan = self._follow_up(request, topic)
            if plan.blocks:
                return plan
        return None

    def _names_another_part(self, request: Request, topic: Topic) -> bool:
        """ "And which metrics should those projects highlight?" after the portfolio projects: a word rare in
        the guide that heads another of its parts, and none of those shown, asks for that part."""
        shown = self._topic_parts(topic)
        shown_words = {t for p in shown for t in tokens(p.heading)}
        for part in self.content.parts_of(topic.guide):
            if part in shown:
                continue
            heads = set(tokens(part.heading.split(" > ")[-1]))
            if any(
                t in heads and t not in shown_words and self._in_few_chunks_of(topic.guide, t, tuning.RARE_CHUNK_SHARE)
                for t in request.terms
            ):
                return True
        return False

    @staticmethod
    def _asks_another_kind(request: Request, topic: Topic) -> bool:
        """A request pointing back ("that one") whose own words clearly ask another kind of question than
        the last answer's; an ordinal ("the second one") or "more" always picks from what was shown."""
        top = request.top_facet
        return (
            not wants_more(request.text)
            and ordinal(request.text) is None
            and request.facet_scores.get(top, 0.0) >= tuning.FACET_IN_SCOPE_AT
            and top != topic.facet
        )

    @staticmethod
    def not_covered(uncovered: list[str]) -> str:
        return f"My sources don't cover {', '.join(uncovered)}. The closest they hold:"

    def _step(self, guide: str, text: str, by_place: bool = True) -> Part | None:
        """ "step 3?", "the last stage before I can call myself mlops": that step of the guide's path
        (`by_place`: "first step" may name one; not in "one first step I could take", a tailored request)."""
        asked = _STEP_ASKED.search(text)
        placed = _STEP_BY_PLACE.search(text) if by_place else None
        steps = self._path_steps(guide) if (asked or placed) and guide else []
        if placed and steps and not asked:
            at = ordinal(placed.group(0)) or 0  # "last" is -1
            return steps[at] if at < len(steps) else None
        n = int(asked.group(1)) if asked else 0
        return steps[n - 1] if 1 <= n <= len(steps) else None

    def _by_intent(self, request: Request, ranked: list[tuple[float, Part]]) -> Plan:
        intent = request.intent
        # a budget said in the request or earlier about themselves ("I can spend $200 max")
        limit = next(
            (m for t in (request.text, *reversed(request.profile.statements)) if (m := _PRICE_LIMIT.search(t))), None
        )
        if limit and intent not in (intents.CHEAPEST, intents.DEAREST):
            budget = float((limit.group(1) or limit.group(2)).replace(",", ""))
            plan = self._within([p for _, p in ranked[:1]], budget)
            if plan.blocks:
                return plan
        if intent in (intents.CHEAPEST, intents.DEAREST):
            return self._priced(request, [p for _, p in ranked[:3]], cheapest=intent == intents.CHEAPEST)
        if intent == intents.EXCLUDE:
            return self._excluding(request, ranked)
        if intent in (intents.GAP, intents.START, intents.DURATION, intents.FIT):
            return self._tailored(request, ranked)
        return self._fact(request, ranked)

    def _compare(self, request: Request, guides: list[str]) -> Plan:
        """Two roles side by side on the facet asked about, or on pay and what the job is; says where
        one guide lacks the facet."""
        held = {p.facet for p in self.content.parts_of(*guides)}  # a facet neither guide has is no basis
        scores = dict(request.facet_scores)
        for facet, stand_ins in ANSWERED_BY.items():  # "and job security?": the growth sections answer it
            for n, stand_in in enumerate(stand_ins if facet not in held else ()):
                scores[stand_in] = max(scores.get(stand_in, 0.0), scores.get(facet, 0.0) - n * tuning.STAND_IN_STEP)
        ranked = sorted(sorted(held or scores), key=lambda f: -scores.get(f, 0.0))  # ties in name order, not hash order
        top = ranked[0]
        # "What do DBAs make compared to that?": a pay figure asked for is the basis, however low its score
        asks_pay = top == "pay" and asked_figure(request.text) == "pay"
        facets = (
            [top]
            if (scores.get(top, 0.0) >= tuning.COMPARE_FACET_AT or asks_pay) and top != "comparison"
            else ["overview", "pay"]
        )
        if len(facets) == 1 and len(ranked) > 1:  # "on pay and growth": two facets asked, both shown
            second = scores.get(ranked[1], 0.0)
            close = second >= scores[top] - tuning.COMPARE_SECOND_FACET
            if ranked[1] != "comparison" and second >= tuning.COMPARE_FACET_AT and close:
                facets.append(ranked[1])
        return self._side_by_side(request, guides, facets)

    @staticmethod
    def _both_answer(ranked: list[tuple[float, Part]], pair: list[str]) -> bool:
        """Each role's best part on the top part's facet ranks near the top ("pay for research scientists
        and data scientists"), not only a part that happens to share it ("AWS Solutions Architect" is a
        certification, not the database architect guide's)."""
        top, facet = ranked[0][0], ranked[0][1].facet
        return all(
            any(p.guide == g and p.facet == facet and score >= top - tuning.SIDE_BY_SIDE_MARGIN for score, p in ranked)
            for g in pair
        )

    def _side_by_side(self, request: Request, guides: list[str], facets: list[str]) -> Plan:
        """Each role's best part on each facet, labelled with the role; says where one guide lacks it."""
        carried = all(request.facet_scores.get(f) == tuning.CARRIED_FACET_SCORE for f in facets)
        if carried and any(not self.content.of_facet(f, g) for f in facets for g in guides):
            # "how does that compare to the security analyst thing?" after data scientist skills: the
            # kind carried from the last answer is missing from one guide, so the roles' headlines
            headlines = [f for f in tuning.ROLE_IN_SHORT if f in tuning.RANKED_FACETS]
            facets = [f for f in headlines if all(self.content.of_facet(f, g) for g in guides)] or facets
        plan = Plan()
        missing = []
        for facet in facets:
            for guide in guides:
                parts = self.content.of_facet(facet, guide)
                if not parts:
                    missing.append(f"the {role_name(guide)} guide has nothing on {FACET_WORDS.get(facet, facet)}")
                    continue
                _, best = self.rank(request, parts)[0]
                units = self._side(request, best)
                plan.blocks.append(Block(best, units, label=role_name(guide)))
        if missing:
            plan.outro = "Not covered: " + "; ".join(missing) + "."
        elif len(facets) == 1:
            plan.verdict = _verdict(request, plan.blocks, facets[0])
        return plan

    def _across(self, request: Request, left_out: list[str] | None = None) -> Plan:
        """Every guide's headline on the facet asked about, side by side, so the user can see which
        role is fastest growing or best paid; `left_out`: the roles the request sets aside."""
        guides = [g for g in self.content.guides() if g not in (left_out or [])]
        counts = Counter(p.facet for p in self.content.parts)
        held = {f for f, n in counts.items() if n > 1}
        if _SUPERLATIVE.search(request.text) and held & tuning.RANKED_FACETS:
            held &= tuning.RANKED_FACETS  # "which job has the fewest positions": a figure to rank by
        facet = max(sorted(held), key=lambda f: request.facet_scores.get(f, 0.0), default="")
        if request.facet_scores.get(facet, 0.0) < tuning.COMPARE_FACET_AT:
            return Plan()
        plan = Plan()
        for guide in guides:
            parts = self.content.of_facet(facet, guide)
            if parts:
                _, best = self.rank(request, parts)[0]
                # the headline (which orders the roles), and beside it the figure asked about ("openings a year")
                plan.blocks.append(Block(best, self._side(request, best)[:2], label=role_name(guide)))
        if len(plan.blocks) < 2:
            return Plan()
        # the answer first: highest first, or lowest first for "which is shrinking / pays least"
        lowest_first = bool(_LOWEST.search(request.text))
        measure = _measure(request, facet)
        if float("-inf") in (_compared_value(b, measure) for b in plan.blocks):
            measure = facet  # a side quotes no such count: ranked by the headline, like the rest
        plan.blocks.sort(key=lambda b: _compared_value(b, measure) * (1 if lowest_first else -1))
        if len(request.choosing) >= 2:
            # "trying to pick a track: security, ML/data, or networking": every role listed, then the
            # others that lead, as many as fit one answer
            room = max(0, tuning.ACROSS_BLOCKS_WHEN_CHOOSING - len(request.choosing))
            others = {id(b) for b in [b for b in plan.blocks if b.part.guide not in request.choosing][:room]}
            plan.blocks = [b for b in plan.blocks if b.part.guide in request.choosing or id(b) in others]
            plan.verdict = _verdict(request, plan.blocks, facet)
            return plan
        missing = [role_name(g) for g in guides if not any(b.part.guide == g for b in plan.blocks)]
        if missing:
            plan.outro = f"Not covered on {FACET_WORDS.get(facet, facet)}: " + ", ".join(missing) + "."
        plan.verdict = _verdict(request, plan.blocks, facet)
        return plan

    def _roles_for(self, request: Request) -> Plan:
        """ "I'm a CPA who likes the data side: what tech job would make sense for me?": the guides whose
        work reads closest to what the user told of themselves and, when a guide is about their own role,
        to that role's work (a sysadmin's neighbours are DBAs and security analysts), not their own role;
        each with what the job is, its pay and its growth."""
        assert request.background is not None
        own = set(self.content.guide_names.mentioned(request.profile.role)) if request.profile.role else set()
        work: dict[str, list[np.ndarray]] = {}
        for part in self.content.parts:
            if part.facet in tuning.ROLE_FIT_FACETS:
                work.setdefault(part.guide, []).extend(u.vector for u in part.units)
        closeness = {g: [float(v @ request.background) for v in vs] for g, vs in work.items() if g not in own}
        if len(closeness) < 2:
            return Plan()
        centre = {g: np.mean(vs, axis=0) for g, vs in work.items()}
        own_work = [centre[g] / np.linalg.norm(centre[g]) for g in own if g in centre]

        def fit(guide: str) -> float:
            best = sorted(closeness[guide])[-tuning.ROLE_FIT_UNITS :]
            related = sum(float(c @ centre[guide]) / float(np.linalg.norm(centre[guide])) for c in own_work)
            return sum(best) / len(best) + related

        plan = Plan(intro="From what you've told me, these roles in my guides are closest to your background:")
        # someone without a degree, or asking about one, also needs what each role asks for to get in
        entry = request.profile.degree == "none" or bool(_DEGREE_ASKED.search(request.text))
        facets = ("overview", "path", "pay", "outlook") if entry else ("overview", "pay", "outlook")
        closest = sorted(closeness, key=fit, reverse=True)
        chosen = closest[: tuning.ROLES_SUGGESTED]
        if _GROWTH_ASKED.search(request.text):
            # "...and is actually growing": of the closest few, the fastest growing first
            chosen = sorted(closest[: tuning.ROLES_SUGGESTED + 1], key=self._growth, reverse=True)[
                : tuning.ROLES_SUGGESTED
            ]
        for guide in chosen:
            plan.blocks += self._in_short(request, guide, facets, label=role_name(guide))
        return plan

    def _in_short(self, request: Request, guide: str, facets: tuple[str, ...], label: str = "") -> list[Block]:
        """A role in a few sentences: for each facet its first part's first sentence (what the job is, the
        typical way in) or headline figure (the median, the growth rate)."""
        blocks = []
        for facet in facets:
            # a guide whose "what does it do" part reads as a day or a task list still says what the job is
            stand_ins = ("duties", "day") if facet == "overview" else ()
            parts = next((ps for f in (facet, *stand_ins) if (ps := self.content.of_facet(f, guide))), [])
            if parts:
                units = parts[0].units[:1] if facet in ("overview", "path") else self._side(request, parts[0])[:1]
                blocks.append(Block(parts[0], units, label=label))
                label = ""
        return blocks

    def _growth(self, guide: str) -> float:
        parts = self.content.of_facet("outlook", guide)
        return _headline_value(parts[0].units[:1]) if parts else float("-inf")

    def _side(self, request: Request, part: Part) -> list[Unit]:
        """One role's side of a comparison, short: the part's first sentence with a figure (a guide states
        its headline figure first: the median, the growth rate), else its first sentence, or a list's lead
        and first items. The request's words are no guide here: they name both roles."""
        if part.is_list:
            return self._lead_and_items(part)[: tuning.COMPARE_ITEMS]
        with_figures = [u for u in part.units if re.search(r"\d", u.text)]
        if with_figures:
            # ...and the figure the request asks about when it is another one ("openings a year")
            headline = with_figures[0]
            measure = _measure(request, part.facet)
            # "are there more dba jobs or infosec jobs": the count asked for, whatever else is closer
            counted = [u for u in with_figures if measure in _COUNTS and _COUNTS[measure].search(u.plain)]
            if counted:
                return [u for u in part.units if u is headline or u is counted[0]]
            asked = max(with_figures, key=lambda u: float(u.vector @ request.vector))
            closer = float(asked.vector @ request.vector) - float(headline.vector @ request.vector)
            if asked is not headline and closer >= tuning.COMPARE_ASKED_FIGURE_MARGIN:
                return [u for u in part.units if u is headline or u is asked]
            return [headline]
        return part.units[:1]  # its opening sentence says what the part is about ("An MLOps engineer owns ...")

    def _fact(self, request: Request, ranked: list[tuple[float, Part]]) -> Plan:
        best_score, best = ranked[0]
        head = (
            next((p for p in self.content.in_section(best) if not p.sub and not p.is_list), None) if best.sub else None
        )
        if (
            head is not None
            and head.facet == "path"
            and _WHOLE_PATH.search(request.text)
            and not _WHERE_ON_PATH.search(request.text)
            and ordinal(request.text) is None
            and not _STEP_ASKED.search(request.text)
        ):
            # "what are the steps to become one?": the path as a whole (its length and its steps), not the
            # one step whose words happen to match
            return Plan([Block(head, list(head.units))])
        if (
            best.sub
            and head is not None
            and self._announces(head)
            and not self._names_sub(request, best)
            and not (best.is_list and self._named_items(request, best))  # "what does MLflow do?"
            and self._kinds_alike(ranked, best)  # "what tool would catch drift": the monitoring kind
        ):
            # "what are common mlops interview questions": every kind the section announces, not the one
            # kind whose words matched best ("technical questions")
            best = head
        plan = Plan([self.block(request, best)])
        section = [p for p in self.content.in_section(best) if p is not best]
        if (
            best.sub == ""
            and not best.is_list
            and section
            and any(p.is_list for p in section)
            and self._announces(best)
        ):
            return self._with_kinds(request, plan, section)
        if best.is_list or len(plan.blocks[0].units) >= 3:
            for score, part in ranked[1:3]:
                if (
                    best_score - score <= tuning.SECOND_PART_MARGIN
                    and part.facet == best.facet
                    and part.top == best.top
                    and part.guide == best.guide
                ):
                    plan.blocks.append(
                        Block(
                            part,
                            self._lead_and_items(part) if part.is_list else self._sentences(request, part),
                            heading=True,
                        )
                    )
                    break
        return plan

    def _with_kinds(self, request: Request, plan: Plan, section: list[Part]) -> Plan:
        """ "The tools fall into five categories ... listed below": the head, then the categories."""
        for part in section:
            if part.is_list:
                plan.blocks.append(Block(part, self._lead_and_items(part), heading=True))
            elif part.sub:  # "Coding questions": a kind told in prose
                plan.blocks.append(Block(part, self._sentences(request, part), heading=True))
        if _first_items_of_each(plan.blocks[1:], tuning.MAX_ANSWER_CHARS - _chars(plan.blocks[:1])):
            plan.outro = "Those are the first of each kind; ask about one kind to see all of it."
        return plan

    def _kinds_alike(self, ranked: list[tuple[float, Part]], best: Part) -> bool:
        """Every other kind (sub-part) of the best part's section reads about as close to the request."""
        score_of = {id(p): s for s, p in ranked}
        top = score_of.get(id(best), 0.0)
        kinds = [p for p in self.content.in_section(best) if p.sub and p is not best]
        return bool(kinds) and all(top - score_of.get(id(p), float("-inf")) <= tuning.KINDS_ALIKE_MARGIN for p in kinds)

    def _names_sub(self, request: Request, part: Part) -> bool:
        """The request uses a word of the part's sub-heading that no other sub-heading of its section has
        ("technical" of "Technical questions")."""
        others = {t for p in self.content.in_section(part) if p is not part for t in tokens(p.sub or p.heading)}
        return bool((set(tokens(part.sub)) - others) & set(request.terms))

    @staticmethod
    def _announces(part: Part) -> bool:
        text = " ".join(u.plain for u in part.units).lower()
        return bool(re.search(r"\b(below|categories|kinds|grouped|following|fall into|come in|split into)\b", text))

    def block(self, request: Request, part: Part) -> Block:
        """What of one part answers the request: the items it names, or its list, or its best sentences."""
        if part.is_list:
            named = [] if part.facet in tuning.WHOLE_LIST_FACETS else self._named_items(request, part)
            if named:
                return Block(part, self._in_groups(part, named))
            return Block(part, self._lead_and_items(part))
        return Block(part, self._sentences(request, part))

    def _sentences(self, request: Request, part: Part) -> list[Unit]:
        if len(part.units) <= tuning.MAX_SENTENCES and sum(len(u.plain) for u in part.units) <= tuning.WHOLE_PART_CHARS:
            return list(part.units)
        # "typical afternoon for mlops eng?": the one sentence using a word of the request that is rare in
        # its guide comes first, however the others score
        named = [
            u
            for u in part.units
            if any(
                t in u.terms
                and sum(t in v.terms for v in part.units) == 1
                and self._in_few_chunks_of(part.guide, t, tuning.RARE_CHUNK_SHARE)
                for t in request.terms
            )
        ]
        scored = named + sorted(
            (u for u in part.units if u not in named), key=lambda u: -float(u.vector @ request.vector)
        )
        best = max(float(u.vector @ request.vector) for u in part.units)
        picked: list[Unit] = []
        for u in scored:
            if len(picked) >= tuning.MAX_SENTENCES or (
                u not in named and float(u.vector @ request.vector) < best - tuning.SENTENCE_MARGIN
            ):
                break
            at = part.units.index(u)
            # "That adds about 287,900 jobs" says nothing without the sentence it points back at
            if at and _LEANS_BACK.match(u.plain) and part.units[at - 1] not in picked:
                picked.append(part.units[at - 1])
            if u not in picked:
                picked.append(u)
        return sorted(picked, key=part.units.index)

    def _lead_and_items(self, part: Part) -> list[Unit]:
        items = part.items[: tuning.MAX_ITEMS]
        if not items:
            return part.units[: tuning.MAX_SENTENCES]
        first = part.units.index(items[0])
        leads = [u for u in part.units[:first] if not u.is_item]
        # the part's opening sentence says what it is about; the last one introduces the list ("The
        # other half of the BLS group ..." is no opening)
        leads = leads[:1] + leads[-1:] if len(leads) > 1 else leads
        between = [u for u in part.units[first:] if u.is_sublead or u in items]
        after = [u for u in part.units[part.units.index(items[-1]) + 1 :] if not u.is_item and not u.is_sublead][:1]
        return leads + between + after

    def _leads_for(self, part: Part, items: list[Unit]) -> list[Unit]:
        """The part's lead and the sub-heading of the first item, for items shown in their own order."""
        first = part.units.index(items[0])
        before = part.units[:first]
        sublead = [u for u in before if u.is_sublead][-1:]
        return self._lead_of_some(part, items, before) + sublead

    @staticmethod
    def _lead_of_some(part: Part, items: list[Unit], before: list[Unit]) -> list[Unit]:
        """The lead sentence above some of a list's items, unless it counts the whole list ("The six
        certifications ... are grouped below." above two of them)."""
        lead = [u for u in before if not u.is_item and not u.is_sublead][-1:]
        if lead and len(items) < len(part.items) and _COUNTS_THE_LIST.search(lead[0].text):
            return []
        return lead

    def _in_order(self, part: Part, items: list[Unit]) -> list[Unit]:
        """The part's lead, then the items in the order given (cheapest first), each under its own
        sub-heading whenever the group changes."""
        group: dict[int, Unit] = {}
        current: Unit | None = None
        for u in part.units:
            if u.is_sublead:
                current = u
            elif u.is_item and current is not None:
                group[id(u)] = current
        first = part.units.index(items[0])
        out = self._lead_of_some(part, items, part.units[:first])
        shown: Unit | None = None
        for u in items:
            sub = group.get(id(u))
            if sub is not None and sub is not shown:
                out.append(sub)
                shown = sub
            out.append(u)
        return out

    def _in_groups(self, part: Part, items: list[Unit]) -> list[Unit]:
        """The part's lead, then the items in reading order, each under its own sub-heading
        ("Infrastructure certifications:")."""
        wanted = {id(u) for u in items}
        return self._in_order(part, [u for u in part.units if id(u) in wanted])

    def _ordinary(self, term: str) -> bool:
        content = self.content
        everyday = english_ranks().get(term, tuning.EVERYDAY_WORD_RANK) < tuning.EVERYDAY_WORD_RANK
        return everyday and term in content.lower_terms and term not in content.named_terms

    def _named_items(self, request: Request, part: Part) -> list[Unit]:
        """The items a request is about ("what does DVC do?"): each has a request word no other item
        (nor the lead) uses. Empty when the request is about the list."""
        items = part.items
        lead_terms = frozenset().union(*(u.terms for u in part.units if not u.is_item))
        request_terms = (
            {t for t in request.terms if self._in_few_chunks_of(part.guide, t, tuning.RARE_CHUNK_SHARE)}
            - lead_terms
            - set(tokens(part.heading))
        )
        request_terms -= _already_had(request.text) | self._uncapitalised_names(request)
        if _ONLY_THAT.search(request.text):  # "is it python only?": the whole list answers it
            return []

        def using(t: str) -> list[Unit]:
            return [v for v in items if t in v.terms]

        unique = {id(u): any(t in u.terms and len(using(t)) == 1 for t in request_terms) for u in items}
        # a name two items share ("aws") names both, unless one of them is named by a word of its own
        # ("aws ml specialty" is the one with "specialty")
        shared = {
            id(u): any(
                t in u.terms
                and t in self.content.named_terms
                and 1 < len(using(t)) <= tuning.NAMED_ITEM_SHARED_BY
                and not any(unique[id(v)] for v in using(t))
                for t in request_terms
            )
            for u in items
        }
        # every item the request names: "open source vs enterprise feature stores" names two
        named = [u for u in items if unique[id(u)] or shared[id(u)]]
        # ...but when only very common English words the guides write in lower case and never as a name
        # name them ("change", "number"), none is named: "what would change day to day?" is about the whole
        # task list, not its item on unauthorized change ("schema", "drift" are rarer; "Google" is a name)
        naming = {t for u in named for t in u.terms & request_terms}
        return [] if naming and all(self._ordinary(t) for t in naming) else named

    # priced lists: "which is cheapest", "which two cost the least"
    def _priced(self, request: Request, candidates: list[Part], cheapest: bool) -> Plan:
        topic_parts = self._topic_parts(request.topic) if request.topic and points_back(request.text) else []
        parts = topic_parts or candidates
        priced = [(u.price, u, p) for p in parts for u in p.units if u.is_item and u.price is not None]
        if not priced:
            return self._fact(request, [(0.0, p) for p in parts])
        # a category named in the request ("cloud") narrows the list to that sub-heading's items
        groups = self._groups(parts)
        # ...by the words that tell the groups apart ("certifications" heads every one of them)
        headed = [g for g in (groups.get(id(u), frozenset()) for _, u, _ in priced) if g]
        shared = frozenset.intersection(*headed) if headed else frozenset()
        wanted = set(tokens(request.text)) - shared
        narrowed = [x for x in priced if wanted & groups.get(id(x[1]), frozenset())]
        pool = narrowed or priced
        named = [
            x
            for x in priced
            if any(self._in_few_chunks_of(x[2].guide, t, tuning.RARE_CHUNK_SHARE) for t in request.terms & x[1].terms)
        ]
        if len(named) >= 2:  # "which is cheaper, A or B": both, cheaper first
            named.sort(key=lambda x: x[0], reverse=not cheapest)
            part = named[0][2]
            return Plan([Block(part, self._in_order(part, [u for _, u, _ in named[:3]]))])
        pool.sort(key=lambda x: x[0], reverse=not cheapest)
        many = _HOW_MANY.search(request.text)
        count = 1 if not many else 3 if many.group(1).lower() in ("three", "3") else 2
        chosen = pool[:count]
        part = chosen[0][2]
        units = self._in_order(part, [u for _, u, _ in chosen])
        return Plan([Block(part, units)])

    def _within(self, candidates: list[Part], limit: float) -> Plan:
        """ "I can spend $200 max on an exam": every priced item within the budget, cheapest first."""
        priced = [(u.price, u, p) for p in candidates for u in p.units if u.is_item and u.price is not None]
        fits = sorted((x for x in priced if x[0] <= limit), key=lambda x: x[0])
        if not fits:
            return Plan()
        part = fits[0][2]
        return Plan([Block(part, self._in_order(part, [u for _, u, _ in fits]))])

    @staticmethod
    def _groups(parts: list[Part]) -> dict[int, frozenset[str]]:
        """Each item's sub-heading words ("Cloud ML certifications:")."""
        out: dict[int, frozenset[str]] = {}
        for part in parts:
            current: frozenset[str] = frozenset()
            for u in part.units:
                if u.is_sublead:
                    current = frozenset(tokens(u.text))
                elif u.is_item:
                    out[id(u)] = current
        return out

    def _excluding(self, request: Request, ranked: list[tuple[float, Part]]) -> Plan:
        left_out = set(tokens(intents.excluded(request.text)))
        lists = [p for _, p in ranked[:3] if p.is_list]
        if not lists or not left_out:
            return self._fact(request, ranked)
        # "besides the tech stuff what people skills matter": not the list the left-out words head
        # ("Technical skills"), and no item they name
        kept = [p for p in lists if not any(_same_word(a, b) for a in left_out for b in p.sub_terms)]
        part = (kept or lists)[0]
        units = [u for u in self._lead_and_items(part) if not (u.is_item and left_out & u.terms)]
        return Plan([Block(part, units)])

    # tailored: what is new to me, where to start, how long, is it for me
    def _path_steps(self, guide: str) -> list[Part]:
        # numbered steps under one heading are the path, whatever facet their wording suggests
        steps = [p for p in self.content.parts_of(guide) if _STEP.match(p.sub)]
        return sorted(steps, key=lambda p: int(_STEP.match(p.sub).group(1)))  # type: ignore[union-attr]

    def _has(self, profile: Profile, part: Part) -> bool:
        title_words = set(tokens(part.guide))
        known = {
            t
            for t in profile.known_terms
            if t not in title_words and (t in self.content.named_terms or self.idf(t) >= tuning.PROFILE_TERM_MIN_IDF)
        }
        # "I'm a DevOps engineer" has "Step 2: Gain DevOps experience"
        role = set(tokens(profile.role)) - title_words - GENERIC_STEP_WORDS
        if part.sub and role and role <= set(tokens(part.sub)):
            return True
        have = {t for u in part.units if u.is_item for t in u.terms}
        return any(
            k == h or (min(len(k), len(h)) >= 5 and (k.startswith(h) or h.startswith(k))) for k in known for h in have
        )

    def _carried_over(self, request: Request, guide: str) -> Plan:
        """ "Which of the tools I already use carry over?": the guide's items the user says they have,
        each under its list's sub-heading."""
        known = set(request.profile.known_terms) - set(tokens(guide))
        plan = Plan()
        for part in self.content.parts_of(guide):
            if not part.is_list or part.facet not in ("tools", "skills", "path"):
                continue
            items = [u for u in part.items if u.lead_terms & known]
            if items:
                plan.blocks.append(Block(part, self._in_groups(part, items), heading=True))
        if plan.blocks:
            plan.intro = "From what you've told me, these parts of the guide match what you already do:"
            # "where am I on the path?": what they have, then the step that comes next (not "which of my
            # tools carry over?", which asks about tools alone)
            asked = request.top_facet
            steps = self._path_steps(guide) if asked not in ("tools", "skills", "certifications") else []
            had = self._steps_had(request.profile, steps)
            after = max((steps.index(s) for s in had), default=len(steps)) + 1
            if had and after < len(steps):
                plan.blocks.append(Block(steps[after], self._lead_and_items(steps[after]), heading=True))
                plan.intro = (
                    "From what you've told me, these parts of the guide match what you already do; "
                    "the next step on the path comes last:"
                )
        return plan

    def _new_lists(self, request: Request, guide: str) -> Plan:
        """ "I already use W&B and MLflow. Which tools would be new to me?": the lists of the facet asked
        about that the user does not have yet."""
        asked = request.top_facet
        if asked not in ("tools", "skills", "certifications"):
            return Plan()
        lists = [p for p in self.content.of_facet(asked, guide) if p.is_list]
        new = [p for p in lists if not self._has(request.profile, p)]
        chosen = (new or lists)[: tuning.GAP_LISTS]
        # one list is shown whole ("The BLS names six qualities" is followed by six); several share the room
        room = None if len(chosen) == 1 else tuning.GAP_LIST_UNITS
        return Plan([Block(p, self._lead_and_items(p)[:room], heading=True) for p in chosen])

    def _fit(self, request: Request, ranked: list[tuple[float, Part]]) -> Block | None:
        """Who the role suits; None when the request clearly asks about something else."""
        top_facet = request.top_facet
        clear = request.facet_scores[top_facet] >= tuning.FACET_IN_SCOPE_AT
        if top_facet not in ("fit", "path", "overview", "related", "comparison") and clear:
            return None
        fit = next((p for _, p in ranked if p.facet == "fit"), ranked[0][1])
        return Block(fit, self._sentences(request, fit)[:3])

    @staticmethod
    def _path_length(overview: Part) -> Block:
        """How long it takes, and the steps it takes, in the guide's own two sentences."""
        first = next((i for i, u in enumerate(overview.units) if re.search(r"\d", u.text)), 0)
        return Block(overview, overview.units[first : first + 2])

    def _steps_had(self, profile: Profile, steps: list[Part]) -> list[Part]:
        had = [s for s in steps if self._has(profile, s)]
        if had and steps[0] not in had:
            had.append(steps[0])  # a later step done implies the foundation
        return had

    @staticmethod
    def _already_have(request: Request, had: list[Part]) -> str:
        """Our own words, no facts: which steps the user has, and what follows."""
        then = (
            ". Below: who the role suits, then what the path holds beyond that."
            if request.intent == intents.FIT
            else ". Here is what the guide lists beyond that:"
        )
        return "From what you've told me, you already have part of " + " and ".join(f'"{s.sub}"' for s in had) + then

    def _tailored(self, request: Request, ranked: list[tuple[float, Part]]) -> Plan:
        guide = ranked[0][1].guide
        steps = self._path_steps(guide)
        overview = next(
            (p for p in self.content.parts_of(guide) if not p.sub and steps and p.top == steps[0].top), None
        )
        profile = request.profile
        plan = Plan()
        if request.intent == intents.GAP:
            lists = self._new_lists(request, guide)
            if lists.blocks:
                return lists
        if request.intent == intents.FIT:
            fit = self._fit(request, ranked)
            if fit is None:
                return self._fact(request, ranked)  # "is it worth it pay-wise?": the pay
            plan.blocks.append(fit)
        if overview is not None and request.intent in (intents.DURATION, intents.START, intents.FIT):
            plan.blocks.append(self._path_length(overview))
        if not steps:
            return plan if plan.blocks else self._fact(request, ranked)
        had = self._steps_had(profile, steps)
        missing = [s for s in steps if s not in had]
        if had and missing:
            plan.intro = self._already_have(request, [s for s in steps if s in had])
        show = missing or steps
        limit = 1 if request.intent in (intents.START, intents.DURATION, intents.FIT) else 2
        for step in show[:limit]:
            plan.blocks.append(Block(step, self._lead_and_items(step), heading=True))
        if request.intent == intents.GAP and len(plan.blocks) < 3:  # ...and a tool list they lack
            tools = [p for _, p in ranked if p.facet == "tools" and not self._has(profile, p)][:1]
            plan.blocks += [Block(p, self._lead_and_items(p)[: tuning.GAP_LIST_UNITS], heading=True) for p in tools]
        return plan

    # follow-ups: tell me more, the second one, which of those
    def _topic_parts(self, topic: Topic | None) -> list[Part]:
        return topic_parts(self.content, topic)

    def _follow_up(self, request: Request, topic: Topic) -> Plan:
        parts = self._topic_parts(topic)
        if not parts:
            return Plan()
        n = ordinal(request.text)
        if points_back(request.text) and request.intent in (intents.CHEAPEST, intents.DEAREST):
            return self._priced(request, parts, cheapest=request.intent == intents.CHEAPEST)
        if n is not None and topic.items and -len(topic.items) <= n < len(topic.items):
            plan = self._nth_item(request, topic, parts, n)
            if plan.blocks:
                return plan
        if _IS_IT_AMONG.match(request.text):
            # "Is Colorado in that list?": the list shown, whole, to say yes or no over
            whole = [Block(p, self._lead_and_items(p)) for p in parts if p.is_list]
            if whole:
                return Plan(whole)
        if points_back(request.text) and not wants_more(request.text):
            # "which one does data versioning?", "which of them is open source?": the shown item the
            # request describes best
            shown = [(p, u) for p in parts for u in p.units if u.is_item and u.text in topic.shown]
            if shown:
                part, unit = max(shown, key=lambda pu: self._item_score(request, pu[1]))
                return Plan([Block(part, self._leads_for(part, [unit]) + [unit])])
        # more of the same: what the topic's parts hold that was not shown, else the next part
        rest = [Block(p, [u for u in p.units if u.text not in topic.shown]) for p in parts]
        rest = [b for b in rest if b.units]
        if rest:
            return Plan(rest[:2])
        last = max(parts, key=lambda p: p.order)
        following = [p for p in self.content.parts_of(last.guide) if p.order > last.order][:1]
        return Plan(
            [
                Block(p, self._lead_and_items(p) if p.is_list else p.units[: tuning.MAX_SENTENCES], heading=True)
                for p in following
            ]
        )

    def _nth_item(self, request: Request, topic: Topic, parts: list[Part], n: int) -> Plan:
        """ "the second one", "the last one": that item of the last answer, with what bears on it."""
        item_text = topic.items[n]
        for part in parts:
            for u in part.units:
                if u.is_item and u.plain.lstrip("-*+ 0123456789.)").startswith(item_text[:40].lstrip("-*+ ")):
                    plan = Plan([Block(part, self._leads_for(part, [u]) + [u])])
                    extra = self._about_item(request, u, part, topic) or self._explaining(u, exclude=part)
                    if extra:
                        plan.blocks.append(extra)
                    return plan
        return Plan()

    def _about_item(self, request: Request, unit: Unit, part: Part, topic: Topic) -> Block | None:
        """ "How do people handle the first one?": the part of the facet the request asks for (coping),
        narrowed to what bears on that item."""
        facet = request.top_facet
        if request.facet_scores[facet] < tuning.ITEM_FACET_AT or facet == topic.facet:
            return None
        candidates = [p for p in self.content.parts_of(part.guide) if p.heading not in topic.headings]
        if not candidates:
            return None
        blended = request.vector + unit.vector  # what is asked, about this item
        about = replace(request, vector=blended / max(float(np.linalg.norm(blended)), 1e-9))
        best = self.rank(about, candidates)[0][1]
        return Block(best, self._lead_and_items(best) if best.is_list else self._sentences(request, best))

    def _item_score(self, request: Request, unit: Unit) -> float:
        return float(unit.vector @ request.vector) + tuning.PART_KEYWORD_WEIGHT * self.overlap(
            set(request.terms), unit.terms
        )

    def _explaining(self, unit: Unit, exclude: Part) -> Block | None:
        """The sentence elsewhere in the guide that says most about one list item."""
        best: tuple[float, Unit, Part] | None = None
        for part in self.content.parts_of(exclude.guide):
            if part is exclude:
                continue
            for u in part.units:
                s = float(u.vector @ unit.vector)
                if best is None or s > best[0]:
                    best = (s, u, part)
        if best is None or best[0] < 0.5:
            return None
        return Block(best[2], [best[1]])
