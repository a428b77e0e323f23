"""Gold JSONL (docs/contract.md section 2): one line per version, the format import reads back."""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from annotator.scheme import KEPT_STATUSES, Annotation, ClaimValues, QuoteValues, claim_values, quote_values

if TYPE_CHECKING:
    from annotator.records import ExportedVersion


def gold_line(ann: Annotation) -> str:
    """One gold JSONL line (docs/contract.md section 2), without the newline."""
    return json.dumps(ann.to_dict(), ensure_ascii=False)


def gold_lines(versions: Iterable[Annotation]) -> Iterator[str]:
    for ann in versions:
        yield gold_line(ann)


def exported_line(ev: ExportedVersion) -> str:
    """``gold_line(ev.annotation)``, byte for byte (test), written from the stored payloads' values
    (``scheme.quote_values``/``claim_values``, the normalisation ``quote_from_dict`` uses) without an Annotation
    and an object per item, and without the gold dict: those and ``json.dumps`` of it were most of a jsonl export.

    The line is ``json.dumps``'s own output: strings by its string encoder (``encode_basestring``, what
    ``ensure_ascii=False`` uses: the same escapes and surrogates), integers as ``int.__repr__``, the same
    ``", "``/``": "`` separators; metadata and a claim's speaker (any JSON value) by ``json.dumps`` itself."""
    quotes = ", ".join([_quote(v) for v in (quote_values(d, i) for i, d in enumerate(ev.items.get("quotes") or ()))
                        if v[8] in KEPT_STATUSES])
    claims = ", ".join([_claim(v) for v in (claim_values(d, i) for i, d in enumerate(ev.items.get("claims") or ()))
                        if v[6] in KEPT_STATUSES])
    meta = json.dumps(ev.meta, ensure_ascii=False) if ev.meta else "{}"
    return (f'{{"id": {encode_basestring(ev.doc_id)}, "text": {encode_basestring(ev.text)}, "meta": {meta}, '
            f'"annotator": {_value(ev.annotator)}, "status": {encode_basestring(ev.status)}, '
            f'"quotes": [{quotes}], "claims": [{claims}]}}')


def exported_lines(versions: Iterable[ExportedVersion]) -> Iterator[str]:
    for ev in versions:
        yield exported_line(ev)


def _quote(v: QuoteValues) -> str:
    """``json.dumps(Quote.to_dict())`` of a quote's values."""
    s = encode_basestring
    qid, start, end, text, kind, cue, speaker, stance = v[:8]
    cue_json = "null" if cue is None else f'{{"start": {cue[0]}, "end": {cue[1]}, "text": {s(cue[2])}}}'
    speaker_json = ("null" if speaker is None else
                    f'{{"start": {speaker[0]}, "end": {speaker[1]}, "text": {s(speaker[2])}, "name": {s(speaker[3])}}}')
    stance_json = "null" if stance is None else f'{{"target": {s(stance[0])}, "label": {s(stance[1])}}}'
    return (f'{{"id": {s(qid)}, "start": {start}, "end": {end}, "text": {s(text)}, "kind": {s(kind)}, '
            f'"cue": {cue_json}, "speaker": {speaker_json}, "stance": {stance_json}}}')


def _claim(v: ClaimValues) -> str:
    """``json.dumps(Claim.to_dict())`` of a claim's values."""
    _, start, end, text, checkworthy, speaker = v[:6]
    return (f'{{"start": {start}, "end": {end}, "text": {encode_basestring(text)}, '
            f'"checkworthy": {"true" if checkworthy else "false"}, "speaker": {_value(speaker)}}}')


def _value(value: Any) -> str:
    """A string, None, or any JSON value, as ``json.dumps`` writes it inside the line."""
    if value is None:
        return "null"
    if type(value) is str:
        return encode_basestring(value)
    return json.dumps(value, ensure_ascii=False)
