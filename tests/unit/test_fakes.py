"""The fakes behave like the parts they stand in for, or unit tests built on them prove nothing."""

import numpy as np
import pytest

from advisor.core.embeddings import Embedder
from tests.fakes import FakeChromaClient, FakeEmbedder, build_index, fake_advisor, hashed_vector

pytestmark = pytest.mark.unit

GUIDE = """# Baker Career Guide

## What does a baker earn?

Bakers earn $30,000-$45,000 a year. Head bakers earn more.

## Which tools do bakers use?

- Ovens: deck ovens and convection ovens
- Mixers: spiral mixers knead dough
"""


def test_fake_embedder_has_the_real_interface_and_shape():
    embedder = FakeEmbedder()
    assert isinstance(embedder, Embedder)
    assert not embedder.loaded and embedder.load().loaded
    vectors = embedder.encode(["bakers earn money", "ovens and mixers"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert embedder.encode([]).shape == (0, 384)
    assert len(embedder.embed_query("ovens")) == 384 and len(embedder.embed_documents(["a b", "c d"])) == 2


@pytest.mark.parametrize(
    ("a", "b", "related"),
    [
        ("bakers earn money", "what do bakers earn", True),
        ("ovens and mixers", "which ovens", True),
        ("ovens and mixers", "salary of a pilot", False),
    ],
)
def test_fake_vectors_are_similar_when_texts_share_content_words(a, b, related):
    similarity = float(hashed_vector(a) @ hashed_vector(b))
    assert (similarity > 0.3) is related


def test_fake_vectors_are_deterministic_and_stopwords_give_zero():
    assert np.array_equal(hashed_vector("deck ovens"), hashed_vector("deck ovens"))
    assert not hashed_vector("what is the").any()


def test_encode_query_is_cached():
    embedder = FakeEmbedder()
    embedder.encode_query("ovens")
    embedder.encode_query("ovens")
    assert embedder.calls == 1


def test_encode_queries_encodes_what_is_missing_in_one_call_and_later_queries_hit_the_cache():
    embedder = FakeEmbedder()
    embedder.encode_query("ovens")
    embedder.batches = embedder.calls = 0
    embedder.encode_queries(["ovens", "mixers", "", "dough", "mixers"])
    assert (embedder.batches, embedder.calls) == (1, 2)  # "ovens" cached, "" skipped, "mixers" once
    assert np.array_equal(embedder.encode_query("dough"), hashed_vector("dough"))
    embedder.encode_queries(["dough", ""])
    assert (embedder.batches, embedder.calls) == (1, 2)


def test_a_plain_question_costs_one_model_call():
    advisor = fake_advisor([GUIDE])
    advisor.embedder.clear_cache()
    advisor.embedder.batches = 0
    answer = advisor.ask("What does a baker earn in a year?")
    assert answer.grounded and advisor.embedder.batches == 1


def test_build_index_gives_a_loaded_index_with_units_and_vocabulary():
    index = build_index([GUIDE])
    sections = sorted(r["section"] for r in index.records.values())
    assert sections == ["What does a baker earn?", "Which tools do bakers use?"]
    assert {r["title"] for r in index.records.values()} == {"Baker Career Guide"}
    assert "oven" in index.vocabulary and "baker" in index.vocabulary
    tools = next(i for i in index.ids if index.records[i]["section"].startswith("Which tools"))
    assert [u.text for u in index.units[tools]] == [
        "- Ovens: deck ovens and convection ovens",
        "- Mixers: spiral mixers knead dough",
    ]
    assert index.unit_matrix is not None and index.unit_matrix.shape[1] == 384


def test_build_index_version_ids_differ_by_content():
    assert build_index([GUIDE]).version.id != build_index([GUIDE + "\nMore.\n"]).version.id


def test_fake_collection_query_ranks_by_cosine_distance():
    client = FakeChromaClient()
    collection = client.create_collection("c")
    collection.upsert(ids=["x", "y"], documents=["x", "y"], metadatas=[{"a": 1}, {"a": 2}], embeddings=[[1, 0], [0, 1]])
    got = collection.query(query_embeddings=[[0.9, 0.1]], n_results=2, include=["distances"])
    assert got["ids"] == [["x", "y"]]
    assert got["distances"][0][0] < got["distances"][0][1]
    assert collection.get(ids=["y", "missing"], include=["embeddings"])["ids"] == ["y"]
    with pytest.raises(ValueError, match="None"):
        collection.upsert(ids=["z"], documents=["z"], metadatas=[{"a": None}], embeddings=[[1, 1]])
    with pytest.raises(ValueError, match="does not exist"):
        client.get_collection("nope")


def test_fake_advisor_answers_from_its_guides_and_refuses_the_rest():
    advisor = fake_advisor([GUIDE])
    answer = advisor.ask("What does a baker earn?")
    assert answer.grounded and answer.sources[0].section == "What does a baker earn?"
    assert "earn" in answer.answer and answer.answer.endswith("[1]")  # which sentence: the fake vectors decide
    refused = advisor.ask("How do I become a lawyer?")
    assert not refused.grounded and refused.sources == []
