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


# --- Occupation guides built from BLS and O*NET facts -------------------------------------------
#
# Each guide's figures live in a facts table (tests/facts/guide_facts.csv: guide, fact, figure, year,
# source_url, checked_in). The table sits in tests/ rather than corpus/ so that `advisor ingest`
# does not index it or warn about a file type it cannot read. The source prose is not committed.

FACTS_CSV = REPO / "tests" / "facts" / "guide_facts.csv"
MLOPS = CORPUS

# Front matter every fact-based guide carries, so a reader (and the advisor) can see where and
# when each figure was published.
GUIDE_FIELDS = (
    "title",
    "source",
    "source_url",
    "onet_url",
    "date",
    "occupation_code",
    "median_pay",
    "employment",
    "growth",
    "openings",
    "entry_education",
)

# Which facts each front-matter field summarises (a fact's name starts with the field's stem).
FIELD_FACTS = {
    "median_pay": "median_pay",
    "employment": "employment",
    "growth": "growth",
    "openings": "openings",
}

# Lines of a guide, 80-200 each: long enough to answer the usual questions, short enough to review.
GUIDE_LINES = (80, 200)


def load_facts() -> dict[str, list[dict]]:
    import csv

    with FACTS_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_guide: dict[str, list[dict]] = {}
    for row in rows:
        by_guide.setdefault(row["guide"], []).append(row)
    return by_guide


FACTS = load_facts() if FACTS_CSV.is_file() else {}
GUIDES = sorted(FACTS)


def front_matter(raw: str) -> dict[str, str]:
    m = re.match(r"---\n(.*?)\n---\n", raw, re.S)
    assert m, "guide must start with YAML front matter delimited by ---"
    fields = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip().strip("\"'")
    return fields


def body(raw: str) -> str:
    """The guide without front matter, dashes unified, line breaks kept (sections need them)."""
    text = re.sub(r"\A---\n.*?\n---\n", "", raw, flags=re.S)
    return re.sub(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]", "-", text)


def figure_rx(figure: str) -> str:
    """A figure as written in the facts table, not inside a longer number ("4 percent" is not
    "34 percent" or "4.2 percent")."""
    parts = [re.escape(p) for p in figure.split()]
    return r"(?<![\d.,])" + r"\s+".join(parts) + r"(?![\d]|[.,]\d)"


def units(text: str) -> list[str]:
    """Sentences and list lines: the places where a figure and its year must sit together."""
    out = []
    for line in text.splitlines():
        out.extend(re.split(r"(?<=[.!?;])\s+(?=[A-Z$])", line))
    return out


def year_tokens(year: str) -> list[str]:
    return re.findall(r"\d{4}(?:-\d{2,4})?", year)


def section(text: str, heading: str) -> str:
    m = re.search(r"(?m)^## " + re.escape(heading) + r"\n(.*?)(?=^## |\Z)", text, re.S)
    return m.group(1) if m else ""


def mlops_figures() -> set[str]:
    """Money figures and the pay source of the MLOps guide, which no other guide may carry."""
    text = MLOPS.read_text(encoding="utf-8")
    money = set(re.findall(r"\$\d[\d,]*", text))
    return money | {"Levels.fyi", "4-6 years"}


def test_facts_table_covers_the_guides():
    assert FACTS, f"facts table missing or empty: {FACTS_CSV}"
    for guide in ("data-scientist.md", "software-developer.md", "database-administrator.md"):
        assert guide in FACTS, f"{guide} has no facts"
    for guide, rows in FACTS.items():
        names = {r["fact"] for r in rows}
        for needed in ("median_pay", "employment", "growth", "openings_per_year", "entry_education"):
            assert any(n == needed or n.startswith(needed + "_") for n in names), f"{guide}: no {needed}"
        for r in rows:
            assert r["source_url"].startswith("https://www.bls.gov/ooh/") or r["source_url"].startswith(
                "https://www.onetonline.org/"
            ), r
            assert r["checked_in"].strip(), f"{guide} {r['fact']}: say where the figure was read"
            if r["fact"] != "occupation_code" and not r["fact"].startswith("occupation_code"):
                assert r["year"].strip(), f"{guide} {r['fact']}: a figure needs its year"


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_front_matter(guide: str):
    raw = (REPO / "corpus" / guide).read_text(encoding="utf-8")
    fields = front_matter(raw)
    missing = [k for k in GUIDE_FIELDS if not fields.get(k)]
    assert not missing, f"{guide} front matter lacks {missing}"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields["date"]), fields["date"]
    assert fields["source_url"].startswith("https://www.bls.gov/ooh/"), fields["source_url"]
    assert fields["onet_url"].startswith("https://www.onetonline.org/"), fields["onet_url"]
    h1 = re.findall(r"(?m)^# .+$", raw)
    assert h1 == [f"# {fields['title']}"], h1
    rows = FACTS[guide]
    for r in rows:
        if r["fact"].startswith("occupation_code"):
            assert r["figure"] in fields["occupation_code"], (guide, r["figure"], fields["occupation_code"])
    # Every summary field names one of the guide's figures for it, with that figure's year.
    for field, stem in FIELD_FACTS.items():
        value = fields[field]
        candidates = [r for r in rows if r["fact"] == stem or r["fact"].startswith(stem)]
        assert candidates, f"{guide}: no facts for front matter field {field}"
        ok = [
            r
            for r in candidates
            if re.search(r"(?<![\d.,])" + re.escape(re.search(r"[\d][\d,.]*", r["figure"]).group(0)), value)
            and all(t.split("-")[0] in value for t in year_tokens(r["year"]))
        ]
        assert ok, f"{guide}: front matter {field}={value!r} matches none of {[r['figure'] for r in candidates]}"


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_figures_carry_their_year(guide: str):
    raw = (REPO / "corpus" / guide).read_text(encoding="utf-8")
    text = body(raw)
    sources = section(text, "Where do these figures come from?")
    assert sources, f"{guide}: no 'Where do these figures come from?' section"
    assert FACTS[guide][0]["source_url"].split("#")[0] in sources or "bls.gov" in sources
    problems = []
    for r in FACTS[guide]:
        rx = figure_rx(r["figure"])
        if not re.search(rx, text, re.I):
            problems.append(f"{r['fact']}: {r['figure']!r} not in the guide")
            continue
        year = r["year"].strip()
        if not year:
            continue
        if year.endswith("edition"):
            # Qualitative facts (education, experience) are dated by the edition the sources name.
            if not (re.search(rx, sources, re.I) and year in sources):
                problems.append(f"{r['fact']}: {r['figure']!r} not listed with the {year} in the sources section")
            continue
        # Wherever the figure is stated, its year is in the same sentence or list line.
        bare = [u for u in units(text) if re.search(rx, u, re.I) and year not in u]
        if bare:
            problems.append(f"{r['fact']}: {r['figure']!r} stated without {year!r} in: {bare}")
        if not re.search(rx, sources, re.I):
            problems.append(f"{r['fact']}: {r['figure']!r} missing from the sources section")
    assert not problems, f"{guide}:\n" + "\n".join(problems)


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_length_and_headings(guide: str):
    raw = (REPO / "corpus" / guide).read_text(encoding="utf-8")
    lines = raw.count("\n")
    assert GUIDE_LINES[0] <= lines <= GUIDE_LINES[1], f"{guide}: {lines} lines"
    headings = re.findall(r"(?m)^## (.+)$", raw)
    assert any(h.startswith("How much do") for h in headings), headings
    assert "How fast is the field growing?" in headings, headings
    assert headings[-1] == "Where do these figures come from?", headings


@pytest.mark.parametrize("guide", GUIDES)
def test_no_mlops_figure_in_guide(guide: str):
    text = body((REPO / "corpus" / guide).read_text(encoding="utf-8"))
    leaked = [f for f in mlops_figures() if re.search(re.escape(f) + r"(?![\d]|,\d)", text)]
    assert not leaked, f"{guide} carries MLOps guide figures: {leaked}"


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_figures_not_in_mlops_guide(guide: str):
    mlops = normalise(MLOPS.read_text(encoding="utf-8"))
    leaked = [
        r["figure"] for r in FACTS[guide] if r["figure"].startswith("$") and re.search(figure_rx(r["figure"]), mlops)
    ]
    assert not leaked, f"MLOps guide carries {guide} figures: {leaked}"


def _mixes(figure: str, text: str) -> bool:
    """Is `figure` stated in `text`? A growth rate counts only with the same direction: a guide
    that says "decline 4 percent" does not carry another guide's "grow 4 percent"."""
    rx = figure_rx(figure)
    declining = "decline" in figure
    return any(re.search(rx, u, re.I) and (declining or "decline" not in u) for u in units(text))


PAIRS = [(a, b) for a in GUIDES for b in GUIDES if a != b]


@pytest.mark.parametrize("guide,other", PAIRS, ids=[f"{a[:-3]}<-{b[:-3]}" for a, b in PAIRS])
def test_no_figure_from_another_guide(guide: str, other: str):
    """Pay and growth (and every other number) of one occupation never appear in another's guide."""
    text = body((REPO / "corpus" / guide).read_text(encoding="utf-8"))
    own = {r["figure"] for r in FACTS[guide]}
    leaked = [
        f"{r['fact']}={r['figure']}"
        for r in FACTS[other]
        if re.search(r"\d", r["figure"])
        and not r["fact"].startswith("occupation_code")
        and r["figure"] not in own
        and _mixes(r["figure"], text)
    ]
    assert not leaked, f"{guide} states {other} figures: {leaked}"
