"""gradio_client users have a stable named endpoint, /chat, that returns the Answer JSON."""

from __future__ import annotations

import pytest
from live_server import live_server

# pandas 3 deprecations inside Gradio's queue statistics (not ours)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")


@pytest.fixture(scope="module")
def client(settings, advisor):
    from gradio_client import Client

    return Client(live_server(settings, advisor).url + "/", verbose=False, download_files=False)


def test_chat_endpoint_is_named_and_documented(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert "/chat" in api["named_endpoints"]
    params = [p["parameter_name"] for p in api["named_endpoints"]["/chat"]["parameters"]]
    assert params[0] == "message"


def test_chat_answers_with_a_source(client):
    answer = client.predict("What does an MLOps engineer earn?", api_name="/chat")
    assert answer["grounded"] is True
    assert "120" in answer["answer"] and "[1]" in answer["answer"]
    source = answer["sources"][0]
    assert source["title"] and source["section"] and source["text"]


def test_chat_takes_history_for_follow_ups(client):
    first = client.predict("Which certifications are worth getting?", api_name="/chat")
    history = [
        {"role": "user", "content": "Which certifications are worth getting?"},
        {"role": "assistant", "content": first["answer"]},
    ]
    follow = client.predict("which of those is the cheapest?", history, api_name="/chat")
    assert "terraform" in follow["answer"].lower()


def test_chat_rejects_an_empty_question_with_its_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty"):
        client.predict("   ", api_name="/chat")
