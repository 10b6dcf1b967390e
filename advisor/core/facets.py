"""Facets every career guide has, after O*NET's content model (tasks, work context, knowledge and
education, skills, technology, wages and outlook) plus what job seekers ask of a guide (path, portfolio,
interviews, challenges, fit, sources).

A facet is described in plain words and by example questions written for ANY occupation, never in one
guide's wording. Guide parts are tagged with the nearest facet; questions get a score per facet. Both use
the bundled MiniLM, so a new guide or a paraphrased question needs no new rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from advisor.core import tuning
from advisor.core.embeddings import Embedder

if TYPE_CHECKING:
    from advisor.core.content import Part


@dataclass(frozen=True)
class Facet:
    name: str
    description: str
    examples: tuple[str, ...]


FACETS: tuple[Facet, ...] = (
    Facet(
        "pay",
        "salary, pay, compensation and earnings of the occupation; what decides the pay",
        (
            "how much do they earn",
            "what do they make",
            "what is the salary",
            "what does the job pay",
            "is it well paid",
            "what's the going rate",
            "top pay",
            "compensation range",
            "what decides pay",
            "who earns more",
            "which one pays more",
            "am I underpaid",
            "is that a decent salary",
            "is it worth it for the money",
            "what's the national median",
        ),
    ),
    Facet(
        "overview",
        "what the occupation is and what people in it do, in short",
        ("what is this job", "what do they do", "explain the role in plain terms", "what is it", "describe the job"),
    ),
    Facet(
        "duties",
        "core responsibilities, tasks and duties of the job",
        (
            "what are the main duties",
            "responsibilities of the role",
            "what tasks does the job involve",
            "what would I be responsible for",
            "job description duties",
        ),
    ),
    Facet(
        "day",
        "a typical working day: morning, afternoon, routine, incidents",
        ("what does a typical day look like", "what would I do all day", "daily routine", "day to day work"),
    ),
    Facet(
        "meetings",
        "meetings people in the role attend: standups, reviews, planning",
        ("what meetings do they attend", "how many meetings", "which meetings would I be in"),
    ),
    Facet(
        "comparison",
        "how the occupation differs from a neighbouring occupation",
        (
            "how is it different from the other role",
            "difference between the two jobs",
            "is it just the same as another job",
            "compared with a related role",
        ),
    ),
    Facet(
        "fit",
        "who the occupation suits; backgrounds that fit it well",
        (
            "is this job a good fit for me",
            "who is it for",
            "would it suit me",
            "should I do this job",
            "is it right for someone like me",
            "who is the role a good fit for",
            "what kinds of people does the job suit and who thrives in it",
        ),
    ),
    Facet(
        "path",
        "how to become one: steps, education, time it takes, where to start",
        (
            "how do I become one",
            "where do I start",
            "what are the steps",
            "how long does it take",
            "what should I learn first",
            "career path",
            "what degree do I need",
            "what should I study",
            "what education is needed",
            "entry requirements and qualifications",
            "do I need a degree or experience to get hired",
            "would getting a master's degree help",
        ),
    ),
    Facet(
        "tools",
        "tools, software and technology used on the job, by category",
        (
            "what tools do they use",
            "which software",
            "what technology stack",
            "which platforms",
            "which frameworks",
            "what do they use for",
        ),
    ),
    Facet(
        "skills",
        "technical skills and soft skills the job needs",
        (
            "what skills do I need",
            "which programming languages",
            "soft skills",
            "what should I be good at",
            "technical skills required",
        ),
    ),
    Facet(
        "certifications",
        "certifications worth getting, their exam prices and what they prove",
        (
            "which certifications are worth it",
            "what certs should I get",
            "how much does the exam cost",
            "cheapest certification",
            "is the certificate worth it",
        ),
    ),
    Facet(
        "portfolio",
        "portfolio projects to build and the metrics they should show",
        (
            "what projects should I build",
            "portfolio ideas",
            "what to put in my portfolio",
            "what metrics should my projects show",
        ),
    ),
    Facet(
        "success",
        "how performance in the role is measured",
        (
            "how is success measured",
            "how are they evaluated",
            "what makes them good at the job",
            "how do I judge if the hire is succeeding",
        ),
    ),
    Facet(
        "interviews",
        "interview questions by kind: system design, technical, coding",
        (
            "what do interviews ask",
            "interview questions",
            "how to prepare for the interview",
            "system design questions",
            "coding questions",
        ),
    ),
    Facet(
        "challenges",
        "the hardest parts, downsides and stress of the job",
        (
            "what are the biggest challenges",
            "what is the worst part",
            "downsides",
            "what are the drawbacks and cons",
            "what should someone be warned about before taking this job",
            "is it stressful",
            "what's hard about it",
            "on-call burden",
        ),
    ),
    Facet(
        "coping",
        "how experienced people deal with the challenges",
        (
            "how do people cope with it",
            "how do they handle the challenges",
            "how to deal with it",
            "what helps with the problems",
        ),
    ),
    Facet(
        "demand",
        "demand for the occupation, job security and who employs them",
        (
            "who hires them",
            "which companies employ them",
            "is there demand",
            "job security",
            "are these jobs in demand",
            "which industries",
            "where do they work",
        ),
    ),
    Facet(
        "locations",
        "where the jobs are: states, cities, regions",
        ("where are the jobs", "which states have the most jobs", "where would I live", "best places to work"),
    ),
    Facet(
        "outlook",
        "how many people the occupation employs now, its projected growth over the decade and job openings each year",
        (
            "how fast is the field growing",
            "is it a growing field",
            "job growth outlook",
            "what is the outlook",  # alone, "outlook" reads as the mail program (a tool) to the model
            "projected growth",
            "how many openings are there each year",
            "is the job market shrinking",
            "which is growing faster",
            "does this job have a future",
            "which one has a better future",
            "which has better long-term prospects",
            "is it a dying career",
            "is the job dying out",
            "what are the job prospects",
            "how many jobs are there",
            "how many people work in this job",
            "number of people employed",
            "how big is the occupation",
            "how many are employed in the US",
        ),
    ),
    Facet(
        "code",
        "the official occupation classification code and the job titles filed under it",
        (
            "what is the occupation code",
            "SOC code",
            "classification of the job",
            "which job titles does it cover",
            # "what other job titles should i search for on job boards" (guides2 tune)
            "other job titles to search for",
            "what else is this job called",
        ),
    ),
    Facet(
        "sources",
        "where the guide's figures come from and who wrote it",
        (
            "where do the figures come from",
            "what are the sources",
            "who wrote the guide",
            "is that number real",
            "what data is this based on",
        ),
    ),
    Facet(
        "related",
        "related study paths and neighbouring subjects",
        ("related fields of study", "what else could I study", "related careers"),
    ),
)
NAMES = tuple(f.name for f in FACETS)


# Where a guide without a facet keeps what it would say: the BLS-based guides have no "who hires them /
# job security" section; their growth section answers "and job security?" and their "where do they
# work" section "what industries hire them" (conv7 and guides2 tune sets).
# Likewise their duties and where-they-work sections (hours, on call) answer "what would my day look like?"
# about a role whose guide has no typical-day section (conv8 tune: a sysadmin's hours were answered with
# the MLOps engineer's morning).
# A guide without a "how is it different" section tells what the job is in its overview ("whats a dba do
# compared to a database architect?": the DBA guide's overview splits the two roles; faq9 tune).
STAND_INS = {
    "demand": ("outlook", "locations"),
    "day": ("duties", "overview", "locations"),
    "comparison": ("overview", "duties"),
}
# Where a guide without a facet's section mentions it inside another part: the BLS-based guides say
# what employers think of certification in their "how do you become" part (conv7 tune). Used to rank a
# guide's own parts, not to keep a conversation on a guide that lacks the facet (STAND_INS does that).
MENTIONED_IN = {"certifications": ("path",)}
ANSWERED_BY = {**STAND_INS, **MENTIONED_IN}


class FacetModel:
    """Light constructor; `load()` embeds the descriptions and examples once per Advisor."""

    def __init__(self, embedder: Embedder, facets: tuple[Facet, ...] = FACETS):
        self.embedder = embedder
        self.facets = facets
        self.dim = 384
        self._descriptions: np.ndarray | None = None
        self._examples: np.ndarray | None = None
        self._example_facet: np.ndarray | None = None

    def load(self) -> FacetModel:
        if self._descriptions is None:
            self._descriptions = self.embedder.encode([f.description for f in self.facets])
            examples = [(i, e) for i, f in enumerate(self.facets) for e in (f.description, *f.examples)]
            self._examples = self.embedder.encode([e for _, e in examples])
            self._example_facet = np.array([i for i, _ in examples])
            self.dim = int(self._descriptions.shape[1])
        return self

    def scores(self, vector: np.ndarray) -> dict[str, float]:
        """Per facet, the best similarity of a question to one of its examples."""
        self.load()
        assert self._examples is not None and self._example_facet is not None
        sims = self._examples @ vector
        best = np.full(len(self.facets), -1.0)
        np.maximum.at(best, self._example_facet, sims)
        return {f.name: float(s) for f, s in zip(self.facets, best)}

    def tag(self, part: Part, section_facet: str = "", heading: np.ndarray | None = None) -> str:
        """The facet a guide part is about: its heading (which names the subject) weighs most, then its
        first sentences (which say what the part holds). `heading`: the heading's vector without the
        role's name, when there is one."""
        self.load()
        assert self._descriptions is not None
        body = [u.vector for u in part.units[:3] if np.any(u.vector)]
        if heading is None:
            heading = part.heading_vector if part.heading_vector is not None else np.zeros(self.dim, dtype=np.float32)
        vector: np.ndarray = tuning.FACET_HEADING_WEIGHT * heading
        if body:
            vector = vector + (1 - tuning.FACET_HEADING_WEIGHT) * np.asarray(np.mean(body, axis=0), dtype=np.float32)
        by_name = self.scores(vector / max(float(np.linalg.norm(vector)), 1e-9))
        if section_facet:
            by_name[section_facet] += tuning.SECTION_FACET_BONUS
        return max(by_name, key=lambda name: by_name[name])
