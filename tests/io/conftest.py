"""A database with the sample articles annotated by alice and bob (imported through the real CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.io.samples import write_sample_gold
from tests.conftest import Cli


def import_samples(cli: Cli, db: str, tmp_path: Path, dataset: str = "news") -> Path:
    src = write_sample_gold(tmp_path / "sample_gold.jsonl")
    result = cli("import", src, "--dataset", dataset, "--db", db)
    assert result.exit_code == 0, result.output
    assert "6 document(s)" in result.stdout and "11 annotated version(s)" in result.stdout
    return src


@pytest.fixture
def annotated(cli, tmp_path: Path) -> str:
    """SQLite URL of a database whose dataset "news" has alice's and bob's versions."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    import_samples(cli, url, tmp_path)
    return url
