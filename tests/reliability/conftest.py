"""A dataset with model suggestions, ready for scripted annotators."""

from __future__ import annotations

import pytest

from annotator.db.engine import open_database
from annotator.records import ImportRecord
from annotator.db.repo import Repository
from annotator.scheme import Annotation, Quote


def seed_dataset(url: str, n_docs: int = 4, n_quotes: int = 5) -> Repository:
    repo = Repository(open_database(url))
    texts = [" ".join(f"Word{d}_{i} said." for i in range(n_quotes)) for d in range(n_docs)]
    repo.import_records("rel", [ImportRecord(f"d{d}", t, {}, "test") for d, t in enumerate(texts)])
    run = repo.start_model_run("rel", "test-model", "1", {})
    suggestions = []
    for doc in repo.documents("rel"):
        quotes = []
        for i in range(n_quotes):
            start = doc.text.index(f"Word{doc.ext_id[1:]}_{i} ")
            end = start + len(f"Word{doc.ext_id[1:]}_{i}")
            quotes.append(Quote(f"q{i + 1}", start, end, doc.text[start:end], status="suggested"))
        suggestions.append((doc.id, Annotation(doc.ext_id, doc.text, "model", quotes=tuple(quotes)), None))
    repo.add_suggestions(run, suggestions)
    return repo


@pytest.fixture
def seeded(db_url: str) -> tuple[str, Repository]:
    return db_url, seed_dataset(db_url)
