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
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from annotator.errors import InputError

from annotator.io.spacy_config import SpanLengths
from annotator.io.tokens import ExportReport, TokenLayout, Tokenization, make_doc, stream_with_tokens
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


def annotation_doc(
    ann: Annotation, layout: TokenLayout, vocab: "Vocab", dataset: str, report: ExportReport | None = None,
    lengths: SpanLengths | None = None,
) -> "Doc":
    """The Doc of one version: span groups, ents and user_data as described in the module docstring."""
    from spacy.util import filter_spans

    report = report if report is not None else ExportReport()
    doc = make_doc(vocab, ann.text, layout)
    kept = ann.kept()
    groups: dict[str, dict[tuple[int, int, str], Any]] = {layer: {} for layer in LAYERS}

    def add(layer: str, start: int, end: int, kb_id: str = "", span_id: str = "") -> None:
        key = (start, end, kb_id or span_id)
        if key in groups[layer]:
            return
        label = LAYER_LABELS[layer]
        span = doc.char_span(start, end, label=label, kb_id=kb_id, span_id=span_id, alignment_mode="expand")
        if span is None or len(span) == 0:
            report.adjust(ann, label, (start, end), None)
            return
        if (span.start_char, span.end_char) != (start, end):
            report.adjust(ann, label, (start, end), (span.start_char, span.end_char))
        groups[layer][key] = span

    for q in kept.quotes:
        add("quotes", q.start, q.end, span_id=q.id)
        if q.cue:
            add("cues", q.cue.start, q.cue.end)
        if q.speaker:
            add("speakers", q.speaker.start, q.speaker.end, kb_id=q.speaker.name)
    for c in kept.claims:
        add("claims", c.start, c.end, span_id=c.id)
    for layer in LAYERS:
        doc.spans[layer] = sorted(groups[layer].values(), key=lambda sp: (sp.start, sp.end))
        if lengths is not None:
            for span in groups[layer].values():
                lengths.add(layer, len(span))
    doc.ents = filter_spans(groups["speakers"].values())
    gold = kept.to_dict()
    del gold["text"]
    if not _packable(gold["meta"]):  # msgpack holds 64-bit integers and 512 levels: keep such meta as JSON
        gold[META_JSON] = json.dumps(gold.pop("meta"), ensure_ascii=False)
    doc.user_data.update({**gold, "dataset": dataset})
    return doc


def _packable(value: Any) -> bool:
    """Whether msgpack (DocBin's user_data format) can store ``value``."""
    import srsly

    try:
        srsly.msgpack_dumps(value)
    except (OverflowError, ValueError):
        return False
    return True


def build_docbin(
    versions: Iterable["ExportedVersion"], dataset: str, tokens: Tokenization, vocab: "Vocab | None" = None,
    lengths: SpanLengths | None = None,
) -> tuple["DocBin", int]:
    """A DocBin (``store_user_data=True``) of all versions, and how many docs it holds (one file: small sets)."""
    docbin = new_docbin()
    n = 0
    with msgpack_encoders_once():
        for doc in iter_docs(versions, dataset, tokens, vocab, lengths):
            docbin.add(doc)
            n += 1
    return docbin, n


def iter_docs(
    versions: Iterable["ExportedVersion"], dataset: str, tokens: Tokenization, vocab: "Vocab | None" = None,
    lengths: SpanLengths | None = None,
) -> Iterator["Doc"]:
    if vocab is None:  # tokens and span labels only: no language data needed (DocBin stores strings)
        from spacy.vocab import Vocab

        vocab = Vocab()
    for ev, layout in stream_with_tokens(versions, tokens):
        yield annotation_doc(ev.annotation, layout, vocab, dataset, tokens.report, lengths)


def shard_name(index: int) -> str:
    return f"{SHARD_PREFIX}{index:05d}.spacy"


def write_shards(docs: Iterable["Doc"], folder: Path, shard_size: int) -> int:
    """Write Docs as DocBins of at most ``shard_size`` docs into ``folder``; returns the number of docs.

    Only one shard is held in memory at a time, so memory does not grow with the corpus (a single
    DocBin of 29k documents took 9.4 GB). ``spacy train`` reads such a folder as one corpus.
    """
    n = 0
    shard = 0
    docbin = new_docbin()
    with msgpack_encoders_once():
        for doc in docs:
            docbin.add(doc)
            n += 1
            if len(docbin) >= shard_size:
                docbin.to_disk(folder / shard_name(shard))
                shard += 1
                docbin = new_docbin()
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


def new_docbin() -> "DocBin":
    """An empty DocBin (user data kept) whose ``add`` collects the strings of a Doc's tokens from its
    attribute arrays instead of nine attribute lookups per token (half of ``DocBin.add``'s time)."""
    return _docbin_class()(store_user_data=True)


@cache
def _docbin_class() -> type["DocBin"]:
    from spacy.tokens import DocBin

    class FastDocBin(DocBin):
        def add(self, doc: "Doc") -> None:
            _add_to_docbin(self, doc)

    return FastDocBin


def _add_to_docbin(docbin: "DocBin", doc: "Doc") -> None:
    """What ``DocBin.add`` (spaCy 3.8) stores for a Doc, with the token strings (text, tag, lemma, norm,
    morph, dep, entity type, kb id and id: the ones ``DocBin.add`` collects) taken from the distinct
    hashes of the Doc's attribute arrays. The test suite compares the result with ``DocBin.add``'s."""
    import numpy
    import srsly
    from spacy.attrs import DEP, ENT_ID, ENT_KB_ID, ENT_TYPE, LEMMA, MORPH, NORM, ORTH, SPACY, TAG

    attrs: list[int | str] = list(docbin.attrs)  # ints at run time (DocBin stores attribute ids)
    array = doc.to_array(attrs)
    if len(array.shape) == 1:
        array = array.reshape((array.shape[0], 1))
    docbin.tokens.append(array)
    spaces = doc.to_array(SPACY)
    docbin.spaces.append(numpy.asarray(spaces.reshape((spaces.shape[0], 1)), dtype=bool))
    docbin.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
    strings = doc.vocab.strings
    hashes = doc.to_array([ORTH, TAG, LEMMA, NORM, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID])
    docbin.strings.update(strings[int(h)] for h in numpy.unique(hashes))
    # str(token.morph) is "" where the morph's stored string is "_" (spaCy's empty analysis)
    docbin.strings.update("" if m == "_" else m for m in (strings[int(h)] for h in numpy.unique(doc.to_array(MORPH))))
    docbin.cats.append(doc.cats)
    if docbin.store_user_data:
        docbin.user_data.append(srsly.msgpack_dumps(doc.user_data))
    docbin.span_groups.append(doc.spans.to_bytes())
    for group in doc.spans.values():
        for span in group:
            docbin.strings.add(span.label_)
            if span.kb_id in strings:
                docbin.strings.add(span.kb_id_)
            if span.id in strings:
                docbin.strings.add(span.id_)


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
