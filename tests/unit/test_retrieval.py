"""Hybrid retrieval over an in-memory index (tests/fakes.py): fusion, keyword floor, typos."""

import pytest

from advisor.core.retrieval import TYPO_CUTOFF, HybridSearch
from tests.fakes import FakeEmbedder, build_index

pytestmark = pytest.mark.unit

GUIDE = """# Baker Career Guide

## What does a baker earn?

Bakers earn $30,000-$45,000 a year. Head bakers in hotels earn more.

## Which certifications help?

- Certified Journey Baker (CJB): the entry certification
- Certified Master Baker (CMB): for ten years of experience

## Which tools do bakers use?

- Deck ovens: stone floors for crusty loaves
- Spiral mixers: knead heavy dough
- Proofing cabinets: control rising

## What are the working hours?

Shifts start at 3 am. Weekends and holidays are busy.
"""


@pytest.fixture(scope="module")
def index():
    return build_index([GUIDE])


@pytest.fixture(scope="module")
def search():
    return HybridSearch(FakeEmbedder(), candidates=12, rrf_k=60)


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("What does a baker earn?", "What does a baker earn?"),
        ("which certifications are there", "Which certifications help?"),
        ("spiral mixers", "Which tools do bakers use?"),
        ("when do shifts start", "What are the working hours?"),
        ("CMB", "Which certifications help?"),  # an exact name: the keyword side finds it
    ],
)
def test_the_section_that_answers_ranks_first(index, search, question, section):
    hits = search.search(index, question, k=4)
    assert hits[0].section == section


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("certfications", "certification"),
        ("certificatons", "certification"),
        ("proofng", "proofing"),
        ("weekands", "weekend"),
        ("averag", None),  # nothing close with the same first letter
        ("ertification", None),  # first letter changed: not taken for a typo
    ],
)
def test_typos_map_to_the_vocabulary_word_with_the_same_first_letter(index, typo, word):
    assert index.spelled_as(typo) == word


def test_a_stricter_cutoff_rejects_what_the_default_accepts(index):
    assert index.spelled_as("weekands", TYPO_CUTOFF) == "weekend"
    assert index.spelled_as("weekands", 0.95) is None


def test_known_tokens_fix_typos_of_long_words_only(index):
    assert index.known_tokens("certfications for bakrs") == ["certification"]  # "bakrs": under 5 letters


def test_hits_carry_the_record_and_their_scores(index, search):
    hits = search.search(index, "What does a baker earn?", k=2)
    assert len(hits) == 2
    top = hits[0]
    assert top.title == "Baker Career Guide" and top.text.startswith("Bakers earn $30,000")
    assert top.score >= hits[1].score
    assert 0 < top.similarity <= 1 and 0 < top.unit_similarity <= 1 and top.keyword > 0


def test_k_caps_the_hits(index, search):
    assert len(search.search(index, "bakers", k=1)) == 1
    assert len(search.search(index, "bakers", k=10)) == len(index.ids) == 4


def test_a_question_with_no_known_words_has_no_keyword_scores(index, search):
    assert all(h.keyword == 0 for h in search.search(index, "zzz qqq", k=4))


def test_a_large_index_ranks_units_of_the_closest_chunks_with_the_same_scores(index, search, monkeypatch):
    import numpy as np

    from advisor.core import tuning

    vector = search.embedder.encode_query("which tools knead dough?")
    everything = search._unit_ranking(index, vector, len(index.ids), search._chunk_similarities(index, vector))
    assert list(everything) == sorted(everything, key=lambda c: -everything[c])
    monkeypatch.setattr(tuning, "UNIT_SEARCH_CHUNKS", 2)  # as if the index were large: two chunks read
    monkeypatch.setattr(tuning, "UNIT_SHORTLIST", 2)
    shortlist = search._unit_ranking(index, vector, len(index.ids), search._chunk_similarities(index, vector))
    assert len(shortlist) == 2
    assert all(np.isclose(score, everything[chunk]) for chunk, score in shortlist.items())
    assert list(shortlist) == sorted(shortlist, key=lambda c: -shortlist[c])
    hits = search.search(index, "which tools knead dough?", k=4, query_vector=vector)
    assert all(np.isclose(h.unit_similarity, everything[h.id], atol=1e-4) for h in hits)
