"""The career content model: every guide cut into heading parts (a section or subsection with its
sentences and list items), each tagged with the facet it is about (pay, duties, path steps, ...).

Answers are composed from parts, not from raw chunks: a question about "the main duties" needs the
whole duties list, in order, with the sub-headings that group its items. Facets come from how similar
a part's heading and text are to facet descriptions (advisor/core/facets.py), never from one guide's
wording, so a second guide is modelled the same way. Built once per index version, when it is opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from advisor.core.embeddings import Embedder
from advisor.core.facets import FACETS, FacetModel
from advisor.core.guides import GuideNames
from advisor.core.retrieval import LoadedIndex
from advisor.core.text import is_list_item, split_blocks, strip_markdown, tokens

_SUBLEAD = re.compile(r"^[^.!?]{3,80}:$")  # "Cloud ML certifications:" groups the items after it
# A capitalised word or acronym that does not start a sentence or list item: a product, place or body.
_NAMED = re.compile(r"(?<=[\w,;:(/] )[A-Z][\w+#./-]*[\w+#]|(?<=[\w,;:(/] )[A-Z]{2,}")
_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?")


@dataclass(eq=False)  # identity: units are compared by being the same unit
class Unit:
    text: str  # as written in the guide (Markdown)
    vector: np.ndarray
    terms: frozenset[str]
    sublead: bool = False  # "Cloud ML certifications:": groups the items after it (set by build_content)

    @property
    def plain(self) -> str:
        return strip_markdown(self.text).strip()

    @property
    def is_item(self) -> bool:
        return is_list_item(self.text)

    @cached_property
    def lead_terms(self) -> frozenset[str]:
        """Words of an item's subject: before its colon or first parenthesis ("MLflow", "CKA")."""
        head = re.split(r"[:(\u2013]| - ", self.plain.lstrip("-*+ "), maxsplit=1)[0]
        return frozenset(tokens(head)) if len(head) < 80 else frozenset()

    @property
    def is_sublead(self) -> bool:
        return self.sublead

    @property
    def price(self) -> float | None:
        m = _MONEY.search(self.text)
        if not m:
            return None
        value = float(m.group(1).replace(",", ""))
        return value * {"k": 1e3, "m": 1e6}.get((m.group(2) or "").lower(), 1)


@dataclass(eq=False)
class Part:
    """One heading block of one guide."""

    guide: str  # the guide's title
    heading: str  # "How do you become an MLOps engineer? > Step 1: Build a software engineering foundation"
    chunk_id: str  # the chunk that holds it: what an [n] marker cites
    order: int  # reading order within the whole knowledge base
    units: list[Unit]
    facet: str = ""
    heading_vector: np.ndarray | None = None
    terms: frozenset[str] = frozenset()

    @property
    def top(self) -> str:
        return self.heading.split(" > ")[0]

    @property
    def sub(self) -> str:
        parts = self.heading.split(" > ")
        return parts[1] if len(parts) > 1 else ""

    @cached_property
    def sub_tokens(self) -> frozenset[str]:
        return frozenset(tokens(self.sub))

    @cached_property
    def sub_terms(self) -> frozenset[str]:
        """The words of the sub-heading that the top heading does not have ("cloud" in "Step 2 > Learn cloud")."""
        return self.sub_tokens - frozenset(tokens(self.top))

    @property
    def items(self) -> list[Unit]:
        return [u for u in self.units if u.is_item]

    @property
    def is_list(self) -> bool:
        return len(self.items) >= 2


@dataclass
class ContentModel:
    parts: list[Part]
    facets: FacetModel
    by_chunk: dict[str, list[Part]] = field(default_factory=dict)
    named_terms: frozenset[str] = frozenset()  # words the guides write with a capital mid-sentence
    # ...that they also write in lower case as an ordinary word ("Go" the language, "go" the verb): a
    # request names the thing only when it writes the capital too
    common_names: frozenset[str] = frozenset()
    # the words the guides write in lower case somewhere, as tokens ("change", "number"; not "feast")
    lower_terms: frozenset[str] = frozenset()
    guide_names: GuideNames = field(default_factory=lambda: GuideNames([]))

    def __post_init__(self) -> None:
        # each guide's parts, in reading order: a request looks at one or two guides, and a scan of every
        # part grew with the number of guides (issue #13)
        self._by_guide: dict[str, list[Part]] = {}
        for p in self.parts:
            self._by_guide.setdefault(p.guide, []).append(p)

    def guides(self) -> list[str]:
        return sorted(self._by_guide)

    def parts_of(self, *guides: str) -> list[Part]:
        """The parts of these guides, in the knowledge base's order."""
        if len(guides) == 1:
            return list(self._by_guide.get(guides[0], []))
        wanted = set(guides)
        return [p for p in self.parts if p.guide in wanted]

    def in_section(self, part: Part) -> list[Part]:
        """Every part under the same top-level heading of the same guide, in reading order."""
        return [p for p in self._by_guide.get(part.guide, []) if p.top == part.top]

    def of_facet(self, facet: str, guide: str | None = None) -> list[Part]:
        parts = self.parts if guide is None else self._by_guide.get(guide, [])
        return [p for p in parts if p.facet == facet]


def _encode_once(embedder: Embedder, texts: list[str], dim: int) -> np.ndarray:
    """Vectors for texts, each distinct text encoded once: guides built on one template share most of
    their headings once the role's name is left out."""
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    distinct = list(dict.fromkeys(texts))
    vectors = embedder.encode(distinct)
    row = {text: n for n, text in enumerate(distinct)}
    return np.asarray(vectors[[row[t] for t in texts]], dtype=np.float32)


def build_content(index: LoadedIndex, embedder: Embedder, facets: FacetModel | None = None) -> ContentModel:  # noqa: C901 - one pass over the chunks
    """Parts from a loaded index (chunks in reading order, their unit vectors), tagged with facets."""
    facets = facets or FacetModel(embedder).load()
    records = sorted(index.records.items(), key=lambda kv: (kv[1]["source"], kv[1]["position"]))
    parts: list[Part] = []
    for chunk_id, record in records:
        vectors = index.unit_vectors.get(chunk_id)
        section_parts = record["section"].split(" > ")
        top = section_parts[0]
        first_sub = section_parts[1].split("; ")[0] if len(section_parts) > 1 else ""
        position = 0
        for n, (heading, texts) in enumerate(split_blocks(record["text"])):
            sub = heading or (first_sub if n == 0 else "")
            units = []
            for text in texts:
                vector = (
                    vectors[position]
                    if vectors is not None and position < len(vectors)
                    else np.zeros(facets.dim, dtype=np.float32)
                )
                units.append(Unit(text, vector, frozenset(tokens(text))))
                position += 1
            full = f"{top} > {sub}" if sub else top
            if parts and parts[-1].heading == full and parts[-1].guide == record["title"]:
                # a part split across two chunks stays one part; the chunks' overlap is not read twice
                seen = {u.text for u in parts[-1].units}
                parts[-1].units.extend(u for u in units if u.text not in seen)
                continue
            parts.append(Part(record["title"], full, chunk_id, len(parts), units))
    headings = [f"{p.guide.removesuffix(' Career Guide')}: {p.heading.replace(' > ', ': ')}" for p in parts]
    heading_vectors = _encode_once(embedder, headings, facets.dim)
    names = GuideNames(
        [(r["title"], f"{r['section']} {r['text']}") for r in index.records.values()],
        {r["title"]: r["also_called"] for r in index.records.values() if r.get("also_called")},
    )
    # a facet is read from the heading without the role's name: "information security" is not job security
    plain = [names.without_role_words(p.heading.replace(" > ", ": ")) for p in parts]
    plain_vectors = _encode_once(embedder, plain, facets.dim)
    intro_of: dict[tuple[str, str], Part] = {}
    for part in parts:
        if not part.sub:
            intro_of.setdefault((part.guide, part.top), part)
    for part, vector, plain_vector in zip(parts, heading_vectors, plain_vectors):
        for n, unit in enumerate(part.units):
            # a short label after the part's lead (or after items) heads a group of items; the first
            # colon line of a part is its lead ("The core responsibilities are:")
            unit.sublead = (
                not unit.is_item and n > 0 and bool(_SUBLEAD.match(unit.plain)) and len(unit.plain.split()) <= 6
            )
        part.heading_vector = vector
        part.terms = frozenset(tokens(part.heading)).union(*(u.terms for u in part.units))
        intro = intro_of.get((part.guide, part.top))
        part.facet = facets.tag(part, intro.facet if intro is not None and intro is not part else "", plain_vector)
    named: set[str] = set()
    lower: set[str] = set()
    for part in parts:
        for unit in part.units:
            for m in _NAMED.finditer(unit.plain):
                named.update(tokens(m.group(0)))
            lower.update(re.findall(r"\b[a-z][a-z+#]*\b", unit.plain))
    model = ContentModel(
        parts,
        facets,
        named_terms=frozenset(named),
        common_names=frozenset(named & lower),
        lower_terms=frozenset(t for w in lower for t in tokens(w)),
        guide_names=names,
    )
    for part in parts:
        model.by_chunk.setdefault(part.chunk_id, []).append(part)
    return model


__all__ = ["FACETS", "ContentModel", "Part", "Unit", "build_content"]
