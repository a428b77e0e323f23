"""Write stored annotations out: gold JSONL here, Prodigy JSONL (prodigy.py) and DocBin (docbin.py).

Shared by all formats:

- where output goes: a default file under ``exports/`` whose name is built from sanitized dataset
  and annotator names (so no name can write outside that folder), an explicit path, or stdout;
- atomic writing: a temporary file in the target folder, renamed over the target with ``os.replace``
  only when everything was written, so a failure leaves no half-written export (and an older export
  of the same name intact);
- tokenization: the stored one (``documents.tokens``) where present, else a spaCy tokenizer, in a
  normalized layout that covers every character of the text (so ``Doc(words, spaces).text`` equals
  the document text and character offsets stay valid), and token alignment of character spans with
  the same rule as ``Doc.char_span(..., alignment_mode="expand")``.

Nothing here imports spaCy unless a document without stored tokens has to be tokenized.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import stat
import sys
import time
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from annotator.config import DEFAULT_MODELS, EXPORTS_DIR
from annotator.errors import InputError, ModelError, UserError
from annotator.scheme import Annotation

if TYPE_CHECKING:
    from annotator.records import ExportedVersion

#: File name suffix of each export format.
SUFFIXES: dict[str, str] = {
    "jsonl": ".jsonl", "prodigy": ".prodigy.jsonl", "docbin": ".spacy", "doccano": ".doccano.jsonl",
    "label-studio": ".label-studio.json",
}
#: ``--model blank``: spaCy's rule-based English tokenizer without any trained pipeline.
BLANK_MODEL = "blank"
_UNSAFE = re.compile(r"[^\w\-]+")
_MAX_STEM = 80
_MAX_STEM_BYTES = 100
_FD_PATH = re.compile(r"/dev/(?:fd/(?P<fd>\d+)|(?P<name>stdin|stdout|stderr))|/proc/(?P<pid>self|\d+)/fd/(?P<pfd>\d+)")
_TMP_TAG = re.compile(r"(?:(?P<pid>\d+)-)?[0-9a-f]{8}")


# -- gold JSONL -----------------------------------------------------------------------------


def gold_line(ann: Annotation) -> str:
    """One gold JSONL line (contract section 2), without the newline."""
    return json.dumps(ann.to_dict(), ensure_ascii=False)


def fast_dumps(obj: Any) -> str:
    """Compact JSON with non-ASCII kept, by orjson: 10x faster than ``json`` on token-heavy Prodigy tasks
    (0.9 -> 0.08 ms for a 3 kB article). What orjson refuses (integers beyond 64 bits, nesting deeper
    than 255 levels: metadata that import accepts) goes through ``json`` instead."""
    try:
        import orjson

        return orjson.dumps(obj).decode("utf-8")
    except (ImportError, TypeError):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def gold_lines(versions: Iterable[Annotation]) -> Iterator[str]:
    for ann in versions:
        yield gold_line(ann)


# -- where output goes -----------------------------------------------------------------------


def safe_stem(name: str) -> str:
    """A file name part from a user-chosen name: letters, digits, ``_`` and ``-`` only.

    Path separators, dots (so no ``..`` and no hidden files), spaces and control characters
    become ``_``. When that changed the name (or it was cut), 8 hex digits of the name's SHA-1
    follow, so two names never share a file (``a/b`` and ``a.b`` differ). Never empty, at most
    ``_MAX_STEM`` characters and ``_MAX_STEM_BYTES`` bytes of UTF-8 (a file name holds 255 bytes).
    """
    stem = _UNSAFE.sub("_", name).strip("_")
    if stem == name and len(stem) <= _MAX_STEM and len(stem.encode("utf-8")) <= _MAX_STEM_BYTES:
        return stem
    tag = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    body = stem[: _MAX_STEM - 9]
    while len(body.encode("utf-8")) > _MAX_STEM_BYTES - 9:
        body = body[:-1]
    return f"{body.rstrip('_')}-{tag}" if body.strip("_") else f"_-{tag}"


def default_output(dataset: str, annotator: str | None, fmt: str, folder: Path = EXPORTS_DIR) -> Path:
    """``exports/<dataset>-<annotator|all><suffix>``, always inside ``folder`` (created if missing)."""
    name = f"{safe_stem(dataset)}-{safe_stem(annotator) if annotator else 'all'}{SUFFIXES[fmt]}"
    path = folder / name
    if path.resolve().parent != folder.resolve():  # defence in depth: safe_stem already forbids this
        raise UserError(f"refusing to write outside {folder}: {name!r}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the export folder: {exc.strerror}", str(folder)) from None
    return path


def resolve_output(out: str | None, dataset: str, annotator: str | None, fmt: str) -> Path | None:
    """The file to write (None for stdout, ``-``). An existing folder gets the default file name.

    A special file (``/dev/null``, a FIFO, ``/dev/fd/N`` as in ``--out >(cmd)``, a terminal) is taken
    as it is: ``open_output`` writes into it instead of replacing it.
    """
    if out == "-":
        return None
    if out is None:
        return default_output(dataset, annotator, fmt)
    path = Path(out)
    if path.is_dir():
        return default_output(dataset, annotator, fmt, folder=path)
    if is_special_output(path):
        return path
    parent = path.parent
    if not parent.exists():
        raise InputError("folder does not exist (create it first)", str(parent))
    if not parent.is_dir():
        raise InputError("not a folder", str(parent))
    if not os.access(parent, os.W_OK):
        raise InputError("folder is not writable", str(parent))
    return path


def _descriptor(path: Path) -> int | None:
    """The file descriptor a path names (``/dev/stdout``, ``/dev/fd/3``, ``/proc/self/fd/3``), following
    symbolic links one hop at a time; None for any other path."""
    current = str(path)
    for _ in range(40):
        match = _FD_PATH.fullmatch(os.path.normpath(current))
        if match:
            if match.group("pid") not in (None, "self", str(os.getpid())):
                return None
            named = match.group("name")
            if named is not None:
                return {"stdin": 0, "stdout": 1, "stderr": 2}[named]
            return int(match.group("fd") or match.group("pfd"))
        try:
            target = os.readlink(current)
        except OSError:
            return None
        current = os.path.join(os.path.dirname(current), target)
    return None


def is_special_output(path: Path) -> bool:
    """True for an output that must be written in place: a descriptor path, or an existing file that is
    not a regular file (character device, FIFO, socket), also behind a symbolic link."""
    if _descriptor(path) is not None:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextmanager
def open_output(path: Path | None) -> Iterator[IO[bytes]]:
    """Where every ``--out`` is written: stdout (None), a special file in place, else ``atomic_output``.

    Only a regular file is replaced atomically (a symbolic link to one keeps the link: its target is
    replaced). ``/dev/null``, FIFOs, terminals and ``/dev/fd/N`` are opened and written directly, so
    they are never replaced by a regular file.
    """
    if path is None:
        sys.stdout.flush()
        out = sys.stdout.buffer
        yield out
        out.flush()
        return
    fd = _descriptor(path)
    if fd is None and not is_special_output(path):
        with atomic_output(Path(os.path.realpath(path))) as fh:
            yield fh
        return
    try:
        fh = os.fdopen(os.dup(fd), "wb") if fd is not None else open(path, "wb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror}", str(path)) from None
    try:
        with fh:
            yield fh
    except OSError as exc:
        raise InputError(f"output not written: {exc.strerror}", str(path)) from None


def _stale_temporaries(path: Path) -> Iterator[Path]:
    """Temporary files of ``path`` left by a killed export: their writing process is gone."""
    prefix = f".{path.name}."
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return
    for tmp in siblings:
        if not (tmp.name.startswith(prefix) and tmp.name.endswith(".tmp")):
            continue
        match = _TMP_TAG.fullmatch(tmp.name[len(prefix) : -len(".tmp")])
        if match is None:
            continue
        pid = match.group("pid")
        if pid is None:  # written before temporaries carried their pid: stale once an hour old
            try:
                if time.time() - tmp.stat().st_mtime > 3600:
                    yield tmp
            except OSError:
                pass
        elif not _alive(int(pid)):
            yield tmp


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


@contextmanager
def atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``path`` only if the ``with`` block succeeds.

    The temporary file lives in the same folder (same filesystem, so ``os.replace`` is atomic) and
    is created with the usual permissions (mode 0o666 minus the umask), unlike ``mkstemp``'s 0o600.
    Its name carries the writer's pid: temporaries of a killed export (SIGKILL leaves no chance to
    clean up) are removed by the next export to the same file.
    """
    for stale in _stale_temporaries(path):
        stale.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror}", str(path)) from None
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"export not written: {exc.strerror}", str(path)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_lines(lines: Iterable[str], fh: IO[bytes], batch: int = 256) -> int:
    """Write lines (UTF-8, ``\\n``-terminated) in batches; returns the number of lines."""
    n = 0
    buf: list[str] = []
    for line in lines:
        buf.append(line)
        if len(buf) >= batch:
            fh.write(("\n".join(buf) + "\n").encode("utf-8"))
            n += len(buf)
            buf.clear()
    if buf:
        fh.write(("\n".join(buf) + "\n").encode("utf-8"))
        n += len(buf)
    return n


# -- tokens and alignment ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenLayout:
    """Tokens that cover the text exactly as spaCy's do: token ``i`` is ``text[starts[i]:ends[i]]``,
    followed by one space when ``ws[i]``; gaps that are not a single space are whitespace tokens."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    ws: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.starts)

    def words(self, text: str) -> list[str]:
        return [text[s:e] for s, e in zip(self.starts, self.ends)]

    def token_index(self, char: int) -> int:
        """The token whose text or trailing space holds ``char`` (spaCy's ``token_by_char``)."""
        return bisect_right(self.starts, char) - 1

    def align(self, start: int, end: int) -> tuple[int, int] | None:
        """Inclusive token range covering ``[start, end)``, like ``Doc.char_span(alignment_mode="expand")``.

        A start in a token's trailing space moves to the next token. None when no token is covered
        (a span of whitespace only) or the offsets are outside the text.
        """
        if not self.starts or start < 0 or end <= start:
            return None
        first = self.token_index(start)
        last = self.token_index(end - 1)
        if first < 0 or last < 0 or end > self.ends[-1] + self.ws[-1]:
            return None
        if start == self.ends[first]:  # in the trailing space: not part of the previous token
            first += 1
        if last < first:
            return None
        return first, last


def layout_from_offsets(text: str, offsets: Sequence[Sequence[int]]) -> TokenLayout | None:
    """Normalize stored ``[start, end)`` token offsets; None if they do not fit the text.

    Gaps between tokens become the previous token's trailing space (a single " ") or whitespace
    tokens (anything else), so the layout covers every character, like a spaCy Doc.
    """
    n = len(text)
    starts: list[int] = []
    ends: list[int] = []
    ws: list[bool] = []

    def fill_gap(a: int, b: int) -> None:
        """Text between tokens: the previous token's trailing space and/or a whitespace token."""
        if ends and text[a] == " ":
            ws[-1] = True
            a += 1
        if a < b:
            starts.append(a)
            ends.append(b)
            ws.append(False)

    pos = 0
    for tok in offsets:
        s, e = int(tok[0]), int(tok[1])
        if not (pos <= s < e <= n):
            return None
        if s > pos:
            fill_gap(pos, s)
        starts.append(s)
        ends.append(e)
        ws.append(False)
        pos = e
    if pos < n:
        fill_gap(pos, n)
    if n and not starts:
        return None
    return TokenLayout(tuple(starts), tuple(ends), tuple(ws))


@dataclass
class ExportReport:
    """What an export had to adjust, for the summary on stderr."""

    documents: int = 0
    lines: int = 0
    stored_tokens: int = 0
    retokenized: int = 0
    bad_stored_tokens: list[str] = field(default_factory=list)
    tokenizer: str | None = None
    #: (doc id, annotator, label, (start, end), (new start, new end) or None if dropped)
    adjusted: list[tuple[str, str | None, str, tuple[int, int], tuple[int, int] | None]] = field(default_factory=list)

    def adjust(self, ann: Annotation, label: str, old: tuple[int, int], new: tuple[int, int] | None) -> None:
        self.adjusted.append((ann.doc_id, ann.annotator, label, old, new))

    def warnings(self, limit: int = 5) -> list[str]:
        out: list[str] = []
        if self.retokenized:
            out.append(f"{self.retokenized} document(s) had no stored tokenization: tokenized with {self.tokenizer}")
        if self.bad_stored_tokens:
            out.append(
                f"stored tokenization did not fit the text of {len(self.bad_stored_tokens)} document(s) "
                f"(re-tokenized): {', '.join(self.bad_stored_tokens[:limit])}"
            )
        expanded = [a for a in self.adjusted if a[4] is not None]
        dropped = [a for a in self.adjusted if a[4] is None]
        if expanded:
            out.append(
                f"{len(expanded)} span(s) did not align with token boundaries and were expanded to the covering tokens:"
            )
            out.extend(
                f"  {doc} ({who}) {label} [{s}, {e}) -> [{ns}, {ne})"
                for doc, who, label, (s, e), (ns, ne) in expanded[:limit]  # type: ignore[misc]
            )
            if len(expanded) > limit:
                out.append(f"  ... and {len(expanded) - limit} more")
        if dropped:
            out.append(f"{len(dropped)} span(s) cover no token (whitespace only) and were left out:")
            out.extend(f"  {doc} ({who}) {label} [{s}, {e})" for doc, who, label, (s, e), _ in dropped[:limit])
        return out


class Tokenization:
    """Token layouts for exported documents: stored offsets first, else a spaCy tokenizer (loaded once).

    ``model`` names the pipeline whose tokenizer is used: None tries the default models
    (``annotator.config.DEFAULT_MODELS``) and falls back to ``spacy.blank("en")``; ``"blank"`` uses
    ``spacy.blank("en")`` directly; any other name must load.
    """

    def __init__(self, model: str | None = None, report: ExportReport | None = None):
        self.model = model
        self.report = report if report is not None else ExportReport()
        self._nlp: Any = None

    @property
    def nlp(self) -> Any:
        """The spaCy Language whose tokenizer (and vocab) is used; loaded on first use."""
        if self._nlp is None:
            self._nlp, self.report.tokenizer = load_tokenizer(self.model)
        return self._nlp

    def layout(self, text: str, stored: Sequence[Sequence[int]] | None, doc_id: str = "") -> TokenLayout:
        if stored is not None:
            layout = layout_from_offsets(text, stored)
            if layout is not None:
                self.report.stored_tokens += 1
                return layout
            self.report.bad_stored_tokens.append(doc_id)
        self.report.retokenized += 1
        doc = self.nlp.make_doc(text)
        layout = layout_from_offsets(text, [(t.idx, t.idx + len(t.text)) for t in doc])
        assert layout is not None, "a spaCy tokenization always fits its text"
        return layout


def load_tokenizer(model: str | None) -> tuple[Any, str]:
    """(nlp without pipeline components, description). Only the tokenizer and vocab are loaded."""
    import spacy

    if model == BLANK_MODEL:
        return spacy.blank("en"), 'spacy.blank("en")'
    names = (model,) if model else DEFAULT_MODELS
    components = ["tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer", "ner",
                  "transformer", "trainable_lemmatizer", "textcat", "spancat", "entity_ruler"]
    for name in names:
        try:
            nlp = spacy.load(name, exclude=components)
        except (OSError, ImportError, ValueError):
            if model:
                raise ModelError(
                    f"cannot load spaCy pipeline {model!r} for tokenization (install it, or use --model blank)"
                ) from None
            continue
        return nlp, f"the {name} tokenizer"
    return spacy.blank("en"), 'spacy.blank("en") (no default model installed)'


def stream_with_tokens(
    versions: Iterable["ExportedVersion"], tokens: Tokenization
) -> Iterator[tuple["ExportedVersion", TokenLayout]]:
    """Each version with its document's token layout (computed once per document, not per annotator)."""
    last_key: tuple[str, str] | None = None
    layout: TokenLayout | None = None
    for ev in versions:
        key = (ev.annotation.doc_id, ev.annotation.text)
        if key != last_key or layout is None:
            layout = tokens.layout(ev.annotation.text, ev.tokens, ev.annotation.doc_id)
            last_key = key
        yield ev, layout
