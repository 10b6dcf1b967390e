"""The ecosystem's protocols, each through a real client we did not write, against a real server on
loopback: the `openai` SDK and LangChain's ChatOpenAI at /v1, the `mcp` client SDK over stdio
(`advisor mcp`) and over streamable HTTP (/mcp). Every protocol answers what /api/ask answers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import tempfile
import threading
import time

import httpx
import pytest
from live_server import live_server

pytestmark = pytest.mark.slow

QUESTION = "What does an MLOps engineer earn?"
# A handful of questions: grounded, a list, out of scope, small talk, and a follow-up with history.
CASES = [
    ("What does an MLOps engineer earn?", None),
    ("Which feature stores are mentioned?", None),
    ("How do I become a lawyer?", None),
    ("hello", None),
    (
        "which one is open source?",
        [
            {"role": "user", "content": "Which feature stores are mentioned?"},
            {"role": "assistant", "content": "FOLLOW"},  # replaced by the real first answer
        ],
    ),
]


@pytest.fixture(scope="module")
def server(settings, advisor):
    return live_server(settings, advisor).url


@contextlib.contextmanager
def app_server(settings, advisor):
    """A private app (its own settings) under uvicorn on a free loopback port, stopped afterwards."""
    import uvicorn

    from advisor.web.server import create_app

    app = create_app(settings, advisor=advisor)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"test server at {url} did not start")
        time.sleep(0.1)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def openai_client(url: str, key: str = "unused"):
    from openai import OpenAI

    # max_retries=0: the SDK would otherwise retry a 429 after Retry-After and hide it.
    return OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=60)


def api_ask(url: str, question: str, history=None) -> dict:
    r = httpx.post(f"{url}/api/ask", json={"question": question, "history": history}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def messages(question: str, history=None) -> list[dict]:
    return [*(history or []), {"role": "user", "content": question}]


def without_timings(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k not in ("timings_ms", "answer_id")}  # ids: web answers only


# ---------------------------------------------------------------- OpenAI SDK


def test_openai_sdk_plain_completion(server):
    completion = openai_client(server).chat.completions.create(
        model="career-advisor", messages=[{"role": "user", "content": QUESTION}]
    )
    text = completion.choices[0].message.content
    assert "$120,000" in text and "[1]" in text  # the [n] markers stay in the text
    assert completion.choices[0].finish_reason == "stop"
    assert completion.object == "chat.completion" and completion.model == "career-advisor"
    extra = completion.model_extra["advisor"]  # the documented extension field
    assert extra["grounded"] is True and extra["backend"] == "extractive"
    assert extra["sources"][0]["section"] == "How much do MLOps engineers earn?"


def test_openai_sdk_streaming_ends_with_the_answer_and_done(server):
    stream = openai_client(server).chat.completions.create(
        model="career-advisor", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)  # the SDK stops at `data: [DONE]`
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    final = chunks[-1].model_extra["advisor"]
    assert final["grounded"] is True and final["sources"]
    assert text.strip() == api_ask(server, QUESTION)["answer"]


def test_stream_on_the_wire_ends_with_done(server):
    body = {"model": "career-advisor", "messages": messages(QUESTION), "stream": True}
    with httpx.stream("POST", f"{server}/v1/chat/completions", json=body, timeout=60) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    assert lines[-1] == "data: [DONE]" and all(line.startswith("data: ") for line in lines)


def test_openai_sdk_models_list(server):
    client = openai_client(server)
    ids = [m.id for m in client.models.list()]
    assert ids[0] == "career-advisor" and "career-advisor-extractive" in ids
    assert client.models.retrieve("career-advisor").owned_by == "career-advisor"


def test_openai_sdk_errors_are_openai_errors(server):
    import openai

    client = openai_client(server)
    with pytest.raises(openai.BadRequestError) as empty:
        client.chat.completions.create(model="career-advisor", messages=[{"role": "user", "content": "   "}])
    assert empty.value.status_code == 400
    assert "question is empty" in empty.value.message
    assert empty.value.body["type"] == "invalid_request_error"
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert unknown.value.code == "model_not_found" and "GET /v1/models" in unknown.value.message
    with pytest.raises(openai.BadRequestError) as last:
        client.chat.completions.create(model="career-advisor", messages=[{"role": "assistant", "content": "hi"}])
    assert "last message must be the user's question" in last.value.message
    with pytest.raises(openai.BadRequestError) as malformed:  # a schema error is a 400 in OpenAI's shape too
        client.chat.completions.create(model="career-advisor", messages=[{"role": "robot", "content": "hi"}])
    assert malformed.value.body["param"] == "messages.0.role"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"model": "career-advisor", "messages": []}, "messages"),
        ([], 'a JSON object like {"model": "career-advisor", "messages": [...]}'),
        ({"messages": [{"role": "user", "content": QUESTION}]}, "'model' is required"),
        ({"model": "career-advisor", "messages": [{"role": "tool", "content": "x"}]}, "tools are not supported"),
        (
            {"model": "career-advisor", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            "only text content",
        ),
        ({"model": "career-advisor", "messages": messages("x" * 2001)}, "the limit is 2,000"),
        ({"model": "career-advisor", "messages": messages(QUESTION), "n": 2}, "Only n=1"),
    ],
)
def test_bad_requests_get_a_400_that_says_what_to_fix(server, body, says):
    r = httpx.post(f"{server}/v1/chat/completions", json=body, timeout=30)
    assert r.status_code == 400
    error = r.json()["error"]
    assert says in error["message"] and error["type"] == "invalid_request_error"


def test_system_messages_are_ignored_and_text_parts_accepted(server):
    body = {
        "model": "career-advisor",
        "messages": [
            {"role": "system", "content": "You are a pirate."},
            {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
        ],
    }
    r = httpx.post(f"{server}/v1/chat/completions", json=body, timeout=60)
    assert r.json()["choices"][0]["message"]["content"] == api_ask(server, QUESTION)["answer"]


def test_unknown_v1_paths_are_openai_shaped_404s(server):
    r = httpx.get(f"{server}/v1/embeddings", timeout=10)
    assert r.status_code == 404 and "/v1/chat/completions" in r.json()["error"]["message"]


def test_docs_list_the_new_endpoints(server):
    spec = httpx.get(f"{server}/openapi.json", timeout=10).json()
    paths = spec["paths"]
    assert "`/mcp` is a Model Context Protocol server" in spec["info"]["description"]
    assert {"/v1/chat/completions", "/v1/models", "/api/ask"} <= set(paths)
    assert "advisor" in paths["/v1/chat/completions"]["post"]["responses"]["200"]["description"]
    assert httpx.get(f"{server}/docs", timeout=10).status_code == 200


# ---------------------------------------------------------------- LangChain ChatOpenAI


def test_langchain_chat_openai_in_an_lcel_chain(server):
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(base_url=f"{server}/v1", api_key="unused", model="career-advisor", max_retries=0)
    chain = ChatPromptTemplate.from_messages([("human", "{question}")]) | model | StrOutputParser()
    expected = api_ask(server, QUESTION)["answer"]
    assert chain.invoke({"question": QUESTION}) == expected
    assert "".join(chain.stream({"question": QUESTION})).strip() == expected


# ---------------------------------------------------------------- MCP


def tool_answer(result) -> dict:
    assert not result.isError, result.content
    return result.structuredContent


async def mcp_session_calls(session, cases) -> tuple[list[dict], dict]:
    await session.initialize()
    tools = {t.name for t in (await session.list_tools()).tools}
    assert {"ask_career_advisor", "list_guides"} <= tools
    answers = []
    for question, history in cases:
        args = {"question": question} if history is None else {"question": question, "history": history}
        answers.append(tool_answer(await session.call_tool("ask_career_advisor", args)))
    guides = tool_answer(await session.call_tool("list_guides", {}))
    resources = (await session.list_resources()).resources
    text = (await session.read_resource(resources[0].uri)).contents[0].text
    bad = await session.call_tool("ask_career_advisor", {"question": " "})
    return answers, {"guides": guides, "resources": resources, "text": text, "bad": bad}


def check_mcp_extras(extras: dict) -> None:
    guides = {g["guide"]: g for g in extras["guides"]["result"]}
    assert len(guides) == 7 and guides["mlops-engineer"]["uri"] == "guide://mlops-engineer"
    assert "How much do MLOps engineers earn?" in guides["mlops-engineer"]["sections"]
    assert "guide://mlops-engineer" in {str(r.uri) for r in extras["resources"]}
    assert extras["text"].startswith("# ") and "Career Guide" in extras["text"].splitlines()[0]
    assert extras["bad"].isError and "question is empty" in extras["bad"].content[0].text


def mcp_over_http(url: str, cases, headers=None):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def run():
        async with (
            httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(30, read=300)) as http,
            streamable_http_client(f"{url}/mcp", http_client=http) as (read, write, _),
            ClientSession(read, write) as session,
        ):
            return await mcp_session_calls(session, cases)

    return asyncio.run(run())


def mcp_over_stdio(settings, cases):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {
        **os.environ,
        "ADVISOR_DATA_DIR": str(settings.data_dir),
        "ADVISOR_CORPUS_DIR": str(settings.corpus_dir),
        "ADVISOR_QUESTION_LOG_DAYS": "0",
    }
    # -v: the server logs at INFO, so the check below that no question reaches its log means something.
    params = StdioServerParameters(command=sys.executable, args=["-m", "advisor", "-v", "mcp"], env=env)

    async def run(errlog):
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            return await asyncio.wait_for(mcp_session_calls(session, cases), timeout=180)

    with tempfile.TemporaryFile("w+", encoding="utf-8") as errlog:
        result = asyncio.run(run(errlog))
        errlog.seek(0)
        log = errlog.read()
    assert "answered grounded=" in log  # the log is there...
    assert not [q for q, _ in cases if q in log]  # ...and holds no question (nothing personal)
    return result


def test_mcp_over_http_calls_both_tools_and_reads_the_guides(server):
    answers, extras = mcp_over_http(server, [(QUESTION, None)])
    assert without_timings(answers[0]) == without_timings(api_ask(server, QUESTION))
    check_mcp_extras(extras)


# ---------------------------------------------------------------- one answer through every protocol


def with_real_history(url: str, cases):
    out = []
    for question, history in cases:
        if history:
            first = api_ask(url, history[0]["content"])["answer"]
            history = [history[0], {"role": "assistant", "content": first}]
        out.append((question, history))
    return out


def test_every_protocol_answers_what_api_ask_answers(server, settings, advisor):
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_openai import ChatOpenAI

    cases = with_real_history(server, CASES)
    expected = [without_timings(api_ask(server, q, h)) for q, h in cases]
    assert [e["grounded"] for e in expected] == [True, True, False, False, True]

    client = openai_client(server)
    chat = ChatOpenAI(base_url=f"{server}/v1", api_key="unused", model="career-advisor", max_retries=0)
    lc_role = {"user": HumanMessage, "assistant": AIMessage}
    for (question, history), want in zip(cases, expected):
        msgs = messages(question, history)
        plain = client.chat.completions.create(model="career-advisor", messages=msgs)
        assert plain.choices[0].message.content == want["answer"], question
        assert without_timings({"answer": want["answer"], **plain.model_extra["advisor"]}) == want
        chunks = list(client.chat.completions.create(model="career-advisor", messages=msgs, stream=True))
        assert "".join(c.choices[0].delta.content or "" for c in chunks).strip() == want["answer"], question
        assert without_timings({"answer": want["answer"], **chunks[-1].model_extra["advisor"]}) == want
        assert chat.invoke([lc_role[m["role"]](m["content"]) for m in msgs]).content == want["answer"], question

    http_answers, _ = mcp_over_http(server, cases)
    assert [without_timings(a) for a in http_answers] == expected
    stdio_answers, extras = mcp_over_stdio(settings, cases)
    assert [without_timings(a) for a in stdio_answers] == expected
    check_mcp_extras(extras)

    # The public retriever finds the sources /api/ask cites, in the same order (standalone questions).
    retriever = advisor.as_retriever(k=settings.top_k)
    for (question, history), want in zip(cases, expected):
        if want["sources"] and not history:
            assert [d.id for d in retriever.invoke(question)] == [s["id"] for s in want["sources"]]


# ---------------------------------------------------------------- keys and limits


@pytest.fixture(scope="module")
def keyed_server(settings, advisor):
    """ADVISOR_API_KEYS=key-one,key-two and ADVISOR_RATE_LIMIT_PER_MINUTE=3."""
    update = {"api_keys": "key-one, key-two", "rate_limit_per_minute": 3}
    with app_server(settings.model_copy(update=update), advisor) as url:
        yield url


def test_api_keys_guard_v1_and_mcp_only(keyed_server):
    import openai

    with pytest.raises(openai.AuthenticationError) as wrong:
        openai_client(keyed_server, "nope").models.list()
    assert wrong.value.code == "invalid_api_key" and "ADVISOR_API_KEYS" in wrong.value.message
    missing = httpx.get(f"{keyed_server}/v1/models", timeout=10)
    assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["error"]["message"]
    assert httpx.post(f"{keyed_server}/mcp", json={}, timeout=10).status_code == 401
    assert [m.id for m in openai_client(keyed_server, "key-two").models.list()][0] == "career-advisor"
    answers, _ = mcp_over_http(keyed_server, [], headers={"Authorization": "Bearer key-one"})
    assert answers == []
    # The widget's /api/* stays open: browsers on allowed sites cannot hold a secret.
    assert httpx.post(f"{keyed_server}/api/ask", json={"question": QUESTION}, timeout=30).status_code == 200
    # A page on an allowed origin (localhost by default) can read why it was refused.
    refused = httpx.get(f"{keyed_server}/v1/models", headers={"Origin": "http://localhost:3000"}, timeout=10)
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "http://localhost:3000"


@pytest.mark.parametrize(("origin", "allowed"), [("http://localhost:5173", True), ("https://evil.example", False)])
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/mcp"])
def test_cors_follows_the_same_origin_rules_as_the_api(server, origin, allowed, path):
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, mcp-protocol-version",
    }
    api = httpx.options(f"{server}/api/ask", headers=headers, timeout=10)
    r = httpx.options(f"{server}{path}", headers=headers, timeout=10)
    assert (r.headers.get("access-control-allow-origin") == origin) is allowed
    assert r.headers.get("access-control-allow-origin") == api.headers.get("access-control-allow-origin")
    if allowed:
        assert "authorization" in r.headers["access-control-allow-headers"].lower()


def test_v1_shares_the_rate_limit_and_answers_429_in_openai_shape(keyed_server):
    import openai

    client = openai_client(keyed_server, "key-one")
    headers = {"X-Forwarded-For": "203.0.113.9"}  # uvicorn trusts 127.0.0.1 as a proxy: one fresh client
    for _ in range(3):
        client.chat.completions.create(model="career-advisor", messages=messages(QUESTION), extra_headers=headers)
    with pytest.raises(openai.RateLimitError) as limited:
        client.chat.completions.create(model="career-advisor", messages=messages(QUESTION), extra_headers=headers)
    assert limited.value.code == "rate_limit_exceeded" and "3 questions a minute" in limited.value.message
    assert 1 <= int(limited.value.response.headers["retry-after"]) <= 60
    # /api/ask counts against the same limit for that address
    r = httpx.post(f"{keyed_server}/api/ask", json={"question": QUESTION}, headers=headers, timeout=30)
    assert r.status_code == 429
