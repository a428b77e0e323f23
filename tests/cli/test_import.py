"""`annotator import`: articles in, duplicates reported, bad input refused with nothing stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from tests.conftest import SAMPLE_DIR
from tests.helpers import db_snapshot, write_jsonl

TEXT = "“We call on Russia to withdraw its troops,” Mr Blinken said."


def gold_line(**overrides: Any) -> dict[str, Any]:
    line = {
        "id": "d1", "text": TEXT, "meta": {"source": "x"}, "annotator": "alice", "status": "done",
        "quotes": [{
            "id": "q1", "start": 1, "end": 41, "text": TEXT[1:41], "kind": "direct",
            "cue": {"start": 55, "end": 59, "text": "said"},
            "speaker": {"start": 44, "end": 54, "text": "Mr Blinken", "name": "Antony Blinken"},
            "stance": {"target": "Russia", "label": "against"},
        }],
        "claims": [],
    }
    line.update(overrides)
    return line


def test_import_sample_folder_then_stats(cli, db_url: str) -> None:
    result = cli("import", SAMPLE_DIR, "--dataset", "news", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "Imported 5 document(s) into 'news'" in result.stdout
    repo = Repository(open_database(db_url))
    docs = repo.documents("news")
    assert [d.ext_id for d in docs] == sorted(p.stem for p in SAMPLE_DIR.glob("*.txt"))
    assert docs[0].text == (SAMPLE_DIR / f"{docs[0].ext_id}.txt").read_text(encoding="utf-8")
    assert docs[0].meta == {"source": f"{docs[0].ext_id}.txt"}

    stats = cli("stats", "--dataset", "news", "--db", db_url)
    assert stats.exit_code == 0
    assert "documents" in stats.stdout and " 5 " in stats.stdout
    listing = cli("datasets", "--db", db_url)
    assert "news" in listing.stdout


def test_duplicate_texts_are_reported_and_skipped(cli, db_url: str, tmp_path: Path) -> None:
    cli("import", SAMPLE_DIR / "000_60b67c4313700902.txt", "--dataset", "news", "--db", db_url)
    copy = tmp_path / "copy.txt"
    copy.write_bytes((SAMPLE_DIR / "000_60b67c4313700902.txt").read_bytes())
    result = cli("import", SAMPLE_DIR, copy, "--dataset", "news", "--db", db_url)
    assert result.exit_code == 0
    assert "Imported 4 document(s)" in result.stdout
    assert "skipped 2 duplicate(s)" in result.stdout
    assert "copy.txt (same text as '000_60b67c4313700902')" in result.stderr
    assert Repository(open_database(db_url)).count_documents("news") == 5


def test_plain_jsonl_with_ids_and_meta(cli, db_url: str, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "text": "Lavrov said NATO refused.", "meta": {"outlet": "x"}},
        {"text": "Blinken warned of “serious consequences”."},
    ])
    result = cli("import", src, "--dataset", "j", "--db", db_url)
    assert result.exit_code == 0, result.output
    docs = Repository(open_database(db_url)).documents("j")
    assert docs[0].ext_id == "a" and docs[0].meta == {"outlet": "x", "source": "in.jsonl"}
    assert len(docs[1].ext_id) == 16  # no id given: a stable hash of the text


def test_gold_jsonl_lines_become_annotator_versions(cli, db_url: str, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "gold.jsonl", [gold_line(), gold_line(annotator="bob", status="in_progress")])
    result = cli("import", src, "--dataset", "g", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "Imported 1 document(s) into 'g', 2 annotated version(s)" in result.stdout
    repo = Repository(open_database(db_url))
    (alice,) = repo.versions("g", annotator="alice")
    assert alice.to_dict() == gold_line()
    assert [a.annotator for a in repo.versions("g", status=None)] == ["alice", "bob"]


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, expected message fragment incl. file:line where there is a line)."""
    cases: dict[str, tuple[Path, str]] = {}

    def add(name: str, filename: str, content: bytes, expect: str) -> None:
        path = tmp_path / filename
        path.write_bytes(content)
        cases[name] = (path, expect.replace("{p}", str(path)))

    good = json.dumps({"text": "fine"}).encode() + b"\n"
    add("malformed_json", "bad.jsonl", good + b'{"text": "x",\n', "{p}:2: malformed JSON")
    add("truncated_jsonl", "trunc.jsonl", good + b'{"text": "cut',  # json's message ends in "starting at"
        "{p}:2: malformed JSON: Unterminated string starting at column 10 (truncated line?)")
    add("invalid_utf8_jsonl", "latin.jsonl", good + '{"text": "café"}\n'.encode("latin-1"), "{p}:2: invalid UTF-8")
    add("invalid_utf8_txt", "latin.txt", "line one\ncafé\n".encode("latin-1"), "{p}:2: invalid UTF-8")
    add("binary", "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "{p}: this is a PNG image")
    add("nul_bytes", "blob.txt", b"abc\x00\x01\x02", "{p}: binary file")
    add("utf16", "u16.txt", "hello".encode("utf-16"), "{p}: file is UTF-16-encoded")
    add("empty_txt", "empty.txt", b"  \n\t\n", "{p}: empty file")
    add("empty_jsonl", "empty.jsonl", b"", "{p}: empty file")
    add("missing_text", "notext.jsonl", good + b'{"id": "x"}\n', "{p}:2: (line): 'text' is a required property")
    add("empty_text", "emptytext.jsonl", b'{"text": "   "}\n', "{p}:1: text: text is empty")
    add("json_array", "array.jsonl", b'[{"text": "a"}]\n', "{p}:1: this is a JSON array")
    add("not_object", "list.jsonl", good + b'"just a string"\n', "{p}:2: expected a JSON object, got str")
    return cases


BAD = ["malformed_json", "truncated_jsonl", "invalid_utf8_jsonl", "invalid_utf8_txt", "binary", "nul_bytes",
       "utf16", "empty_txt", "empty_jsonl", "missing_text", "empty_text", "json_array", "not_object"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_gives_one_line_error_and_stores_nothing(cli, db_url: str, tmp_path: Path, case: str) -> None:
    cli("import", SAMPLE_DIR / "000_60b67c4313700902.txt", "--dataset", "news", "--db", db_url)
    before = db_snapshot(db_url)
    path, expected = _bad_inputs(tmp_path)[case]
    # A good file first, so "nothing stored" also covers what was read before the bad one.
    result = cli("import", SAMPLE_DIR / "001_2542be5c2290e7b5.txt", path, "--dataset", "news", "--db", db_url)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {expected}"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert db_snapshot(db_url) == before


GOLD_BAD = {
    "offsets_out_of_range": (
        lambda: gold_line(claims=[{"start": 50, "end": 500, "text": "x", "checkworthy": True, "speaker": None}]),
        "claims[0]: offsets [50, 500) out of range for a text of 60 characters",
    ),
    "text_mismatch": (
        lambda: gold_line(claims=[{"start": 0, "end": 5, "text": "Hello", "checkworthy": True, "speaker": None}]),
        "claims[0]: text 'Hello' does not match the document at [0, 5): '“We c'",
    ),
    "cue_text_mismatch": (
        lambda: {**gold_line(), "quotes": [{**gold_line()["quotes"][0], "cue": {"start": 55, "end": 59, "text": "says"}}]},
        "quotes[0].cue: text 'says' does not match",
    ),
    "overlapping_quotes": (
        lambda: {**gold_line(), "quotes": [gold_line()["quotes"][0], {**gold_line()["quotes"][0], "id": "q2",
                 "start": 5, "end": 10, "text": TEXT[5:10]}]},
        "overlaps quotes[0]: spans of one layer (quotes) must not overlap",
    ),
    "unknown_kind": (
        lambda: {**gold_line(), "quotes": [{**gold_line()["quotes"][0], "kind": "paraphrase"}]},
        "quotes[0].kind: unknown value 'paraphrase'",
    ),
    "unknown_stance_label": (
        lambda: {**gold_line(), "quotes": [{**gold_line()["quotes"][0], "stance": {"target": "Russia", "label": "pro"}}]},
        "quotes[0].stance.label: unknown value 'pro'",
    ),
}


@pytest.mark.parametrize("case", sorted(GOLD_BAD))
def test_bad_gold_lines_name_file_line_and_field(cli, db_url: str, tmp_path: Path, case: str) -> None:
    make, expected = GOLD_BAD[case]
    src = write_jsonl(tmp_path / "gold.jsonl", [gold_line(id="ok", text=TEXT + " Ok."), make()])
    open_database(db_url).dispose()
    before = db_snapshot(db_url)
    result = cli("import", src, "--dataset", "g", "--db", db_url)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {src}:2: "), result.stderr
    assert expected in result.stderr
    assert db_snapshot(db_url) == before


def test_missing_source_file(cli, sqlite_url: str, tmp_path: Path) -> None:
    result = cli("import", tmp_path / "nope.txt", "--dataset", "x", "--db", sqlite_url)
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.txt'}: no such file or folder" in result.stderr


def test_failed_first_import_leaves_no_sqlite_file(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{oops\n', encoding="utf-8")
    db_file = tmp_path / "new.db"
    result = cli("import", bad, "--dataset", "x", "--db", f"sqlite:///{db_file}")
    assert result.exit_code == 1
    assert not db_file.exists() and not Path(f"{db_file}-wal").exists()


def test_nul_characters_in_jsonl_text_are_refused(cli, db_url: str, tmp_path: Path) -> None:
    src = tmp_path / "nul.jsonl"
    src.write_text('{"text": "before\\u0000after"}\n', encoding="utf-8")
    result = cli("import", src, "--dataset", "x", "--db", db_url)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {src}:1: text: text contains NUL characters (\\u0000), which databases cannot store\n"


def test_stance_targets_in_both_option_orders(cli, sqlite_url: str) -> None:
    cli("import", SAMPLE_DIR / "000_60b67c4313700902.txt", "--dataset", "news", "--db", sqlite_url)
    listed = cli("targets", "--dataset", "news", "--db", sqlite_url, "list")  # the contract's form
    assert listed.stdout.splitlines() == ["Russia", "Ukraine", "NATO", "the United States"]
    added = cli("targets", "add", "NATO enlargement", "--dataset", "news", "--db", sqlite_url)
    assert added.exit_code == 0 and "NATO enlargement" in added.stdout
    removed = cli("targets", "--dataset", "news", "--db", sqlite_url, "remove", "Ukraine")
    assert removed.exit_code == 0
    assert cli("targets", "list", "-d", "news", "--db", sqlite_url).stdout.splitlines() == [
        "Russia", "NATO", "the United States", "NATO enlargement"]
    bad = cli("targets", "remove", "Mars", "-d", "news", "--db", sqlite_url)
    assert bad.exit_code == 1 and "not a stance target of 'news': Mars" in bad.stderr
    missing = cli("targets", "list", "--db", sqlite_url)
    assert missing.exit_code == 1 and "missing option --dataset" in missing.stderr


def test_input_that_only_postgresql_would_reject_is_refused_the_same_everywhere(cli, db_url: str, tmp_path: Path) -> None:
    """NUL bytes late in a .txt, lone surrogates, over-long ids and names: one clear error on both backends."""
    late_nul = tmp_path / "late.txt"
    late_nul.write_bytes(b"x" * 5000 + b"\nsecond line\x00\n")
    r = cli("import", late_nul, "--dataset", "x", "--db", db_url)
    assert r.exit_code == 1 and r.stderr == f"Error: {late_nul}:2: binary data (NUL bytes) in a text file\n"

    surrogate = tmp_path / "sur.jsonl"
    surrogate.write_text('{"text": "Hello \\ud800 world"}\n', encoding="utf-8")
    r = cli("import", surrogate, "--dataset", "x", "--db", db_url)
    assert r.exit_code == 1 and "sur.jsonl:1: invalid Unicode: a lone surrogate" in r.stderr

    long_id = write_jsonl(tmp_path / "long.jsonl", [{"id": "x" * 501, "text": "fine"}])
    r = cli("import", long_id, "--dataset", "x", "--db", db_url)
    assert r.exit_code == 1 and f"{long_id}:1: id: " in r.stderr and "is too long" in r.stderr

    r = cli("import", SAMPLE_DIR, "--dataset", "d" * 201, "--db", db_url)
    assert r.exit_code == 1 and "dataset name is longer than 200 characters" in r.stderr


def test_unsupported_database_urls(cli) -> None:
    r = cli("stats", "-d", "x", "--db", "mysql://a@b/c")
    assert r.exit_code == 1
    assert r.stderr == "Error: unsupported database 'mysql' in 'mysql://a@b/c': use sqlite:///FILE or postgresql://USER@HOST/DBNAME\n"


def test_reimporting_gold_never_overwrites_an_annotators_work(cli, db_url: str, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "gold.jsonl", [gold_line()])
    assert cli("import", src, "--dataset", "g", "--db", db_url).exit_code == 0
    repo = Repository(open_database(db_url))
    state = repo.open_version(repo.document_ids("g")[0], "alice")
    quote = state.quotes[0]
    repo.save_item(state.version_id, "quotes", quote.id, {**quote.to_dict(), "kind": "mixed", "status": "edited"}, "set_kind")
    again = cli("import", src, "--dataset", "g", "--db", db_url)
    assert again.exit_code == 0
    assert "'alice' already has a version of 'd1'; kept the stored one" in again.stderr
    (alice,) = repo.versions("g", annotator="alice")
    assert alice.quotes[0].kind == "mixed"


def test_stats_show_each_annotators_progress_and_time(cli, db_url: str, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "gold.jsonl", [gold_line(), gold_line(annotator="bob", status="in_progress")])
    cli("import", src, "--dataset", "g", "--db", db_url)
    repo = Repository(open_database(db_url))
    state = repo.open_version(repo.document_ids("g")[0], "carol")
    repo.save_item(state.version_id, "quotes", "q1", {**gold_line()["quotes"][0], "status": "accepted"}, "accept")
    stats = repo.stats("g")
    assert [(a.name, a.done, a.in_progress) for a in stats.annotators] == [("alice", 1, 0), ("bob", 0, 1), ("carol", 0, 1)]
    assert stats.annotators[2].seconds < 5
    out = cli("stats", "--dataset", "g", "--db", db_url)
    assert "carol" in out.stdout and "0:00:0" in out.stdout
