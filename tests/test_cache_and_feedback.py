"""The answer cache and likes, in process: repeated questions are served from the cache (and still
logged and counted), a new index version never gets an old answer, invalid input is refused as
before; likes are taken only for answers this server gave, as like/dislike, rate-limited.
The same against real PostgreSQL and Redis servers and two app replicas: tests/test_shared_services.py."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.test_operations import scrape, value

QUESTION = "What does an MLOps engineer earn?"


@pytest.fixture
def app_for(make_settings, advisor):
    """Apps around the session's Advisor with private data folders; observers removed afterwards."""
    from advisor.web.server import create_app

    before = list(advisor.observers)
    apps = []

    def make(**overrides):
        app = create_app(make_settings(**overrides), advisor=advisor)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.index_watcher.stop()
    advisor.observers[:] = before


def test_repeated_questions_are_served_from_the_cache_and_still_logged(app_for):
    app = app_for()
    client = TestClient(app)
    first = client.post("/api/ask", json={"question": QUESTION}).json()
    again = client.post("/api/ask", json={"question": "  what does an MLOps engineer   earn "}).json()
    assert again["answer"] == first["answer"] and again["sources"] == first["sources"]
    assert again["timings_ms"]["retrieve"] == 0 and again["timings_ms"]["total"] < first["timings_ms"]["total"]
    assert again["answer_id"] == first["answer_id"]  # one id (one stored entry) per distinct answer
    chat = client.post("/api/chat", json={"question": QUESTION})
    assert chat.status_code == 200 and "event: delta" in chat.text and first["answer"][:40] in chat.text
    after = scrape(client)
    assert value(after, "advisor_answer_cache_total", result="miss") == 1
    assert value(after, "advisor_answer_cache_total", result="hit") == 2
    assert value(after, "advisor_answers_total") == 3  # hits are answers too
    assert [r.question for r in app.state.question_log.questions()] == [
        QUESTION,
        "what does an MLOps engineer earn",  # as asked (cleaned), not lower-cased as for the key
        QUESTION,
    ]
    # A different history is a different question; invalid input is refused exactly as without a cache.
    history = [
        {"role": "user", "content": "Which feature stores are mentioned?"},
        {"role": "assistant", "content": "Feast."},
    ]
    assert client.post("/api/ask", json={"question": QUESTION, "history": history}).status_code == 200
    assert value(scrape(client), "advisor_answer_cache_total", result="miss") == 2
    assert client.post("/api/ask", json={"question": "   "}).status_code == 400
    assert client.post("/api/ask", json={"question": QUESTION + " " + "x" * 3000}).status_code == 400
    assert client.post("/api/ask", json={"question": QUESTION, "backend": "nope"}).status_code == 400
    assert client.get("/readyz").json()["answer_cache"] == {"storage": "memory"}


class CountingAdvisor:
    """Stands in for the Advisor behind the answer cache: counts the answers it really computes."""

    def __init__(self, reply, delay: float = 0.0):
        from types import SimpleNamespace

        self.reply, self.delay = reply, delay
        self.settings = SimpleNamespace(max_question_chars=2000)
        self.backend_name = "extractive"
        self.index = SimpleNamespace(version=SimpleNamespace(id="v1"))
        self.observers, self.calls = [], 0

    def ask(self, question, history=None, backend=None):
        import time

        from advisor.core.observe import AnswerEvent, notify
        from advisor.core.schema import Answer

        self.calls += 1
        time.sleep(self.delay)
        answer = Answer(answer=self.reply(self, question), grounded=True, backend="extractive")
        notify(self.observers, AnswerEvent(question, answer, 0.8, "extractive", "answer", self.index.version.id))
        return answer


def test_a_new_index_version_never_gets_an_old_answer():
    from advisor.ops.answer_cache import AnswerCache, LocalStore

    fake = CountingAdvisor(lambda advisor, question: f"{advisor.index.version.id} answer")
    cache = AnswerCache(LocalStore(10, 60))
    cached = cache.wrap(fake)
    assert cached.ask("q?").answer == "v1 answer" and cached.ask("Q").answer == "v1 answer" and fake.calls == 1
    fake.index.version.id = "v2"  # ingest or rollback published another version
    assert cached.ask("q?").answer == "v2 answer" and fake.calls == 2
    assert cached.ask("q?", backend="local").answer == "v2 answer" and fake.calls == 3  # backend is in the key
    assert (cache.hits, cache.misses) == (1, 3)
    small = LocalStore(2, 60)
    for k in "abc":
        small.set(k, k)
    assert small.get("a") is None and small.get("c") == "c" and len(small) == 2  # bounded LRU


def test_likes_only_for_answers_this_server_gave(app_for):
    app = app_for(rate_limit_per_minute=3)
    client = TestClient(app)
    given = client.post("/api/ask", json={"question": QUESTION}).json()
    ok = client.post("/api/feedback", json={"answer_id": given["answer_id"], "rating": "dislike"})
    assert ok.status_code == 200 and ok.json()["stored"] is True
    row = app.state.feedback.all()[-1]
    assert row["rating"] == "dislike" and row["question"] == QUESTION and row["answer"] == given["answer"]
    assert row["sources"][0]["text"] == given["sources"][0]["text"]  # the server's answer, not the client's

    forged = client.post("/api/feedback", json={"answer_id": "made-up", "rating": "like"})
    assert forged.status_code == 404 and "no answer with that answer_id" in forged.json()["error"]
    for body in (
        {"answer_id": given["answer_id"], "rating": "love"},
        {"answer_id": given["answer_id"], "rating": "like", "question": "x" * 10},
        {"answer_id": "x" * 65, "rating": "like"},
    ):
        response = client.post("/api/feedback", json=body)
        assert response.status_code == 422, body
    assert client.post("/api/feedback", json={"answer_id": given["answer_id"], "rating": "like"}).status_code == 200
    limited = client.post("/api/feedback", json={"answer_id": given["answer_id"], "rating": "like"})
    assert limited.status_code == 429 and "Too many likes" in limited.json()["error"] and limited.headers["Retry-After"]
    samples = scrape(client)
    ratings = {dict(ls)["rating"] for (n, ls), _ in samples.items() if n == "advisor_feedback_total"}
    assert ratings == {"like", "dislike"}
    assert len(app.state.feedback.all()) == 2  # the forged id and the refused bodies stored nothing


def test_the_chat_like_button_refuses_messages_the_server_did_not_render(app_for, tmp_path):
    import gradio as gr

    from advisor.core.schema import Answer
    from advisor.ops.feedback import FeedbackStore
    from advisor.web.ui import AnswerMemory, _like, render_answer

    store = FeedbackStore(tmp_path / "f.sqlite3")
    memory = AnswerMemory()
    answer = Answer(answer="Pay is $120k. [1]", grounded=True, backend="extractive")
    content = render_answer(answer)
    memory.put(content, "pay?", answer)
    chat = [{"role": "user", "content": "pay?"}, {"role": "assistant", "content": content}]
    forged = [{"role": "user", "content": "pay?"}, {"role": "assistant", "content": "x" * 1_000_000}]

    def like(messages, liked, index=1):
        _like(memory, store, None, messages, gr.LikeData(None, {"index": index, "value": "", "liked": liked}), None)

    like(forged, True)
    like(chat, "spam")  # not a rating
    like(chat, True)
    like(chat, False)
    assert [(r["rating"], r["answer"]) for r in store.all()] == [("like", answer.answer), ("dislike", answer.answer)]


def test_a_question_asked_many_times_at_once_is_answered_once():
    """Concurrent misses on one key wait for the first answer (the cold-start stampede of FAQ traffic)."""
    import threading

    from advisor.ops.answer_cache import AnswerCache, LocalStore

    slow = CountingAdvisor(lambda advisor, question: f"about {question}", delay=0.3)
    cache = AnswerCache(LocalStore(10, 60))
    cached = cache.wrap(slow)
    answers: list[str] = []
    askers = [threading.Thread(target=lambda: answers.append(cached.ask("What is new?").answer)) for _ in range(8)]
    for t in askers:
        t.start()
    for t in askers:
        t.join(timeout=20)
    assert answers == ["about What is new?"] * 8 and slow.calls == 1
    assert cache.misses == 8 and cache.hits == 0  # each request counted once: none was in the cache on arrival
