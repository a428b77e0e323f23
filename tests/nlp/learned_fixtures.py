"""Tiny hand-written training sets in the ClaimBuster and NewsMTSC file formats (our own sentences, not the
corpora's), and helpers that train the tiny models from them."""

from __future__ import annotations

import json
from pathlib import Path

CHECKWORTHY = [
    "Unemployment fell to 4.2 percent in March, the lowest rate in ten years.",
    "The budget deficit grew by 300 billion dollars last year.",
    "Exports to China rose 12 percent between 2019 and 2021.",
    "The army moved 100,000 troops to the border in November.",
    "Gas prices have doubled since January, according to the ministry.",
    "The factory closed in 2015 and 2,000 workers lost their jobs.",
    "Crime in the city dropped by a third over five years.",
    "The company paid no federal taxes in 2018.",
    "Four million people signed up for health insurance last month.",
    "The bill cut spending on schools by 8 percent.",
    "Inflation reached 9 percent in June, the highest since 1981.",
    "The country imports 40 percent of its gas from Russia.",
    "Our state lost 50,000 manufacturing jobs in 2009.",
    "The war has cost 120 billion dollars so far.",
    "Wages rose 3 percent while prices rose 6 percent.",
    "Half of the bridges in the region were built before 1960.",
]
NOT_CHECKWORTHY = [
    "Thank you very much for having me tonight.",
    "I think we can do better than this.",
    "Let me be clear about what I believe.",
    "We have to come together as a nation.",
    "That is a great question, and I appreciate it.",
    "I love this country and its people.",
    "We will fight for every family.",
    "Good evening, everybody, and welcome.",
    "I want to talk about the future.",
    "People deserve a leader who listens.",
    "We should be proud of who we are.",
    "I hope my opponent will join me.",
    "Let us look forward, not back.",
    "I am honoured to stand here with you.",
    "Our best days are still ahead of us.",
    "It is time for a change, my friends.",
]

_PEOPLE = ["Smith", "Jones", "Garcia", "Miller", "Brown", "Davis", "Wilson", "Moore", "Taylor", "Clark"]


def stance_lines() -> list[dict]:
    """NewsMTSC-shaped lines where only the target's position tells the label: in "A praised B" the
    praised B is favoured and A is neutral, in "A condemned B" B is against and A neutral."""
    lines = []
    n = 0
    for verb, label in (("praised", 6.0), ("thanked", 6.0), ("condemned", 2.0), ("attacked", 2.0)):
        for i, a in enumerate(_PEOPLE):
            b = _PEOPLE[(i + 3) % len(_PEOPLE)]
            text = f"{a} {verb} {b} on Monday."
            n += 1
            lines.append({"primary_gid": f"fix_{n}_0_{a}", "sentence_normalized": text, "targets": [
                {"from": 0, "to": len(a), "mention": a, "polarity": 4.0},
                {"from": len(a) + len(verb) + 2, "to": len(a) + len(verb) + 2 + len(b), "mention": b,
                 "polarity": label},
            ]})
    return lines


def write_claimbuster(path: Path) -> Path:
    rows = [{"sentence_id": i, "label": 1, "text": t} for i, t in enumerate(CHECKWORTHY)]
    rows += [{"sentence_id": 100 + i, "label": 0, "text": t} for i, t in enumerate(NOT_CHECKWORTHY)]
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return path


def write_newsmtsc(path: Path) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in stance_lines()), encoding="utf-8")
    return path
