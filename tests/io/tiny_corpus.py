"""A tiny, regular corpus written for these tests: short articles with one attributed quote and one claim each.

Small enough that `spacy train` learns something in a few dozen steps on a loaded 2-core machine.
"""

from __future__ import annotations

import json
from pathlib import Path

NAMES = ("Blinken", "Lavrov", "Linde", "Stoltenberg")
TOPICS = ("peace", "security", "the border", "the talks", "energy", "sanctions")


def tiny_gold(n: int = 16) -> list[dict]:  # type: ignore[type-arg]
    docs = []
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        topic = TOPICS[i % len(TOPICS)]
        quote = f"We want to talk about {topic} with our partners in Europe before the end of the year"
        head = "Officials met in Vienna. “"
        text = f"{head}{quote},” {name} said. About {1000 + 37 * i} soldiers are stationed there."
        q0 = len(head)
        q1 = q0 + len(quote)
        s0 = q1 + 3
        c0 = s0 + len(name) + 1
        claim = f"About {1000 + 37 * i} soldiers are stationed there."
        k0 = text.index(claim)
        docs.append({
            "id": f"tiny{i:02d}", "text": text, "meta": {}, "annotator": "alice", "status": "done",
            "quotes": [{"id": "q1", "start": q0, "end": q1, "text": quote, "kind": "direct",
                        "cue": {"start": c0, "end": c0 + 4, "text": "said"},
                        "speaker": {"start": s0, "end": s0 + len(name), "text": name, "name": name},
                        "stance": None}],
            "claims": [{"start": k0, "end": k0 + len(claim), "text": claim, "checkworthy": True, "speaker": None}],
        })
    return docs


def write_tiny_gold(path: Path, n: int = 16) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in tiny_gold(n)), encoding="utf-8")
    return path
