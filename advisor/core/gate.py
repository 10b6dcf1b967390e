"""The grounded gate: decide in code, from retrieval, whether the knowledge base answers a question.

A small cannot be trusted with this (measured: it answers out-of-scope questions anyway),
so the decision uses retrieval similarity, vocabulary coverage and a few plain-language rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from advisor.core.text import STOPWORDS, normalize, stem, tokens, words


class Route(str, Enum):
    ANSWER = "answer"
    SMALL_TALK = "small_talk"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass
class Decision:
    route: Route
    reason: str
    kind: str = ""  # for small talk: greeting | thanks | capabilities | goodbye

    @property
    def grounded(self) -> bool:
        return self.route is Route.ANSWER


_GREETING = re.compile(
    r"^(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening)|greetings)\b[\s!,.]*(there|advisor|bot|all|everyone)?[\s!.]*$",
    re.I,
)
_THANKS = re.compile(
    r"^(thanks?( you)?( so much| a lot| very much)?|thx|ty|cheers|great,? thanks?|perfect,? thanks?|ok,? thanks?|much appreciated)[\s!.]*$",
    re.I,
)
_GOODBYE = re.compile(r"^(bye|goodbye|see you|see ya|cya|good night)[\s!.]*$", re.I)
_CAPABILITIES = re.compile(
    r"^(what can you (do|help( me)? with|tell me( about)?)|what do you (know|do|cover)( about)?|who are you|what are you"
    r"|how can you help( me)?|help|what (topics|questions) can (i|you) (ask|answer)|what is this)\??[\s!.]*$",
    re.I,
)

# Requests to produce something other than career advice: code, prose, translations.
_TASK_REQUEST = re.compile(
    r"\b(write|generate|create|compose|draft|code|implement|translate|summari[sz]e|solve|calculate|compute|sing)\b"
    r"(?:\W+\w+){0,5}?\W+(function|script|program|code|class|query|sql|regex|poem|haiku|story|essay|letter|email|"
    r"song|joke|recipe|limerick|novel|tweet|cover letter|equation|sentence|text|paragraph)s?\b"
    r"|\btell me a (joke|story)\b|\b(ignore|disregard|forget)\b.{0,40}\b(instructions|rules|guide|prompt|sources)\b"
    r".{0,60}\b(poem|joke|story|song|recipe|essay|say|print|reveal|show)\b"
    r"|\b(system prompt|your (prompt|instructions))\b",
    re.I,
)

# Occupations the guides are not about. A question about one of them (and not about a guide's role)
# is out of scope even when its wording ("how do I become a ...") matches a guide closely.
OCCUPATIONS = frozenset(
    """
    accountant actor actress actuary acupuncturist anesthesiologist animator
    archaeologist architect archivist artist astronaut astronomer athlete attorney auditor baker
    banker barber barista bartender biologist blacksmith bookkeeper botanist bricklayer broker
    butcher cardiologist carpenter cartographer cashier ceo cfo chef chemist chiropractor
    choreographer comedian composer counselor courier curator
    dancer dentist dermatologist detective dietitian diplomat doctor economist
    electrician epidemiologist farmer firefighter fisherman florist gardener geologist
    hairdresser historian hygienist illustrator influencer interpreter
    janitor jeweler journalist judge landscaper lawyer librarian lifeguard linguist locksmith
    machinist marketer mathematician mechanic midwife miner musician nanny neurologist
    neurosurgeon notary nurse nutritionist optician optometrist painter paralegal paramedic
    pathologist pharmacist philosopher photographer physicist physician physiotherapist plumber
    poet police politician postman professor psychiatrist psychologist publicist radiologist
    realtor receptionist recruiter reporter roofer sailor salesperson sculptor
    secretary singer soldier statistician steward stewardess surgeon surveyor tailor teacher
    therapist translator underwriter veterinarian waiter waitress welder youtuber
    zoologist
""".split()
)
# Modifiers that make "engineer"/"developer" another job ("civil engineer", "frontend developer").
_OTHER_ENGINEERING = re.compile(
    r"\b(civil|mechanical|electrical|chemical|aerospace|biomedical|structural|petroleum|nuclear|environmental|"
    r"industrial|sound|audio|network|front-?end|back-?end|full-?stack|web|mobile|ios|android|game|blockchain|"
    r"security|qa|test|sales|prompt|data|ml|machine learning|ai|software|devops|cloud|site reliability|platform)\s+"
    r"(engineer|developer|scientist|analyst|architect)s?\b",
    re.I,
)

# Places, currencies and quantities: when a question names one the knowledge base never mentions,
# it asks for something specific the guides do not hold ("salary in Germany", "hours a week").
PLACES = frozenset(
    """
    afghanistan albania algeria argentina armenia australia austria azerbaijan bahrain bangladesh belarus belgium
    bolivia bosnia brazil bulgaria cambodia cameroon canada chile china colombia croatia cuba cyprus czechia denmark
    ecuador egypt estonia ethiopia finland france georgia germany ghana greece guatemala hungary iceland india
    indonesia iran iraq ireland israel italy jamaica japan jordan kazakhstan kenya korea kuwait latvia lebanon
    lithuania luxembourg malaysia malta mexico moldova mongolia morocco nepal netherlands holland nigeria norway
    oman pakistan panama paraguay peru philippines poland portugal qatar romania russia rwanda serbia singapore
    slovakia slovenia spain sweden switzerland syria taiwan tanzania thailand tunisia turkey uganda ukraine emirates
    uae uk england scotland wales britain uruguay uzbekistan venezuela vietnam yemen zambia zimbabwe europe asia
    africa australia oceania london paris berlin munich madrid barcelona rome milan amsterdam brussels vienna zurich
    geneva dublin lisbon prague warsaw stockholm oslo copenhagen helsinki moscow istanbul dubai tokyo osaka seoul
    beijing shanghai shenzhen bangalore bengaluru mumbai delhi hyderabad chennai pune singapore sydney melbourne
    toronto vancouver montreal ottawa mexico bogota lima santiago buenos aires sao paulo rio cairo lagos nairobi
    johannesburg austin dallas houston chicago boston seattle denver atlanta miami phoenix portland philadelphia
    detroit pittsburgh baltimore nashville charlotte raleigh minneapolis orlando vegas diego jose francisco angeles
    brooklyn manhattan silicon valley bay area
    euro euros pound pounds sterling yen rupee rupees yuan franc francs peso pesos won ruble rubles
""".split()
)
QUANTITIES = frozenset(
    """percentage percent proportion ratio rate rates odds chance chances hours hour weekly daily
    week weeks vacancies openings headcount overtime""".split()
)

# Words any career question may use without the guide having them verbatim.
GENERIC = frozenset(
    stem(w)
    for w in """
    salary salaries wage wages pay paid paying earn earning earns make makes making money income compensation
    job jobs career careers role roles position work working become becoming get getting start starting learn
    learning study need needed required require requirement good best better common typical usually important
    recommend recommended use used using help does doing day mean means worth easy hard difficult much many
    long time take takes year years month months typical average range people person someone folks guy guys
    engineer engineers ml mlops ops example examples list name names kind type types tip tips advice question
    questions answer tell explain describe give show main key top biggest most least cost costs price
    prices cheap cheapest expensive first second third last next previous one two three four five think
    feel look like want know let okay ok hey hi also still really pretty quite overall general generally
    today currently current nowadays day-to-day entry level senior junior experienced beginner
    expect expected prepare preparation fit suit suited right me myself im i'm iam anything something
    dollar dollars thousand thousands hundred million k usd
""".split()
)


class Gate:
    """Thresholds are cosine similarities of the bundled MiniLM model, checked on eval/heldout.jsonl."""

    def __init__(
        self,
        index,
        answer_at: float = 0.36,
        keyword_answer_at: float = 0.15,
        strong_unknown_needs: float = 0.9,
        name_unknown_needs: float = 0.7,
        weak_unknown_needs: float = 0.5,
        other_occupation_needs: float = 0.75,
        mentioned_occupation_needs: float = 0.55,
    ):
        self.index = index
        self.vocabulary = index.vocabulary
        self.document_frequency = index.document_frequency
        self.rare = max(2, int(0.1 * len(index.ids)))
        titles = {r["title"] for r in index.records.values()}
        self.guide_roles = frozenset(
            stem(w)
            for t in titles
            for w in words(t)
            if w not in STOPWORDS and stem(w) not in GENERIC and w not in ("career", "guide")
        )
        self.answer_at = answer_at
        self.keyword_answer_at = keyword_answer_at
        self.strong_unknown_needs = strong_unknown_needs
        self.name_unknown_needs = name_unknown_needs
        self.weak_unknown_needs = weak_unknown_needs
        self.other_occupation_needs = other_occupation_needs
        self.mentioned_occupation_needs = mentioned_occupation_needs

    @staticmethod
    def small_talk(question: str) -> str | None:
        q = normalize(question).strip()
        for kind, pattern in (
            ("greeting", _GREETING),
            ("thanks", _THANKS),
            ("goodbye", _GOODBYE),
            ("capabilities", _CAPABILITIES),
        ):
            if pattern.match(q):
                return kind
        return None

    def _known(self, w: str) -> bool:
        s = stem(w)
        if s in self.vocabulary or s in GENERIC or w in GENERIC:
            return True
        return len(s) >= 5 and self.index.spelled_as(s, cutoff=0.84) is not None

    def unknown_words(self, question: str) -> tuple[list[str], list[str], list[str]]:
        """Words the knowledge base never uses, as (strong, names, weak). Strong: a place, currency or
        asked-for quantity: the question wants something specific the guides lack. Names: other proper
        names (a company, a product), a weaker sign. Weak: other words,
        often just wording; verb and adverb forms (-ed, -ing, -ly) and typos of known words are ignored."""
        strong, names, weak = [], [], []
        text = normalize(question)
        shouting = sum(c.isupper() for c in text) > 0.5 * max(sum(c.isalpha() for c in text), 1)
        for m in re.finditer(r"[A-Za-z][A-Za-z0-9+#.\-]*[A-Za-z0-9+#]|[A-Za-z]", text):
            original = m.group(0)
            w = original.lower()
            if w in STOPWORDS or len(w) < 3 or self._known(w):
                continue
            sentence_start = not text[: m.start()].strip() or text[: m.start()].rstrip()[-1] in ".?!:>\"'("
            proper = original[0].isupper() and not original.isupper() and not sentence_start and not shouting
            asked_quantity = w in QUANTITIES and re.search(
                rf"\b(how many|how much|what|which|per|a|an|the|each|every)\s+(?:\w+\s+){{0,2}}{re.escape(original)}\b",
                text,
                re.I,
            )
            if w in PLACES or asked_quantity:
                strong.append(w)
            elif proper:
                names.append(w)
            elif not (w.endswith(("ed", "ing", "ly")) and not original[0].isupper()):
                weak.append(w)
        return strong, names, weak

    def distinctive_terms(self, question: str) -> list[str]:
        """Known words that only a few chunks use (DVC, Terraform, CKA): strong evidence of scope."""
        return [
            t
            for t in self.index.known_tokens(question)
            if t not in GENERIC and 0 < self.document_frequency.get(t, 0) <= self.rare
        ]

    def other_occupation(self, question: str) -> tuple[str, bool] | None:
        """Another job the question is about, and whether the knowledge base mentions that job at all."""
        ws = [stem(w) for w in words(question)]
        if any(w in self.guide_roles for w in ws):
            return None
        m = _OTHER_ENGINEERING.search(normalize(question))
        if m:
            return m.group(0), True
        foreign = next((w for w in ws if w in OCCUPATIONS and w not in self.vocabulary), None)
        return (foreign, False) if foreign else None

    def decide(self, question: str, similarity: float) -> Decision:
        kind = self.small_talk(question)
        if kind:
            return Decision(Route.SMALL_TALK, f"small talk ({kind})", kind)
        text = normalize(question)
        if _TASK_REQUEST.search(text):
            return Decision(Route.OUT_OF_SCOPE, "asks for a task, not career advice")
        occupation = self.other_occupation(question)
        if occupation:
            name, mentioned = occupation
            # A job the guides mention in passing (data scientists) is out of scope only when nothing
            # else in the question ties it to a guide.
            role_words = set(tokens(name))
            ties = [t for t in self.distinctive_terms(question) if t not in role_words]
            if similarity < (
                self.mentioned_occupation_needs
                if mentioned and not ties
                else -1.0
                if mentioned
                else self.other_occupation_needs
            ):
                return Decision(Route.OUT_OF_SCOPE, f"about another occupation ({name})")
        strong, names, weak = self.unknown_words(question)
        if strong and similarity < self.strong_unknown_needs:
            return Decision(Route.OUT_OF_SCOPE, f"asks about {', '.join(strong[:3])}, which my sources never mention")
        if names and similarity < self.name_unknown_needs:
            return Decision(Route.OUT_OF_SCOPE, f"asks about {', '.join(names[:3])}, which my sources never mention")
        known = [t for t in tokens(question) if t in self.vocabulary and t not in GENERIC]
        if len(weak) >= 2 and len(weak) > len(known) and similarity < self.weak_unknown_needs:
            return Decision(Route.OUT_OF_SCOPE, f"mostly about things my sources never mention: {', '.join(weak[:4])}")
        if similarity >= self.answer_at:
            return Decision(Route.ANSWER, f"match {similarity:.2f}")
        distinct = self.distinctive_terms(question)
        if len(set(distinct)) >= 2 or distinct and similarity >= self.keyword_answer_at:
            return Decision(Route.ANSWER, f"names {', '.join(distinct[:3])} ({similarity:.2f})")
        return Decision(Route.OUT_OF_SCOPE, f"weak match ({similarity:.2f})")
