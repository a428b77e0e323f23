"""spaCy DocBin export (docs/contract.md section 3): one Doc per document and annotator, ready for ``spacy train``.

The mapping (also in the README):

- tokenization: rebuilt from the stored offsets with ``Doc(vocab, words=..., spaces=...)`` (no parse), else
  the spaCy model's tokenizer; ``doc.text`` always equals the document text, so character offsets hold.
- ``doc.spans["quotes"]``, ``["cues"]``, ``["speakers"]``, ``["claims"]``: one label per layer (``QUOTE``,
  ``CUE``, ``SPEAKER``, ``CLAIM``; the simplest set-up for ``spancat``, one ``spans_key`` per layer).
  Quote and claim spans carry their item id in ``span.id_`` (``"q1"``...); speaker spans carry the
  canonical name in ``span.kb_id_``. Spans are made with ``doc.char_span(..., alignment_mode="expand")``:
  offsets that do not fall on token boundaries grow to the covering tokens (the export reports them).
- ``doc.ents``: the SPEAKER mentions (label ``SPEAKER``, ``kb_id_`` = canonical name), overlapping ones
  reduced with ``spacy.util.filter_spans`` (longest first).
- ``doc.user_data`` (saved: ``DocBin(store_user_data=True)``): the gold JSONL line without ``text`` plus
  ``dataset``, i.e. keys ``id``, ``meta``, ``annotator``, ``status``, ``quotes`` (each with ``kind``, ``cue``,
  ``speaker`` with ``name`` — the attribution — and ``stance``), ``claims``, all with the annotated character
  offsets. Meta that msgpack cannot hold (an integer beyond 64 bits, nesting over 512 levels) is kept as
  JSON text under ``meta_json`` instead of ``meta``. :func:`gold_from_doc` turns a read-back Doc into the
  gold line again.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import struct
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, NamedTuple

from annotator.errors import InputError

from annotator.io.spacy_config import SpanLengths
from annotator.io.tokens import ExportReport, TokenLayout, Tokenization, stream_with_tokens
from annotator.scheme import LAYER_LABELS, LAYERS, Annotation

if TYPE_CHECKING:
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

    from annotator.records import ExportedVersion

#: Shard files in an export folder: ``shard-00000.spacy``, ``shard-00001.spacy``...
SHARD_PREFIX = "shard-"
#: The ``spacy train`` config written next to (or into) the export.
CONFIG_NAME = "config.cfg"
#: user_data key holding the meta as JSON text when msgpack cannot (integers beyond 64 bits, deep nesting).
META_JSON = "meta_json"


def add_version(
    docbin: "DocBin", ann: Annotation, layout: TokenLayout, dataset: str, report: ExportReport | None = None,
    lengths: SpanLengths | None = None, hashes: "_Hashes | None" = None,
) -> None:
    """Add the Doc of one version to ``docbin`` (``store_user_data=True``) as ``DocBin.add`` would add it,
    without making the Doc: the token attribute array, spaces, strings, user data and span groups are
    written straight from the layout (span groups, ents and user_data as described in the module docstring).

    Why: building a spaCy Doc per version (a lexeme per word, ``char_span``, ``doc.ents``, ``to_array``) and
    serializing it again cost ~3 ms of a 1 kB document's ~4 ms export. The test suite checks the content
    against ``DocBin.add`` of the Docs the earlier code built (``tests/io/docbin_reference.py``).
    """
    import numpy
    from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE, ORTH, SENT_START

    report = report if report is not None else ExportReport()
    hashes = hashes if hashes is not None else _Hashes()
    kept = ann.kept()
    groups: dict[str, dict[tuple[int, int, str], _Span]] = {layer: {} for layer in LAYERS}

    def add(layer: str, start: int, end: int, kb_id: str = "", span_id: str = "") -> None:
        key = (start, end, kb_id or span_id)
        if key in groups[layer]:
            return
        label = LAYER_LABELS[layer]
        aligned = layout.align(start, end)  # Doc.char_span(..., alignment_mode="expand")
        if aligned is None:
            report.adjust(ann, label, (start, end), None)
            return
        first, last = aligned
        span = _Span(first, last + 1, layout.starts[first], layout.ends[last], label, kb_id, span_id)
        if (span.start_char, span.end_char) != (start, end):
            report.adjust(ann, label, (start, end), (span.start_char, span.end_char))
        groups[layer][key] = span

    for layer, start, end, kb_id, span_id in group_spans(kept):
        add(layer, start, end, kb_id, span_id)

    words = layout.words(ann.text)
    n = len(words)
    cols = {attr: i for i, attr in enumerate(docbin.attrs)}
    array = numpy.zeros((n, len(cols)), dtype=numpy.uint64)
    array[:, cols[ORTH]] = list(map(hashes.__getitem__, words))  # a third less than a comprehension
    strings = docbin.strings
    strings.update(words)
    if n:
        if SENT_START in cols:  # a Doc's first token starts a sentence (also without this column)
            array[0, cols[SENT_START]] = 1
        array[:, cols[ENT_IOB]] = 2  # doc.ents was set: every other token is outside ("O")
        strings.add("")  # the unset tag, lemma, norm, morph, dep and entity strings
    for ent in _filter_spans(groups["speakers"].values()):
        array[ent.start, cols[ENT_IOB]] = 3
        array[ent.start + 1:ent.end, cols[ENT_IOB]] = 1
        array[ent.start:ent.end, cols[ENT_TYPE]] = hashes[ent.label]
        array[ent.start:ent.end, cols[ENT_KB_ID]] = hashes[ent.kb_id]
        strings.update((ent.label, ent.kb_id))
    docbin.tokens.append(array)
    docbin.spaces.append(numpy.asarray(layout.ws, dtype=bool).reshape((n, 1)))
    docbin.flags.append({"has_unknown_spaces": False})
    docbin.cats.append({})
    docbin.user_data.append(_packed_user_data(kept, dataset, hashes.pack))
    packed: dict[bytes, list[str]] = {}
    for layer in LAYERS:
        spans = sorted(groups[layer].values(), key=lambda sp: (sp.start, sp.end))
        group = {"name": layer, "attrs": {}, "spans": [sp.packed(hashes) for sp in spans]}
        packed.setdefault(hashes.pack(group), []).append(layer)
        for span in spans:
            strings.update((span.label, span.kb_id, span.span_id))
            if lengths is not None:
                lengths.add(layer, span.end - span.start)
    docbin.span_groups.append(hashes.pack(packed))


def group_spans(kept: Annotation) -> Iterator[tuple[str, int, int, str, str]]:
    """The spans of a version's kept items, in the order they are added: (span group, start, end, kb id,
    span id); a quote's cue and speaker mention follow it, claims come last."""
    for q in kept.quotes:
        yield "quotes", q.start, q.end, "", q.id
        if q.cue:
            yield "cues", q.cue.start, q.cue.end, "", ""
        if q.speaker:
            yield "speakers", q.speaker.start, q.speaker.end, q.speaker.name, ""
    for c in kept.claims:
        yield "claims", c.start, c.end, "", c.id


class _Span(NamedTuple):
    """A span as a Doc holds it: tokens [start, end), characters, label, kb id and id (strings)."""

    start: int
    end: int
    start_char: int
    end_char: int
    label: str
    kb_id: str
    span_id: str

    def packed(self, hashes: "_Hashes") -> bytes:
        """The span as ``SpanGroup.to_bytes`` packs it."""
        return struct.pack(">QQQllll", hashes[self.span_id], hashes[self.kb_id], hashes[self.label],
                           self.start, self.end, self.start_char, self.end_char)


def _filter_spans(spans: Iterable[_Span]) -> list[_Span]:
    """``spacy.util.filter_spans`` (what ``doc.ents`` got): longest first (the earlier of equally long ones),
    leaving out a span whose first or last token is already taken; by start."""
    kept: list[_Span] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda sp: (sp.end - sp.start, -sp.start), reverse=True):
        if span.start not in taken and span.end - 1 not in taken:
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda sp: sp.start)


class _Hashes(dict[str, int]):
    """spaCy's string hashes (``StringStore``'s), computed once per string (one shard's strings: bounded), and the
    shard's msgpack packer: ``srsly.msgpack_dumps`` makes a Packer per call (6 per Doc), its ``pack`` gives the
    same bytes."""

    def __init__(self) -> None:
        super().__init__()
        import srsly.msgpack

        self.pack: Callable[[Any], bytes] = srsly.msgpack.Packer(use_bin_type=True).pack

    def __missing__(self, key: str) -> int:
        from spacy.strings import get_string_id

        value = self[key] = int(get_string_id(key))
        return value


def _user_data(kept: Annotation, dataset: str, meta_as_json: bool = False) -> dict[str, Any]:
    """A Doc's user_data: the gold JSONL line without the text, plus the dataset; with ``meta_as_json`` the
    meta as JSON text under ``meta_json`` (for meta msgpack cannot hold)."""
    gold = kept.to_dict()
    del gold["text"]
    if meta_as_json:
        gold[META_JSON] = json.dumps(gold.pop("meta"), ensure_ascii=False)
    return {**gold, "dataset": dataset}


def _packed_user_data(kept: Annotation, dataset: str, pack: Callable[[Any], bytes]) -> bytes:
    """The msgpack of the user_data; meta that msgpack cannot hold (an integer beyond 64 bits, nesting over
    512 levels) goes in as JSON text instead."""
    try:
        return bytes(pack(_user_data(kept, dataset)))
    except (OverflowError, ValueError):
        return bytes(pack(_user_data(kept, dataset, meta_as_json=True)))


#: The token attributes an export sets (the words and the SPEAKER entities); a DocBin of these reads back
#: as the same Docs as one of every attribute (the others are unset), with a third of the data to compress.
EXPORT_ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID")


def new_docbin() -> "DocBin":
    from spacy.tokens import DocBin

    return DocBin(attrs=EXPORT_ATTRS, store_user_data=True)


def build_docbin(
    versions: Iterable["ExportedVersion"], dataset: str, tokens: Tokenization, lengths: SpanLengths | None = None,
) -> tuple["DocBin", int]:
    """A DocBin (``store_user_data=True``) of all versions, and how many docs it holds (one file: small sets)."""
    docbin = new_docbin()
    hashes = _Hashes()
    with msgpack_encoders_once():
        for ev, layout in stream_with_tokens(versions, tokens):
            add_version(docbin, ev.annotation, layout, dataset, tokens.report, lengths, hashes)
    return docbin, len(docbin)


def shard_name(index: int) -> str:
    return f"{SHARD_PREFIX}{index:05d}.spacy"


def write_shards(
    versions: Iterable["ExportedVersion"], dataset: str, tokens: Tokenization, folder: Path, shard_size: int,
    lengths: SpanLengths | None = None,
) -> int:
    """Write the versions' Docs as DocBins of at most ``shard_size`` docs into ``folder``; returns the number
    of docs.

    Only one shard is held in memory at a time, so memory does not grow with the corpus (a single
    DocBin of 29k documents took 9.4 GB). ``spacy train`` reads such a folder as one corpus.
    """
    n = 0
    shard = 0
    docbin, hashes = new_docbin(), _Hashes()
    with msgpack_encoders_once():
        for ev, layout in stream_with_tokens(versions, tokens):
            add_version(docbin, ev.annotation, layout, dataset, tokens.report, lengths, hashes)
            n += 1
            if len(docbin) >= shard_size:
                docbin.to_disk(folder / shard_name(shard))
                shard += 1
                docbin, hashes = new_docbin(), _Hashes()
    if len(docbin):
        docbin.to_disk(folder / shard_name(shard))
    return n


@contextmanager
def msgpack_encoders_once() -> Iterator[None]:
    """srsly's msgpack encoders looked up once instead of once per ``msgpack_dumps`` call.

    Every ``srsly.msgpack_dumps`` builds a Packer that asks its catalogue registry for all encoders, and
    the registry scans the whole function catalogue and the installed packages' entry points each time:
    7 calls per exported Doc (user_data, span groups), 5 ms of the 6 ms ``DocBin.add`` cost per document.
    Inside the block the registry answers with the encoders it had when the block began (entry points
    included); nothing registers encoders while an export runs.
    """
    import srsly.msgpack

    registry = srsly.msgpack.msgpack_encoders
    found = registry.get_all()
    setattr(registry, "get_all", lambda: found)  # the instance attribute shadows the method
    try:
        yield
    finally:
        delattr(registry, "get_all")


def read_docs(path: Path, vocab: "Vocab | None" = None) -> Iterator["Doc"]:
    """The Docs of an exported DocBin file or shard folder, in export order."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    vocab = vocab if vocab is not None else Vocab()
    files = sorted(path.glob(f"{SHARD_PREFIX}*.spacy")) if path.is_dir() else [path]
    for file in files:
        yield from DocBin().from_disk(file).get_docs(vocab)


def gold_from_doc(doc: "Doc") -> dict[str, Any]:
    """The gold JSONL dict of an exported Doc read back from a DocBin (tuples from msgpack -> lists)."""

    def lists(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [lists(v) for v in value]
        if isinstance(value, dict):
            return {k: lists(v) for k, v in value.items()}
        return value

    ud = doc.user_data
    return {
        "id": ud["id"], "text": doc.text,
        "meta": json.loads(ud[META_JSON]) if META_JSON in ud else lists(ud["meta"]), "annotator": ud["annotator"],
        "status": ud["status"], "quotes": lists(ud["quotes"]), "claims": lists(ud["claims"]),
    }


def is_export_folder(path: Path) -> bool:
    """True for a folder this export wrote (shards and the config only): safe to replace."""
    if not path.is_dir() or path.is_symlink():
        return False
    names = [p.name for p in path.iterdir()]
    return bool(names) and all(n == CONFIG_NAME or (n.startswith(SHARD_PREFIX) and n.endswith(".spacy")) for n in names)


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A folder that becomes ``path`` only if the ``with`` block succeeds (a failed export leaves the old one).

    Built as a hidden sibling and renamed into place. An existing ``path`` is replaced only if it is an
    export folder (:func:`is_export_folder`) or an empty folder; anything else is refused before writing.
    """
    if path.exists() or path.is_symlink():
        if not (is_export_folder(path) or (path.is_dir() and not path.is_symlink() and not any(path.iterdir()))):
            raise InputError("exists and is not a DocBin export folder (remove it or give another --out)", str(path))
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.mkdir(mode=0o777)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror}", str(path)) from None
    old: Path | None = None
    try:
        yield tmp
        if path.exists():
            old = path.with_name(f".{path.name}.{secrets.token_hex(4)}.old")
            os.replace(path, old)
        os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not path.exists():
            os.replace(old, path)
        raise InputError(f"export not written: {exc.strerror}", str(path)) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
