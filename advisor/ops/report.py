"""`advisor report`: what to write next (knowledge gaps) and whether questions drift away from the
knowledge base, from the question log (advisor/ops/question_log.py) and the feedback store, in the
shared database (ADVISOR_DATABASE_URL) or the data folder's SQLite files.

Knowledge gaps: questions that were not grounded (refused as out of scope; greetings and thanks are
left out) or whose answer got a thumbs-down, grouped by meaning with the bundled embedding model:
greedy clustering, most frequent question first, each joining the group of the most similar wording
already placed when that is at least `threshold` (cosine, default 0.8) similar, else starting a group. Groups are listed by how often they were asked.

Drift: per day, the questions asked, the share answered from the sources, and the mean best
similarity of a question to the knowledge base. A falling mean means users ask about things the
guides do not cover (or cover in other words); the last 7 days are compared with the days before.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from advisor.ops.feedback import FeedbackStore
from advisor.ops.question_log import QuestionLog

FEEDBACK_FILE = "feedback.sqlite3"
RECENT_DAYS = 7
DRIFT_WARNING = 0.05


@dataclass
class Gap:
    question: str  # the group's most frequent question
    count: int  # times asked (not grounded) or disliked, whole group
    not_grounded: int
    disliked: int
    similar: list[str] = field(default_factory=list)  # other wordings in the group, most frequent first


@dataclass
class Day:
    day: str
    questions: int
    grounded: float  # share answered from the sources
    mean_similarity: float


@dataclass
class Report:
    days: int
    questions: int
    gaps: list[Gap]
    drift: list[Day]
    recent_similarity: float | None = None
    earlier_similarity: float | None = None

    @property
    def drift_change(self) -> float | None:
        if self.recent_similarity is None or self.earlier_similarity is None:
            return None
        return round(self.recent_similarity - self.earlier_similarity, 4)

    def to_dict(self) -> dict:
        return {**asdict(self), "drift_change": self.drift_change}


def _key(question: str) -> str:
    return " ".join(re.sub(r"[^\w\s$%+#.-]", " ", question.lower()).replace("?", " ").split()).strip(" .")


def disliked_questions(settings, data_dir: Path | None, days: int) -> list[str]:
    """Questions whose answer got a thumbs-down in the last `days` days: from the shared database
    (ADVISOR_DATABASE_URL) when `data_dir` is None, else from that folder's SQLite file if it has one."""
    if data_dir is not None and not (Path(data_dir) / FEEDBACK_FILE).exists():
        return []
    return FeedbackStore.for_settings(settings, data_dir).disliked_questions(days)


def cluster(items: list[tuple[str, int, int]], encode, threshold: float = 0.8) -> list[Gap]:
    """`items`: (question, not_grounded, disliked) per distinct wording. Greedy, most frequent first."""
    items = sorted(items, key=lambda i: (-(i[1] + i[2]), i[0]))
    if not items:
        return []
    vectors = np.asarray(encode([q for q, _, _ in items]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-9)
    member_of: list[int] = []  # group of each item placed so far (items 0..i-1)
    groups: list[Gap] = []
    for i, (question, refused, disliked) in enumerate(items):
        if i:
            sims = vectors[:i] @ vectors[i]
            best = int(np.argmax(sims))
            if sims[best] >= threshold:  # close to any wording already in a group: join it
                gap = groups[member_of[best]]
                gap.count += refused + disliked
                gap.not_grounded += refused
                gap.disliked += disliked
                gap.similar.append(question)
                member_of.append(member_of[best])
                continue
        member_of.append(len(groups))
        groups.append(Gap(question, refused + disliked, refused, disliked))
    return sorted(groups, key=lambda g: -g.count)


def build_report(
    settings,
    data_dirs: list[Path] | None = None,
    days: int | None = None,
    threshold: float = 0.8,
    top: int = 10,
    encode=None,
) -> Report:
    # With ADVISOR_DATABASE_URL every replica writes one database: read it once. Otherwise (or when
    # folders are named: SQLite files copied off several machines) read each data folder's files.
    sources: list[Path | None] = [Path(d) for d in data_dirs] if data_dirs else [None]
    if sources == [None] and not settings.database_url:
        sources = [Path(settings.data_dir)]
    days = settings.question_log_days if days is None else days
    rows = []
    disliked: list[str] = []
    for data_dir in sources:
        qlog = QuestionLog.for_settings(settings, data_dir)  # opening it enforces the retention period
        rows += [r for r in qlog.questions(days) if r.route != "small_talk"]
        disliked += disliked_questions(settings, data_dir, days)

    wordings: dict[str, Counter] = defaultdict(Counter)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if not r.grounded:
            wordings[_key(r.question)][r.question] += 1
            counts[_key(r.question)][0] += 1
    for q in disliked:
        wordings[_key(q)][q] += 1
        counts[_key(q)][1] += 1
    items = [(wordings[k].most_common(1)[0][0], n[0], n[1]) for k, n in counts.items() if k]
    if items and encode is None:
        from advisor.core.embeddings import Embedder

        encode = Embedder().load().encode
    gaps = cluster(items, encode, threshold)[:top] if items else []

    by_day: dict[str, list] = defaultdict(list)
    for r in rows:
        by_day[r.asked_at[:10]].append(r)
    drift = [
        Day(
            day,
            len(rs),
            round(sum(r.grounded for r in rs) / len(rs), 3),
            round(sum(r.similarity for r in rs) / len(rs), 4),
        )
        for day, rs in sorted(by_day.items())
    ]
    since = (datetime.now(UTC) - timedelta(days=RECENT_DAYS)).isoformat(timespec="seconds")
    recent = [r.similarity for r in rows if r.asked_at >= since]
    earlier = [r.similarity for r in rows if r.asked_at < since]
    return Report(
        days,
        len(rows),
        gaps,
        drift,
        round(sum(recent) / len(recent), 4) if recent else None,
        round(sum(earlier) / len(earlier), 4) if earlier else None,
    )


def format_report(report: Report) -> str:
    out = [
        f"Knowledge gaps, last {report.days} days ({report.questions} questions logged): "
        "questions not answered from the sources or disliked, grouped by meaning"
    ]
    if not report.gaps:
        out.append("  none: every logged question was answered from the sources and none was disliked.")
    else:
        out.append(f"  {'asked':>5} {'refused':>7} {'disliked':>8}  question")
        for gap in report.gaps:
            out.append(f"  {gap.count:>5} {gap.not_grounded:>7} {gap.disliked:>8}  {gap.question}")
            for other in gap.similar[:3]:
                out.append(f"  {'':>22}    ~ {other}")
            if len(gap.similar) > 3:
                out.append(f"  {'':>22}    ~ ... and {len(gap.similar) - 3} more wordings")
    out += ["", "Drift: mean best similarity of questions to the knowledge base, per day (UTC)"]
    if not report.drift:
        out.append("  no questions logged yet.")
    else:
        out.append(f"  {'day':10} {'questions':>9} {'grounded':>9} {'similarity':>10}")
        for day in report.drift:
            out.append(f"  {day.day:10} {day.questions:>9} {day.grounded:>9.0%} {day.mean_similarity:>10.3f}")
        change = report.drift_change
        if change is not None:
            flag = "  <- questions are moving away from the guides" if change <= -DRIFT_WARNING else ""
            out.append(
                f"  last {RECENT_DAYS} days {report.recent_similarity:.3f} vs before "
                f"{report.earlier_similarity:.3f}: {change:+.3f}{flag}"
            )
    return "\n".join(out)
