"""Text helpers every keyword score and every answer unit rests on (advisor/core/text.py)."""

import math

import pytest

from advisor.core.text import (
    LIST_ITEM,
    LIST_LINE,
    block_heading,
    idf,
    is_list_item,
    normalize,
    split_blocks,
    split_units,
    stem,
    strip_markdown,
    tokens,
    words,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pay \u2013 range", "pay - range"),
        ("pay\u2014range", "pay-range"),
        ("engineer\u2019s", "engineer's"),
        ("a\x00b\x07c", "abc"),  # control characters dropped
        ("line\nnext\tcol", "line\nnext\tcol"),  # newlines and tabs kept
        ("\uff21\uff37\uff33", "AWS"),  # NFKC: full-width letters
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("pipelines", "pipeline"),
        ("certifications", "certification"),
        ("companies", "company"),
        ("classes", "class"),
        ("boxes", "box"),
        ("searches", "search"),
        ("dashes", "dash"),
        ("kubernetes", "kubernete"),  # the stemmer is crude, but the same on both sides of a match
        ("status", "status"),
        ("analysis", "analysis"),
        ("gpus", "gpus"),  # "-us" is kept (status, campus): GPUs is the price
        ("aws", "aws"),  # three letters or fewer: untouched
        ("k8s", "k8s"),  # not alphabetic: untouched
    ],
)
def test_stem(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CI/CD with C++ and C#", ["ci/cd", "with", "c++", "and", "c#"]),
        ("SOC code 15-1252.", ["soc", "code", "15-1252"]),
        ("scikit-learn, pandas", ["scikit-learn", "pandas"]),
        ("", []),
    ],
)
def test_words_keep_punctuation_inside_tokens(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What are the certifications?", ["certification"]),
        ("Tell me about CI/CD pipelines", ["ci/cd", "ci", "cd", "pipeline"]),
        ("How do I get a job?", ["job"]),
        ("a I x", []),  # stopwords and one-letter words
    ],
)
def test_tokens(text, expected):
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("line", "is_item"),
    [
        ("- Docker", True),
        ("* Docker", True),
        ("+ Docker", True),
        ("1. Docker", True),
        ("12) Docker", True),
        ("  - indented", True),
        ("-Docker", False),
        ("1.5 years", False),
        ("Docker - a tool", False),
    ],
)
def test_list_item_marker(line, is_item):
    assert bool(LIST_ITEM.match(line)) is is_item
    assert is_list_item(line) is is_item


def test_list_line_captures_item_text_per_line():
    assert LIST_LINE.findall("Intro.\n- Feast: open source\n2. Tecton: managed\n") == [
        "Feast: open source",
        "Tecton: managed",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold** and *em* and `code`", "bold and em and code"),
        ("[Feast](https://feast.dev) docs", "Feast docs"),
        ("snake_case_name stays", "snake_case_name stays"),
    ],
)
def test_strip_markdown(text, expected):
    assert strip_markdown(text) == expected


def test_split_blocks_groups_units_under_their_heading():
    text = "Intro one. Intro two.\n\n### Tools\n\n- Docker\n- Kubernetes\n\n### Pay\n\nIt pays well."
    assert split_blocks(text) == [
        ("", ["Intro one.", "Intro two."]),
        ("Tools", ["- Docker", "- Kubernetes"]),
        ("Pay", ["It pays well."]),
    ]
    assert split_units(text) == ["Intro one.", "Intro two.", "- Docker", "- Kubernetes", "It pays well."]


@pytest.mark.parametrize(
    ("sentence_text", "units"),
    [
        ("Pay is high. Hours are long.", ["Pay is high.", "Hours are long."]),
        ("It costs $300. 2025 was busy.", ["It costs $300.", "2025 was busy."]),
        ("e.g. this stays whole.", ["e.g. this stays whole."]),
    ],
)
def test_sentences_split_before_a_capital_or_digit(sentence_text, units):
    assert split_units(sentence_text) == units


@pytest.mark.parametrize(
    ("section", "heading", "expected"),
    [
        ("Skills", "Soft skills", "Soft skills"),
        ("Skills > Soft skills; Hard skills", "", "Soft skills"),
        ("Skills", "", "Skills"),
    ],
)
def test_block_heading(section, heading, expected):
    assert block_heading(section, heading) == expected


@pytest.mark.parametrize(
    ("documents", "containing", "expected"),
    [(9, 0, math.log(20)), (9, 9, math.log(10 / 9.5)), (0, 0, math.log(2))],
)
def test_idf_is_smoothed_and_positive(documents, containing, expected):
    assert idf(documents, containing) == pytest.approx(expected)
    assert idf(documents, containing) > 0


def test_the_country_every_figure_is_for_is_no_search_word():
    from advisor.core.text import tokens

    assert tokens("how many developers are there in the U.S.?") == ["developer"]
