"""CLI start-up loads only what the command needs: `--help` imports no database, NLP, UI or schema library."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("sqlalchemy", "alembic", "psycopg", "spacy", "thinc", "textual", "jsonschema", "rich", "numpy")


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import sys, annotator.cli\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_help_runs_without_them_and_lists_every_export() -> None:
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom annotator.cli import app\n"
        "r = CliRunner().invoke(app, ['export', '--help'])\nprint(r.output)\n"
        f"print('loaded:', sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    for fmt in ("jsonl", "prodigy", "docbin", "doccano", "label-studio"):
        assert fmt in out
    assert out.rstrip().endswith("loaded: []")
