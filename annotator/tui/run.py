"""Running a Textual app from the command line: only in a terminal, and an unexpected error is an exit code.

Without a terminal (input or output a pipe, a file, /dev/null) an app cannot be used and Textual may
spin forever waiting for keys, so ``annotate`` and ``review`` refuse before touching the database.
An unexpected exception inside an app makes Textual restore the terminal and print the traceback;
``run_app`` turns it into a non-zero exit code (the decision and save workers have finished by then:
Textual's event loop waits for its worker threads before ``run`` returns).
"""

from __future__ import annotations

import sys
from typing import IO, Any

from textual.app import App

from annotator.errors import UserError


def terminal_problem(stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> str | None:
    """Why this process cannot run a terminal UI (None: it can)."""
    for name, stream in (("standard input", stdin or sys.stdin), ("standard output", stdout or sys.stdout)):
        try:
            tty = stream is not None and stream.isatty()
        except (AttributeError, ValueError):  # closed or replaced streams
            tty = False
        if not tty:
            return f"{name} is not a terminal"
    return None


def require_terminal(command: str) -> None:
    """Refuse to start ``annotator COMMAND`` outside a terminal (a one-line error, exit 1)."""
    problem = terminal_problem()
    if problem is not None:
        raise UserError(f"annotator {command} needs a terminal: {problem} (run it in a terminal, not through a pipe)")


def run_app(app: App[Any], command: str) -> int:
    """Run ``app`` in the terminal; returns the exit code (1 after an unexpected error)."""
    app.run()
    code = app.return_code or 0
    if code:
        print(f"Error: annotator {command} stopped on an unexpected error (shown above); "
              "every decision shown as saved is stored.", file=sys.stderr)
    return code
