"""Conversation transcripts for a judge: each turn asked with the real history, like the UI sends it.

python eval/transcripts.py eval/blind5/conv5-test.jsonl eval/judged/conv5-test.transcripts.jsonl
"""

import json
import sys

from advisor.core.pipeline import Advisor

advisor = Advisor.from_settings().load()
with open(sys.argv[1]) as source, open(sys.argv[2], "w") as out:
    for line in source:
        if not line.strip():
            continue
        conversation = json.loads(line)
        history, turns = [], []
        for n, turn in enumerate(conversation["turns"], 1):
            answer = advisor.ask(turn["user"], history)
            turns.append(
                {
                    "n": n,
                    "user": turn["user"],
                    "assistant": answer.answer,
                    "grounded": answer.grounded,
                    "ideal": turn.get("ideal", ""),
                    "expect": turn.get("expect", "answer"),
                    "sources": [s.title for s in answer.sources],
                }
            )
            history += [{"role": "user", "content": turn["user"]}, {"role": "assistant", "content": answer.answer}]
        out.write(
            json.dumps({"id": conversation["id"], "persona": conversation.get("persona", ""), "turns": turns}) + "\n"
        )
