"""CLI start-up loads only what the command needs: `--help` imports no database, NLP, UI or schema library."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("sqlalchemy", "alembic", "psycopg", "spacy", "thinc", "textual", "jsonschema", "fastjsonschema", "orjson",
         "rich", "numpy")


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


def test_every_commands_help_loads_none_of_them() -> None:
    """Each `annotator ... --help` (every command and group, walked from the command tree) in one fresh
    process: after each, still none of the heavy libraries is loaded (a group's callback runs before its
    subcommand's help, so it must not import them either)."""
    code = (
        "import sys\nfrom typer.main import get_command\nfrom typer.testing import CliRunner\n"
        "from annotator.cli import app\n"
        "def walk(cmd, path):\n"
        "    yield path\n"
        "    for name, sub in getattr(cmd, 'commands', {}).items():\n"
        "        yield from walk(sub, path + [name])\n"
        "runner = CliRunner()\n"
        "for path in walk(get_command(app), []):\n"
        "    r = runner.invoke(app, [*path, '--help'])\n"
        f"    loaded = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "    print(' '.join(path) or '(root)', r.exit_code, 'Usage:' in r.output, loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    lines = out.splitlines()
    assert len(lines) > 25 and "speakers merge 0 True []" in lines
    assert [line for line in lines if not line.endswith(" 0 True []")] == []
