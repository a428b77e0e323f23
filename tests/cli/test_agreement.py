"""`annotator agreement` end to end: stored versions in, tables or JSON out."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.scheme import Annotation, Quote, SpeakerMention, Stance
from tests.helpers import write_jsonl

TEXT = "“Talks were useful,” Blinken said. Lavrov said that NATO refused to talk. Nothing else."


def quote(fragment: str, kind: str, name: str, label: str, qid: str) -> Quote:
    s = TEXT.index(fragment)
    who = name.split()[-1]
    m = TEXT.index(who)
    return Quote(qid, s, s + len(fragment), fragment, kind, None, SpeakerMention(m, m + len(who), who, name),
                 Stance("NATO", label))


def versions() -> list[dict]:
    alice = Annotation("d1", TEXT, "alice", "done", {}, (
        quote("Talks were useful", "direct", "Antony Blinken", "neutral", "q1"),
        quote("NATO refused to talk", "indirect", "Sergey Lavrov", "against", "q2"),
    ))
    bob = Annotation("d1", TEXT, "bob", "done", {}, (
        quote("Talks were useful", "direct", "Antony Blinken", "neutral", "q1"),
        quote("NATO refused", "indirect", "Sergei Lavrov", "against", "q2"),
    ))
    solo = Annotation("d2", "Only alice finished this one.", "alice", "done")
    return [alice.to_dict(), bob.to_dict(), solo.to_dict()]


def test_agreement_json_numbers_and_symmetry(cli, db_url: str, tmp_path: Path) -> None:
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", versions()), "-d", "a", "--db", db_url).exit_code == 0
    out = cli("agreement", "-d", "a", "--json", "--db", db_url)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    quotes = next(l for l in data["layers"] if l["layer"] == "quotes" and l["label"] is None)
    (pair,) = quotes["pairs"]
    assert pair["exact"]["f1"] == 0.5 and pair["overlap"]["f1"] == 1.0
    assert data["speakers"]["overall"]["agreement"] == 0.5  # Sergey vs Sergei: a real disagreement
    assert data["stance"]["overall"]["percent_agreement"] == 1.0
    assert data["documents"]["excluded"][0]["doc_id"] == "d2"

    ba = json.loads(cli("agreement", "-d", "a", "--annotators", "bob,alice", "--json", "--db", db_url).stdout)
    ba_quotes = next(l for l in ba["layers"] if l["layer"] == "quotes" and l["label"] is None)
    assert ba_quotes["pairs"][0]["overlap"]["f1"] == pair["overlap"]["f1"]
    assert ba_quotes["pairs"][0]["token"]["alpha"] == pair["token"]["alpha"]

    table = cli("agreement", "-d", "a", "--layer", "quotes", "--db", db_url)
    assert table.exit_code == 0 and "alice" in table.stdout and "bob" in table.stdout


def test_agreement_needs_two_annotators_and_known_layers(cli, sqlite_url: str, tmp_path: Path) -> None:
    one = [versions()[0]]
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", one), "-d", "a", "--db", sqlite_url).exit_code == 0
    result = cli("agreement", "-d", "a", "--db", sqlite_url)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("Error: ") and "two annotators" in result.stderr
    bad = cli("agreement", "-d", "a", "--layer", "vibes", "--db", sqlite_url)
    assert bad.exit_code == 1 and "unknown layer 'vibes'" in bad.stderr
    unknown = cli("agreement", "-d", "a", "--annotators", "alice,zed", "--db", sqlite_url)
    assert unknown.exit_code == 1 and "'zed'" in unknown.stderr


def test_agreement_tables_show_hostile_annotator_names_literally(cli, sqlite_url: str, tmp_path: Path) -> None:
    rows = versions()[:2]
    rows[0]["annotator"] = "[bold red]ann[/]"
    rows[1]["annotator"] = "evil\x1b[31mred"
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", rows), "-d", "a", "--db", sqlite_url).exit_code == 0
    out = cli("agreement", "-d", "a", "--db", sqlite_url)
    assert out.exit_code == 0
    assert "[bold red]ann[/]" in out.stdout and "evil\\x1b[31mred" in out.stdout
    assert "\x1b" not in out.stdout


def test_gold_and_model_versions_are_not_counted_as_annotators(cli, sqlite_url: str, tmp_path: Path) -> None:
    rows = versions()[:2]
    gold = dict(rows[0], annotator="gold")
    model = dict(rows[1], annotator="model")
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", [*rows, gold, model]), "-d", "a", "--db", sqlite_url).exit_code == 0
    data = json.loads(cli("agreement", "-d", "a", "--json", "--db", sqlite_url).stdout)
    assert data["annotators"] == ["alice", "bob"]
    asked = json.loads(cli("agreement", "-d", "a", "--annotators", "alice,gold", "--json", "--db", sqlite_url).stdout)
    assert asked["annotators"] == ["alice", "gold"]
