"""The ``annotator`` command line: typer app assembled from one module per command group."""

from __future__ import annotations

from annotator.cli.app import app
from annotator.cli import agreement_cmd, assign_cmd, exporting, importing, nlp_cmd, speakers_cmd, train_base_cmd, tui_cmd  # noqa: F401  (register commands)
from annotator.cli import base_models_cmd  # noqa: F401  (register commands)


def main() -> None:
    app(prog_name="annotator")


__all__ = ["app", "main"]
