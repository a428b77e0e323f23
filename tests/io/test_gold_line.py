"""Gold JSONL written from stored payloads (``exported_line``) is ``json.dumps`` of the Annotation's gold
dict, byte for byte: awkward text (control characters, quotes and backslashes, non-ASCII, lone surrogates),
metadata json.dumps writes its own way (floats, NaN, integers beyond 64 bits, nesting), items stored without
ids or kinds, rejected items, and on both databases through the real reader."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.io.gold import exported_line, gold_line
from annotator.records import ImportRecord, ExportedVersion
from annotator.scheme import ITEM_STATUSES, Annotation, Claim, Quote, SpeakerMention, Span, Stance

#: Any code point, lone surrogates and C0/C1 controls included, plus the characters JSON escapes.
awkward = st.text(st.one_of(st.characters(), st.sampled_from('"\\\x00\x1f\x7f\u2028\ud800\udfff/')), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.sampled_from([1e16, 1e-7, -0.0, 1e300])
    | awkward,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(awkward, inner, max_size=3),
    max_leaves=8,
)
offsets = st.integers(0, 10**6)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


quote_payloads = st.fixed_dictionaries(
    {"start": offsets, "end": offsets, "text": awkward},
    optional={
        "id": _maybe(awkward), "kind": _maybe(st.sampled_from(["direct", "indirect", "mixed", ""])),
        "cue": _maybe(st.fixed_dictionaries({"start": offsets, "end": offsets, "text": awkward})),
        "speaker": _maybe(st.fixed_dictionaries({"start": offsets, "end": offsets, "text": awkward, "name": awkward})),
        "stance": _maybe(st.fixed_dictionaries({"target": awkward, "label": awkward})),
        "status": st.sampled_from(ITEM_STATUSES), "score": _maybe(st.floats(0, 1)),
    },
)
claim_payloads = st.fixed_dictionaries(
    {"start": offsets, "end": offsets, "text": awkward},
    optional={"id": _maybe(awkward), "checkworthy": st.booleans(), "speaker": _maybe(awkward),
              "status": st.sampled_from(ITEM_STATUSES), "score": _maybe(st.floats(0, 1))},
)


@settings(max_examples=300, deadline=None)
@given(doc_id=awkward, text=awkward, annotator=awkward, status=awkward,
       meta=st.dictionaries(awkward, json_values, max_size=4),
       quotes=st.lists(quote_payloads, max_size=4), claims=st.lists(claim_payloads, max_size=3))
def test_line_from_payloads_is_json_dumps_of_the_annotation(
    doc_id: str, text: str, annotator: str, status: str, meta: dict[str, Any],
    quotes: list[dict[str, Any]], claims: list[dict[str, Any]],
) -> None:
    ev = ExportedVersion(doc_id, text, annotator, status, meta, {"quotes": quotes, "claims": claims}, None, None)
    assert exported_line(ev) == json.dumps(ev.annotation.to_dict(), ensure_ascii=False) == gold_line(ev.annotation)


TEXT = 'He said: “Ça va — \\ \x01\t\x1f\u2028 «да» \"yes\" 🇺🇦,” Сергей Лавров said. 40 % claimed.'


def test_stored_versions_export_the_lines_of_their_annotations(db_url: str) -> None:
    """Through the reader that aggregates a batch's items into one JSON text (SQLite's group_concat,
    PostgreSQL's string_agg): same lines as the Annotation stored, rejected items left out."""
    s = TEXT.index("Ça")
    who = TEXT.index("Сергей")
    quotes = (
        Quote("q1", s, s + 20, TEXT[s:s + 20], "direct", Span(who + 14, who + 18, TEXT[who + 14:who + 18]),
              SpeakerMention(who, who + 13, "Сергей Лавров", "Sergey Lavrov \u00e9\x02"), Stance("NATO", "against"),
              score=0.25),
        Quote("q2", 0, 7, TEXT[:7], "indirect", status="rejected"),
        Quote("q3", 3, 7, TEXT[3:7], "mixed", status="edited"),
    )
    claims = (Claim("c1", len(TEXT) - 13, len(TEXT) - 1, TEXT[-13:-1], checkworthy=False, speaker="Лавров \\ \""),
              Claim("c2", 0, 2, TEXT[:2], status="rejected"))
    meta = {"source": "a\\b \"c\".txt", "score": 1e16, "tiny": 1e-7, "big": 2**70, "nested": [{"ü": None}, -0.0]}
    ann = Annotation("doc \"1\" ü", TEXT, "alice ß", "done", meta, quotes, claims)
    repo = Repository(open_database(db_url))
    repo.import_records("news", [ImportRecord(ann.doc_id, TEXT, meta, "test", annotation=ann),
                                 ImportRecord("doc2", "Plain text.", {}, "test",
                                              annotation=Annotation("doc2", "Plain text.", "bob"))])
    lines = [exported_line(ev) for ev in repo.export_versions("news", with_tokens=False)]
    assert lines == [gold_line(ann), gold_line(Annotation("doc2", "Plain text.", "bob"))]
    assert '"big": 1180591620717411303424' in lines[0] and "rejected" not in lines[0]
    repo.db.dispose()
