"""Property: any Unicode document with any valid span set survives import -> export unchanged."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.io.readers import read_sources
from annotator.io.validation import CLOSING_MARKS, OPENING_MARKS
from annotator.io.gold import exported_lines, gold_lines

# Astral characters, combining marks, CRLF, zero-width and RTL characters, besides ordinary text.
SPECIAL = ["\r\n", "\u200b", "\u200d", "\u2066", "\u202e", "\u0301", "🙂", "𝔘", "עברית", "عربى", "“", "—", "\t", "\n"]
alphabet = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
chunks = st.one_of(st.text(alphabet, min_size=1, max_size=8), st.sampled_from(SPECIAL))
texts = st.lists(chunks, min_size=1, max_size=30).map("".join).filter(lambda t: t.strip() != "")


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    text = draw(texts)
    n = len(text)
    cuts = sorted(set(draw(st.lists(st.integers(0, n), max_size=8))) | {0, n})
    segments = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
    quotes: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for i, (a, b) in enumerate(segments):
        role = draw(st.sampled_from(["quote", "claim", "none"]))
        if role == "quote":
            quotes.append({
                "id": f"q{len(quotes) + 1}", "start": a, "end": b, "text": text[a:b],
                # A direct quote's span never includes its quotation marks (contract section 1).
                "kind": draw(st.sampled_from(["indirect", "mixed"] if text[a] in OPENING_MARKS
                                             or text[b - 1] in CLOSING_MARKS else ["direct", "indirect", "mixed"])),
                "cue": None,
                "speaker": draw(st.one_of(st.none(), st.just({"start": a, "end": b, "text": text[a:b],
                                                                "name": draw(st.text(alphabet, min_size=1, max_size=5))}))),
                "stance": draw(st.one_of(st.none(), st.builds(lambda t, l: {"target": t, "label": l},
                                                              st.text(alphabet, min_size=1, max_size=6),
                                                              st.sampled_from(["favor", "against", "neutral"])))),
            })
        elif role == "claim":
            claims.append({"start": a, "end": b, "text": text[a:b], "checkworthy": draw(st.booleans()),
                           "speaker": draw(st.one_of(st.none(), st.text(alphabet, max_size=5)))})
    meta = {"source": "p.jsonl", "note": draw(st.text(alphabet, max_size=10))}
    return {"id": draw(st.text(alphabet, min_size=1, max_size=10)), "text": text, "meta": meta,
            "annotator": draw(st.text(alphabet, min_size=1, max_size=8).filter(lambda a: a.strip() != "")),
            "status": "done",
            "quotes": quotes, "claims": claims}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_any_unicode_document_round_trips(tmp_path: Path, doc: dict) -> None:
    url = f"sqlite:///{tmp_path / 'prop.db'}"
    repo = Repository(open_database(url))
    src = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    line = json.dumps(doc, ensure_ascii=False) + "\n"
    src.write_text(line, encoding="utf-8", newline="")
    dataset = uuid.uuid4().hex
    repo.import_records(dataset, read_sources([src]))
    (out,) = list(gold_lines(repo.versions(dataset)))
    assert out.rstrip("\n") == line.rstrip("\n")  # byte-identical line
    assert list(exported_lines(repo.export_versions(dataset, with_tokens=False))) == [out]  # what export jsonl writes
    repo.db.dispose()
