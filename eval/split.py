"""Split a blind set into tune and test halves by a hash of each id, before anything runs on it.

python eval/split.py eval/blind5/raw-faq5.jsonl faq5   # writes faq5-tune.jsonl and faq5-test.jsonl beside it
"""

import hashlib
import json
import sys
from pathlib import Path

src = Path(sys.argv[1])
name = sys.argv[2]
out = src.parent if len(sys.argv) < 4 else Path(sys.argv[3])
halves: dict[str, list[str]] = {"tune": [], "test": []}
for line in src.read_text().splitlines():
    if line.strip():
        item = json.loads(line)
        half = "test" if hashlib.sha256(item["id"].encode()).digest()[0] % 2 else "tune"
        halves[half].append(line)
for half, lines in halves.items():
    (out / f"{name}-{half}.jsonl").write_text("\n".join(lines) + "\n")
    print(name, half, len(lines))
