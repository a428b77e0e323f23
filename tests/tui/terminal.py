"""A real terminal for end-to-end tests: the command runs in a pseudo-terminal (like tmux would give it),
keys are typed into it and what it draws is read back with the escape sequences stripped."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parents[2]
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
#: Leaving the alternate screen: Textual has restored the terminal.
RESTORED = b"\x1b[?1049l"


class Terminal:
    """``argv`` running with a pty of ``size`` (columns, rows) as its stdin, stdout and stderr."""

    def __init__(self, argv: Sequence[str], size: tuple[int, int] = (120, 40), env: dict[str, str] | None = None):
        master, slave = pty.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        full_env.update({"TERM": "xterm-256color", **(env or {})})
        self.proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=full_env, cwd=ROOT,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.raw = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the process closed the terminal
                return
            if not chunk:
                return
            with self._lock:
                self.raw += chunk

    @property
    def text(self) -> str:
        """Everything drawn so far, escape sequences removed."""
        with self._lock:
            raw = bytes(self.raw)
        return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait_until(self, done: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if self.proc.poll() is not None and not done():
                raise AssertionError(f"exited ({self.proc.returncode}) before {what}:\n{self.text[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}:\n{self.text[-3000:]}")
            time.sleep(0.05)

    def wait_for_text(self, needle: str, timeout: float = 60.0) -> None:
        self.wait_until(lambda: needle in self.text, repr(needle), timeout)

    def wait_exit(self, timeout: float = 60.0) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        try:
            os.close(self.master)
        except OSError:
            pass

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def annotator_argv(*args: str, prelude: str = "") -> list[str]:
    """``python -m annotator ARGS``; ``prelude`` is Python run first (a test's injected fault)."""
    code = f"{prelude}\nimport sys\nfrom annotator.cli import main\nsys.argv = ['annotator', *sys.argv[1:]]\nmain()\n"
    return [sys.executable, "-c", code, *args]
