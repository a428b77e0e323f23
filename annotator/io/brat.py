"""Read brat standoff attribution annotations (``X.txt`` + ``X.ann``, PolNeAR's ``X_<annotator>.ann``).

A *brat scheme* (``schemas/brat-scheme.schema.json``; PolNeAR's is built in as ``polnear``) maps entity types
to our layers (``quotes``, ``cues``, ``speakers``), names the event types that are attributions and the types
to ignore. Each event of an attribution type becomes one quote with its cue and speaker; its content
arguments (``Content``, ``Content2``) and discontinuous fragments (``s1 e1;s2 e2``) are joined:

- when there are several fragments and each is a direct quote on its own, one direct quote per fragment;
- else one span from the first fragment's start to the last one's end.

The kind comes from quotation marks (docs/contract.md section 1; NYT-style ``''…''`` count as marks): a span that is
one quotation is ``direct`` (its span then excludes the marks), one with marks inside is ``mixed``, else
``indirect``. Spans of one layer never overlap (docs/contract.md section 1): where attributions nest, the outer
(longer) content is kept and the nested one dropped; a cue or source overlapping another one is dropped
from its quote. A speaker's ``name`` is the source mention's text (brat has no canonical names).

Offsets are code points into the text read with ``newline=''``. Any bad line (offsets out of range, text not
matching the document, a span text with a newline, a line that is no brat annotation, an unknown type or id)
raises ``InputError`` with file and line, so the import stores nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from annotator.records import ImportRecord
from annotator.errors import InputError
from annotator.io.json_file import load_json_file
from annotator.io.validation import schema_error
from annotator.quotemarks import inside_marks, quote_kind
from annotator.scheme import Annotation, Quote, Span, SpeakerMention, trim_span

PRESETS_DIR = Path(__file__).resolve().parent / "brat_schemes"
#: Annotator name of a version read from ``X.ann`` (no ``_<annotator>`` suffix).
DEFAULT_ANNOTATOR = "brat"
_T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
_E_LINE = re.compile(r"^(E\d+)\t(\S+?):(T\d+)((?: \S+?:[TE]\d+)*)\s*$")
#: Other brat lines (notes, attributes, relations, normalisations, equivalences): read and ignored.
_OTHER_LINE = re.compile(r"^(#\d*|[ARMN]\d+|\*)\t")


@dataclass(frozen=True)
class BratScheme:
    """How brat types map to annotator layers."""

    name: str
    layers: Mapping[str, str]  # entity type -> "quotes" | "cues" | "speakers"
    events: frozenset[str]  # event (and trigger) types that are attributions
    ignored: frozenset[str]  # entity types read and dropped (notes such as Discuss/Discard)


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    fragments: tuple[tuple[int, int], ...]
    line: int


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    args: tuple[tuple[str, str], ...]  # (role, entity id)
    line: int
    trigger: str = ""  # the event's own text-bound annotation (``E1\tAttribution:T4 ...``)


def scheme_from_dict(obj: Any, where: str) -> BratScheme:
    """Validate a scheme (``brat-scheme.schema.json``) and build it; ``where`` names it in errors."""
    problem = schema_error(obj, "brat-scheme")
    if problem is not None:
        field, message = problem
        raise InputError(message, where, None, field)
    layers = dict(obj["layers"])  # checked by the schema: an object of strings, lists of strings
    return BratScheme(str(obj["name"]), layers, frozenset(obj["events"]), frozenset(obj.get("ignored") or ()))


@lru_cache(maxsize=None)
def preset(name: str) -> BratScheme:
    """A built-in scheme by name (``polnear``)."""
    path = PRESETS_DIR / f"{name}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PRESETS_DIR.glob("*.json")))
        raise InputError(f"unknown brat scheme {name!r}; built in: {known} (or give a .json file)")
    return scheme_from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))


def load_scheme(name_or_path: str) -> BratScheme:
    """A built-in scheme, or one read from a JSON file."""
    path = Path(name_or_path)
    if path.suffix.lower() == ".json" or path.is_file():
        return scheme_from_dict(load_json_file(path, "brat scheme"), str(path))
    return preset(name_or_path)


def read_text(path: Path) -> str:
    """A brat text: UTF-8 with newlines kept as they are (offsets count ``\\r\\n`` as two)."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return fh.read()
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid UTF-8 (byte 0x{exc.object[exc.start]:02x})", str(path)) from None


def parse_ann(path: Path, text: str, scheme: BratScheme) -> tuple[dict[str, Entity], list[Event]]:
    """Entities and events of one .ann file, every span checked against ``text``."""
    where = str(path)
    lines = read_text(path).split("\n")
    entities: dict[str, Entity] = {}
    events: list[Event] = []
    n = len(text)
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        if not line.strip() or _OTHER_LINE.match(line):
            continue
        m = _T_LINE.match(line)
        if m:
            tid, etype, ranges, given = m.groups()
            if etype not in scheme.layers and etype not in scheme.events and etype not in scheme.ignored:
                raise InputError(f"unknown brat type {etype!r} (not in the {scheme.name!r} scheme)", where, lineno)
            frags = tuple((int(a), int(b)) for a, b in (r.split(" ") for r in ranges.split(";")))
            for s, e in frags:
                if not (0 <= s < e <= n):
                    raise InputError(f"{tid}: offsets [{s}, {e}) out of range for a text of {n} characters",
                                     where, lineno)
            pieces = [text[s:e] for s, e in frags]
            if any("\n" in p or "\r" in p for p in pieces):
                raise InputError(f"{tid}: span text contains a newline", where, lineno)
            if " ".join(pieces) != given:
                raise InputError(f"{tid}: text {given[:40]!r} does not match the document at "
                                 f"{ranges}: {' '.join(pieces)[:40]!r}", where, lineno)
            if tid in entities:
                raise InputError(f"{tid}: id used twice", where, lineno)
            entities[tid] = Entity(tid, etype, frags, lineno)
            continue
        m = _E_LINE.match(line)
        if m:
            eid, etype, trigger, rest = m.groups()
            if etype not in scheme.events:
                raise InputError(f"unknown brat event type {etype!r} (not in the {scheme.name!r} scheme)",
                                 where, lineno)
            args = tuple(tuple(a.rsplit(":", 1)) for a in rest.split())
            events.append(Event(eid, etype, args, lineno, trigger))
            continue
        raise InputError("not a brat annotation line (a span text with a newline?)", where, lineno)
    for ev in events:
        for role, ref in ((ev.type, ev.trigger), *ev.args):
            if ref not in entities:
                raise InputError(f"{ev.id}: {role} refers to unknown id {ref}", where, ev.line)
    return entities, events


def content_quotes(text: str, fragments: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of the quotes one attribution's content fragments become (see module doc)."""
    frags = sorted(trim_span(text, s, e) for s, e in fragments)
    frags = [(s, e) for s, e in frags if s < e]
    if not frags:
        return []
    if len(frags) > 1 and all(quote_kind(text, s, e) == "direct" for s, e in frags):
        return [(*inside_marks(text, s, e), "direct") for s, e in frags]
    start, end = frags[0][0], max(e for _, e in frags)
    kind = quote_kind(text, start, end)
    if kind == "direct":
        start, end = inside_marks(text, start, end)
    return [(start, end, kind)] if start < end else []


def _edge_span(text: str, entity: Entity | None) -> tuple[int, int] | None:
    """A cue's or source's span: its first fragment, whitespace trimmed."""
    if entity is None:
        return None
    s, e = trim_span(text, *entity.fragments[0])
    return (s, e) if s < e else None


def _free(span: tuple[int, int] | None, taken: list[tuple[int, int]]) -> bool:
    return span is not None and (span in taken or not any(span[0] < b and a < span[1] for a, b in taken))


def build_annotation(doc_id: str, text: str, entities: Mapping[str, Entity], events: Sequence[Event],
                     scheme: BratScheme, annotator: str, meta: Mapping[str, object]) -> Annotation:
    """One annotator's version: attributions as quotes, overlaps resolved as the module doc says."""
    candidates: list[tuple[int, int, str, tuple[int, int] | None, tuple[int, int] | None]] = []
    linked: set[str] = set()
    for ev in events:
        by_layer: dict[str, list[Entity]] = {"quotes": [], "cues": [], "speakers": []}
        for _role, ref in ev.args:
            ent = entities[ref]
            layer = scheme.layers.get(ent.type)
            if layer in by_layer:
                by_layer[layer].append(ent)
                linked.add(ref)
        frags = [f for ent in by_layer["quotes"] for f in ent.fragments]
        cue = _edge_span(text, by_layer["cues"][0] if by_layer["cues"] else None)
        source = _edge_span(text, by_layer["speakers"][0] if by_layer["speakers"] else None)
        for s, e, kind in content_quotes(text, frags):
            candidates.append((s, e, kind, cue, source))
    for ent in entities.values():  # contents annotated without an attribution event
        if scheme.layers.get(ent.type) == "quotes" and ent.id not in linked:
            for s, e, kind in content_quotes(text, ent.fragments):
                candidates.append((s, e, kind, None, None))
    kept: list[tuple[int, int, str, tuple[int, int] | None, tuple[int, int] | None]] = []
    taken: list[tuple[int, int]] = []
    cues: list[tuple[int, int]] = []
    speakers: list[tuple[int, int]] = []
    for s, e, kind, cue, source in sorted(set(candidates), key=lambda c: (-(c[1] - c[0]), c[0])):
        if any(s < b and a < e for a, b in taken):
            continue
        taken.append((s, e))
        cue = cue if _free(cue, cues) else None
        source = source if _free(source, speakers) else None
        if cue is not None and cue not in cues:
            cues.append(cue)
        if source is not None and source not in speakers:
            speakers.append(source)
        kept.append((s, e, kind, cue, source))
    quotes = []
    for i, (s, e, kind, cue, source) in enumerate(sorted(kept)):
        quotes.append(Quote(
            f"q{i + 1}", s, e, text[s:e], kind,
            Span(cue[0], cue[1], text[cue[0]:cue[1]]) if cue else None,
            SpeakerMention(source[0], source[1], text[source[0]:source[1]], text[source[0]:source[1]])
            if source else None,
        ))
    return Annotation(doc_id, text, annotator, "done", dict(meta), tuple(quotes))


@dataclass(frozen=True)
class BratFile:
    """One .ann file with the text it annotates and whose version it is."""

    ann: Path
    text: Path
    doc_id: str
    annotator: str


def _text_for(ann: Path) -> tuple[Path, str, str] | None:
    """(text path, doc id, annotator) for an .ann: ``X.txt`` beside it, else ``X_<annotator>`` with the
    text beside it or in a sibling ``text/`` folder (PolNeAR's layout)."""
    stem = ann.stem
    same = ann.with_suffix(".txt")
    if same.is_file():
        return same, stem, DEFAULT_ANNOTATOR
    if "_" in stem:
        doc, annotator = stem.rsplit("_", 1)
        for folder in (ann.parent, ann.parent.parent / "text"):
            candidate = folder / f"{doc}.txt"
            if candidate.is_file() and annotator:
                return candidate, doc, annotator
    return None


def brat_files(anns: Sequence[Path]) -> list[BratFile]:
    """Pair every .ann file with its text; a missing text is an error naming the .ann."""
    out = []
    for ann in anns:
        found = _text_for(ann)
        if found is None:
            raise InputError("no text for this .ann file (expected X.txt beside X.ann, or text/X.txt for "
                             "X_<annotator>.ann)", str(ann))
        out.append(BratFile(ann, *found))
    return out


def has_brat(path: Path) -> bool:
    """True for an .ann file or a folder holding .ann files (``--format auto``)."""
    if path.is_dir():
        return any(p.suffix == ".ann" for p in path.rglob("*.ann"))
    return path.suffix.lower() == ".ann"


def read_brat(
    sources: Sequence[Path], scheme: BratScheme, progress: Callable[[int], None] | None = None
) -> Iterator[ImportRecord]:
    """ImportRecords for brat folders or .ann files: one per (text, annotator), texts without .ann plain."""
    anns: list[Path] = []
    texts: list[Path] = []
    for src in sources:
        if src.is_dir():
            anns.extend(sorted(p for p in src.rglob("*.ann") if not p.name.startswith(".")))
            texts.extend(sorted(p for p in src.rglob("*.txt") if not p.name.startswith(".")))
        elif src.is_file() and src.suffix.lower() == ".ann":
            anns.append(src)
        elif src.is_file():
            texts.append(src)
        else:
            raise InputError("no such file or folder", str(src))
    files = brat_files(anns)
    annotated = {f.text.resolve() for f in files}
    if not files and not texts:
        raise InputError("no .ann or .txt files", ", ".join(map(str, sources)))
    cache: dict[Path, str] = {}
    for f in sorted(files, key=lambda f: (str(f.text), f.annotator)):
        text = cache.get(f.text)
        if text is None:
            text = read_text(f.text)
            cache.clear()
            cache[f.text] = text
        if not text.strip():
            raise InputError("empty file: no text to annotate", str(f.text))
        entities, events = parse_ann(f.ann, text, scheme)
        ann = build_annotation(f.doc_id, text, entities, events, scheme, f.annotator, {"source": f.text.name})
        if progress:
            progress(f.ann.stat().st_size)
        yield ImportRecord(ext_id=f.doc_id, text=text, meta={"source": f.text.name}, source=str(f.ann),
                           annotation=ann)
    for t in texts:
        if t.resolve() in annotated:
            continue
        text = read_text(t)
        if not text.strip():
            raise InputError("empty file: no text to annotate", str(t))
        yield ImportRecord(ext_id=t.stem, text=text, meta={"source": t.name}, source=str(t))
