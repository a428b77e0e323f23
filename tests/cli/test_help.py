"""Every command documents itself: `--help` works and says something."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import typer

from annotator.cli import app


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Any: typer's commands are its own vendored click classes, not ``click.Group``."""
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help(cli) -> None:
    root = typer.main.get_command(app)
    found = list(_commands(root))
    assert {("import",), ("stats",), ("datasets",), ("targets", "add")} <= {path for path, _ in found}
    for path, cmd in found:
        assert (cmd.help or "").strip(), f"`annotator {' '.join(path)}` has no help text"
        result = cli(*path, "--help")
        assert result.exit_code == 0, path
        assert "Usage:" in result.stdout
        for param in cmd.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"`annotator {' '.join(path)}` option {param.name} has no help"


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run([sys.executable, "-m", "annotator", "--help"], capture_output=True, text=True, check=True)
    assert "Label news articles" in out.stdout


def test_unknown_command_is_a_usage_error(cli) -> None:
    assert cli("frobnicate").exit_code == 2


def test_a_regular_wheel_install_carries_migrations_and_schemas(tmp_path: Path) -> None:
    """Not only the editable install: the package finds its migrations and schemas inside itself."""
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(root)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("annotator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"annotator/migrations/env.py", "annotator/migrations/versions/0001_initial_schema.py",
            "annotator/schemas/gold.schema.json", "annotator/schemas/prodigy.schema.json",
            "annotator/tui/app.tcss"} <= names
