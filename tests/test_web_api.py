"""The HTTP API against the real server over real HTTP: the Answer contract, SSE streaming,
validation (always a 4xx with a message, never a 500 or a trace), health and docs."""

from __future__ import annotations

import json

import httpx
import pytest
from live_server import live_server

ANSWER_KEYS = {"answer", "grounded", "backend", "sources", "timings_ms"}
SOURCE_KEYS = {"id", "title", "section", "text", "score"}
QUESTION = "What does an MLOps engineer earn?"


@pytest.fixture(scope="module")
def server(settings, advisor):
    return live_server(settings, advisor)


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def read_sse(response: httpx.Response) -> list[tuple[str, dict]]:
    events, name, data = [], None, []
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data.append(line[len("data: ") :])
        elif line == "" and name:
            events.append((name, json.loads("\n".join(data))))
            name, data = None, []
    return events


def test_ask_returns_the_answer_contract(http):
    r = http.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == ANSWER_KEYS | {"answer_id"}  # the Answer JSON plus the id for POST /api/feedback
    assert isinstance(body["answer"], str) and "120" in body["answer"]
    assert body["grounded"] is True and body["backend"] == "extractive"
    assert body["sources"] and all(set(s) == SOURCE_KEYS for s in body["sources"])
    assert "[1]" in body["answer"]
    assert set(body["timings_ms"]) == {"retrieve", "generate", "total"}
    assert all(isinstance(v, (int, float)) for v in body["timings_ms"].values())


def test_ask_uses_history_for_follow_ups(http, advisor):
    first = http.post("/api/ask", json={"question": "Which certifications are worth getting?"}).json()
    history = [
        {"role": "user", "content": "Which certifications are worth getting?"},
        {"role": "assistant", "content": first["answer"]},
    ]
    follow = http.post("/api/ask", json={"question": "which of those is the cheapest?", "history": history})
    assert follow.status_code == 200
    assert "terraform" in follow.json()["answer"].lower()


def test_out_of_scope_question_is_not_grounded(http):
    body = http.post("/api/ask", json={"question": "How do I bake sourdough bread?"}).json()
    assert body["grounded"] is False and body["sources"] == []


def test_sse_stream_assembles_to_the_same_answer(http):
    expected = http.post("/api/ask", json={"question": QUESTION}).json()
    with http.stream("POST", "/api/chat", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = read_sse(r)
    kinds = [k for k, _ in events]
    assert kinds[-1] == "answer" and kinds.count("answer") == 1
    assert set(kinds[:-1]) == {"delta"} and len(kinds) >= 2
    streamed = "".join(d["text"] for k, d in events if k == "delta")
    final = events[-1][1]
    assert streamed.strip() == final["answer"] == expected["answer"]
    assert set(final) == ANSWER_KEYS | {"answer_id"}
    assert [s["id"] for s in final["sources"]] == [s["id"] for s in expected["sources"]]
    assert final["grounded"] == expected["grounded"]


@pytest.mark.parametrize(
    "body, status, says",
    [
        ({"question": ""}, 400, "empty"),
        ({"question": "   \n\t "}, 400, "empty"),
        ({"question": "x" * 2001}, 400, "2,000"),
        ({"question": "why " * 600}, 400, "limit"),
        ({"question": 42}, 422, "question"),
        ({"question": ["a list"]}, 422, "question"),
        ({"question": None}, 422, "question"),
        ({}, 422, "required"),
        ({"question": "hi", "history": "not a list"}, 422, "history"),
        ({"question": "hi", "history": [{"role": "system", "content": "x"}]}, 422, "history.0.role"),
        ({"question": "hi", "history": [{"role": "user"}]}, 422, "history.0.content"),
        ({"question": "hi", "history": [{"role": "user", "content": 5}]}, 422, "history.0.content"),
        ({"question": "hi", "history": ["just text"]}, 422, "history.0"),
        ({"question": "hi", "history": [{"role": "user", "content": "x"}] * 101}, 422, "history"),
        ({"question": "hi", "backend": "no-such-model"}, 400, "Unknown backend"),
        ({"question": "hi", "backend": 3}, 422, "backend"),
        (["question"], 422, "JSON object"),
        ("just a string", 422, "JSON object"),
    ],
)
@pytest.mark.parametrize("path", ["/api/ask", "/api/chat"])
def test_bad_requests_get_a_4xx_with_a_message(http, path, body, status, says):
    r = http.post(path, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert says.lower() in error.lower()
    assert "Traceback" not in r.text


@pytest.mark.parametrize("path", ["/api/ask", "/api/chat"])
@pytest.mark.parametrize(
    "content, content_type",
    [
        (b'{"question": "unterminated', "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe not utf-8", "application/json"),
        (b"question=hello", "application/x-www-form-urlencoded"),
    ],
)
def test_invalid_json_gets_a_4xx_with_a_message(http, path, content, content_type):
    r = http.post(path, content=content, headers={"content-type": content_type})
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"]
    assert "Traceback" not in r.text


def test_oversized_body_is_refused(http):
    r = http.post(
        "/api/ask", content=b'{"question": "' + b"a" * 1_100_000 + b'"}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and "larger" in r.json()["error"]


def test_wrong_method_or_path_is_json_4xx(http):
    r = http.get("/api/ask")
    assert r.status_code == 405 and "POST" in r.json()["error"] and r.headers["allow"] == "POST"
    r = http.post("/api/nothing-here", json={})
    assert r.status_code == 404 and "/docs" in r.json()["error"]


def test_healthz(http):
    r = http.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_reports_the_index(http, advisor):
    r = http.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready"
    assert body["index_version"] == advisor.index.version.id
    assert body["chunks"] == len(advisor.index.ids) > 0


def test_readyz_is_503_until_the_advisor_answers():
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from advisor.web.api import install_health

    state = {"advisor": None}
    app = FastAPI()
    install_health(app, lambda: state["advisor"])
    client = TestClient(app)
    r = client.get("/readyz")
    assert r.status_code == 503 and "loading" in r.json()["error"]

    class Broken:
        @property
        def index(self):
            raise RuntimeError("Advisor not loaded")

    state["advisor"] = Broken()
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_openapi_docs(http):
    assert http.get("/docs").status_code == 200
    spec = http.get("/openapi.json").json()
    assert {"/api/ask", "/api/chat", "/healthz", "/readyz"} <= set(spec["paths"])
    ask = spec["paths"]["/api/ask"]["post"]
    assert "400" in ask["responses"] and "422" in ask["responses"]


def test_concurrent_requests_are_all_answered(http, server):
    import concurrent.futures

    questions = [
        "mlops salary",
        "What tools do MLOps engineers use?",
        "What skills do you need?",
        "Which certifications are worth getting?",
    ] * 4
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda q: httpx.post(f"{server.url}/api/ask", json={"question": q}, timeout=30), questions)
        )
    assert [r.status_code for r in results] == [200] * len(questions)
    assert all(r.json()["sources"] for r in results)
