"""`stats` counts stored tokens in SQL (no tokenization is decoded), the same on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from annotator.db.engine import open_database
from annotator.records import ImportRecord
from annotator.db.repo import Repository
from annotator.scheme import Annotation


def test_token_count_covers_tokenized_documents_only(db_url: str) -> None:
    repo = Repository(open_database(db_url))
    texts = ["One two three.", "Four five", "Six seven eight nine ten.", "Not tokenized at all"]
    repo.import_records("news", [ImportRecord(f"d{i}", t, {}, "test") for i, t in enumerate(texts)])
    assert repo.stats("news").tokens is None and repo.stats("news").tokenized_documents == 0
    run = repo.start_model_run("news", "test-tokenizer", "1", {})
    docs = [d for d in repo.documents("news") if d.text != texts[3]]
    repo.add_suggestions(run, [
        (d.id, Annotation(d.ext_id, d.text, "model"), [m.span() for m in re.finditer(r"\w+|[^\w\s]", d.text)])
        for d in docs
    ])
    stats = repo.stats("news")
    assert stats.tokenized_documents == 3
    assert stats.tokens == 4 + 2 + 6
