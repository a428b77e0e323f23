"""The package's exception types: the only exceptions the CLI turns into messages.

Anything raised as a ``UserError`` is a problem with the user's input or set-up; the CLI
prints ``str(error)`` on one line and exits with ``exit_code``. Everything else is a bug
and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix: bad input, missing dataset, unusable database."""

    exit_code: int = 1


class InputError(UserError):
    """Bad input data; the message names the file and line where there is one."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None, field: str | None = None):
        self.path = path
        self.line = line
        self.field = field
        self.detail = message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        if field:
            where += f"{field}: "
        super().__init__(f"{where}{message}")


class NotFoundError(UserError):
    """A dataset, document or annotator that does not exist."""


class DatabaseError(UserError):
    """The database cannot be opened or used (not a database, newer schema, read-only, full disk)."""


class ModelError(UserError):
    """No usable spaCy pipeline could be loaded."""


class SaveError(UserError):
    """A decision could not be stored; the UI shows this instead of dropping the decision."""
