"""Likes and dislikes are stored durably in SQLite under the data folder."""

from __future__ import annotations

import threading

from advisor.ops.feedback import FeedbackStore


def test_feedback_survives_a_new_store_and_concurrent_writes(make_settings):
    settings = make_settings()
    store = FeedbackStore.for_settings(settings)
    assert store.path == settings.data_dir / "feedback.sqlite3"
    source = {"id": "a", "title": "Guide", "section": "Pay", "text": "Pay is $120k.", "score": 0.5}
    store.add("like", "mlops salary?", "Pay is $120k. [1]", [source], "extractive", True)
    threads = [threading.Thread(target=store.add, args=("dislike", f"q{i}", "a", [], "extractive")) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = FeedbackStore.for_settings(settings).all()
    assert len(rows) == 9
    first = rows[0]
    assert first["rating"] == "like" and first["question"] == "mlops salary?"
    assert first["sources"] == [source] and first["backend"] == "extractive" and first["grounded"] is True
    assert first["created_at"].endswith("+00:00")
    assert {r["rating"] for r in rows[1:]} == {"dislike"} and rows[1]["grounded"] is None
