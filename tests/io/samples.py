"""Gold JSONL lines for the sample articles by two annotators (alice, bob), built from the texts.

Direct quotes are the contents of “…”, cues and speakers the nearest reporting verb and name after
(or before) the quote; claims are sentences with a number. Names, stance targets and metadata use
Unicode on purpose: Cyrillic, em dashes, curly quotes and emoji must survive every export.
A sixth, synthetic article has Cyrillic text and emoji (astral code points) in the text itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLE_DIR

CUE_RE = re.compile(r"\b(said|says|stated|warned|replied|argued|added|stressed|noted|recalled|told|заявил)\b")
SPEAKER_RES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:Mr |Secretary )?Blinken\b"), "Antony Blinken"),
    (re.compile(r"\b(?:Mr |Minister )?Lavrov\b"), "Сергей Лавров"),
    (re.compile(r"\bshe\b"), "Ann Linde"),
    (re.compile(r"Сергей Лавров"), "Сергей Лавров"),
)
STANCES = (("Russia", "against"), ("Ukraine", "favor"), ("NATO — the alliance", "neutral"))
CLAIM_RE = re.compile(r"[^.\n“”]*\d[^.\n“”]*\.")

UNICODE_ID = "unicode_🦆"
UNICODE_TEXT = (
    "«Мы не планируем вторжения», — заявил Сергей Лавров 🇷🇺 в Стокгольме.\n\n"
    "Blinken said: “We’re ready — 🤝 — to talk, but 100,000 troops is no détente.” 👀"
)


def _speaker(text: str, start: int, end: int) -> dict[str, Any] | None:
    after = [(m, name) for rx, name in SPEAKER_RES for m in rx.finditer(text, end, min(len(text), end + 60))]
    if after:
        m, name = min(after, key=lambda mn: mn[0].start())
        return {"start": m.start(), "end": m.end(), "text": m.group(), "name": name}
    before = [(m, name) for rx, name in SPEAKER_RES for m in rx.finditer(text, max(0, start - 150), start)]
    if before:
        m, name = max(before, key=lambda mn: mn[0].start())
        return {"start": m.start(), "end": m.end(), "text": m.group(), "name": name}
    return None


def build_line(doc_id: str, text: str, annotator: str, every: int = 1, status: str = "done") -> dict[str, Any]:
    quotes = []
    for i, m in enumerate(re.finditer(r"[“«]([^”»]{3,}?)[”»]", text)):
        if i % every:
            continue
        start, end = m.span(1)
        cue_m = CUE_RE.search(text, m.end(), min(len(text), m.end() + 60))
        stance_target, stance_label = STANCES[i % len(STANCES)]
        speaker = _speaker(text, m.start(), m.end())
        if speaker and annotator == "bob" and speaker["name"] == "Сергей Лавров":
            speaker["name"] = "Sergey Lavrov"  # bob resolves names differently
        quotes.append({
            "id": f"q{len(quotes) + 1}", "start": start, "end": end, "text": text[start:end],
            "kind": "mixed" if annotator == "bob" and i % 3 == 2 else "direct",
            "cue": None if cue_m is None else {"start": cue_m.start(), "end": cue_m.end(), "text": cue_m.group()},
            "speaker": speaker,
            "stance": None if i % 4 == 3 else {"target": stance_target, "label": stance_label},
        })
    claims = []
    for j, m in enumerate(CLAIM_RE.finditer(text)):
        lead = len(m.group()) - len(m.group().lstrip())
        start, end = m.start() + lead, m.end()
        if end - start < 5:
            continue
        claims.append({
            "start": start, "end": end, "text": text[start:end], "checkworthy": j % 2 == 0,
            "speaker": "Сергей Лавров" if "Lavrov" in m.group() else None,
        })
    if annotator == "bob":
        claims = claims[::2]
    return {
        "id": doc_id, "text": text,
        "meta": {"source": f"{doc_id}.txt", "outlet": "Новая газета 📰", "note": "em — dash, “curly”"},
        "annotator": annotator, "status": status, "quotes": quotes, "claims": claims,
    }


def sample_texts() -> list[tuple[str, str]]:
    docs = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SAMPLE_DIR.glob("*.txt"))]
    return [*docs, (UNICODE_ID, UNICODE_TEXT)]


def sample_lines() -> list[dict[str, Any]]:
    """alice: every document done. bob: every other quote; one document flagged, one not started."""
    texts = sample_texts()
    lines = [build_line(d, t, "alice") for d, t in texts]
    for k, (d, t) in enumerate(texts):
        if k == 4:
            continue
        lines.append(build_line(d, t, "bob", every=2, status="flagged" if k == 3 else "done"))
    return lines


def write_sample_gold(path: Path) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in sample_lines()), encoding="utf-8")
    return path
