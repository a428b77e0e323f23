"""`--out` (export, predict): special files are written in place, never replaced by a regular file.

A FIFO, a character device, a symbolic link to stdout and ``/dev/fd/N`` (what ``--out >(cmd)`` passes)
stay what they are; only a regular file is replaced atomically. Default export names never collide
and always fit a file name; temporaries of a killed export are cleaned up by the next one.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.io.conftest import import_samples
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def, type-arg]
    """The real CLI in a fresh process (file descriptors and stdout are the process's own)."""
    return subprocess.run([sys.executable, "-m", "annotator", *map(str, args)], capture_output=True, cwd=ROOT,
                          timeout=120, **kw)


@pytest.fixture
def db(cli: Cli, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    import_samples(cli, url, tmp_path)
    return url


@pytest.fixture
def expected(cli: Cli, db: str, tmp_path: Path) -> bytes:
    """The export as a regular file: what every special output must receive."""
    assert cli("export", "jsonl", "--dataset", "news", "--out", tmp_path / "plain.jsonl", "--db", db).exit_code == 0
    return (tmp_path / "plain.jsonl").read_bytes()


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def reader() -> None:
        with open(path, "rb") as fh:
            into.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


def test_export_into_a_fifo_writes_through_it(cli, db: str, expected: bytes, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _read_fifo(fifo, got)
    result = cli("export", "jsonl", "--dataset", "news", "--out", fifo, "--db", db)
    thread.join(10)
    assert result.exit_code == 0, result.output
    assert got == [expected]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not a regular file
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_export_into_a_character_device_keeps_the_device(cli, db: str, tmp_path: Path) -> None:
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null, so the real one is safe
    except PermissionError:
        pytest.skip("creating a device node needs root (CAP_MKNOD)")
    result = cli("export", "jsonl", "--dataset", "news", "--out", null, "--db", db)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_symlink_to_stdout_writes_to_stdout(db: str, expected: bytes, tmp_path: Path) -> None:
    link = tmp_path / "out.jsonl"
    link.symlink_to("/dev/stdout")
    result = run("export", "jsonl", "--dataset", "news", "--out", link, "--db", db)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
    assert os.readlink(link) == "/dev/stdout"


def test_a_symlink_to_a_regular_file_keeps_the_link_and_replaces_its_target(
    cli, db: str, expected: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    assert cli("export", "jsonl", "--dataset", "news", "--out", link, "--db", db).exit_code == 0
    assert link.is_symlink() and target.read_bytes() == expected


def test_out_dev_fd_n_writes_into_the_inherited_descriptor(db: str, expected: bytes, tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    got: list[bytes] = []

    def drain() -> None:
        with os.fdopen(read_end, "rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    result = run("export", "jsonl", "--dataset", "news", "--out", f"/dev/fd/{write_end}", "--db", db,
                 pass_fds=(write_end,))
    os.close(write_end)
    thread.join(10)
    assert result.returncode == 0, result.stderr
    assert got == [expected]


def test_out_process_substitution_works(db: str, expected: bytes, tmp_path: Path) -> None:
    copy = tmp_path / "copy.jsonl"
    script = (f'"{sys.executable}" -m annotator export prodigy --dataset news --model blank --db "{db}" '
              f'--out >(cat > "{copy}"); wait')
    result = subprocess.run(["bash", "-c", script], capture_output=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert copy.read_bytes().count(b"\n") == expected.count(b"\n")


def test_predict_into_a_fifo_writes_through_it(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("“We are ready,” said Antony Blinken.\n", encoding="utf-8")
    fifo = tmp_path / "pred"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _read_fifo(fifo, got)
    result = run("predict", article, "--out", fifo)
    thread.join(10)
    assert result.returncode == 0, result.stderr
    assert got and got[0].count(b"\n") == 1 and b'"annotator": "model"' in got[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_default_export_names_never_collide_and_fit_a_file_name(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    long_name = "".join(chr(0x20000 + i) for i in range(150))  # CJK letters of 4 bytes each: 600 bytes
    datasets = ["a/b", "a.b", "a_b", long_name]
    for name in datasets:
        import_samples(cli, url, tmp_path, dataset=name)
        result = cli("export", "jsonl", "--dataset", name, "--db", url)
        assert result.exit_code == 0, result.output
    names = sorted(os.listdir(tmp_path / "exports"))
    assert len(names) == len(datasets)  # four datasets, four files
    assert "a_b-all.jsonl" in names  # a name that needs no change keeps it
    assert all(len(n.encode("utf-8")) <= 255 - 30 for n in names)  # room for the temporary's prefix and suffix


def test_a_killed_exports_temporary_is_removed_by_the_next_export(cli, db: str, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from annotator.io.output import atomic_output\n"
        "with atomic_output(Path(sys.argv[1])) as fh:\n"
        "    fh.write(b'x' * 100000); fh.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".e.jsonl.")]
    assert len(leftovers) == 1  # SIGKILL gave it no chance to clean up

    result = cli("export", "jsonl", "--dataset", "news", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".e.jsonl.")] == []
    assert out.stat().st_size > 0
