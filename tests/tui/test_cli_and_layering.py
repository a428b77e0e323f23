"""`annotator annotate` on the command line, and the core working without Textual."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from annotator.db.repo import Repository
from tests.tui.helpers import DATASET, ROOT, pretend_terminal

if TYPE_CHECKING:
    from tests.conftest import Cli

CORE = ["annotator", "annotator.scheme", "annotator.errors", "annotator.config", "annotator.display",
        "annotator.annotate.session", "annotator.db.engine", "annotator.db.repo", "annotator.db.models",
        "annotator.io.readers", "annotator.io.gold", "annotator.io.output", "annotator.io.tokens", "annotator.review.session", "annotator.review.adjudication",
        "annotator.speakers.canonical", "annotator.agreement.metrics", "annotator.agreement.report", "annotator.cli"]


def test_core_modules_do_not_import_textual() -> None:
    code = (f"import importlib, sys\nfor m in {CORE!r}: importlib.import_module(m)\n"
            "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            "assert not loaded, loaded\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_annotate_help(cli: Cli) -> None:
    result = cli("annotate", "--help")
    assert result.exit_code == 0
    for option in ("--dataset", "--annotator", "--db"):
        assert option in result.stdout


def test_unknown_dataset_is_a_clear_error(cli: Cli, sample_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    pretend_terminal(monkeypatch)
    result = cli("annotate", "--dataset", "nope", "--annotator", "alice", "--db", sample_repo.db.url)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: no dataset named 'nope' (datasets: {DATASET})"]


def test_missing_annotator_is_a_usage_error(cli: Cli, sample_repo: Repository) -> None:
    assert cli("annotate", "--dataset", DATASET, "--db", sample_repo.db.url).exit_code == 2


def test_annotate_runs_the_app_on_the_first_unfinished_document(cli: Cli, sample_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.tui.app import AnnotatorApp

    pretend_terminal(monkeypatch)
    first = sample_repo.document_ids(DATASET)[0]
    state = sample_repo.open_version(first, "alice")
    sample_repo.set_status(state.version_id, "done")
    ran = []
    monkeypatch.setattr(AnnotatorApp, "run", lambda self: ran.append(self.session))
    result = cli("annotate", "-d", DATASET, "-a", "alice", "--db", sample_repo.db.url)
    assert result.exit_code == 0, result.stderr
    (session,) = ran
    assert session.annotator == "alice" and session.state.document.ext_id == "001_2542be5c2290e7b5"
