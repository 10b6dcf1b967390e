"""Understanding a message in its conversation, without a model.

- `split_message`: the user's situation ("I'm a nurse and can't code") versus the request ("could I
  become an MLOps engineer?"). Only the request decides scope and retrieval: personal context never
  causes a refusal, and it never rides along into later turns' searches.
- `Profile`: what the user said about themselves across the conversation (role, years, what they know,
  degree, location, budget, goal). Built from the history the client sends; nothing is kept after
  answering.
- `Topic`: what the last answer showed (its parts and list items), for "tell me more", "the second one",
  "which of those is cheapest".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor.core import tuning
from advisor.core.text import LIST_LINE, STOPWORDS, normalize, strip_markdown, tokens, words

# A sentence that starts by talking about the speaker (or their team) states their situation.
_SELF = re.compile(
    r"^\s*(?:(?:hey|hi|hello|so|well|honestly|ok(?:ay)?|ha|also|btw|fyi|background)\b[\s,!.:-]*)*"
    r"(?:i|i'm|im|i've|ive|i'd|i'll|my|we|we're|we've|our|me|given (?:that )?i|if i|if i'm|since i|as an?|"
    r"being an?|been|currently|recently|just|after|having|with|"
    # "thinking about moving into security, is it worth it?": the speaker, without the "I'm"
    r"thinking|considering|planning|hoping|trying|looking to|looking at|weighing|torn between)\b",
    re.I,
)
# Where the request starts inside a sentence that opened with the situation.
_REQUEST_START = re.compile(
    r"(?:[,;:]|\s[-\u2013\u2014]|\bso\b|\bbut\b|\band\b|\.\.\.)\s*"
    r"(?=(?:what|which|how|where|when|who|why|could|can|should|would|will|is|are|am|do|does|did|any|"
    r"tell|give|list|explain|show|recommend|suggest|help|does|whats|what's|is it|are there)\b)",
    re.I,
)
# "if i went the mlops route which cert is cheapest to start with": the condition, then the question
_IF_THEN_ASKS = re.compile(
    r"^\s*(?:so\s+|and\s+)?(?:if|say|suppose)\s+(?:\S+\s+){2,8}?(?=(?:which|what|whats|what's|how|where|when|who)\s)",
    re.I,
)
_QUESTION_START = re.compile(
    r"^\s*(?:what|which|how|where|when|who|why|could|can|should|would|will|is|are|am|do|does|did|any|"
    r"tell|give|list|explain|show|recommend|suggest|whats|what's)\b",
    re.I,
)
_WH = re.compile(r"\s*(?:so\s+|but\s+|and\s+)?(?:what|which|how|where|when|who|why|whats|what's)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|my|me|we|we're|our|us)\b", re.I)
_DISCOURSE = re.compile(r"^\s*(?:(?:ok(?:ay)?|so|and|alright|well|hmm+|lol|then|but)\b[\s,!.:-]*)+", re.I)
_ASKS = re.compile(
    r"(?:^|[,;:-]\s*)(?:what|whats|what's|which|how|where|when|who|why)\s+\w+"
    # "besides 'data scientist' what other job titles should i search for": a wh-word, then the verb
    # before its subject, as only a question orders them
    r"|\b(?:what|which|how|where|when|who|why)\b[^,.;!?]{0,40}?\b(?:should|do|does|can|could|would|will)\s+"
    r"(?:i|you|we|they|he|she)\b",
    re.I,
)
# text the user quotes ("translate 'I am applying for the position' into German") says nothing about them
_QUOTED = re.compile(r"(?:(?<=\s)|^)['\"\u201c\u2018][^'\"\u201d\u2019]{3,}?['\"\u201d\u2019](?=[\s.,!?;:]|$)")
_PLEASE = re.compile(r"\b(?:please|pls|plz)\b", re.I)
_POINTS_AT = re.compile(r"\b(?:that|this|those|these)\b", re.I)
# "convince me it's not", "tell me what they earn": a request in the imperative, however personal
_IMPERATIVE = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|so|then|please|pls|now)\b[\s,]*)*"
    r"(?:(?:tell|show|convince|give|help|explain|describe|walk|list|compare|teach|remind)\s+(?:me|us)\b"
    # "compare the two for me", "break it down for me"
    r"|(?:compare|rank|contrast|break down|sum up|summari[sz]e)\s+(?:the|them|those|these|both|it|that|all)\b)",
    re.I,
)
# "senior SWE, 12 yrs backend (go, k8s).": a note with the writer's years of experience describes them
_EXPERIENCE = re.compile(r"(?<![-\u2013\d])\b\d{1,2}\+?\s*(?:years?|yrs?)\b(?!\s+(?:to|until|before|from now))", re.I)
# "stats major, sophomore.": where the writer is in their studies
_STUDIES = re.compile(r"\b(?:major|sophomore|freshman|undergrad|student|\d(?:st|nd|rd|th) (?:year|yr))\b", re.I)
# a sentence that is only thanks or an acknowledgement
_COURTESY = re.compile(
    r"^(?:(?:ok(?:ay)?|cool|great|perfect|nice|got it|alright|thanks?|thank you|thx|ty|cheers|so much|a lot|"
    r"very much|much appreciated)[\s,!.]*)+$",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
# "vs data sci?", "compared to DBAs?": a message that sets a role against the last one
VERSUS = re.compile(r"^\s*(?:and\s+|but\s+|so\s+)?(?:vs\.?|versus|compared (?:to|with))(?=\s|$)", re.I)


_WISE = re.compile(r"\b(money|pay|salary|job|career|growth|time|cost|skill)[- ]wise\b|\b([a-z]+)-wise\b", re.I)
_MARKUP = re.compile(r"<[^<>]{0,200}>")  # tags a user pasted are not part of what is asked


_VERB = re.compile(
    r"\b(?:take|takes|took|taking|last(?!\s+(?:month|year|week|yr)s?\b)|lasts|need|needs|is|are|was|were|will|would|should)\b",
    re.I,
)


def _notes_experience(sentence: str, following: str) -> bool:
    """ "senior SWE, 12 yrs backend (go, k8s)." opening a message: a verbless note of the writer's years;
    not "the path takes 4 years." nor a note the next sentence asks about ("... is that right?")."""
    return (
        bool(_EXPERIENCE.search(sentence) or _STUDIES.search(sentence))
        and not _VERB.search(sentence)
        and not _POINTS_AT.search(following)
    )


def _sentences(message: str) -> list[str]:
    """The message's sentences; a piece without letters ends the one before it ("ok cool ty!! 🙏": the
    emoji asks nothing)."""
    sentences: list[str] = []
    for piece in (s.strip() for s in _SENTENCE.split(message) if s.strip()):
        if sentences and not any(c.isalpha() for c in piece):
            sentences[-1] += f" {piece}"
        else:
            sentences.append(piece)
    return sentences


def split_message(message: str) -> tuple[str, str]:
    """(situation, request). The request is the message when nothing in it is about the speaker."""
    situation: list[str] = []
    request: list[str] = []
    message = " ".join(_MARKUP.sub(" ", normalize(message)).split()) or normalize(message)
    message = _WISE.sub(lambda m: m.group(1) or m.group(2), message)  # "worth it pay-wise?" asks about pay
    sentences = _sentences(message)
    # "ok thank you. what programing langage most important for mlops": the thanks asks nothing
    sentences = [s for s in sentences if not _COURTESY.match(s)] or sentences
    for n, sentence in enumerate(sentences):
        is_question = sentence.endswith("?") or bool(_QUESTION_START.match(sentence))
        if n == len(sentences) - 1 and not is_question:
            # "so less than SWE lol. ok how long would it take me to get into mlops from where i am": the
            # last sentence, after a discourse word, is the question
            is_question = bool(_QUESTION_START.match(_DISCOURSE.sub("", sentence)))
        if not _SELF.match(sentence):
            # "mlops vs ml engineer - whats the difference, they sound the same to me": a question
            # without its mark is still a question
            is_question = (
                is_question
                or bool(_ASKS.search(sentence))
                or bool(_IMPERATIVE.match(sentence))
                or bool(_PLEASE.search(sentence))  # "portfolio project ideas for mlops pls, i only have ..."
            )
            # "Wife and two kids so I can't gamble on a pay cut.": a statement about the speaker;
            # "4th yr physics PhD (C++, MPI). how do they compare?": a note before the question, too
            # (not when the question points back at it: "He keeps saying 'DevOps'. Is that a separate career?")
            later = [s for s in sentences[n + 1 :] if s.endswith("?")]
            told = (
                _FIRST_PERSON.search(_QUOTED.sub("", sentence))  # "translate 'I am applying ...'": not them
                # ("Sysadmins are supposedly declining. By how much exactly?": a question right after it with
                # no subject of its own, the asker's included, asks about it: no note about the asker)
                or (later and not _POINTS_AT.search(later[0]) and not _asks_about(sentences[n + 1]))
                or (n == 0 and len(sentences) > 1 and _notes_experience(sentence, sentences[1]))
            )
            (situation if not is_question and told else request).append(sentence)
            continue
        starts = [(m.start(), bool(_WH.match(sentence, m.end()))) for m in _REQUEST_START.finditer(sentence)]
        if not starts and (m := _IF_THEN_ASKS.match(sentence)):
            starts = [(m.end(), True)]  # "if i went the mlops route which cert is cheapest": no comma before it
        if not starts and (m := _ASKS.search(sentence)) and m.start() > 0:
            starts = [(m.start(), True)]  # "as a recruiter what other job titles should i search": no comma
        if starts:
            # the first wh-question ends the situation ("If I retrain, what could I earn, and what
            # decides it?"); without one, the last clause ("I'm a teacher and do Excel, so can I ...")
            cut = next((at for at, wh in starts if wh), starts[-1][0])
            situation.append(sentence[:cut].strip(" ,;:-"))
            request.append(sentence[cut:].strip(" ,;:-\u2013\u2014").removeprefix("so ").removeprefix("but "))
        elif is_question and not situation and not request:
            request.append(sentence)  # "I'm wondering what they earn?" is itself the request
        elif is_question:
            request.append(sentence)
        else:
            situation.append(sentence)
    if not request:
        return " ".join(situation), normalize(message).strip()
    return " ".join(situation), " ".join(request)


# chat and career-generic words: a question made of them and function words has no subject of its own
_NO_SUBJECT = tuning.CHAT_WORDS | tuning.CAREER_WORDS


def _asks_about(question: str) -> bool:
    """A question with no subject of its own, neither the asker nor a word beyond function, chat and
    career-generic ones ("By how much exactly?"): it asks about the sentence before it."""
    if not question.endswith("?") or _FIRST_PERSON.search(question):
        return False
    return not [w for w in content_words(question) if w not in _NO_SUBJECT]


_ROLE = re.compile(
    r"(?:\b(?:i'?m|i am|i work as|working as|work as|i've been|ive been|i have been|i was|as)|(?:^|[.!?,;]\s+)been)\s+"
    r"(?:an?|the)\s+((?:[a-z][\w/&+-]*\s?){1,4}?)(?=\s*(?:(?:at|in|for|with|and|who|from|of|on)\b|\d|,|\.|;|!|\?|$))"
    # "work 3 year as backend developer": no article after a working verb
    r"|\b(?:i work|work|working|worked)(?:\s+(?:for\s+)?\d{1,2}\+?\s*(?:years?|yrs?))?\s+as\s+"
    r"(?!(?:an?|the|well|much|long|hard|soon|far|fast|many|good)\b)"
    r"((?:[a-z][\w/&+-]*\s?){1,4}?)(?=\s*(?:(?:at|in|for|with|and|who|from|of|on)\b|\d|,|\.|;|!|\?|$))"
    # "senior SWE, 12 yrs backend": a note that opens with the role and its years
    r"|^\s*(?:an?\s+)?((?:[a-z][\w/&+-]*\s?){1,3}?),\s*\d{1,2}\+?\s*(?:years?|yrs?)\b",
    re.I,
)
_YEARS = re.compile(r"\b(\d{1,2})\+?\s*(?:years?|yrs?)\b", re.I)
_NO_DEGREE = re.compile(
    r"\b(?:no|without|don'?t have an?|never (?:got|finished) an?)\s+(?:cs\s+|college\s+)?degree\b", re.I
)
_DEGREE = re.compile(r"\b(?:bachelor'?s?|master'?s?|phd|degree in)\b", re.I)
_BUDGET = re.compile(
    r"\b(?:tight budget|on a budget|broke|can'?t afford|cheap(?:est)?|low budget|limited budget)\b", re.I
)
_PLACE = re.compile(r"\b(?:in|from|based in|live in|living in|located in|near)\s+((?:[A-Z][\w.]+[ ,]*){1,3})")
_BEGINNER = re.compile(
    r"\b(?:beginner|complete newbie|no (?:coding|programming|tech) (?:background|experience)|can'?t code|"
    r"never (?:coded|programmed)|just (?:starting|finished)|student|bootcamp|no experience)\b",
    re.I,
)


@dataclass
class Profile:
    role: str = ""
    years: int | None = None
    known_terms: frozenset[str] = frozenset()  # knowledge-base words the user says they know or do
    degree: str = ""  # "none" | "has" | ""
    location: str = ""
    budget: bool = False
    beginner: bool = False
    statements: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.role or self.known_terms or self.beginner or self.location or self.budget)

    def describe(self) -> str:
        bits = []
        if self.role:
            bits.append(f"a {self.role}" + (f" with {self.years} years" if self.years else ""))
        if self.location:
            bits.append(f"in {self.location}")
        return " ".join(bits)


def build_profile(situations: list[str], vocabulary: frozenset[str]) -> Profile:
    profile = Profile(statements=[s for s in situations if s])
    text = " ".join(profile.statements)
    if not text:
        return profile
    role = _ROLE.search(text)
    if role:
        profile.role = next(g for g in role.groups() if g).strip().lower()
    years = _YEARS.search(text)
    if years:
        profile.years = int(years.group(1))
    profile.degree = "none" if _NO_DEGREE.search(text) else "has" if _DEGREE.search(text) else ""
    profile.budget = bool(_BUDGET.search(text))
    profile.beginner = bool(_BEGINNER.search(text))
    place = _PLACE.search(text)
    if place:
        profile.location = place.group(1).strip(" ,")
    profile.known_terms = frozenset(t for t in tokens(text) if t in vocabulary)
    return profile


@dataclass
class Topic:
    """What the previous answer was about."""

    request: str = ""
    guide: str = ""  # the guide the last answer quoted
    facet: str = ""
    headings: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # list items the answer showed, in order, plain text
    shown: frozenset[str] = frozenset()  # unit texts already shown
    guides: tuple[str, ...] = ()  # the roles it was about, in the order shown (two after a comparison)


_CITATION = re.compile(r"\s*\[\d+\]")


def items_of(answer: str) -> tuple[str, ...]:
    return tuple(_CITATION.sub("", strip_markdown(i)).strip() for i in LIST_LINE.findall(answer))


# Requests that lean on the last answer: more of it, one of its items, or an ellipsis.
_MORE = re.compile(
    r"^\s*(?:and\s*)?(?:tell me more|more( please| details| on that| about (?:it|that|this))?|go on|continue|"
    r"elaborate|details?|examples?|for example|such as|like what|and\??|why\??|how so|really|what else|"
    r"anything else|explain|say more|keep going)\s*[?.!]*\s*$",
    re.I,
)
_POINTING = re.compile(
    r"\b(?:which of (?:those|these|them)|of (?:those|these|them)|(?:those|these) (?:ones?|certs?|certifications|"
    r"tools|steps|projects|skills|questions|challenges)|the (?:first|second|third|fourth|fifth|last|final|"
    r"former|latter|other) (?:one|step|item|cert|certification|tool|option|project|challenge|question)?|"
    r"that one|this one|the last one|the first one|#\d|number \d|"
    # "Is Colorado in that list?"
    r"(?:in|on|from|of)\s+(?:that|the|this|your)\s+list)\b",
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
    "latter": -1,
    "former": 0,
}
_CONTINUES = re.compile(r"\s*(?:and|what about|how about|also)\b", re.I)
_ORDINAL = re.compile(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|final|latter|former)\b", re.I)


def wants_more(request: str) -> bool:
    return bool(_MORE.match(request))


def points_back(request: str) -> bool:
    return bool(_POINTING.search(request))


def goes_on(request: str) -> bool:
    """ "And the pay?", "what about step 3?": a short request that continues the last topic."""
    return bool(_CONTINUES.match(request)) and len(content_words(request)) <= tuning.ELLIPSIS_WORDS


def ordinal(request: str) -> int | None:
    m = _ORDINAL.search(request)
    return _ORDINALS[m.group(1).lower()] if m else None


_THAT = re.compile(r"\b(?:that|it|this|those|these)\b", re.I)


def leans_on_situation(request: str) -> bool:
    """A short request that points at what the user just said about themselves ("Is that a
    dealbreaker?")."""
    return len(content_words(request)) <= 1 and bool(_THAT.search(request))


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 2]


@dataclass
class Turn:
    """One user message, understood."""

    message: str
    situation: str
    request: str


def understand(message: str) -> Turn:
    situation, request = split_message(message)
    return Turn(message, situation, request)


_NEGATED = re.compile(
    r"\b(?:never|not|no|don'?t|doesn'?t|haven'?t|hasn'?t|can'?t|cannot|without|zero|n't|"
    # "considering MLOps", "thinking about moving into security": where they want to go, not what they have
    r"considering|thinking|planning|hoping|weighing|torn between|looking to|want|wants|wanna)\b",
    re.I,
)
_CLAUSE = re.compile(r"[,.;!?]|\bbut\b|\band\b", re.I)


def known_without_negation(situation: str) -> str:
    """The parts of what the user said that are not negated ("never touched AWS" is not AWS)."""
    return " ".join(c for c in _CLAUSE.split(situation) if c and not _NEGATED.search(c))


_NEXT_QUESTION = re.compile(
    r"(?<=\?)\s*|[,;]?\s+(?:and|also|plus)\s+"
    r"(?=(?:what|whats|what's|how|which|where|when|who|why|is|are|does|do|can|will|should|would|could)\b)"
    r"|\s+[+/&]\s+"  # "degree + pay + growth", "growth / number of jobs"
    # "pay and growth?", "pay + how you get in": a last short question joined by "and"
    r"|,?\s+and\s+(?=(?:[\w'-]+\s+)?[\w'-]+\s*[?.!]*\s*$)",
    re.I,
)


def further_questions(request: str) -> list[str]:
    """The questions of a request after its first ("Is it growing?" in "Are there jobs for him? Is it
    growing?"; "how many openings a year" in "outlook thru 2034, and how many openings a year")."""
    pieces = [p.strip(" ,;+/&") for p in _NEXT_QUESTION.split(request) if p and p.strip(" ,;+/&")]
    return [p for p in pieces[1:] if content_words(p)]
