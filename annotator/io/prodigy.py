"""Prodigy-style JSONL tasks (docs/contract.md section 3, ``schemas/prodigy.schema.json``).

One task per document and annotator. The mapping (also in the README):

- ``spans``: every QUOTE, CUE, SPEAKER and CLAIM span of the version, sorted by offsets, with Prodigy's
  keys (``start``, ``end``, ``token_start``, ``token_end`` inclusive, ``label``) plus our attributes:
  QUOTE ``id``, ``kind``, ``speaker`` (the canonical name, or null), ``stance`` (``{"target", "label"}``
  or null); SPEAKER ``name``; CLAIM ``id``, ``checkworthy``, ``speaker``. A cue shared by several quotes appears once; a
  speaker mention appears once per distinct name. A span whose offsets do not fall on token
  boundaries is expanded to the covering tokens and keeps its annotated offsets in ``gold_start``
  and ``gold_end`` (the export reports it).
- ``relations``: per quote ``ATTRIBUTED_TO`` (head QUOTE -> child SPEAKER) and ``CUED_BY``
  (head QUOTE -> child CUE); ``head``/``child`` are the spans' last token (``token_end``), as Prodigy's
  relations UI does, and ``head_span``/``child_span`` are the full span dicts (without attributes).
- ``answer``: ``accept`` for a version with status done, ``ignore`` for anything else (flagged, skipped,
  unfinished: only exported with ``--status all``).
- ``_input_hash`` and ``_task_hash`` as Prodigy's ``set_hashes`` makes them with its default keys
  (:func:`set_hashes`): MurmurHash3 (``mmh3``, 32-bit signed) of the sorted compact JSON of the task's
  input keys (``text``), and of its task keys (``spans``) prefixed by the input hash. Relations, answer,
  meta and session are not task keys: the same text with the same spans has the same task hash, whoever
  annotated it, so Prodigy's dedupe and ``review`` group versions as they do their own.
- ``_annotator_id`` = ``_session_id`` = ``"<dataset>-<annotator>"`` (Prodigy's named-session form);
  ``_view_id`` = ``"relations"``: Prodigy's relations interface draws the spans and the arrows between them
  (``spans_manual`` shows no relations; ``ner_manual`` cannot show overlapping spans).
- ``_timestamp``: when the version last changed, in whole seconds since the epoch (UTC), so exporting
  the same database twice gives the same file.
- ``meta``: ``id`` (document id), ``dataset``, ``annotator``, ``status``, and ``doc_meta`` (the document's
  own metadata, unchanged).
"""

from __future__ import annotations

import codecs
import json
import struct
import zlib
from json.encoder import encode_basestring_ascii
from datetime import datetime, timezone
from itertools import count
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import orjson

from annotator.io.output import fast_dumps
from annotator.io.tokens import ExportReport, TokenLayout, Tokenization, layout_from_offsets, stream_with_tokens
from annotator.records import TokenOffsets
from annotator.scheme import LAYER_LABELS, Annotation, Claim, Quote, SpeakerMention, Span, Stance

if TYPE_CHECKING:
    from annotator.records import ExportedVersion

VIEW_ID = "relations"
#: Prodigy's default hash keys (``prodigy.util.INPUT_HASH_KEYS``, ``TASK_HASH_KEYS``, ``IGNORE_HASH_KEYS``).
INPUT_KEYS: tuple[str, ...] = ("text", "image", "html", "input")
TASK_KEYS: tuple[str, ...] = ("spans", "label", "options", "arcs")
IGNORE_KEYS: tuple[str, ...] = ("score", "rank", "model", "source", "pattern", "priority", "path", "_view_id",
                                "_session_id", "_annotator_id", "answer")
REL_SPEAKER = "ATTRIBUTED_TO"
REL_CUE = "CUED_BY"
QUOTE, CUE, SPEAKER, CLAIM = (LAYER_LABELS[k] for k in ("quotes", "cues", "speakers", "claims"))
_LABEL_ORDER = {QUOTE: 0, CUE: 1, SPEAKER: 2, CLAIM: 3}


def get_hash(task: dict[str, Any], keys: Iterable[str], ignore: Iterable[str] = IGNORE_KEYS,
             prefix: int | None = None) -> int:
    """MurmurHash3 (32-bit, signed, seed 0) of the task's values for ``keys``, like Prodigy's ``get_hash``.

    The values are serialized as JSON with sorted keys and compact separators (``srsly.json_dumps(...,
    sort_keys=True)``), prefixed by ``prefix`` (the input hash, for task hashes). A task with none of the
    keys is hashed over all its keys except ``ignore``.
    """
    import mmh3

    ignored = set(ignore)
    values = {k: task[k] for k in keys if k in task and k not in ignored}
    if not values:
        values = {k: v for k, v in task.items() if k not in ignored}
    text = json.dumps(values, sort_keys=True, separators=(",", ":"))
    if prefix is not None:
        text = f"{prefix}{text}"
    return int(mmh3.hash(text))


def set_hashes(task: dict[str, Any], input_keys: Iterable[str] = INPUT_KEYS,
               task_keys: Iterable[str] = TASK_KEYS) -> dict[str, Any]:
    """Set ``_input_hash`` and ``_task_hash`` as Prodigy's ``set_hashes`` does with its defaults."""
    task["_input_hash"] = in_hash = get_hash(task, input_keys)
    task["_task_hash"] = get_hash(task, task_keys, prefix=in_hash)
    return task


def _json_ascii_escapes(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the non-ASCII characters ``str.encode("ascii")`` met, as ``json.dumps`` escapes
    them (``\\u00e9``; a surrogate pair beyond the BMP)."""
    assert isinstance(exc, UnicodeEncodeError)
    return encode_basestring_ascii(exc.object[exc.start:exc.end])[1:-1], exc.end


_ESCAPE_NON_ASCII = "annotator-json-ascii"
codecs.register_error(_ESCAPE_NON_ASCII, _json_ascii_escapes)


def spans_hash(spans: list[dict[str, Any]], prefix: int) -> int:
    """``get_hash({"spans": spans}, TASK_KEYS, prefix=prefix)`` (test, for the spans :func:`prodigy_task`
    makes: strings, integers, booleans, None and dicts of them; no floats, whose text orjson writes its own way)
    by orjson: the stdlib's sorted dump was 60 us of a 150 us task. orjson's compact sorted JSON differs from
    ``json.dumps(..., sort_keys=True)`` only where that escapes to ASCII: non-ASCII characters (escaped here by
    the stdlib's own escaper) and DEL (written raw by orjson, only ever inside a string)."""
    import mmh3

    try:
        data = orjson.dumps({"spans": spans}, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # lone surrogates, integers beyond 64 bits
        return get_hash({"spans": spans}, TASK_KEYS, prefix=prefix)
    if not data.isascii():
        data = data.decode("utf-8").encode("ascii", _ESCAPE_NON_ASCII)
    if b"\x7f" in data:
        data = data.replace(b"\x7f", b"\\u007f")
    return int(mmh3.hash(b"%d%b" % (prefix, data)))


def input_hash(text: str) -> int:
    """``get_hash({"text": text}, INPUT_KEYS)`` (test) without the dict and the encoder set-up: the sorted
    compact JSON of one string key is that string's ASCII JSON between ``{"text":`` and ``}``."""
    import mmh3

    return int(mmh3.hash(f'{{"text":{encode_basestring_ascii(text)}}}'))


def answer_for(status: str) -> str:
    return "accept" if status == "done" else "ignore"


def timestamp(when: datetime | None) -> int:
    """Whole seconds since the epoch; naive datetimes (SQLite) are UTC. 0 when unknown."""
    if when is None:
        return 0
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp())


def tokens_of(text: str, layout: TokenLayout) -> list[dict[str, Any]]:
    # one flat zip with a counter, not enumerate() of a zip: ~13 % less for a third of a task's cost
    return [
        {"text": text[s:e], "start": s, "end": e, "id": i, "ws": w}
        for s, e, w, i in zip(layout.starts, layout.ends, layout.ws, count())
    ]


#: The form of the stored Prodigy ``tokens`` JSON (:func:`tokens_blob`). Bump it whenever what
#: :func:`tokens_of` writes or the layout rules change: a stored form of another number is not used.
#: (Form 1 had no check of the offsets.)
TOKENS_FORM = 2
#: A stored tokens JSON's header: its form, the length and CRC-32 of the text it was made from, and the
#: CRC-32 of the token offsets it was made from.
_BLOB_HEADER = struct.Struct(">HQII")


def _text_check(text: str) -> int:
    """The CRC-32 of ``text`` (lone surrogates included) that a stored tokens JSON was made from."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _offsets_check(offsets: Sequence[Sequence[int]]) -> int:
    """The CRC-32 of the token offsets a stored tokens JSON was made from (as int64 starts, then ends): a
    tokenization rewritten without its tokens JSON (by anything but ``add_suggestions``) no longer matches."""
    import numpy  # Prodigy exports load it anyway (token layouts); gold JSONL exports never get here

    arrays = TokenOffsets.of(offsets)
    return zlib.crc32(numpy.ascontiguousarray(arrays.ends, dtype=numpy.int64).tobytes(),
                      zlib.crc32(numpy.ascontiguousarray(arrays.starts, dtype=numpy.int64).tobytes()))


def tokens_blob(text: str, offsets: Sequence[Sequence[int]]) -> bytes | None:
    """What is stored with a tokenization of ``text`` (``Document.prodigy_tokens``) so that Prodigy exports make
    no Python object per token: a task's ``tokens`` JSON (the token dicts and their dump were a third of a task),
    zlib-compressed (17 kB -> 3.3 kB for 300 tokens; decompressing is a quarter of building it), after a header
    with its form, the length and CRC-32 of the text and the CRC-32 of the offsets. None when the offsets do not
    fit the text (an export re-tokenizes it) or orjson refuses the text (lone surrogates)."""
    layout = layout_from_offsets(text, offsets)
    if layout is None:
        return None
    try:
        data = orjson.dumps(tokens_of(text, layout))
    except TypeError:
        return None
    header = _BLOB_HEADER.pack(TOKENS_FORM, len(text), _text_check(text), _offsets_check(offsets))
    return header + zlib.compress(data)


def stored_tokens_json(text: str, blob: bytes | None, offsets: Sequence[Sequence[int]] | None) -> bytes | None:
    """The ``tokens`` JSON in ``blob`` (:func:`tokens_blob`) when it was made from this text and these stored
    ``offsets`` in this form, else None (also when there are no stored offsets: the export then tokenizes the
    text itself). Only offsets that fit the text have one, so its layout is the one an export builds from
    the same offsets."""
    if not blob or offsets is None or len(blob) < _BLOB_HEADER.size:
        return None
    form, chars, crc, offsets_crc = _BLOB_HEADER.unpack_from(blob)
    if form != TOKENS_FORM or chars != len(text) or crc != _text_check(text) or offsets_crc != _offsets_check(offsets):
        return None
    try:
        return zlib.decompress(bytes(blob)[_BLOB_HEADER.size:])
    except zlib.error:
        return None


class _SpanMaker:
    """Token-aligned span dicts for one version; remembers each span so relations can point at it."""

    def __init__(self, ann: Annotation, layout: TokenLayout, report: ExportReport):
        self.ann, self.layout, self.report = ann, layout, report
        self.spans: list[dict[str, Any]] = []
        self._seen: dict[tuple[Any, ...], dict[str, Any] | None] = {}

    def make(self, label: str, start: int, end: int, key: tuple[Any, ...] = (), **attrs: Any) -> dict[str, Any] | None:
        """The span dict for ``[start, end)`` (created once per label, offsets and key)."""
        full_key = (label, start, end, *key)
        if full_key in self._seen:
            return self._seen[full_key]
        aligned = self.layout.align(start, end)
        span: dict[str, Any] | None = None
        if aligned is None:
            self.report.adjust(self.ann, label, (start, end), None)
        else:
            ts, te = aligned
            s, e = self.layout.starts[ts], self.layout.ends[te]
            span = {"start": s, "end": e, "token_start": ts, "token_end": te, "label": label, **attrs}
            if (s, e) != (start, end):
                span["gold_start"], span["gold_end"] = start, end
                self.report.adjust(self.ann, label, (start, end), (s, e))
            self.spans.append(span)
        self._seen[full_key] = span
        return span


def _core(span: dict[str, Any]) -> dict[str, Any]:
    return {k: span[k] for k in ("start", "end", "token_start", "token_end", "label")}


def _relation(head: dict[str, Any], child: dict[str, Any], label: str) -> dict[str, Any]:
    return {
        "head": head["token_end"], "child": child["token_end"], "label": label,
        "head_span": _core(head), "child_span": _core(child),
    }


def prodigy_task(
    ann: Annotation, layout: TokenLayout, dataset: str, updated_at: datetime | None = None,
    report: ExportReport | None = None, tokens: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The Prodigy task of one version (rejected items left out, like the gold export); ``tokens`` is
    ``tokens_of(ann.text, layout)`` when the caller has it already (another version of the document)."""
    report = report if report is not None else ExportReport()
    kept = ann.kept()
    maker = _SpanMaker(ann, layout, report)
    relations: list[dict[str, Any]] = []
    for q in kept.quotes:
        qspan = maker.make(QUOTE, q.start, q.end, (q.id,), id=q.id, kind=q.kind,
                           speaker=q.speaker.name if q.speaker else None,
                           stance=q.stance.to_dict() if q.stance else None)
        cspan = maker.make(CUE, q.cue.start, q.cue.end) if q.cue else None
        sspan = (maker.make(SPEAKER, q.speaker.start, q.speaker.end, (q.speaker.name,), name=q.speaker.name)
                 if q.speaker else None)
        if qspan is not None and sspan is not None:
            relations.append(_relation(qspan, sspan, REL_SPEAKER))
        if qspan is not None and cspan is not None:
            relations.append(_relation(qspan, cspan, REL_CUE))
    for c in kept.claims:
        maker.make(CLAIM, c.start, c.end, (c.id,), id=c.id, checkworthy=c.checkworthy, speaker=c.speaker)
    spans = sorted(maker.spans, key=lambda sp: (sp["start"], sp["end"], _LABEL_ORDER[sp["label"]]))
    in_hash = input_hash(ann.text)
    annotator_id = f"{dataset}-{ann.annotator}"
    return {
        "text": ann.text,
        "meta": {"id": ann.doc_id, "dataset": dataset, "annotator": ann.annotator, "status": ann.status,
                 "doc_meta": dict(ann.meta)},
        "_input_hash": in_hash,
        "_task_hash": spans_hash(spans, in_hash),
        "tokens": tokens if tokens is not None else tokens_of(ann.text, layout),
        "spans": spans,
        "relations": relations,
        "answer": answer_for(ann.status),
        "_view_id": VIEW_ID,
        "_annotator_id": annotator_id,
        "_session_id": annotator_id,
        "_timestamp": timestamp(updated_at),
    }


def prodigy_lines(
    versions: Iterable["ExportedVersion"], dataset: str, tokens: Tokenization
) -> Iterator[bytes]:
    """Serialized tasks (UTF-8 JSON), one per version, streaming. A document's ``tokens`` (a third of a task's
    cost) are the JSON stored with its tokenization (:func:`stored_tokens_json`), spliced in as it is, else token
    dicts made once for all its versions."""
    last: TokenLayout | None = None
    token_dicts: list[dict[str, Any]] = []
    token_json: bytes | None = None
    for ev, layout in stream_with_tokens(versions, tokens):
        if layout is not last:
            last, token_json = layout, stored_tokens_json(ev.text, ev.prodigy_tokens, ev.tokens)
            token_dicts = [] if token_json is not None else tokens_of(ev.annotation.text, layout)
        task = prodigy_task(ev.annotation, layout, dataset, ev.updated_at, tokens.report, token_dicts)
        yield _task_bytes(task, token_json)


def _task_bytes(task: dict[str, Any], token_json: bytes | None) -> bytes:
    """The task's JSON, with ``token_json`` as its ``tokens`` when given."""
    if token_json is None:
        return fast_dumps(task)
    task["tokens"] = orjson.Fragment(token_json)
    try:
        return orjson.dumps(task)
    except TypeError:  # what orjson refuses elsewhere (metadata: integers beyond 64 bits) goes through json
        task["tokens"] = orjson.loads(token_json)
        return fast_dumps(task)


def annotation_from_task(task: dict[str, Any]) -> Annotation:
    """The version a task was exported from (rejected items aside): the inverse of :func:`prodigy_task`.

    Uses ``gold_start``/``gold_end`` where a span was expanded, so the round trip is exact. Items
    come back in offset order (the stored order may differ) with their exported ids.
    """
    text = task["text"]

    def offsets(span: dict[str, Any]) -> tuple[int, int]:
        return span.get("gold_start", span["start"]), span.get("gold_end", span["end"])

    def key(span: dict[str, Any]) -> tuple[int, int, str]:
        return span["start"], span["end"], span["label"]

    cues = {key(sp): sp for sp in task["spans"] if sp["label"] == CUE}
    speakers = {(*key(sp), sp["name"]): sp for sp in task["spans"] if sp["label"] == SPEAKER}
    rels: dict[tuple[int, int], dict[str, dict[str, Any]]] = {}
    for r in task["relations"]:
        rels.setdefault((r["head_span"]["start"], r["head_span"]["end"]), {})[r["label"]] = r["child_span"]
    quotes: list[Quote] = []
    for sp in task["spans"]:
        if sp["label"] != QUOTE:
            continue
        s, e = offsets(sp)
        linked = rels.get((sp["start"], sp["end"]), {})
        cue = None
        if REL_CUE in linked:
            cs, ce = offsets(cues[key(linked[REL_CUE])])
            cue = Span(cs, ce, text[cs:ce])
        speaker = None
        if REL_SPEAKER in linked:
            ss, se = offsets(speakers[(*key(linked[REL_SPEAKER]), sp["speaker"])])
            speaker = SpeakerMention(ss, se, text[ss:se], sp["speaker"])
        stance = Stance(**sp["stance"]) if sp.get("stance") else None
        quotes.append(Quote(sp["id"], s, e, text[s:e], sp["kind"], cue, speaker, stance))
    claims = []
    for sp in task["spans"]:
        if sp["label"] == CLAIM:
            s, e = offsets(sp)
            claims.append(Claim(sp["id"], s, e, text[s:e], sp["checkworthy"], sp["speaker"]))
    meta = task["meta"]
    return Annotation(
        meta["id"], text, meta["annotator"], meta["status"], meta["doc_meta"], tuple(quotes), tuple(claims)
    )
