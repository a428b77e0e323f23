"""Names and texts are data: markup, ANSI escapes, quotes and semicolons pass through untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from tests.conftest import SAMPLE_DIR
from tests.helpers import write_jsonl

HOSTILE = [
    "[bold red]x[/]",
    "[@click=app.quit]quit[/]",
    "evil\x1b[31mred\x1b[0m",
    "Robert'); DROP TABLE documents;--",
    '"; DELETE FROM versions; --',
    "../../etc/passwd",
    "a/b\\c",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_dataset_and_annotator_names_are_stored_faithfully(cli, db_url: str, tmp_path: Path, name: str) -> None:
    # the quote starts with a word: a name starting with '"' must not look like a quotation mark in the span
    text = f"“Here is {name},” said {name}."
    end = text.index(",” said")
    src = write_jsonl(tmp_path / "in.jsonl", [{
        "id": name, "text": text, "annotator": name, "status": "done", "meta": {"outlet": name},
        "quotes": [{"id": "q1", "start": 1, "end": end, "text": text[1:end],
                    "kind": "direct", "cue": None, "stance": None,
                    "speaker": {"start": text.rindex(name), "end": text.rindex(name) + len(name), "text": name,
                                "name": name}}],
        "claims": [],
    }])
    result = cli("import", src, "--dataset", name, "--db", db_url)
    assert result.exit_code == 0, result.output
    repo = Repository(open_database(db_url))
    assert [d.name for d in repo.list_datasets()] == [name]
    (ann,) = repo.versions(name, annotator=name)
    assert ann.doc_id == name and ann.annotator == name and ann.quotes[0].speaker.name == name
    assert repo.count_documents(name) == 1  # nothing was dropped by the "SQL"

    listing = cli("datasets", "--db", db_url)
    stats = cli("stats", "--dataset", name, "--db", db_url)
    for out in (listing.stdout, stats.stdout):
        assert "\x1b" not in out  # escapes never reach the terminal raw
        if "\x1b" not in name:
            assert name in out  # markup is shown literally, not interpreted


def test_error_messages_escape_control_characters(cli, sqlite_url: str) -> None:
    cli("import", SAMPLE_DIR / "000_60b67c4313700902.txt", "--dataset", "news", "--db", sqlite_url)
    result = cli("stats", "--dataset", "evil\x1b[2Jname", "--db", sqlite_url)
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr
    assert "evil\\x1b[2Jname" in result.stderr


def test_success_messages_show_an_escape_once_as_error_messages_do(cli, sqlite_url: str) -> None:
    # before: 'evil\\x1b[31mname' (the name made safe, then repr() doubled its backslash)
    name = "evil\x1b[31mname"
    imported = cli("import", SAMPLE_DIR / "000_60b67c4313700902.txt", "--dataset", name, "--db", sqlite_url)
    assert "into 'evil\\x1b[31mname'." in imported.stdout, imported.stdout
    merged = cli("speakers", "merge", name, "Other", "--dataset", name, "--db", sqlite_url)
    assert merged.stdout == "'evil\\x1b[31mname' is now merged into 'Other'.\n"
    assert "\x1b" not in imported.stdout + merged.stdout


def test_read_only_commands_never_create_a_database(cli, tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    for args in (["stats", "-d", "x"], ["datasets"], ["agreement", "-d", "x"], ["speakers", "-d", "x"]):
        result = cli(*args, "--db", f"sqlite:///{typo}")
        assert result.exit_code == 1
        assert result.stderr == f"Error: {typo}: no such database (import articles first, or give --db)\n"
    assert not typo.exists()


TERMINAL_ATTACKS = {
    "osc52": "\x1b]52;c;ZXZpbA==\x07",  # writes the clipboard
    "title": "\x1b]0;pwned\x07",  # sets the window title
    "clear": "\x1b[2J\x1b[H",  # clears the screen
    "csi8": "\x9b31m",  # an 8-bit CSI
    "bidi": "\u202eevil\u202c",  # shows text reversed
    "isolate": "\u2067rtl\u2069",
}


def _hostile_gold(tmp_path: Path) -> Path:
    import json

    from tests.conftest import GOLD_FILE

    lines = [json.loads(line) for line in GOLD_FILE.read_text(encoding="utf-8").splitlines()]
    for line, (key, attack) in zip(lines, TERMINAL_ATTACKS.items()):
        line.update(id=f"{key}{attack}", annotator="gold")
    return write_jsonl(tmp_path / "hostile.jsonl", lines)


def _inert(out: str) -> None:
    for char in ("\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\u2067", "\u2069"):
        assert char not in out, repr(char)


def test_the_cli_and_the_tui_share_one_set_of_unsafe_characters() -> None:
    from annotator.display import UNSAFE, safe, visible

    for attack in TERMINAL_ATTACKS.values():
        _inert(safe(attack))
        _inert(visible(attack))
        assert len(visible(attack)) == len(attack)  # the TUI keeps offsets
    assert safe("\u202e") == "\\u202e" and safe("\x1b") == "\\x1b" and safe("tab\tand\nnewline") == "tab\tand\nnewline"
    assert all(safe(chr(c)) != chr(c) and visible(chr(c)) != chr(c) for c in UNSAFE)


def test_json_output_escapes_unsafe_characters_and_stays_the_same_json(cli, tmp_path: Path) -> None:
    import json

    gold = _hostile_gold(tmp_path)
    result = cli("evaluate", gold, gold, "--json")
    assert result.exit_code == 0, result.output
    _inert(result.stdout)
    assert json.loads(result.stdout)["n_documents"] == 5


@pytest.mark.slow
def test_train_shows_hostile_document_ids_inert(cli, sqlite_url: str, tmp_path: Path) -> None:
    assert cli("import", _hostile_gold(tmp_path), "--dataset", "g", "--db", sqlite_url).exit_code == 0
    result = cli("train", "--dataset", "g", "--output", tmp_path / "m", "--folds", "2", "--db", sqlite_url)
    assert result.exit_code == 0, result.output
    _inert(result.stdout + result.stderr)
    held_out = result.stdout.split("Held out: ")[1].split(". Use:")[0]
    assert held_out.startswith(tuple(TERMINAL_ATTACKS)) and ("\\x" in held_out or "\\u" in held_out)
