"""`annotator import --format brat|auto`: brat standoff attributions become annotators' versions.

The fixture (tests/io/brat_fixture.py) is PolNeAR-shaped: text/X.txt + attributions/X_<annotator>.ann, with a
discontinuous content, a Content2 argument, NYT-style ''…'' marks, an Attribution-no-source event and notes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.scheme import Annotation
from tests.helpers import db_snapshot
from tests.io.brat_fixture import NOTE, PRESS, press_alice, write_plain, write_polnear


def _quotes(ann: Annotation) -> list[tuple[str, str, str | None, str | None]]:
    return [(q.text, q.kind, q.cue.text if q.cue else None, q.speaker.name if q.speaker else None) for q in ann.quotes]


def test_polnear_folder_becomes_one_version_per_annotator(cli, db_url: str, tmp_path: Path) -> None:
    root = write_polnear(tmp_path / "polnear")
    result = cli("import", root, "--dataset", "pn", "--format", "brat", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "Imported 1 document(s) into 'pn', 2 annotated version(s)" in result.stdout
    repo = Repository(open_database(db_url))
    (doc,) = repo.documents("pn")
    assert doc.ext_id == "press" and doc.text == PRESS and doc.meta == {"source": "press.txt"}
    (alice,) = repo.versions("pn", annotator="alice")
    assert _quotes(alice) == [
        # each fragment of the discontinuous content is a direct quote on its own: one quote each,
        # without the quotation marks
        ("We will not back down,", "direct", "said", "the senator"),
        ("Not this year.", "direct", "said", "the senator"),
        # fragments that are not direct quotes: one span from the first to the last
        ("the plan, which is new, would fail", "indirect", "said", "Smith"),
        # Content + Content2 joined; the complementizer "that" stays inside; a quoted part makes it mixed
        ("the deal was dead and that it was “a disaster for the state.”", "mixed", "argued", "The governor"),
        # NYT-style ''…'' are quotation marks
        ("We are ready,", "direct", "said", "Jones"),
        ("voters are tired", "indirect", "show", "Polls"),
    ]
    (bob,) = repo.versions("pn", annotator="bob")
    assert _quotes(bob) == [("voters are tired", "indirect", "show", None)]


def test_auto_format_reads_x_txt_with_x_ann_and_keeps_crlf_offsets(cli, db_url: str, tmp_path: Path) -> None:
    root = write_plain(tmp_path / "plain")
    (root / "extra.txt").write_text("No annotations here.", encoding="utf-8")
    result = cli("import", root, "--dataset", "pl", "--db", db_url)  # --format auto is the default
    assert result.exit_code == 0, result.output
    repo = Repository(open_database(db_url))
    assert sorted(d.ext_id for d in repo.documents("pl")) == ["extra", "note"]
    (version,) = repo.versions("pl", annotator="brat")
    assert version.text == NOTE  # "\r\n" kept: offsets are code points into the text read with newline=''
    assert _quotes(version) == [("that taxes will rise", "indirect", "said", "Lee"),
                                ("costs fell", "indirect", "According to", "the report")]


def _corrupt(tmp_path: Path, case: str) -> tuple[Path, str]:
    root = write_polnear(tmp_path / case)
    ann = root / "attributions" / "press_alice.ann"
    lines = press_alice().lines
    n = len(PRESS)
    bad = {
        "out_of_range": f"T99\tSource {n - 2} {n + 5}\tx",
        "text_mismatch": "T99\tSource 0 2\tXY",
        "newline_in_span": f"T99\tContent 0 20\t{PRESS[:13]}",
        "unknown_type": "T99\tSpeaker 0 2\tBy",
        "unknown_id": "E99\tAttribution:T3 Content:T404",
        "unknown_trigger": "E99\tAttribution:T404 Content:T3",
    }[case]
    lines.insert(3, bad)
    if case == "newline_in_span":
        lines.insert(4, PRESS[14:20])
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = {
        "out_of_range": f"T99: offsets [{n - 2}, {n + 5}) out of range for a text of {n} characters",
        "text_mismatch": "T99: text 'XY' does not match the document at 0 2: 'By'",
        "newline_in_span": "T99: span text contains a newline",
        "unknown_type": "unknown brat type 'Speaker' (not in the 'polnear' scheme)",
        "unknown_id": "E99: Content refers to unknown id T404",
        "unknown_trigger": "E99: Attribution refers to unknown id T404",
    }[case]
    return root, f"{ann}:4: {expected}"


@pytest.mark.parametrize("case", ["out_of_range", "text_mismatch", "newline_in_span", "unknown_type", "unknown_id",
                                  "unknown_trigger"])
def test_a_bad_ann_line_names_file_and_line_and_stores_nothing(cli, db_url: str, tmp_path: Path, case: str) -> None:
    cli("import", write_plain(tmp_path / "first"), "--dataset", "pn", "--db", db_url)
    before = db_snapshot(db_url)
    root, expected = _corrupt(tmp_path, case)
    result = cli("import", root, "--dataset", "pn", "--format", "brat", "--db", db_url)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: {expected}"]
    assert db_snapshot(db_url) == before


def test_an_ann_without_its_text_and_an_unknown_scheme_are_refused(cli, sqlite_url: str, tmp_path: Path) -> None:
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / "orphan.ann").write_text("T1\tCue 0 4\tsaid\n", encoding="utf-8")
    result = cli("import", lonely, "--dataset", "x", "--db", sqlite_url)
    assert result.exit_code == 1 and f"{lonely / 'orphan.ann'}: no text for this .ann file" in result.stderr
    result = cli("import", write_plain(tmp_path / "p"), "--dataset", "x", "--brat-scheme", "nosuch", "--db", sqlite_url)
    assert result.exit_code == 1 and "unknown brat scheme 'nosuch'; built in: polnear" in result.stderr


def test_a_custom_scheme_file_maps_other_type_names(cli, sqlite_url: str, tmp_path: Path) -> None:
    root = tmp_path / "custom"
    root.mkdir()
    text = "Ana said rain is coming."
    (root / "w.txt").write_text(text, encoding="utf-8")
    (root / "w.ann").write_text(
        "T1\tSpeaker 0 3\tAna\nT2\tVerb 4 8\tsaid\nT3\tQuote 9 23\train is coming\nT4\tReport 4 8\tsaid\n"
        "E1\tReport:T4 Who:T1 How:T2 What:T3\n", encoding="utf-8")
    scheme = tmp_path / "scheme.json"
    scheme.write_text('{"name": "mine", "layers": {"Speaker": "speakers", "Verb": "cues", "Quote": "quotes"},'
                      ' "events": ["Report"]}', encoding="utf-8")
    result = cli("import", root, "--dataset", "c", "--brat-scheme", scheme, "--db", sqlite_url)
    assert result.exit_code == 0, result.output
    (version,) = Repository(open_database(sqlite_url)).versions("c", annotator="brat")
    assert _quotes(version) == [("rain is coming", "indirect", "said", "Ana")]
    scheme.write_text('{"name": "mine", "layers": {"Verb": "cue"}, "events": []}', encoding="utf-8")
    result = cli("import", root, "--dataset", "c2", "--brat-scheme", scheme, "--db", sqlite_url)
    assert result.exit_code == 1 and f"{scheme}: layers.Verb: unknown value 'cue'" in result.stderr
