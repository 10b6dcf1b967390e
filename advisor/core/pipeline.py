"""The Advisor: question (+ history) -> follow-up resolution -> hybrid retrieval -> grounded gate
-> answer backend -> Answer with sources. Every surface (CLI, HTTP, UI) goes through here."""

from __future__ import annotations

import logging
import re
import string
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from advisor.core import replies, tuning
from advisor.core.backends import AnswerBackend, BackendError, Context, create_backend
from advisor.core.backends.extractive import quote
from advisor.core.content import ContentModel, Unit, build_content
from advisor.core.conversation import ConversationState, read_conversation, recent_guides
from advisor.core.dialogue import (
    VERSUS,
    Profile,
    Topic,
    Turn,
    content_words,
    further_questions,
    goes_on,
    known_without_negation,
    leans_on_situation,
    ordinal,
    points_back,
    wants_more,
)
from advisor.core.embeddings import Embedder
from advisor.core.errors import IndexMissing, InvalidInput
from advisor.core.facets import STAND_INS, FacetModel
from advisor.core.gate import GENERIC, Decision, Gate, Route
from advisor.core.guides import plural, role_name, starter_order
from advisor.core.intents import COMPARE, FACT, FIT, TAILORED, IntentModel, wants_a_role
from advisor.core.observe import AnswerEvent, Observer, notify
from advisor.core.occupations import OccupationWords
from advisor.core.places import PlaceWords
from advisor.core.plans import Block, Plan, Planner, Request, across_clause, membership, topic_parts
from advisor.core.quantities import asked_figure, holds_figure, missing_words, pay_for_a_level, stated_facet
from advisor.core.retrieval import (
    Hit,
    HybridSearch,
    LoadedIndex,
    best_heading_similarity,
    open_index,
    release_freed_memory,
)
from advisor.core.schema import Answer, Source, Timings
from advisor.core.settings import Settings, get_settings
from advisor.core.spelling import Speller
from advisor.core.store import IndexStore, open_client
from advisor.core.text import STOPWORDS, normalize, stem, tokens, words
from advisor.core.verify import corpus_words, verify_answer

if TYPE_CHECKING:
    from advisor.core.langchain_retriever import AdvisorRetriever

log = logging.getLogger(__name__)
_BACKEND_LOCK = threading.RLock()

# Builds the first index version when none exists: (settings, embedder, Chroma client or None).
IndexBuilder = Callable[[Settings, Embedder, Any], None]
# What `Advisor.events` yields: ("delta", a piece of text) any number of times, then ("answer", Answer).
Event = tuple[Literal["delta"], str] | tuple[Literal["answer"], Answer]


REFUSAL = "I don't know that from my sources."


def is_refusal(answer: Answer) -> bool:
    """An honest "not in my sources" (as opposed to a greeting, which is also not grounded)."""
    return not answer.grounded and answer.answer.startswith(REFUSAL)


def clean_question(question: object, max_chars: int) -> str:
    if not isinstance(question, str):
        raise InvalidInput("The question must be text.")
    text = " ".join(normalize(question).split())
    if not text:
        raise InvalidInput(
            "The question is empty. Type a question about the career guides, e.g. 'What does an MLOps engineer earn?'"
        )
    if len(text) > max_chars:
        raise InvalidInput(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,}. Shorten it and ask again."
        )
    return text


def clean_history(history: object, max_chars: int) -> list[dict[str, str]]:
    if history is None:
        return []
    if not isinstance(history, list):
        raise InvalidInput("History must be a list of {role, content} messages.")
    cleaned = []
    for i, turn in enumerate(history):
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ("user", "assistant")
            or not isinstance(turn.get("content"), str)
        ):
            raise InvalidInput(f'History item {i} must be {{"role": "user"|"assistant", "content": text}}.')
        content = normalize(turn["content"]).strip()
        if turn["role"] == "user":
            content = content[:max_chars]
        cleaned.append({"role": turn["role"], "content": content})
    return cleaned


_MY_JOB = re.compile(
    r"\bmy (?:current |present |own |day |old )?(?:job|role|field|career|occupation|position|line of work|profession)\b",
    re.I,
)


_THAT_FIELD = re.compile(r"\b(?:that|this) (?:field|line of work|job|role|career|kind of work)\b", re.I)
_OWN_BACKGROUND = re.compile(
    r"\b(?:my|our)\s+(?:[\w+#/-]+\s+){1,3}?(?:background|experience|skills?|years|time|work|days)\b"
    # "what's likely to trip me up coming from ds": where they come from, not the subject
    r"|\b(?:coming|moving|switching|transitioning|pivoting) (?:over )?from (?:the |an? )?"
    r"(?:(?:[\w+#/-]+\s*){1,3}$|[\w+#/-]+(?:\s+[\w+#/-]+)?\s+(?:side|background|world|field)\b)",
    re.I,
)
_NOW = re.compile(
    r"\b(?:i|my)\b[^.?!]*\b(?:now|currently|today|current|at the moment)\b|\bmy (?:current|present) "
    # "what would a database architect make compared to me?": the asker's own role
    r"|\b(?:compared?\s+(?:to|with)|than|vs\.?|versus|against)\s+(?:me|mine|what i (?:make|earn|get|do))\b",
    re.I,
)


def _revisited(gate: Gate, decision: Decision, turn: Turn, question: str, similarity: float) -> Decision:
    """Small talk beside a situation is a question after all; a message that only tells about the user
    ("I'm a network admin at a school district.") asks for no figure about what it names."""
    if decision.route is Route.SMALL_TALK and turn.situation and not gate.small_talk(question):
        asked = gate.decide(question, similarity)
        # "yeah on call is not what i need rn. thanks anyway": a remark and thanks, no question to refuse
        decision = asked if asked.route is not Route.OUT_OF_SCOPE else decision
    if decision.route is Route.ANSWER and _told_only(turn):
        decision.uncovered = []
    return decision


def _closest_kind_for_a_specific(
    gate: Gate, decision: Decision, facet_scores: dict[str, float], previous: Topic | None
) -> bool:
    """A specific the guides lack, asked in no clear kind of words ("does the guide have a Seattle-specific
    number?", "DeepMind's starting offer?"): the closest facts are of the kind just shown (the pay band),
    else, for a place, where the jobs are; never what merely sounds alike (the author's university).
    True when the kind was set so."""
    if decision.route is not Route.PARTIAL or not decision.uncovered or not facet_scores:
        return False
    top = max(facet_scores.values())
    if top >= tuning.FACET_IN_SCOPE_AT:
        return False
    if previous is not None and previous.facet in facet_scores:
        facet_scores[previous.facet] = top + tuning.UNCLEAR_FACET_BONUS
        return True
    if "locations" in facet_scores and any(gate.is_place(w.lower()) for w in decision.uncovered):
        facet_scores["locations"] = top + tuning.UNCLEAR_FACET_BONUS
        return True
    return False


# "the cheapest certification mentioned in these guides", "does the guide have a Seattle number": words
# about where the answer is looked up, not what it is about (the author's part is no closer for them)
_THE_GUIDES = re.compile(
    r"\b(?:(?:that\s+(?:is|are)\s+|that's\s+)?(?:mentioned|listed|named|covered|given)\s+)?(?:in|from|across|by)\s+"
    r"(?:the|your|these|those|this|all(?:\s+the)?)\s+(?:guides?|sources?|knowledge base)\b"
    r"|\b(?:does|do|did)\s+(?:the|your|this|these|any(?:\s+of\s+the)?)\s+(?:guides?|sources?)\s+"
    r"(?=(?:have|has|give|say|list|mention|include|cover|show)\b)(?:\w+)",
    re.I,
)


def _about_the_guides(request: str) -> str:
    """The request without its words about the guides themselves, when something else remains."""
    rest = " ".join(_THE_GUIDES.sub(" ", request).split())
    return rest if rest != request and content_words(rest) else request


def _without_words(text: str, names: list[str]) -> str:
    """The text without the named things (a hyphenated "Seattle-specific" goes whole)."""
    for name in names:
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?:-\w+)?(?![\w-])", " ", text, flags=re.I)
    return " ".join(text.split())


def _membership(content: ContentModel, request: Request, plan: Plan, previous: Topic | None) -> Decision | None:
    """ "Is Colorado in that list?": yes or no over the list the plan shows, said first, though Colorado is
    in no guide; a request pointing back ("in that list") only over the list the last answer showed."""
    shown = topic_parts(content, previous)
    if points_back(request.text) and any(p not in shown for p in plan.parts):
        return None
    verdict = membership(request.text, plan.blocks)
    if not verdict:
        return None
    plan.intro, request.partial, request.uncovered = verdict, False, []
    return Decision(Route.ANSWER, "asks whether the list shown names it")


def _told_only(turn: Turn) -> bool:
    """The message only tells about the user: its request is its situation."""
    return bool(turn.situation) and " ".join(turn.request.split()) == " ".join(turn.situation.split())


def _partial_when_lacking(request: Request, decision: Decision) -> Decision:
    """The planner found the guide has no part of the kind asked for ("certifications")."""
    if request.partial and decision.route is Route.ANSWER:
        return Decision(Route.PARTIAL, f"the guide has nothing on {request.uncovered[0]}", uncovered=request.uncovered)
    return decision


def _own_guides(content: ContentModel, profile: Profile) -> list[str]:
    """The guide of the user's own role ("I'm a DBA"), if one is about it."""
    return content.guide_names.mentioned(profile.role) if profile.role else []


# "i want know ...", "tell me what ...", "can you explain ...": a question typed without its question mark
_ASKS_WITHOUT_MARK = re.compile(
    r"\b(?:i (?:want|wanna|would like|'d like) (?:to )?know|tell me|can you (?:tell|explain)|explain)\b", re.I
)
# how many jobs or openings: the outlook part's figures ("which one has more actual jobs", "most openings")
_JOB_COUNT = re.compile(
    r"^(?!.*\b(?:states?|cit(?:y|ies)|where|pay\w*|earn\w*|salar\w*)\b)"  # "which states have the most jobs"
    # ("how many of those positions are there?")
    r".*(?:\b(?:more|most|fewer|how many)\s+(?:\w+\s+){0,2}(?:jobs|openings|positions|job openings)\b(?!\s+(?:as|like)\b)"
    # "everyone says sysadmin is a dying job. true?", "is it going away"
    r"|\b(?:dying|dead[- ]end|going away|disappearing|obsolete|shrinking|declining)\b)",
    re.I,
)
# "how does that compare to the security analyst thing?": the role under discussion set against another
_COMPARED = re.compile(
    r"\bhow (?:does|do|would|did) (?:that|it|this|they|those|these|that one|this one|that job|that role)\s+"
    r"(?:\w+\s+)?compare\b|\bcompare (?:that|it|this) (?:to|with)\b",
    re.I,
)
_TOLD_FACET = re.compile(
    r"\b(?P<pay>pays?|paid|earns?|makes? (?:more|less|way)|salar\w*|money)\b|\b(?:grow\w*|in demand|hiring)\b", re.I
)
# "true?", "is that realistic?": a check of the claim the user made just before it
_CHECK_THAT = re.compile(
    r"^\s*(?:(?:is (?:that|it|this)|that'?s|thats) )?(?:true|right|correct|really|accurate|so)\s*\?*\s*$"
    r"|^\s*(?:(?:so |but |ok |and )?is (?:that|it|this) (?:even |really |actually )?(?:true|right|correct|accurate|realistic|"
    r"possible|doable|achievable|likely|legit))\b",
    re.I,
)
# "forget security for now", "never mind DBAs": a role set aside
_SET_ASIDE = re.compile(
    r"\b(?:forget(?: about)?|never ?mind|skip|leave out|set aside|ignore)\s+(?:the\s+)?([\w/ -]{2,30}?)"
    r"(?=\s+(?:for now|then|for a sec|stuff|thing)\b|\s*[,.;!?]|$)",
    re.I,
)
# a choice between two roles, closed ("torn between bakers, clerks or something else" is open)
_BETWEEN = re.compile(
    r"\b(?:between|choosing|decide|deciding|torn|weigh(?:ing)?)\b(?!.*\b(?:else|others?|anything)\b)", re.I
)
# "which of these roles only need a bachelor's?", "is a master's required?": the way in is asked
_DEGREE_NEEDED = re.compile(
    r"\b(?:need|needs|require[sd]?|requirements?|only)\b[^?.!]{0,25}\b(?:degree|diploma|bachelor'?s?|master'?s?|ph\.?d)\b"
    r"|\b(?:degree|diploma|bachelor'?s?|master'?s?|ph\.?d)\b[^?.!]{0,15}\b(?:needed|required|enough)\b",
    re.I,
)
# "and slowest?", "ok the highest paid?": the other end of the ranking just shown, on the same kind
_BARE_SUPERLATIVE = re.compile(
    r"^\s*(?:and|ok|so)?\s*(?:the\s+)?(?:slowest|fastest|lowest|highest|biggest|smallest|worst|best)(?:\s+\w+)?\s*[?.!]*\s*$",
    re.I,
)
# "the second one on my list", "the ones i listed": the user's own list of roles
_MY_LIST = re.compile(r"\b(?:on|from|in|of)\s+my\s+list\b|\bi\s+(?:listed|named|mentioned)\b", re.I)
# "what would each cost me", "how do all three compare": every role the last message named
_EACH = re.compile(
    # "openings each year" is a rate, not the roles
    r"\b(?:each(?!\s+(?:year|month|week|day|hour|time)s?\b)|all (?:three|four|of them|of those|of these)|every one of them)\b",
    re.I,
)
# "which of those is growing fastest?", "which of the three asks for experience?": roles, when the last
# message or answer was about several ("which of those is cheapest?" after a list of tools is about the tools)
_OF_THOSE = re.compile(
    r"\b(?:which|what)(?:\s+one)?\s+of\s+(?:those|these|them|the\s+(?:three|four|five|[345]))\b(?!\s+(?:certs?|certifications?|"
    r"tools?|steps?|projects?|skills?|questions?|languages?|platforms?|items?|things?|sources?)\b)"
    r"|\bof\s+the\s+(?:three|four|five)\b(?!\s+(?:certs?|certifications?|tools?|steps?))"
    # "and projected growth for those same three?"
    r"|\b(?:those|these|the|them|all)\s+(?:same\s+)?(?:three|four|five|[345])\b(?!\s+(?:certs?|certifications?|tools?|steps?))",
    re.I,
)
# "which of those two", "both of them", "either one": the last two roles the conversation was about
_THE_TWO = re.compile(
    r"\b(?:(?:those|these|the|them|both|either of the|which of the)\s+(?:two|2)|both (?:of )?(?:them|those|these)|"
    r"both (?:roles|jobs|careers|options|fields|paths)|(?:for|of|on) both(?=\s*(?:[?.!,]|$))|either (?:one|of them|of those|role|job|option)|"
    r"between (?:them|those|these)(?: two)?|"
    # "which one have more jobs open every year", "which one pays better": roles compared, not items
    r"which one(?=\s+(?:has|have|pays?|grows?|makes?|earns?|offers?)\s+(?:\w+\s+)?(?:more|better|faster|higher|less|fewer|"
    r"lower|the most|the best)\b))\b(?!\s+(?:certs?|certifications?|tools?|steps?|projects?|skills?|"
    r"questions?|languages?|platforms?|items?|things?)\b)",
    re.I,
)
# "openings for that and for netadmin", "netadmin vs that one": the role under discussion beside the one named
_THAT_ONE = r"(?:that|this|it|them|that one|this one|that job|that role|that field)"
_AND_THAT = re.compile(
    rf"\b(?:for\s+)?{_THAT_ONE}\s+(?:and|vs\.?|versus|or)\s+(?:for\s+)?(?!{_THAT_ONE}\b)\w"
    rf"|\b(?:and|vs\.?|versus|or|compared? (?:to|with))\s+(?:for\s+)?{_THAT_ONE}\s*(?:[?.!,]|$)",
    re.I,
)
# "pay vs what i'd get staying a regular developer?": the role under discussion against the one named
_VERSUS_WHAT_I = re.compile(r"\b(?:vs\.?|versus|compared (?:to|with))\s+what\s+(?:i|i'd|id|i'll|i would)\b", re.I)
_ANOTHER_ROLE = re.compile(r"\b(?:which|what)\s+other\s+(?:role|job|career|occupation)s?\b|\banother\s+role\b", re.I)
# "and growth / number of jobs?", "what about openings?": a message that carries on from the last answer
_AND_THEN = re.compile(r"\s*(?:and|also|plus|what about|how about)\b", re.I)
# "which of the roles you cover has the most openings?", "for every job": every guide, even right after
# two roles were compared ("which of these jobs" and "which one" are about the roles just shown)
_ROLE_NOUNS = r"(?:jobs?|roles?|careers?|occupations?|fields?|professions?|guides?)"
_EVERY_ROLE = re.compile(
    rf"\b(?:all|every|each)\s+(?:of\s+)?(?:the\s+|your\s+)?(?:[\w-]+\s+)?{_ROLE_NOUNS}\b"
    rf"|\b{_ROLE_NOUNS}\s+(?:that\s+)?(?:you|u)\s+(?:\w+\s+)?(?:cover|have|know|list|write about)\b"
    rf"|\bof\s+your\s+(?:[\w-]+\s+)?{_ROLE_NOUNS}\b",
    re.I,
)


def _not_the_last(request: Request, turn: Turn) -> list[str]:
    """ "Which other role plans security for data?" after security analysts: not that role again."""
    if _ANOTHER_ROLE.search(turn.request) and request.previous and len(request.guides) > 1:
        return [g for g in request.guides if g != request.previous.guide] or request.guides
    return request.guides


def _names_an_item(gate: Gate, content: ContentModel, request: str, topic: Topic | None) -> bool:
    """The request uses a rare word of the knowledge base that an item of the last answer's list holds (shown
    or not: "How much is the Google one?" after the cheapest cloud certification), and asks no pay ("what
    do they pay at aws vs google?" after the certification list asks about employers)."""
    if topic is None or not topic.items or asked_figure(request) == "pay":
        return False
    listed = [u.plain for p in topic_parts(content, topic) for u in p.units if u.is_item]
    shown = set(tokens(" ".join([*topic.items, *listed])))
    return any(t in shown for t in gate.distinctive_terms(request))


def _holding(content: ContentModel, guide: str, facet_scores: dict[str, float], profile: Profile) -> str:
    """The conversation's guide, unless it has nothing of the kind asked for ("which cloud cert on GCP?"
    while talking about data scientists, whose guide lists no certifications): then the role the user
    said they are heading for, or the one guide that has it."""
    top = max(facet_scores, key=lambda f: facet_scores[f], default="")
    if not guide or facet_scores.get(top, 0.0) < tuning.FACET_IN_SCOPE_AT or content.of_facet(top, guide):
        return guide
    if any(content.of_facet(f, guide) for f in STAND_INS.get(top, ())):
        return guide  # "who employs them?" about research scientists: their guide's where-they-work part
    own = _own_guides(content, profile)
    told = [g for g in content.guide_names.mentioned(" ".join(profile.statements)) if g not in own]
    holders = sorted({p.guide for p in content.of_facet(top)})
    heading_for = next((g for g in reversed(told) if g in holders), "")
    if heading_for:
        return heading_for
    if any(
        score >= facet_scores[top] - tuning.HOLD_GUIDE_MARGIN and content.of_facet(f, guide)
        for f, score in facet_scores.items()
    ):
        # "does my sysadmin work count as the 'related experience' they want?" about infosec: "related
        # study paths" (0.52) only the MLOps guide has, but infosec's path part (0.36) is close behind
        return guide
    return holders[0] if len(holders) == 1 else guide


_PLACE_PREPOSITIONS = {"in", "at", "near", "around", "from", "for"}


# the words around a role name that ask nothing of their own: "and for sysadmins?", "what about DBAs?"
# a clause about the speaker after what is asked: "..., honestly that's more what i was doing"
_NOTE_AFTER = re.compile(r"[,;.!?]\s+(?=[^,;.!?]*\b(?:i|i'm|im|i've|ive|my|me)\b[^?]*$)", re.I)
_GLUE = frozenset("and or but so what about how for the a an then too also same tho though ok okay one ones".split())


def _only_a_role(content: ContentModel, request: str) -> bool:
    """ "vs data sci?", "and for sysadmins?": nothing but a role ("what is need for be data scientist?"
    asks something: its "need" is a stopword, not glue); "what about network admin instead, honestly
    that's more what i was doing": the note about the speaker after it asks nothing."""
    asked = _NOTE_AFTER.split(request, maxsplit=1)[0]
    rest = words(VERSUS.sub(" ", content.guide_names.without_role_words(asked)))
    return bool(content.guide_names.mentioned(asked)) and all(w in _GLUE or w in tuning.CHAT_WORDS for w in rest)


def _facets_of(
    content: ContentModel,
    request: str,
    facet_vector: np.ndarray,
    previous: Topic | None,
    situation: str = "",
    only_role: bool = False,
) -> dict[str, float]:
    """What kind of career question the request is. A figure it states is a premise to check, so that
    figure's facet decides; a request whose kind is unclear ("would security be a better bet then?")
    goes on with the kind of the last answer, about whatever role it names. `only_role`: the request is
    nothing but a role (_only_a_role, worked out once by the caller)."""
    scores = content.facets.scores(facet_vector)
    if (stated := stated_facet(request)) in scores:
        scores[stated] = max(scores.values()) + tuning.STATED_FIGURE_BONUS
    elif asked_figure(request) == "pay" and "pay" in scores:  # "i want know how much data sciencist earn"
        scores["pay"] = max(scores.values()) + tuning.STATED_FIGURE_BONUS
    elif _JOB_COUNT.search(_asks(request)[0]) and "outlook" in scores:  # "which one has more actual jobs"
        scores["outlook"] = max(scores.values()) + tuning.STATED_FIGURE_BONUS
    elif _DEGREE_NEEDED.search(request) and "path" in scores:
        # "which of these roles only need a bachelor's?": the way in, however much "roles" reads like job titles
        scores["path"] = max(scores.values()) + tuning.STATED_FIGURE_BONUS
    elif _COMPARED.search(request) and (told := _TOLD_FACET.search(situation)):
        # "my nephew does cybersecurity and says it pays way better, how does it compare": what they were told
        facet = "pay" if told.group("pay") else "outlook"
        if facet in scores:
            scores[facet] = max(scores.values()) + tuning.STATED_FIGURE_BONUS
    elif previous is not None and previous.facet in scores:
        if (
            (only_role and previous.facet not in tuning.NOT_CARRIED_FACETS)
            or (_BARE_SUPERLATIVE.match(request) and previous.facet in tuning.RANKED_FACETS)
            or (
                # "how does that compare pay wise" says what is compared; "how does it compare?" does not
                _COMPARED.search(request) and max(scores.values()) < tuning.FACET_IN_SCOPE_AT
            )
        ):
            # "vs data sci?": nothing but a role, so the last answer's kind goes on, compared (so does
            # "how does that compare to the security analyst thing?")
            scores[previous.facet] = tuning.CARRIED_FACET_SCORE
        elif max(scores.values()) < tuning.UNCLEAR_FACET_BELOW:
            scores[previous.facet] = max(scores.values()) + tuning.UNCLEAR_FACET_BONUS
    return scores


def _guides_asked(
    content: ContentModel, turn: Turn, state: ConversationState, history: list[dict[str, str]]
) -> tuple[list[str], bool]:
    """(the guides a request is about, whether they are "those two" of the conversation)."""
    # "what from my DBA background carries over?": the user's own role is their background, not the subject
    guides = content.guide_names.mentioned(_OWN_BACKGROUND.sub(" ", turn.request))
    if not guides and _COMPARED.search(turn.request):
        # "my nephew does cybersecurity and says it pays way better, how does it compare": the role told of
        guides = content.guide_names.mentioned(turn.situation)[:1]
    if len(guides) > 1 and (aside := _SET_ASIDE.search(turn.request)):
        # "ok forget security for now. dba vs sysadmin, which one has more openings": not security
        dropped = content.guide_names.mentioned(aside.group(1))
        guides = [g for g in guides if g not in dropped] or guides
    if (
        (
            VERSUS.match(turn.request)
            or _AND_THAT.search(turn.request)
            or _VERSUS_WHAT_I.search(turn.request)
            or _COMPARED.search(turn.request)
            or _THE_TWO.search(turn.request)  # "should i pivot to security? compare the two for me"
        )
        and len(guides) == 1
        and state.topic
        and state.topic.guide not in ("", *guides)
    ):
        guides = [state.topic.guide, *guides]  # "mlops. pay?" then "vs data sci?": both, on pay
    the_two = not guides and _THE_TWO.search(turn.request) and len(two := recent_guides(history, content)) == 2
    pointed_at = [] if guides else _roles_pointed_at(content, turn, state, history)
    if len(pointed_at) >= 2:
        # "the second one on my list": that role of the ones named, in the order named
        at = ordinal(turn.request) if _MY_LIST.search(turn.request) else None  # from 0; "last" is -1
        return ([pointed_at[at]] if at is not None and at < len(pointed_at) else pointed_at), True
    if the_two:
        guides = two[::-1]  # "which of those two has more openings?" after data scientists, then DBAs
    elif (
        not guides
        and _BETWEEN.search(turn.situation)
        and len(two := content.guide_names.mentioned(turn.situation.replace("/", " "))) == 2
    ):
        guides = two  # "trying to decide between data science or research scientist. which one has more jobs"
    return guides, bool(the_two)


def _roles_pointed_at(
    content: ContentModel, turn: Turn, state: ConversationState, history: list[dict[str, str]]
) -> list[str]:
    """The roles a request naming none points at, in the order named: "My client is weighing database
    architect vs security analyst. Can you give me the median pay for each?": the roles the message told;
    "What would each cost me?", "which of those grows fastest?": the roles the last message named, or the
    last answer was about; "the second one on my list", a bare "and slowest?": the user's own list."""
    each, of_those = bool(_EACH.search(turn.request)), bool(_OF_THOSE.search(turn.request))
    mine = bool(_MY_LIST.search(turn.request) or _BARE_SUPERLATIVE.match(turn.request))
    if not (each or of_those or mine):
        return []
    told = content.guide_names.mentioned(turn.situation)
    if len(told) >= 2:
        return told
    last_asked = [m["content"] for m in history if m["role"] == "user"][-1:]
    named_last = content.guide_names.mentioned(last_asked[0]) if last_asked else []
    shown = list(state.topic.guides) if state.topic else []
    if each or of_those:
        return named_last if len(named_last) >= 2 else shown
    return _last_named(content, history)


def _holders(content: ContentModel, request: Request, guides: Sequence[str]) -> list[str]:
    """The guides with a part of the kind the request reads most like."""
    top = request.top_facet
    return [g for g in guides if any(p.facet == top for p in content.parts_of(g))]


def _last_named(content: ContentModel, history: list[dict[str, str]]) -> list[str]:
    """The roles named by the user's latest message that named any."""
    for message in reversed([m["content"] for m in history if m["role"] == "user"]):
        if named := content.guide_names.mentioned(message):
            return named
    return []


def _asks(request: str) -> tuple[str, list[str]]:
    """(the first question, the ones after it) of a message: "pay + outlook?" is "pay" and ["outlook?"]."""
    further = further_questions(request)[: tuning.FURTHER_QUESTIONS]
    first = request[: request.find(further[0])].rstrip(" +/&,;") if further else request
    return first, further


def _share_the_room(blocks: list[Block]) -> None:
    """Several questions in one message: each answer keeps its first sentences when they do not all fit, so
    the last question is not the one cut off ("salary? growth? need a degree?")."""
    if sum(len(u.text) for b in blocks for u in b.units) <= tuning.FURTHER_ANSWER_CHARS:
        return
    share = tuning.FURTHER_ANSWER_CHARS / len(blocks)
    for n, block in enumerate(blocks):
        # the other answers' first sentences are kept whatever this one takes
        reserved = sum(len(b.units[0].text) for b in blocks[n + 1 :] if b.units)
        used = sum(len(u.text) for b in blocks[:n] for u in b.units)
        kept: list[Unit] = []
        for unit in block.units:
            # a list cut short misleads more than a long answer: its items may take twice the share
            room = share * (tuning.FURTHER_LIST_ROOM if unit.is_item else 1)
            room = min(room, tuning.FURTHER_ANSWER_CHARS - reserved - used)
            if kept and sum(len(u.text) for u in kept) + len(unit.text) > room:
                break
            kept.append(unit)
        block.units = kept


class Advisor:
    """Light constructor; `load()` opens the index (building it when missing) and the models."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        client: Any = None,
        backend: str | None = None,
        build_index: IndexBuilder | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.build_index = build_index  # ingest, injected by advisor.assembly: core does not import it
        self.embedder = embedder or Embedder()
        self._client = client
        self.backend_name = backend or self.settings.backend
        self._backends: dict[str, AnswerBackend] = {}
        self._index: LoadedIndex | None = None
        self._gate: Gate | None = None
        # (index, gate, content model, planner) for one index version, swapped in one write by refresh()
        self._serving: tuple[LoadedIndex, Gate, ContentModel, Planner] | None = None
        self._facets = FacetModel(self.embedder)
        self._intents = IntentModel(self.embedder)
        self._places = PlaceWords(self.embedder)
        self._occupations = OccupationWords(self.embedder)
        self._speller = Speller()
        self.observers: list[Observer] = []  # called with an AnswerEvent per final answer (advisor/observe.py)
        self._search = HybridSearch(self.embedder, self.settings.candidates, self.settings.rrf_k)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs: Any) -> Advisor:
        return cls(settings, **kwargs).load()

    # loading
    @property
    def store(self) -> IndexStore:
        if self._client is None:
            self._client = open_client(self.settings)
        return IndexStore(self._client, self.settings.collection_prefix)

    def load(self) -> Advisor:
        with self._lock:
            live = self.store.live()
            if live is None:
                if self.build_index is None:
                    raise IndexMissing("No index yet: run `advisor ingest` first.")
                log.info("No index yet: building it from %s", self.settings.corpus_dir)
                self.build_index(self.settings, self.embedder, self._client)
                live = self.store.live()
                if live is None:
                    raise IndexMissing(
                        "Building the index published no version: run `advisor ingest` and read its messages."
                    )
            self.embedder.load()
            self._intents.load()
            self._use(open_index(self.store, live))
            self.backend(self.backend_name)
        self.ask("What does the guide cover?")  # warm-up: the first user is not the slow one
        return self

    def _use(self, index: LoadedIndex) -> None:
        content = build_content(index, self.embedder, self._facets.load())
        planner = Planner(content, index.document_frequency, len(index.ids))
        # typos are repaired to this index's words before the new version serves its first request
        self._speller.learn(
            w
            for r in index.records.values()
            for w in words(" ".join(str(r.get(k) or "") for k in ("title", "section", "text", "also_called")))
        )
        self._serving = (
            index,
            Gate(
                index,
                content.guide_names,
                self._places.learn(sorted(content.named_terms)).is_place,
                lambda word: self._speller.is_english(word) and self._places.looks_like_place(word),
                self._speller.is_english,
                self._occupations.is_occupation,
            ),
            content,
            planner,
        )
        self._index, self._gate = index, self._serving[1]
        log.info("Serving index %s (%d chunks)", index.version.id, len(index.ids))
        corpus_words(index)  # names and words for verifying model answers: once per index version
        release_freed_memory()  # the content model's build (heading batches, token lists) peaks above what it keeps

    def refresh(self) -> bool:
        """Switch to the live index version if another process published a new one."""
        live = self.store.live()
        if live is None or (self._index and live.id == self._index.version.id):
            return False
        with self._lock:
            self._use(open_index(self.store, live))
        return True

    def backend(self, name: str) -> AnswerBackend:
        backend = self._backends.get(name)
        if backend is None:
            with _BACKEND_LOCK:  # concurrent first requests load a model once
                backend = self._backends.get(name)
                if backend is None:
                    backend = create_backend(name, self.settings)
                    backend.load()
                    self._backends[name] = backend
        return backend

    @property
    def index(self) -> LoadedIndex:
        if self._index is None:
            raise RuntimeError("Advisor not loaded: call load() or use Advisor.from_settings().")
        return self._index

    # answering
    def ask(self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None) -> Answer:
        for _, value in self.events(question, history, backend):
            if isinstance(value, Answer):
                return value
        raise RuntimeError("the answer stream ended without an answer")

    def stream(
        self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None
    ) -> Iterator[str]:
        for _, value in self.events(question, history, backend):
            if isinstance(value, str):
                yield value

    def events(
        self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None
    ) -> Iterator[Event]:
        """Yields ("delta", text) pieces, then ("answer", Answer). Raises InvalidInput first."""
        started = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        history = clean_history(history, self.settings.max_question_chars)
        # "what programing langage ...": read in the words the guides use (the answer quotes the guides)
        question = self._speller.correct(question)
        history = [{**m, "content": self._speller.correct(m["content"])} if m["role"] == "user" else m for m in history]
        serving = self._serving
        if serving is None:
            raise RuntimeError("Advisor not loaded: call load() or use Advisor.from_settings().")
        index, gate, content, planner = serving  # one read: a request keeps its version
        state = read_conversation(question, history, content, index.vocabulary)
        turn = state.turn
        follow_up = state.topic is not None and (
            wants_more(turn.request)
            or points_back(turn.request)
            or self._elliptic(turn.request, gate)
            or goes_on(turn.request)
        )
        turn, logged, about_situation, told_subject = self._reading(turn, state, content, gate)
        guides, the_two = _guides_asked(content, turn, state, history)
        if follow_up and state.topic and any(g not in (state.topic.guide, *state.topic.guides) for g in guides):
            follow_up = False  # "ok and what about the other one, research sci?": a new role, not more of the last
        query = f"{turn.request} {' '.join(state.topic.headings)}" if follow_up and state.topic else turn.request
        clause = across_clause(turn.request)
        role_free = self._role_free(content, turn.request, guides)
        # one forward pass for the texts this request reads; each encode_query below is a cache hit
        told = turn.message if turn.situation and turn.message != turn.request else ""  # for _uncovered_topic
        self.embedder.encode_queries([query, turn.request, role_free, clause or "", told])
        vector = self.embedder.encode_query(query)
        hits = self._search.search(index, query, self.settings.top_k, vector)
        retrieved = time.perf_counter()
        request_vector = vector if query == turn.request else self.embedder.encode_query(turn.request)
        headings = best_heading_similarity(content, vector)
        similarity = max([max(h.similarity, h.unit_similarity) for h in hits] + [headings], default=0.0)
        rank_vector, facet_vector = self._without_role_words(role_free, request_vector)
        if clause:
            rank_vector = facet_vector = self.embedder.encode_query(clause)
        only_role = _only_a_role(content, turn.request)
        facet_scores = _facets_of(content, turn.request, facet_vector, state.topic, turn.situation, only_role)
        facet, elsewhere = max(facet_scores.values()), self._intents.elsewhere(request_vector)
        intent = self._intents.classify(turn.request, facet_vector)  # read without the role's name, like the facet
        if told_subject and intent in TAILORED:  # the "I" is their story, not a question about them
            intent = FACT
        decision = gate.decide(
            turn.request,
            similarity,
            turn.situation,
            facet if elsewhere >= tuning.ELSEWHERE_AT else self._clearest_facet(content, turn.request, facet),
            # "and for SWE?": nothing but a role we have a guide for is never out of scope
            leans_on_topic=follow_up or about_situation or intent in TAILORED or only_role,
            elsewhere=elsewhere,
            in_conversation=state.topic is not None,
            # "How much is the Google one?" after a list holding the Google certification asks about that item
            topic=("", 0.0)
            if _names_an_item(gate, content, turn.request, state.topic)
            else self._uncovered_topic(told, request_vector, facet_vector),
        )
        decision = _revisited(gate, decision, turn, question, similarity)
        if _closest_kind_for_a_specific(gate, decision, facet_scores, state.topic):
            # ranked without the names it lacks: "Seattle" is not close to the author's "University of Washington"
            lacked = [*decision.uncovered, *gate.unknown_words(turn.request)[0]]
            rank_vector = self.embedder.encode_query(_about_the_guides(_without_words(turn.request, lacked)))
        name = backend or self.backend_name
        plan = None
        if decision.route in (Route.ANSWER, Route.PARTIAL):
            request = Request(
                turn.request,
                request_vector,
                intent,
                facet_scores,
                state.profile,
                state.topic if follow_up and not the_two else None,  # "those two" are roles, not items shown
                decision.uncovered,
                decision.route is Route.PARTIAL,
                # "who hires for the cyber jobs": "cyber" names the role, not the job-titles part using it
                frozenset(index.known_tokens(_about_the_guides(turn.request)))
                - content.guide_names.other_name_words(turn.request),
                guides,
                _holding(
                    content,
                    self._guide_of(content, turn, state.profile, state.topic, state.guide, intent in TAILORED),
                    facet_scores,
                    state.profile,
                ),
            )
            request.vector = rank_vector
            request.previous = state.topic
            # "trying to pick a track: security, ML/data, or networking. which has the best outlook?"
            request.choosing = content.guide_names.mentioned(turn.situation.replace("/", " "))
            request.guides = (
                (
                    []
                    if _EVERY_ROLE.search(turn.request)
                    else self._against_own(content, request, turn, _last_named(content, history))
                )
                or self._beside_own(content, request)
                or _not_the_last(request, turn)
            )
            request.background = self._background(content, turn, state.profile)
            request.only_role = only_role and (state.topic is None or state.topic.facet in tuning.NOT_CARRIED_FACETS)
            plan = planner.plan(request)
            decision = _partial_when_lacking(request, _membership(content, request, plan, state.topic) or decision)
            if decision.route is Route.ANSWER:
                plan = self._each_question(planner, content, index, request, plan)
                decision, plan = self._figure_check(planner, content, request, plan, decision)
            if not plan.blocks:
                decision = Decision(Route.OUT_OF_SCOPE, "no part of the guides answers it")
        if plan is not None and plan.blocks:
            used = [p.chunk_id for p in plan.parts]
            by_id = {h.id: h for h in hits}
            order = used + [h.id for h in hits if h.id not in used]
            ordered = [by_id.get(i) or self._hit_for(index, i) for i in order][: max(self.settings.top_k, len(used))]
            citations = {h.id: n for n, h in enumerate(ordered, 1)}
            context = Context(question, query, ordered, index, vector, history, request_vector, plan, citations)
            text, name = yield from self._generate(name, context)
            sources = [Source(id=h.id, title=h.title, section=h.section, text=h.text, score=h.score) for h in ordered]
        else:
            text, sources = self._decline(decision, state.guide, question), []
            yield "delta", text
        done = time.perf_counter()
        answer = Answer(
            answer=text,
            grounded=decision.grounded,
            backend=name,
            sources=sources,
            timings_ms=Timings(
                retrieve=round((retrieved - started) * 1000, 2),
                generate=round((done - retrieved) * 1000, 2),
                total=round((done - started) * 1000, 2),
            ),
        )
        log.info(
            "answered grounded=%s route=%s backend=%s top=%.3f ms=%.1f",
            answer.grounded,
            decision.route.value,
            name,
            similarity,
            answer.timings_ms.total,
        )
        notify(
            self.observers,
            AnswerEvent(
                logged, answer, similarity, backend or self.backend_name, decision.route.value, index.version.id
            ),
        )
        yield "answer", answer

    def _background(self, content: ContentModel, turn: Turn, profile: Profile) -> np.ndarray | None:
        """What the user told of themselves, embedded, when they ask which role would suit them and name
        none but their own ("I'm a CPA who likes the data side: what tech job would make sense for me?")."""
        if not (profile.statements and wants_a_role(turn.request)):
            return None
        if set(content.guide_names.mentioned(turn.request)) - set(_own_guides(content, profile)):
            return None
        # "i literally cannot code": what they cannot do says nothing of what their work is like
        told = " ".join(known_without_negation(s) for s in profile.statements).strip()
        return self.embedder.encode_query(told or " ".join(profile.statements))

    def _reading(
        self, turn: Turn, state: ConversationState, content: ContentModel, gate: Gate
    ) -> tuple[Turn, str, bool, bool]:
        """(the turn to answer, the request to log, about the situation, subject told in the situation).
        Observers (question log, report) get the request the user wrote, never their situation."""
        # "I don't have a CS degree. Is that a dealbreaker?": the request is about the situation
        # ("how's the outlook for my current job?" is about the job's guide, not the words of the situation)
        # ("would that get me off on call?" names its own subject: a term only a few parts use)
        about_situation = (
            bool(turn.situation)
            and leans_on_situation(turn.request)
            and not _MY_JOB.search(turn.request)
            and not gate.distinctive_terms(turn.request)
        )
        # "everyone says sysadmin is a dying job. true?": the claim before it is what is asked
        told_subject = bool(turn.situation) and (
            (state.topic is None and self._bare(turn.request, content)) or bool(_CHECK_THAT.match(turn.request))
        )
        # "write my cover letter for a data scientist job": a task, however much it says "my"
        heading_for = "" if gate.is_task(turn.message) else self._statement_only(content, turn, state.profile)
        if heading_for:  # "I'm a nurse, curious about MLOps.": what an advisor answers is whether it fits
            turn = Turn(turn.message, turn.situation, f"Is the {role_name(heading_for)} career a good fit for me?")
        logged = turn.request
        if told_subject and not heading_for:
            # "I never really got how they differ from ML engineers. Can you explain?": the subject is the
            # last thing they said
            last = re.split(r"(?<=[.!?])\s+", turn.situation.strip())[-1]
            return Turn(turn.message, turn.situation, f"{last} {turn.request}"), logged, False, True
        if about_situation:
            turn = Turn(turn.message, turn.situation, turn.message)
        return turn, logged, about_situation, False

    def _uncovered_topic(
        self, message: str, request_vector: np.ndarray, role_free_vector: np.ndarray
    ) -> tuple[str, float]:
        """The topic guides leave out that the request (with or without its role's name: "are sysadmins
        usually in a union"), or the whole `message` ('' when it is only the request), is closest to: in
        "my english is not perfect, is problem for get job in this?" the topic is what the user told."""
        vectors = [request_vector] if role_free_vector is request_vector else [request_vector, role_free_vector]
        topic = max((self._intents.uncovered_topic(v) for v in vectors), key=lambda t: t[1])
        if message:
            topic = max(topic, self._intents.uncovered_topic(self.embedder.encode_query(message)), key=lambda t: t[1])
        return topic

    def _without_role_words(self, rest: str, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rank vector, facet vector): within a guide every heading names the role, so a request naming
        one is ranked, and its kind read, on the rest of its words (`rest`, from `_role_free`) when enough
        remain; `vector` is the whole request's."""
        rank_vector = facet_vector = vector
        if rest:
            facet_vector = self.embedder.encode_query(rest)
            if len(content_words(rest)) >= tuning.RANK_WITHOUT_ROLE_WORDS:
                rank_vector = facet_vector
        return rank_vector, facet_vector

    def _role_free(self, content: ContentModel, request: str, guides: list[str]) -> str:
        """The request without role names, places and words about the guides themselves, when that changes it
        and enough words remain; else ""."""
        request = _about_the_guides(request)
        rest = self._without_places(content, content.guide_names.without_role_words(request) if guides else request)
        left = len(content_words(rest))
        if rest != request and left >= min(tuning.RANK_WITHOUT_ROLE_WORDS, tuning.FACET_WITHOUT_ROLE_WORDS):
            return rest
        return ""

    def _without_places(self, content: ContentModel, request: str) -> str:
        """ "What would MLOps pay then, in Texas?" asks about pay: a place qualifies the question (and the
        answer says when the guides lack it), it does not make it a question about where the jobs are."""
        kept: list[str] = []
        pieces = request.split()
        looked = 0
        for n, piece in enumerate(pieces):
            word = piece.strip(string.punctuation).lower()
            # a name the guides use ("Texas"), or a capitalised word inside the sentence ("in Denver"):
            # each is looked at once (cached), a few per request (an encoding each), plain words never
            mid_sentence = n > 0 and not pieces[n - 1].endswith((".", "?", "!"))
            named = word in content.named_terms or (mid_sentence and piece[:1].isupper() and not piece.isupper())
            candidate = named and word.isalpha() and word not in STOPWORDS and looked < tuning.PLACE_CHECKS
            looked += candidate
            if candidate and self._places.looks_like_place(word):
                if kept and kept[-1].lower().strip(string.punctuation) in _PLACE_PREPOSITIONS:
                    kept[-1] = ""  # "in Texas" goes as a whole
                kept.append("")
            else:
                kept.append(piece)
        return " ".join(p for p in kept if p) if any(not p for p in kept) else request

    def _clearest_facet(self, content: ContentModel, request: str, facet: float) -> float:
        """ "pay + outlook?": a message of several short questions reads as none of them as a whole; its
        clearest question's facet score counts (each read on its own, only when the whole is unclear)."""
        first, further = _asks(request)
        if facet >= tuning.FACET_IN_SCOPE_AT or not further:
            return facet
        for piece in (first, *further):
            vector = self.embedder.encode_query(content.guide_names.without_role_words(piece))
            facet = max(facet, *content.facets.scores(vector).values())
        return facet

    def _each_question(
        self, planner: Planner, content: ContentModel, index: LoadedIndex, request: Request, plan: Plan
    ) -> Plan:
        """ "How much do they make and which tools do they use?": each question of a message gets the parts
        that answer it, in the order asked; the plan for the whole message when its questions give none."""
        first, further = _asks(request.text)
        if not further or request.intent not in (FACT, COMPARE) or request.background is not None:
            return plan  # a role suggested for the user is one answer, not one per question
        # "... my cousin says thats where the money is. pay and growth?": the first ask is its own sentence
        first = re.split(r"(?<=[.!?])\s+", first)[-1] or first
        pieces = [self._plan_piece(planner, content, index, request, p) for p in (first, *further)]
        if sum(bool(p.blocks) for p in pieces) < 2:
            return plan  # "what skills do they need? split technical and soft": one question, said twice
        combined = Plan(intro=plan.intro, outro=plan.outro)
        shown: dict[int, Block] = {}
        for n, extra in enumerate(pieces):
            if not extra.blocks and n == 0:
                extra = Plan(list(plan.blocks))  # "pulumi or terraform?": the first question as the whole read it
            if not extra.blocks:
                continue
            for block in extra.blocks:  # a part already shown: add the sentences this question asks for
                same = shown.get(id(block.part))
                if same is not None:  # (in reading order; "how many openings a year for each" adds to both)
                    wanted = {id(u) for u in same.units + block.units}
                    same.units = [u for u in block.part.units if id(u) in wanted]
            if id(extra.blocks[0].part) in shown:
                continue
            block = extra.blocks[0]
            block.heading = bool(combined.blocks)
            more = [b for b in extra.blocks if id(b.part) not in shown]
            if sum(len(u.text) for b in more for u in b.units) > tuning.FURTHER_ANSWER_CHARS / (len(further) + 1):
                # the lists an overview announces only when they fit beside the other answers; each role's
                # first part when the question is about two
                firsts = {b.part.guide: b for b in reversed(more)}
                more = [b for b in more if firsts[b.part.guide] is b]
            combined.blocks.extend(more)
            shown.update({id(b.part): b for b in more})
        _share_the_room(combined.blocks)
        return combined if combined.blocks else plan

    def _plan_piece(
        self, planner: Planner, content: ContentModel, index: LoadedIndex, request: Request, piece: str
    ) -> Plan:
        if _only_a_role(content, piece):
            return Plan()  # "... between network admin and security analyst": a role, not a question
        named = content.guide_names.mentioned(piece)
        vector = self.embedder.encode_query(piece)
        rank_vector, facet_vector = self._without_role_words(self._role_free(content, piece, named), vector)
        # read like a whole request ("which of the two has more jobs total" asks for job counts), no kind carried
        facets = _facets_of(content, piece, facet_vector, None)
        if max(facets.values()) < tuning.FURTHER_QUESTION_FACET_AT:
            return Plan()  # "and what else?": no question of its own
        guides = named or request.guides
        if not named and len(guides) == 1 and len(content_words(piece)) <= tuning.ELLIPSIS_WORDS:
            # "pay" alone reads like the sources' "Median pay" line: ranked as "information security analyst pay"
            rank_vector = self.embedder.encode_query(f"{role_name(guides[0])} {piece}")
        terms = frozenset(index.known_tokens(piece))
        piece_request = Request(piece, rank_vector, FACT, facets, request.profile, None, [], False, terms, guides)
        piece_request.guide = request.guide
        return planner.plan(piece_request)

    @staticmethod
    def _figure_check(
        planner: Planner, content: ContentModel, request: Request, plan: Plan, decision: Decision
    ) -> tuple[Decision, Plan]:
        """ "What percentage of MLOps jobs are remote?": the closest parts hold no such figure, so the
        guides do not answer it; say so and give the closest facts."""
        asked = asked_figure(request.text)
        # one line per unit: a list item has no full stop, and a pay sentence after a list must not take
        # the list's prices with it ("mlops certs and how much they cost")
        shown = "\n".join(u.text for b in plan.blocks for u in b.units)
        listed = sum(u.is_item for b in plan.blocks for u in b.units)

        def subject_words(text: str) -> set[str]:  # without the role's name: "analysts" is in every sentence
            return {stem(w) for w in content_words(content.guide_names.without_role_words(text))} - GENERIC

        # "what would he make in his first year?" (a premise with a figure is corrected by the figure instead)
        about_pay = bool(plan.blocks) and plan.blocks[0].part.facet == "pay" and not stated_facet(request.text)
        level = (
            (pay_for_a_level(request.text, shown) or Advisor._pay_in_a_listed_place(content, request, shown))
            if about_pay
            else ""
        )
        held = holds_figure(asked, shown, request.text, subject_words) if asked else True
        if not level and (not asked or not plan.blocks or held or (asked == "count" and listed >= 2)):
            return decision, plan  # "how many meetings?" is answered by the list of them
        pay = content.of_facet("pay", request.guides[0] if request.guides else request.guide) if asked == "pay" else []
        if pay and not about_pay:
            # "what would MLOps pay then, in Texas?": the closest fact to a pay figure is the guide's pay
            level = Advisor._pay_in_a_listed_place(content, request, "")
            plan = Plan([planner.block(request, pay[0])])
        request.uncovered, request.partial = [level or missing_words(asked or "")], True
        plan.intro = planner.not_covered(request.uncovered)  # the parts chosen stay: they are the closest
        return Decision(Route.PARTIAL, f"asks for a figure ({asked}) the closest parts do not hold"), plan

    @staticmethod
    def _pay_in_a_listed_place(content: ContentModel, request: Request, shown: str) -> str:
        """ "What does it pay in Washington state?": a place the guide lists where the jobs are, with no pay
        for it in what is shown: 'pay in Washington' is what the guides do not cover."""
        asked = set(tokens(request.text))
        for part in (p for g in request.guides or [request.guide] for p in content.of_facet("locations", g)):
            for item in part.items:
                place = item.plain.lstrip("-*+ ").split(" (")[0].strip()
                if item.lead_terms and item.lead_terms <= asked and place.lower() not in shown.lower():
                    return f"pay in {place}"
        return ""

    @staticmethod
    def _elliptic(request: str, gate: Gate) -> bool:
        """Too few words of its own to stand alone ("why?", "pay?" stands alone: it names a topic)."""
        return (
            len(content_words(request)) < tuning.ELLIPSIS_WORDS
            and not gate.distinctive_terms(request)
            and not any(t in gate.vocabulary for t in tokens(request))
        )

    def _bare(self, request: str, content: ContentModel) -> bool:
        """Asks nothing of its own ("Can you explain?"): no role, no rare term, no kind of career question."""
        if len(content_words(request)) > tuning.ELLIPSIS_WORDS or any(
            t in content.named_terms for t in tokens(request)
        ):
            return False
        if content.guide_names.mentioned(request):
            return False
        scores = content.facets.scores(self.embedder.encode_query(request))
        return max(scores.values()) < tuning.FACET_IN_SCOPE_AT

    @staticmethod
    def _hit_for(index: LoadedIndex, chunk_id: str) -> Hit:
        record = index.records[chunk_id]
        return Hit(chunk_id, record["title"], record["section"], record["text"], 0.0, 0.0, 0.0, 0.0)

    def _generate(self, name: str, context: Context) -> Generator[Event, None, tuple[str, str]]:
        """Streams the backend's answer. A model's answer is then verified against its sources; when
        the model fails, times out or states what the sources do not, the final answer is the
        extractive one with a note (text already streamed is superseded by the final Answer)."""
        pieces: list[str] = []
        try:
            for piece in self.backend(name).stream(context):
                pieces.append(piece)
                yield "delta", piece
        except BackendError as exc:
            if name == "extractive":
                raise
            log.warning("backend %s failed (%s); answering extractively", name, exc)
            return (yield from self._fallback(context, pieces, f"The {name} model was unavailable"))
        text = "".join(pieces).strip()
        if name == "extractive":
            return text, name
        if not text:
            log.warning("backend %s gave an empty answer; answering extractively", name)
            return (yield from self._fallback(context, pieces, f"The {name} model gave no answer"))
        quoted = quote(context)
        verdict = verify_answer(text, context, quoted, getattr(self.backend(name), "min_coverage", 0.0))
        if verdict.ok:
            return text, name
        log.warning(
            "backend %s answer rejected in %.2f ms (%s): %r", name, verdict.ms, "; ".join(verdict.problems), text[:300]
        )
        reason = (
            "left out what the sources say"
            if all(p.startswith("incomplete") for p in verdict.problems)
            else "stated things the sources do not"
        )
        return (yield from self._fallback(context, pieces, f"The {name} model's answer {reason}", quoted))

    def _fallback(
        self, context: Context, streamed: list[str], reason: str, text: str | None = None
    ) -> Generator[Event, None, tuple[str, str]]:
        text = quote(context) if text is None else text
        note = f"_({reason}, so this answer is quoted from the sources.)_"
        yield "delta", ("\n\n" if streamed else "") + f"{note}\n\n{text}"
        return f"{note}\n\n{text}", "extractive"

    @staticmethod
    def _statement_only(content: ContentModel, turn: Turn, profile: Profile) -> str:
        """The guide a message that asks nothing names, other than the user's own role's."""
        if not _told_only(turn):
            return ""
        if stated_facet(turn.message):  # "bls says the median is 150k so I expect that": a premise to check
            return ""
        if asked_figure(turn.message) or _ASKS_WITHOUT_MARK.search(turn.message):
            return ""  # "i want know how much data sciencist earn in USA pls": a question without its "?"
        own = _own_guides(content, profile)
        named = [g for g in content.guide_names.mentioned(turn.message) if g not in own]
        return named[0] if named else ""

    @staticmethod
    def _against_own(content: ContentModel, request: Request, turn: Turn, asked_together: list[str]) -> list[str]:
        """A comparison, or a follow-up to one, that names fewer than two roles: "how does the pay
        compare?" or "and growth?" after two roles were compared goes on with those two; "how does that compare to what I earn now?" puts the guide under
        discussion beside the user's own role's guide."""
        previous = request.previous.guides if request.previous else ()
        # "growth?", "which one needs more math?" after "data scientist vs software developer pay": a
        # request that names no role goes on with the two the user last asked about together, or with
        # the one whose guide has that kind of part ("which certs first?" when one guide has none)
        if (
            len(previous) == 2
            and not request.guides
            and not content.guide_names.mentioned(turn.message)
            and set(asked_together) == set(previous)
            and request.topic is None
        ):
            holders = _holders(content, request, previous)
            if len(holders) == 1:
                return holders
            if holders:
                return list(previous)
        # "and growth / number of jobs?" right after two roles were compared goes on with both
        goes_on_with_both = (request.topic is not None or bool(_AND_THEN.match(turn.request))) and len(previous) == 2
        if (request.intent != COMPARE and not goes_on_with_both) or len(request.guides) >= 2:
            return []
        # (after every role was ranked, "and which one is growing fastest?" is about them all, not the top two)
        if len(previous) >= 2 and all(g in previous for g in request.guides) and (request.guides or len(previous) == 2):
            return list(dict.fromkeys([*request.guides, *previous]))[:2]
        if request.intent != COMPARE:
            return []
        told = content.guide_names.mentioned(
            turn.message
        )  # "I'm a data scientist, considering MLOps. How do they differ?"
        if len(told) >= 2 and all(g in told for g in request.guides):
            return list(dict.fromkeys([*request.guides, *told]))[:2]
        own = _own_guides(content, request.profile)
        target = request.guides[0] if request.guides else request.guide
        if own and target == own[0] and request.guide != own[0]:
            target = request.guide  # "pay delta vs what i get now as a normal SWE?" while on MLOps
        if own and target and own[0] != target and _NOW.search(turn.request):
            return [target, own[0]]
        return []

    @staticmethod
    def _beside_own(content: ContentModel, request: Request) -> list[str]:
        """ "I've been a network admin 7 years, is security worth it money wise?": the pay or growth of the
        role they are heading for, beside their own role's, the baseline an advisor would give."""
        own = _own_guides(content, request.profile)
        target = request.guide  # the role they are heading for, from what they said; a role named is asked alone
        top = request.top_facet
        spoken_of = content.guide_names.mentioned(" ".join(request.profile.statements)) + list(
            request.previous.guides if request.previous else ()
        )
        if (
            own
            and target in spoken_of  # not the configured default, which they never spoke of
            and own[0] != target
            and not request.guides
            and request.intent in (FACT, FIT)
            and top in tuning.BESIDE_OWN_FACETS
            and request.facet_scores[top] >= tuning.COMPARE_FACET_AT
        ):
            return [target, own[0]]
        return []

    def _guide_of(
        self,
        content: ContentModel,
        turn: Turn,
        profile: Profile,
        topic: Topic | None,
        earlier: str = "",
        tailored: bool = False,
    ) -> str:
        """The guide a request that names none is about. The user's own job does not choose it (a data
        scientist asking about the switch asks about MLOps) unless they ask about "my current job";
        a role their message names otherwise is where they are heading ("if I later move toward
        MLOps, ..."); then the guide last quoted; else the configured default."""
        names = content.guide_names
        own = _own_guides(content, profile)
        if own and (_MY_JOB.search(turn.request) or (topic is None and _THAT_FIELD.search(turn.request))):
            return own[0]  # "i was a network admin ... is there still work in that field?"
        heading_for = [g for g in names.mentioned(turn.situation) if g not in own]
        if heading_for:
            return heading_for[-1]
        if topic is not None and topic.guide and topic.guide not in own:
            return topic.guide  # the role under discussion, over one the user mentioned turns ago
        # "what would be new to me?" after "I'm a data scientist thinking about MLOps" (said turns ago)
        told = [g for g in names.mentioned(" ".join(profile.statements)) if g not in own] if tailored else []
        if told:
            return told[-1]
        if topic is not None and topic.guide:
            return topic.guide
        if earlier:
            return earlier
        default = self.settings.default_guide.strip().lower()
        titles = content.guide_names.titles
        return next((t for t in titles if default and default in t.lower()), titles[0] if len(titles) == 1 else "")

    def _decline(self, decision: Decision, guide: str = "", message: str = "") -> str:
        """`guide`: the role the conversation is about; an aside is declined briefly, offering to go on with it.
        `message`: what the user wrote, which a thanks answers."""
        topics = self.topics()
        if decision.route is Route.SMALL_TALK:
            if decision.kind == "thanks":
                return replies.thanks(message, plural(role_name(guide)) if guide else "", topics)
            if decision.kind == "goodbye":
                return "Goodbye, and good luck with your career!"
            return (
                f"Hi! I'm Career Advisor. I answer questions about {topics} from my career guides, "
                "with the sources quoted: pay, what the job involves, skills, tools, certifications, "
                "portfolio projects, interviews and how to get started. What would you like to know?"
            )
        if decision.reason.startswith("about another occupation"):
            return f"{REFUSAL} I have no guide for that role; my guides cover {topics}."
        if guide:
            return (
                f"{REFUSAL} I can tell you more about {plural(role_name(guide))}: "
                "pay, outlook, skills, or how to get into the role."
            )
        return (
            f"{REFUSAL} I can only answer questions about {topics}: for example pay, "
            "skills, tools, certifications, interviews or how to get into the role."
        )

    def topics(self) -> str:
        """The roles the guides cover, the default guide's first ("MLOps engineers, data scientists")."""
        titles = sorted({r["title"] for r in self.index.records.values()})
        default = self.settings.default_guide.strip().lower()
        titles.sort(key=lambda t: not (default and default in t.lower()))
        names = [plural(role_name(t)) for t in titles]
        return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else (names[0] if names else "my guides")

    def starter_questions(self, n: int = 4) -> list[str]:
        """Section headings phrased as questions: the default guide's first, in document order, then the
        first question of each other guide, so the starters show the roles covered."""
        by_guide: dict[str, list[str]] = {}
        for record in sorted(self.index.records.values(), key=lambda r: (r["source"], r["position"])):
            head = record["section"].split(" > ")[0]
            questions = by_guide.setdefault(record["title"], [])
            if head.endswith("?") and head not in questions:
                questions.append(head)
        return starter_order(by_guide, self.settings.default_guide, n)

    def suggested_questions(self, n: int) -> list[str]:
        """The questions the chat offers first: its four starters, then the follow-up options that come
        after them (worth answering ahead of the first visitor)."""
        starters = self.starter_questions(4)
        return (starters + [q for q in self.starter_questions(1000) if q not in starters])[:n]

    def as_retriever(self, k: int = 4) -> AdvisorRetriever:
        """The hybrid search as a LangChain `BaseRetriever` over the live index (README, "LangChain")."""
        from advisor.core.langchain_retriever import AdvisorRetriever

        return AdvisorRetriever(search=self._search, live=lambda: self.index, k=k)
