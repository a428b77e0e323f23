"""Where an export or a prediction is written, and how: safely, atomically, in batches.

- where output goes: a default file under ``exports/`` whose name is built from sanitized dataset
  and annotator names (so no name can write outside that folder), an explicit path, or stdout;
- atomic writing: a temporary file in the target folder, renamed over the target with ``os.replace``
  only when everything was written, so a failure leaves no half-written export (and an older export
  of the same name intact); special files (``/dev/null``, FIFOs, ``/dev/fd/N``) are written in place.
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
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from annotator.config import EXPORTS_DIR
from annotator.errors import InputError, UserError

#: File name suffix of each export format.
SUFFIXES: dict[str, str] = {
    "jsonl": ".jsonl", "prodigy": ".prodigy.jsonl", "docbin": ".spacy", "doccano": ".doccano.jsonl",
    "label-studio": ".label-studio.json",
}
_UNSAFE = re.compile(r"[^\w\-]+")
_MAX_STEM = 80
_MAX_STEM_BYTES = 100
_FD_PATH = re.compile(r"/dev/(?:fd/(?P<fd>\d+)|(?P<name>stdin|stdout|stderr))|/proc/(?P<pid>self|\d+)/fd/(?P<pfd>\d+)")
_TMP_TAG = re.compile(r"(?:(?P<pid>\d+)-)?[0-9a-f]{8}")


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


def check_folder_output(folder: Path) -> None:
    """Refuse, before any long work, a folder that could not be made or written: its nearest existing
    ancestor (itself, if it exists) must be a writable folder (``train``, ``train-base`` and
    ``train-classifier`` wrote after minutes of work into a path under a file, and failed with a traceback)."""
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None:
        return
    if not existing.is_dir():
        raise InputError("not a folder", str(existing))
    if not os.access(existing, os.W_OK):
        raise InputError("folder is not writable", str(existing))


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


def write_lines(lines: Iterable[str], fh: IO[bytes]) -> int:
    """Write lines (UTF-8, ``\\n``-terminated); returns the number of lines."""
    return write_byte_lines((line.encode("utf-8") for line in lines), fh)


def write_byte_lines(lines: Iterable[bytes], fh: IO[bytes]) -> int:
    """Write lines already encoded (UTF-8, without the newline), ``\\n``-terminated; returns the number of
    lines. Each line and its newline go straight into the file's buffer: joining 256 lines first made two
    more copies of them (a batch of Prodigy tasks is ~5 MB: fresh pages the kernel had to map every time)."""
    write = fh.write
    n = 0
    for n, line in enumerate(lines, 1):
        write(line)
        write(b"\n")
    return n


def fast_dumps(obj: Any) -> bytes:
    """Compact JSON with non-ASCII kept, as UTF-8, by orjson: 10x faster than ``json`` on token-heavy Prodigy
    tasks (0.9 -> 0.08 ms for a 3 kB article), and written as it comes (``write_byte_lines``: decoding it to a
    string and encoding the lines again was a seventh of a Prodigy export). What orjson refuses (integers beyond
    64 bits, nesting deeper than 255 levels: metadata that import accepts) goes through ``json`` instead."""
    try:
        import orjson

        return orjson.dumps(obj)
    except (ImportError, TypeError):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
