"""Every learned suggestion carries the model's score: quotes the CRF's probability that their tokens are
content (rule-found quotes too), claims the check-worthiness probability; stored with the suggestions."""

from __future__ import annotations

from spacy.language import Language

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.nlp.pipeline import annotate
from annotator.records import ImportRecord

TEXT = ("“We will rebuild the bridge next year,” Maria Lopez said on Monday.\n"
        "The council said that the budget had grown by 40 percent since 2019.\n")


def test_suggestions_carry_scores_through_storage(joined_nlp: Language, sqlite_url: str) -> None:
    _, ann, tokens = next(annotate(joined_nlp, [(TEXT, "t")]))
    assert ann.quotes and all(q.score is not None and 0.0 <= q.score <= 1.0 for q in ann.quotes)
    assert ann.quotes[0].score > 0.5  # a plain direct quote: the model is sure of it
    assert ann.claims and all(c.score is not None and 0.0 <= c.score <= 1.0 for c in ann.claims)
    assert "score" not in ann.to_dict()["quotes"][0]  # gold JSONL stays as the contract has it

    repo = Repository(open_database(sqlite_url))
    repo.import_records("d", [ImportRecord("t", TEXT, {}, "test")])
    run = repo.start_model_run("d", "m", "1", {})
    repo.add_suggestions(run, [(repo.document_id("d", "t"), ann, tokens)])
    (stored,) = repo.suggestions("d")
    assert [q.score for q in stored.quotes] == [q.score for q in ann.quotes]
    assert [c.score for c in stored.claims] == [c.score for c in ann.claims]
