"""Check that the MLOps engineer corpus page carries every fact of its seed
without copying the seed's prose."""

import re
from pathlib import Path

import pytest
from helpers import require_shared

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus" / "mlops-engineer.md"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "mlops-engineer-career-guide.txt"

# Longest run of consecutive seed words allowed verbatim in the corpus.
MAX_SHARED_RUN = 11

# Named entities from the seed that the corpus must mention.
ENTITIES = [
    # compensation / places
    "Levels.fyi",
    "FAANG",
    "California",
    "Washington",
    "New York",
    "Texas",
    # tools
    "Kubernetes",
    "Docker",
    "Terraform",
    "Pulumi",
    "Airflow",
    "Prefect",
    "Dagster",
    "MLflow",
    "Kubeflow",
    "Weights & Biases",
    "DVC",
    "Triton Inference Server",
    "TensorFlow Serving",
    "Seldon Core",
    "BentoML",
    "Feast",
    "Tecton",
    "dbt",
    "Prometheus",
    "Grafana",
    "Evidently AI",
    "Arize",
    "GitHub Actions",
    "Jenkins",
    "SageMaker",
    "Vertex AI",
    "Azure ML",
    "Python",
    "Go",
    "AWS",
    "GCP",
    "Azure",
    # certifications
    "AWS Machine Learning Specialty",
    "Google Professional Machine Learning Engineer",
    "Azure AI Engineer Associate",
    "Certified Kubernetes Administrator",
    "CKA",
    "AWS Solutions Architect Professional",
    "HashiCorp Terraform Associate",
    # attribution
    "Taylor Rupe",
]


def normalise(text: str) -> str:
    text = re.sub(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]", "-", text)
    return re.sub(r"\s+", " ", text)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.fixture(scope="module")
def seed() -> str:
    raw = require_shared(SEED).read_text(encoding="utf-8")
    # Drop the "- 1." style list markers of the key-takeaways block: they are
    # numbering, not facts.
    raw = re.sub(r"(?m)^-\s*\d+\.", "- ", raw)
    return normalise(raw)


@pytest.fixture(scope="module")
def corpus_raw() -> str:
    assert CORPUS.is_file(), f"corpus file missing: {CORPUS}"
    return CORPUS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(corpus_raw: str) -> str:
    return normalise(corpus_raw)


def _num(n: str) -> str:
    """Regex for a number that is not part of a longer number."""
    return r"(?<![\d,.])" + re.escape(n) + r"(?![\d]|,\d)"


def seed_figures(seed: str) -> dict[str, str]:
    """Map each figure found in the seed to a regex that must match the corpus."""
    figures: dict[str, str] = {}
    text = seed

    # SOC code (15-1252, optionally with a letter suffix such as 15-1252A)
    for m in re.finditer(r"SOC\s+(\d{2}-\d{4})([A-Z]?)", text):
        figures[f"SOC {m.group(1)}"] = r"SOC\s*" + re.escape(m.group(1))
        if m.group(2):
            figures[f"SOC {m.group(1)}{m.group(2)}"] = re.escape(m.group(1) + m.group(2))
    text = re.sub(r"SOC\s+\d{2}-\d{4}[A-Z]?", " ", text)

    # numeric ranges: 4-6, $120,000-$185,000
    range_re = r"\$?(\d[\d,]*\d|\d)\s*-\s*\$?(\d[\d,]*\d|\d)"
    for m in re.finditer(range_re, text):
        lo, hi = m.group(1), m.group(2)
        figures[f"{lo}-{hi}"] = r"\$?" + _num(lo) + r"\s*-\s*\$?" + re.escape(hi) + r"(?![\d]|,\d)"

    # money amounts: $395, $250,000+ (compare the number, keep the $)
    for m in re.finditer(r"\$(\d[\d,]*\d|\d)\+?", text):
        figures[m.group(0)] = r"\$" + re.escape(m.group(1)) + r"(?![\d]|,\d)"

    # counts and sizes: 100TB, 1M
    for m in re.finditer(r"(?<![\w$,.])(\d+(?:\.\d+)?)\s?(TB|GB|PB|MB|K|M|B)\b", text):
        figures[m.group(0)] = _num(m.group(1)) + r"\s?" + m.group(2) + r"\b"

    # years
    for m in re.finditer(r"(?<!\d)(19|20)\d{2}(?!\d)", text):
        figures[m.group(0)] = _num(m.group(0))

    # catch-all: any other number in the seed must appear as a number too
    for m in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", text):
        figures.setdefault(f"number {m.group(0)}", _num(m.group(0)))

    return figures


def test_front_matter(corpus_raw: str):
    m = re.match(r"---\n(.*?)\n---\n", corpus_raw, re.S)
    assert m, "corpus must start with YAML front matter delimited by ---"
    fields = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip().strip("\"'")
    for key in ("title", "source", "date"):
        assert fields.get(key), f"front matter lacks {key!r}: {fields}"
    assert fields["title"] == "MLOps Engineer Career Guide"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields["date"]), fields["date"]


def test_single_h1(corpus_raw: str):
    h1 = re.findall(r"(?m)^# .+$", corpus_raw)
    assert h1 == ["# MLOps Engineer Career Guide"], h1


def test_every_figure_carried(seed: str, corpus: str):
    figures = seed_figures(seed)
    assert figures, "no figures extracted from the seed"
    for expected in ("$120,000", "$250,000+", "$395", "4-6", "100TB", "1M", "2025"):
        assert expected in figures, f"extractor missed {expected}: {sorted(figures)}"
    missing = [f for f, rx in figures.items() if not re.search(rx, corpus, re.I)]
    assert not missing, f"figures from the seed missing in the corpus: {missing}"


def test_named_entities_carried(seed: str, corpus: str):
    not_in_seed = [e for e in ENTITIES if e.lower() not in seed.lower()]
    assert not not_in_seed, f"entity list out of date with the seed: {not_in_seed}"
    missing = [e for e in ENTITIES if not re.search(r"(?<!\w)" + re.escape(e) + r"(?!\w)", corpus)]
    assert not missing, f"named entities missing in the corpus: {missing}"


def test_no_copied_prose(seed: str, corpus: str):
    n = MAX_SHARED_RUN + 1
    seed_words = words(seed)
    seed_ngrams = {tuple(seed_words[i : i + n]) for i in range(len(seed_words) - n + 1)}
    corpus_words = words(corpus)
    runs = []
    i = 0
    while i <= len(corpus_words) - n:
        if tuple(corpus_words[i : i + n]) in seed_ngrams:
            j = i + n
            while j < len(corpus_words) and tuple(corpus_words[j - n + 1 : j + 1]) in seed_ngrams:
                j += 1
            runs.append(" ".join(corpus_words[i:j]))
            i = j
        else:
            i += 1
    assert not runs, f"corpus copies {len(runs)} run(s) of {n}+ words from the seed:\n" + "\n".join(
        f"  - {r}" for r in runs
    )
