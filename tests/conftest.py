"""Shared fixtures: a database URL for every backend (SQLite file, real PostgreSQL), the CLI runner."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from typer.testing import CliRunner, Result

from tests.pg import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_data"
GOLD_FILE = ROOT / "tests" / "gold" / "sample_gold.jsonl"

os.environ.setdefault("NO_COLOR", "1")
#: Stamps of quick-checked SQLite files (annotator.db.check_stamps): not in the user's cache.
os.environ.setdefault("ANNOTATOR_CACHE_DIR", tempfile.mkdtemp(prefix="annotator-test-cache-"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'annotator.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend: the same test runs on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'annotator.db'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database()


class Cli:
    """Runs the real typer app in-process; stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, input: str | None = None) -> Result:
        from annotator.cli import app

        return self.runner.invoke(
            app, [str(a) for a in args], input=input, catch_exceptions=False, env={"COLUMNS": "200"}
        )


@pytest.fixture
def cli() -> Cli:
    return Cli()
