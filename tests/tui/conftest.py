"""Fixtures for the terminal UI tests: a SQLite file with the sample articles and model suggestions.

Suggestions are stored the real way, as a model run (``start_model_run`` + ``add_suggestions``), from
hand-made Annotations: the gold labels of the sample articles, so no spaCy is needed.
"""

from __future__ import annotations

import pytest

from annotator.db.repo import Repository
from tests.tui.helpers import SAMPLE_DIR, build_repo, gold_annotations


@pytest.fixture
def sample_repo(sqlite_url: str) -> Repository:
    """The five sample articles with their gold labels as the model's suggestions."""
    anns = gold_annotations()
    for a in anns:  # the gold file is built from sample_data: check we annotate those very texts
        assert (SAMPLE_DIR / f"{a.doc_id}.txt").read_text(encoding="utf-8") == a.text
    return build_repo(sqlite_url, anns)
