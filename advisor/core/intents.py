"""What a request asks for, beyond its facet: a plain fact, the cheapest of a list, a comparison, what is
new to me, where to start, how long it takes me, whether it suits me.

Markers a regex can read without doubt (cheapest, "other than", "A vs B") are read by rules; the rest by
labelled prototypes on the bundled MiniLM: the request is compared with example requests written for any
career (below), and takes the intent of the nearest when it is near enough (tuning.INTENT_AT).
"""

from __future__ import annotations

import re

import numpy as np

from advisor.core import tuning
from advisor.core.embeddings import Embedder
from advisor.core.quantities import asked_figure

FACT = "fact"
CHEAPEST = "cheapest"
DEAREST = "dearest"
COMPARE = "compare"
EXCLUDE = "exclude"
GAP = "gap"  # what would be new to me / what am I missing
START = "start"  # where do I start / first step
DURATION = "duration"  # how long would it take (me)
FIT = "fit"  # is it for me / could I do it / is it worth it
CARRY = "carry"  # what from my background carries over / which of my tools count
TAILORED = frozenset({GAP, START, DURATION, FIT, CARRY})
# "what's new to me", "is it for me" are about the asker; "what soft skills are needed" is a plain list
PERSONAL = frozenset({GAP, FIT, CARRY})
# answered from the path, tailored by the profile; "we", "our" are a hirer's ("which soft skills should we
# list for the role?" asks for the list, not for what would be new to them)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|me|my|myself|someone like me)\b", re.I)

PROTOTYPES: dict[str, tuple[str, ...]] = {
    GAP: (
        "what would be new to me",
        "what am I missing",
        "what do I still need to learn",
        "which skills would I have to pick up",
        "what gaps do I have",
        "what don't I know yet",
        "what would I need to learn on top of what I know",
        "which tools would be new to me",
    ),
    CARRY: (
        "what from my background carries over",
        "which of my skills transfer",
        "which of the tools I already use carry over",
        "what could I reuse from my current job",
        "what do I already have",
    ),
    START: (
        "where should I start",
        "where do I begin",
        "what is the first step",
        "what should I learn first",
        "how do I get started",
        "what's one first step I could take",
        "how do I move into this job",
        "how would I make the switch",
        "what would I need to get there",
    ),
    DURATION: (
        "how long would it take me",
        "how long does it take to become one",
        "how many years until I'm ready",
        "how long before I could get a job",
        "how long would the switch take",
    ),
    FIT: (
        "is this a good fit for me",
        "could someone like me do this",
        "is it worth it for me",
        "would this job suit me",
        "could I become one",
        "is it a good career move for me",
        "am I too old to start",
        "is this something I could move into",
    ),
}

# Requests for advice that is not career advice from a career guide: law, immigration, health, money,
# news and weather, what a named employer is like to work for, school admissions and fees ("will AI
# replace my job?" is not among them: the guides' outlook is the closest honest answer). Written for any occupation; no guide holds them, however career-shaped.
ELSEWHERE: tuple[str, ...] = (
    "is this legal",
    "what are my rights as an employee under the law",
    "can my employer legally require this",
    "visa sponsorship and immigration rules",
    "can I get a work permit in this country",
    "which medication should I take",
    "medical or mental health advice",
    "should I invest my money, pay off loans or save",
    "tax advice",
    "what is the weather forecast",
    "sports scores and celebrity news",
    "what is it like to work at this particular company, its culture and reviews",
    "which employers have the best work-life balance",
    "university admission chances and tuition fees",
    # the workplace, money and schooling around a career, which no career guide prices or rates
    "how do I negotiate a raise, a promotion or a new title with my manager",
    "should I ask for an internal transfer or quit and look for a new job",
    "cost of living and housing prices in a city",
    "is my school, bootcamp or degree program respected by employers",
    "will a scholarship, my benefits or the GI Bill pay for my schooling",
    "can my employer make me pay back training costs if I quit",
    "what fee does a recruiting or staffing agency charge",
    "how much is a graduate student stipend",
    "are there returnship programs for people coming back after a career break",
    "discrimination in hiring because of age, gender, race or disability",
    "how do I write my resume or explain a gap in it",
    "will my English or my accent hurt my chances of getting hired",
)

# What a career guide commonly leaves out, under the name an answer gives it ("My sources don't cover
# remote work"). A request near one of these names it as uncovered only when it also uses a word the
# knowledge base never does (advisor/core/gate.py), so a guide that does cover the topic answers it.
UNCOVERED_TOPICS: dict[str, tuple[str, ...]] = {
    "remote work": ("can I work remotely from home, are these jobs fully remote",),
    "who works in the field (gender, age, background)": (
        "what percentage of these workers are women, the diversity and demographics of the field",
    ),
    "unions": ("is there a labor union for these workers",),
    "security clearances": ("do I need a government security clearance for these jobs",),
    "renewing certifications": ("does the certification expire, how often must I renew or recertify it",),
    "particular courses or bootcamps": ("which online course, Coursera or Udemy class or bootcamp should I take",),
    "pay at particular companies": ("how much does a particular company like Google or Amazon pay",),
    "pay by industry": ("do they earn more in one industry than another, like healthcare, pharma or banking",),
    "pay by seniority": ("is there a breakdown of pay by seniority, junior versus senior levels",),
    "pay in other countries": ("what is the salary in another country, in its own currency",),
    "visas and immigration": (
        "do employers sponsor work visas, will changing jobs affect my visa",
        "is my foreign degree accepted, do I need a credential evaluation",
    ),
    "negotiating pay": ("how do I negotiate my salary or a job offer",),
    "age and hiring": ("am I too old, will employers hire someone my age",),
    "part-time and freelance work": ("can I do this part-time, freelance or as a contractor",),
    "student debt": ("how much student debt or loans is reasonable",),
    "benefits, pensions and bonuses": ("retirement plans, pensions, health insurance, bonuses and stock options",),
    "background checks": ("will a criminal record or background check stop me from being hired",),
    "the weather": ("what will the weather be like",),
    # conv9 tune: an engineer from Colombia ("my english is not perfect, is problem for get job in this?")
    "English proficiency": ("is my English not being perfect a problem for getting a job",),
    # conv11 tune: a journalist asking for a source's email; a grandparent asking whether robots take the jobs
    "anyone's contact details": ("can you give me their email address or phone number",),
    "automation taking these jobs": ("will robots and AI automate these jobs away and replace the workers",),
}

_CHEAP = re.compile(
    r"\b(cheapest|least expensive|lowest[- ]cost|lowest price|most affordable|cheaper|cost (me )?the least|costs? less)\b",
    re.I,
)
_DEAR = re.compile(
    r"\b(most expensive|priciest|costliest|highest[- ]cost|highest price|pricier|more expensive|costs? more|cost the most)\b",
    re.I,
)
_EXCLUDE = re.compile(
    r"\b(?:other than|besides|apart from|except|aside from|beyond|instead of|alternatives? to)\s+([\w.+#/ -]{2,40}?)(?=[,?.!]|\s+(?:what(?:'?s)?|which|are|is|do|does|for|that)\b|$)",
    re.I,
)
_MISSING = re.compile(r"\b(?:missing|lacking|lack|gaps?|new to me|still need|don'?t (?:have|know))\b", re.I)
_HOW_LONG = re.compile(r"\bhow (?:long|many (?:years|yrs|months))\b", re.I)
_PATH_LENGTH = re.compile(r"\b(?:path|journey|road|route|transition) (?:length|duration|timeline)\b|\btimeline\b", re.I)
_GETTING_IN = re.compile(
    r"\b(?:become|becoming|land|landing|get into|getting into|get hired|break in(?:to)?|ready|switch|transition|"
    r"from zero|from scratch)\b",
    re.I,
)
_HOW_TO_BECOME = re.compile(
    r"\bhow (?:do|can|would|should|does) (?:i|you|one|someone|somebody|people|a person) (?:go about )?"
    r"(?:become|becoming|get into|getting into|break into|get started (?:as|in))\b",
    re.I,
)
_COMPARE = re.compile(
    r"\b(?:vs\.?|versus|compared? (?:to|with)|compares (?:to|with)|difference between|or the)\b"
    r"|\bhow (?:do|does|would) [^?.!]{1,40}\b(?:compare|differ)\b|\bcompare\s*[?.!]*$",
    re.I,
)


class IntentModel:
    """Light constructor; `load()` embeds the prototypes once."""

    def __init__(self, embedder: Embedder, prototypes: dict[str, tuple[str, ...]] = PROTOTYPES):
        self.embedder = embedder
        self.prototypes = prototypes
        self._vectors: np.ndarray | None = None
        self._elsewhere: np.ndarray | None = None
        self._labels: list[str] = []
        self._topics: np.ndarray | None = None
        self._topic_names: list[str] = []

    def load(self) -> IntentModel:
        if self._vectors is None:
            self._labels, self._vectors = self._labelled(self.prototypes)
            self._elsewhere = self.embedder.encode(list(ELSEWHERE))
            self._topic_names, self._topics = self._labelled(UNCOVERED_TOPICS)
        return self

    def _labelled(self, prototypes: dict[str, tuple[str, ...]]) -> tuple[list[str], np.ndarray]:
        """(the label of each prototype text, their vectors), texts in order."""
        pairs = [(label, text) for label, texts in prototypes.items() for text in texts]
        return [label for label, _ in pairs], self.embedder.encode([text for _, text in pairs])

    @staticmethod
    def _closest(vectors: np.ndarray, labels: list[str], vector: np.ndarray) -> tuple[str, float]:
        sims = vectors @ vector
        best = int(np.argmax(sims))
        return labels[best], float(sims[best])

    def elsewhere(self, vector: np.ndarray) -> float:
        """How close a request is to advice no career guide gives (ELSEWHERE)."""
        self.load()
        assert self._elsewhere is not None
        return float((self._elsewhere @ vector).max())

    def uncovered_topic(self, vector: np.ndarray) -> tuple[str, float]:
        """The topic guides commonly leave out that a request is closest to (UNCOVERED_TOPICS), and how close."""
        self.load()
        assert self._topics is not None
        return self._closest(self._topics, self._topic_names, vector)

    def nearest(self, vector: np.ndarray) -> tuple[str, float]:
        self.load()
        assert self._vectors is not None
        return self._closest(self._vectors, self._labels, vector)

    def classify(self, request: str, vector: np.ndarray) -> str:
        if _CHEAP.search(request):
            return CHEAPEST
        if _DEAR.search(request):
            return DEAREST
        if _EXCLUDE.search(request):
            return EXCLUDE
        if _COMPARE.search(request):  # "how does the pay compare to what I earn now?"
            return COMPARE
        if _PATH_LENGTH.search(request) or (
            _HOW_LONG.search(request) and (_FIRST_PERSON.search(request) or _GETTING_IN.search(request))
        ):
            return DURATION  # "how long would it take me?", "how many yrs from zero to landing a role?"
        if asked_figure(request) == "pay":
            return FACT  # "i want know how much data sciencist earn": a figure, however personal the wording
        if _HOW_TO_BECOME.search(request):
            return FACT  # "how do I become an MLOps engineer?" asks for the path, not whether it suits me
        if _FIT_ASKED.search(request):
            return FIT  # "is MLOps a realistic jump for me?": the prototypes' similarity is only 0.38
        label, similarity = self.nearest(vector)
        if similarity >= tuning.INTENT_AT and (label not in PERSONAL or _FIRST_PERSON.search(request)):
            # "what's actually missing from my background?" reads like "what from my background carries over"
            return GAP if label == CARRY and _MISSING.search(request) else label
        return FACT


# Whether a move suits the asker, in the words people use for it in English: "is MLOps a realistic jump
# for me?", "is it a natural next step for me?", "would MLOps make sense?", "do I have a shot?"
_FIT_ASKED = re.compile(
    r"\b(?:is|would|could)\s+(?:[\w-]+\s+){0,3}?(?:an?\s+)?(?:realistic|natural|good|smart|logical|reasonable|"
    r"sensible|viable|doable|feasible)\s+(?:next\s+)?(?:jump|move|step|switch|transition|pivot|fit|choice|option)\b"
    r"[^?.!]{0,20}?\b(?:for|to)\s+(?:me|someone like me)\b"
    r"|\bwould\s+(?:[\w-]+\s+){1,3}?make\s+(?:more\s+)?sense\b(?:\s+for\s+(?:me|someone like me))?\s*(?:[?.!]|$)"
    r"|\bdo\s+i\s+(?:even\s+)?(?:have|stand)\s+a\s+(?:shot|chance)\b"
    r"|\bam\s+i\s+(?:even\s+)?(?:a\s+)?(?:good\s+)?(?:fit|candidate|cut out)\b",
    re.I,
)

# "what tech job would make sense for me?", "what could i move into", "something related with better growth?"
_WANTS_A_ROLE = re.compile(
    r"\b(?:what|which|whats|what's)\s+(?:of\s+(?:the|these|those|your)\s+)?"
    r"(?:other\s+|tech\s+|it\s+|new\s+|(?:kind|sort|type)\s+of\s+)*"
    r"(?:jobs?|roles?|careers?|"
    r"fields?|paths?|options?|positions?|occupations?)\b"
    r"(?!\s+(?:titles?|names?|boards?|ads?|posts?|postings?|descriptions?|listings?|market|offers?|interviews?|outlook|growth|security|openings?|prospects?|pays?|earns?|makes?|salar\w*)\b)"
    r"[^?.!]{0,40}?\b(?:me|my|i|im|i'm|ive|i've)\b"
    # "whats the job thats closest to what im doing" ("whats the path from where i am" asks for a path)
    r"|\b(?:whats|what's|what is)\s+the\s+(?:jobs?|roles?|careers?|fields?)\s+(?:that'?s|thats|that is|which)\b"
    r"[^?.!]{0,40}?\b(?:me|my|i|im|i'm)\b"
    r"|\bwhat\s+(?:could|should|can|would|might)\s+i\s+(?:move|switch|go|get|transition|pivot)\s+(?:in)?to\b"
    r"|\b(?:natural|logical)\s+next\s+(?:step|move)\b|\bnext\s+step\s+up\b"
    # "which of these careers would use a math background the most?" (conv11-tune)
    r"|\b(?:which|what)\s+(?:of\s+(?:the|these|those|your)\s+)?(?:jobs?|roles?|careers?|fields?|ones?)\s+"
    r"(?:would|will|could|can|might)\s+(?:use|suit|fit|match|value)\b[^?.!]{0,30}?\bbackground\b"
    r"|\bsomething\s+(?:related|similar|adjacent|close)\b"
    # "is there anything in these tech jobs where a business degree counts?"
    r"|\bis there (?:anything|something|a (?:job|role|career))\b[^?.!]{0,30}?\b(?:jobs?|roles?|careers?|guides?|tech)\b"
    r"(?:[^?.!]{0,40}\b(?:me|my|i|someone like)\b|\s+(?:where|that|which)\b)",
    re.I,
)


def wants_a_role(request: str) -> bool:
    """The user asks which role would suit them, without naming one."""
    return bool(_WANTS_A_ROLE.search(request))


def excluded(request: str) -> str:
    """What "other than X" leaves out, or ''."""
    m = _EXCLUDE.search(request)
    return m.group(1).strip() if m else ""
