"""The ``annotator`` command line: the root typer app mounting one app per command module.

Each module under ``annotator.cli`` owns its ``typer.Typer()`` and registers nothing elsewhere; this file
mounts them with ``add_typer`` (without a name: the module's commands sit at the top level; with one: a
command group). The order here is the order of ``annotator --help``. Command modules import only typer and
the shared ``common``/``options`` at import time (``annotator --help`` must stay fast): the library is
imported inside each command.
"""

from __future__ import annotations

import typer

from annotator.cli import (
    agreement_cmd, assign_cmd, base_models_cmd, exporting, importing, nlp_cmd, speakers_cmd, targets_cmd,
    train_base_cmd, tui_cmd,
)
from annotator.cli import heap
from annotator.cli.common import AnnotatorGroup

app = typer.Typer(
    cls=AnnotatorGroup,
    help="Label news articles for who said what: quotes, speakers, stances and claims.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
for commands in (agreement_cmd.app, assign_cmd.app, importing.app, nlp_cmd.app, train_base_cmd.app, tui_cmd.app,
                 base_models_cmd.app):
    app.add_typer(commands)
app.add_typer(exporting.app, name="export")
app.add_typer(targets_cmd.app, name="targets")
app.add_typer(speakers_cmd.app, name="speakers")


def main() -> None:
    heap.enable()  # this process is the command's own: its garbage collector may be tuned (cli.heap)
    app(prog_name="annotator")


__all__ = ["app", "main"]
