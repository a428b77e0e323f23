"""Every SQL statement uses bound parameters: user data never appears in SQL text."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, event

import annotator.db.engine as engine_mod
from annotator.db.repo import Repository
from annotator.io.readers import read_sources
from annotator.scheme import Annotation, Quote, SpeakerMention
from tests.helpers import write_jsonl

MARK = "ZZ'; DROP TABLE documents; --"


def test_user_data_only_travels_as_parameters(db_url: str, tmp_path: Path) -> None:
    statements: list[str] = []
    real_make_engine = engine_mod.make_engine

    def spying_make_engine(url: str) -> Engine:
        eng = real_make_engine(url)
        event.listen(eng, "before_cursor_execute", lambda c, cur, stmt, params, ctx, many: statements.append(stmt))
        return eng

    engine_mod.make_engine = spying_make_engine
    try:
        repo = Repository(engine_mod.open_database(db_url))
        text = f"“{MARK} said” {MARK} said."
        ann = Annotation(MARK, text, MARK, "done", {"outlet": MARK}, (
            Quote("q1", 1, 1 + len(MARK) + 5, text[1:1 + len(MARK) + 5], "direct", None,
                  SpeakerMention(text.rindex(MARK), text.rindex(MARK) + len(MARK), MARK, MARK)),))
        src = write_jsonl(tmp_path / "in.jsonl", [ann.to_dict()])
        repo.import_records(MARK, read_sources([src]))
        repo.set_stance_targets(MARK, [MARK])
        repo.set_speaker_correction(MARK, MARK, MARK)
        state = repo.open_version(repo.document_ids(MARK)[0], MARK)
        repo.save_item(state.version_id, "quotes", "q1", {**state.quotes[0].to_dict(), "status": "rejected"}, "reject")
        repo.undo(state.version_id)
        assert [a.doc_id for a in repo.versions(MARK, annotator=MARK, status=None)] == [MARK]
        repo.stats(MARK)
        repo.speaker_corrections(MARK)
    finally:
        engine_mod.make_engine = real_make_engine
    assert len(statements) > 20
    leaked = [s for s in statements if "ZZ" in s or "DROP TABLE" in s]
    assert leaked == []
