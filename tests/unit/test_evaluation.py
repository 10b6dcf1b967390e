"""How conversation turns are scored: what `advisor eval` reports for a conversation file."""

from advisor.core.evaluation import run_conversations

CONVERSATION = {
    "id": "c1",
    "turns": [
        {"user": "mlops pay?", "expect": "answer", "must": [["120,000"]]},
        {"user": "and in germany?", "expect": "partial", "must": [["120,000"]]},
        {"user": "and in france?", "expect": "partial", "must": [["120,000"]]},
        {"user": "weather?", "expect": "refuse", "must": []},
    ],
}


def scripted(*answers):
    replies = iter(answers)

    def ask(question, history):
        return next(replies)

    return ask


def test_a_partial_turn_is_right_when_it_gives_the_closest_facts_and_wrong_when_it_only_refuses():
    pay = {"answer": "$120,000-$185,000 [1]", "grounded": True, "sources": [{"id": "a"}]}
    partial = {
        "answer": "My sources don't cover Germany. The closest: $120,000 [1]",
        "grounded": False,
        "sources": [{"id": "a"}],
    }
    refusal = {"answer": "I don't know that from my sources.", "grounded": False, "sources": []}
    scores = run_conversations(scripted(pay, partial, refusal, refusal), [CONVERSATION])
    summary = scores.summary()
    assert summary["turn_accuracy"] == round(2 / 3, 3)
    assert summary["false_refusals"] == 1
    assert summary["refusal_when_right"] == 1.0
    assert scores.misses == ["c1#3:refused"]
