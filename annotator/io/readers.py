"""Read articles to import: .txt files, folders, plain JSONL and gold JSONL.

Readers stream (one line or one file at a time) and validate as they go. The first
problem raises ``InputError`` naming file, line and field; the caller's transaction then
stores nothing of that import.
"""

from __future__ import annotations

import codecs
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import orjson

from annotator.config import MAX_DOC_CHARS
from annotator.errors import InputError
from annotator.records import ImportRecord
from annotator.io.validation import JsonFacts, check_gold_semantics, check_storable, scan_json, schema_error
from annotator.scheme import annotation_from_dict

TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
#: Deepest nesting of arrays and objects accepted in a JSONL line (a gold line itself needs 4 levels).
MAX_JSON_DEPTH = 64
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3\x00", "a SQLite database"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

Progress = Callable[[int], None]


def expand_sources(sources: Sequence[str | Path]) -> list[Path]:
    """Files to read, in a stable order: folders contribute their .txt/.jsonl files, sorted."""
    files: list[Path] = []
    for src in sources:
        path = Path(src)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES and not p.name.startswith(".")
            )
            if not found:
                raise InputError("folder has no .txt or .jsonl files", str(path))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise InputError("not a regular file or folder", str(path))
        else:
            raise InputError("no such file or folder", str(path))
    return files


def _sniff_binary(head: bytes, path: Path) -> None:
    for sig, what in _SIGNATURES:
        if head.startswith(sig):
            raise InputError(f"this is {what}, not text", str(path))
    for bom, enc in _BOMS:
        if head.startswith(bom):
            raise InputError(f"file is {enc}-encoded; save it as UTF-8", str(path))
    if b"\x00" in head:
        raise InputError("binary file (contains NUL bytes), not UTF-8 text", str(path))


def _decode_line(raw: bytes, path: Path, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})", str(path), line
        ) from None


def read_text_file(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    data = path.read_bytes()
    _sniff_binary(data[:4096], path)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", str(path), line) from None
    if not text.strip():
        raise InputError("empty file: no text to annotate", str(path))
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError("binary data (NUL bytes) in a text file", str(path), line)
    if progress:
        progress(len(data))
    yield ImportRecord(ext_id=path.stem, text=text, meta={"source": path.name}, source=str(path))


def read_jsonl_file(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    """Stream a JSONL file: plain lines become documents, lines with annotations become versions."""
    with path.open("rb") as fh:
        head = fh.read(4096)
        _sniff_binary(head, path)
        fh.seek(0)
        if head.lstrip(codecs.BOM_UTF8).lstrip().startswith(b"["):
            raise InputError("this is a JSON array; expected JSONL (one JSON object per line)", str(path), 1)
        n_records = 0
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            line = _decode_line(raw, path, lineno)
            if progress:
                progress(len(raw))
            if not line.strip():
                continue
            obj, facts = _parse_scanned(line.rstrip("\r\n"), str(path), lineno, truncated=not raw.endswith(b"\n"))
            yield record_from_object(obj, path, lineno, facts)
            n_records += 1
        if n_records == 0:
            raise InputError("empty file: no JSON lines", str(path))


def parse_json_line(line: str, path: str, lineno: int, truncated: bool = False) -> Any:
    """One JSONL line parsed, or ``InputError`` naming file and line: malformed JSON, integers too long
    for Python to convert (over ``sys.get_int_max_str_digits()`` digits), nesting deeper than
    ``MAX_JSON_DEPTH`` (so no later step, storage or export, meets a structure it cannot handle)."""
    return _parse_scanned(line, path, lineno, truncated)[0]


def _parse_scanned(line: str, path: str, lineno: int, truncated: bool = False) -> tuple[Any, JsonFacts | None]:
    """``parse_json_line`` and the parsed value's ``JsonFacts`` (one walk serves every later check).

    orjson parses first (several times faster); what it refuses (malformed lines, NaN, lone surrogate
    escapes, integers beyond 64 bits: ``json`` accepts the last three and later checks word them) and a line
    where it made a float of a long integer go through ``json``, as every line did before: the same values,
    the same messages."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        pass
    else:
        facts = scan_json(obj, MAX_JSON_DEPTH, encodable=True)
        if facts is not None and not facts.wide_float:
            if facts.too_deep:
                raise InputError(f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)", path, lineno)
            return obj, facts
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        hint = " (truncated line?)" if truncated else ""
        problem = exc.msg.removesuffix(" at")  # json says "Unterminated string starting at" (the column follows)
        raise InputError(f"malformed JSON: {problem} at column {exc.colno}{hint}", path, lineno) from None
    except RecursionError:
        raise InputError(f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)", path, lineno) from None
    except ValueError:  # the only other ValueError of json.loads: an integer literal over the digit limit
        raise InputError(
            f"number too long: integers may have at most {sys.get_int_max_str_digits()} digits", path, lineno
        ) from None
    facts = scan_json(obj, MAX_JSON_DEPTH)
    if facts.too_deep if facts is not None else _depth_exceeds(obj, MAX_JSON_DEPTH):
        raise InputError(f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)", path, lineno)
    return obj, facts


def _depth_exceeds(obj: Any, limit: int) -> bool:
    """True if arrays/objects nest more than ``limit`` levels (iterative: no recursion limit)."""
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def record_from_object(obj: Any, path: Path, lineno: int, facts: JsonFacts | None = None) -> ImportRecord:
    """Validate one parsed JSONL line (plain input or gold) and turn it into an ImportRecord (``facts``:
    its ``scan_json``, when the caller has it)."""
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object, got {type(obj).__name__}", str(path), lineno)
    is_gold = any(k in obj for k in ("quotes", "claims", "annotator"))
    problem = schema_error(obj, "gold" if is_gold else "input", None if facts is None else facts.has_float)
    if problem is not None:
        field, message = problem
        raise InputError(message, str(path), lineno, field)
    try:
        if facts is None or not facts.encodable:
            orjson.dumps(obj)  # refuses lone surrogates, 10x faster than encoding json.dumps' output
    except TypeError:  # a lone surrogate, or an integer beyond 64 bits (valid): the exact check says which
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError("invalid Unicode: a lone surrogate escape such as \\ud800", str(path), lineno) from None
    if "\x00" in obj["text"]:
        raise InputError("text contains NUL characters (\\u0000), which databases cannot store", str(path), lineno, "text")
    check_storable(obj, str(path), lineno, None if facts is None else facts.storable)
    meta = dict(obj.get("meta") or {})
    meta.setdefault("source", path.name)
    ext_id = None if obj.get("id") is None else str(obj["id"])
    annotation = None
    if is_gold:
        check_gold_semantics(obj, str(path), lineno)
        annotation = annotation_from_dict({**obj, "id": ext_id or ""})
    return ImportRecord(ext_id=ext_id, text=obj["text"], meta=meta, source=str(path), line=lineno, annotation=annotation)


def within_limit(records: Iterable[ImportRecord], max_chars: int) -> Iterator[ImportRecord]:
    """``records``, stopping with an ``InputError`` at the first text longer than ``max_chars``."""
    for rec in records:
        if len(rec.text) > max_chars:
            raise InputError(
                f"document of {len(rec.text):,} characters is longer than the limit of {max_chars:,} "
                "(raise it with --max-chars)", rec.source, rec.line, "text" if rec.line else None,
            )
        yield rec


def with_unique_ids(records: Iterable[ImportRecord]) -> Iterator[ImportRecord]:
    """Records that all have an id, each once: a record without one gets ``doc<N>`` (N: its 1-based
    position); an id seen before is an ``InputError`` naming both places. For output keyed by id (``predict``),
    where the database's dedupe by text does not apply."""
    seen: dict[str, str] = {}
    for i, rec in enumerate(records):
        doc_id = rec.ext_id or f"doc{i + 1}"
        where = f"{rec.source}:{rec.line}" if rec.line else rec.source
        if doc_id in seen:
            raise InputError(f"id {doc_id!r} is also the id of {seen[doc_id]}; ids must be unique", where)
        seen[doc_id] = where
        yield rec if rec.ext_id == doc_id else replace(rec, ext_id=doc_id)


def read_sources(
    sources: Sequence[str | Path], progress: Progress | None = None, max_chars: int = MAX_DOC_CHARS,
    unique_ids: bool = False,
) -> Iterator[ImportRecord]:
    """Every record of every source, in order; a text longer than ``max_chars`` is an ``InputError``.

    ``unique_ids``: every record has an id and no two share one (``with_unique_ids``).
    """
    def records() -> Iterator[ImportRecord]:
        for path in expand_sources(sources):
            found = read_jsonl_file(path, progress) if path.suffix.lower() in JSONL_SUFFIXES else read_text_file(
                path, progress)
            yield from within_limit(found, max_chars)

    return with_unique_ids(records()) if unique_ids else records()


FORMATS = ("auto", "text", "jsonl", "brat")


def read_any(sources: Sequence[str | Path], fmt: str = "auto", brat_scheme: str = "polnear",
             max_chars: int = MAX_DOC_CHARS) -> Callable[[Progress | None], Iterator[ImportRecord]]:
    """A reader for ``sources`` in format ``fmt`` (checked now; reading starts when it is called).

    ``auto`` reads brat standoff when a source is an .ann file or a folder with .ann files, else by
    extension (.jsonl/.json/.ndjson as JSONL, anything else as text).
    """
    from annotator.io import brat

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    paths = [Path(s) for s in sources]
    for p in paths:
        if not p.exists():
            raise InputError("no such file or folder", str(p))
    scheme = None
    if fmt == "brat" or (fmt == "auto" and any(brat.has_brat(p) for p in paths)):
        scheme = brat.load_scheme(brat_scheme)

    def read(progress: Progress | None = None) -> Iterator[ImportRecord]:
        if scheme is not None:
            return within_limit(brat.read_brat(paths, scheme, progress), max_chars)
        if fmt == "text":
            return within_limit((r for p in expand_sources(paths) for r in read_text_file(p, progress)), max_chars)
        if fmt == "jsonl":
            return within_limit((r for p in expand_sources(paths) for r in read_jsonl_file(p, progress)), max_chars)
        return read_sources(paths, progress, max_chars)

    return read


def total_bytes(sources: Sequence[str | Path]) -> int:
    from annotator.io.brat import has_brat

    paths = [Path(s) for s in sources]
    if any(has_brat(p) for p in paths):
        return sum(f.stat().st_size for p in paths for f in ([p] if p.is_file() else p.rglob("*.ann")))
    return sum(p.stat().st_size for p in expand_sources(sources))
