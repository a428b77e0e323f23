"""`export doccano` and `export label-studio`: files in the importing tool's documented format, which come
back through our own import unchanged.

doccano (relation project): one JSON object per line, ``text``, ``entities`` with integer ``id``, ``label``,
``start_offset``, ``end_offset`` (character offsets, end exclusive) and ``relations`` with ``id``, ``from_id``,
``to_id``, ``type``; other keys are metadata. Label Studio: a JSON list of tasks with ``data`` and
``annotations``/``predictions``, whose ``result`` items name a control tag (``from_name``) and object tag
(``to_name``) of the labelling config, with ``labels`` regions (``start``, ``end``, ``text``, ``labels``),
per-region ``choices``/``textarea`` items sharing the region ``id``, and ``relation`` items
(``from_id``, ``to_id``, ``direction``, ``labels``).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable

from annotator.io.doccano import annotation_from_doccano
from annotator.io.label_studio import LABEL_CONFIG, annotations_from_task
from annotator.io.gold import gold_line
from annotator.scheme import Annotation
from tests.conftest import Cli

TAG_TYPES = {"Labels": "labels", "Choices": "choices", "TextArea": "textarea"}


def _export(cli: Cli, db: str, fmt: str, out: Path, *extra: str) -> str:
    result = cli("export", fmt, "--dataset", "news", "--out", out, "--db", db, *extra)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _roundtrip(cli: Cli, annotated: str, tmp_path: Path, anns: Iterable[Annotation]) -> None:
    """The versions read back, imported into a new database, export exactly as the original database."""
    original = _export(cli, annotated, "jsonl", tmp_path / "orig.jsonl")
    gold = tmp_path / "back.jsonl"
    gold.write_text("".join(gold_line(a) + "\n" for a in anns), encoding="utf-8")
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = cli("import", gold, "--dataset", "news", "--db", fresh)
    assert result.exit_code == 0, result.output
    assert _export(cli, fresh, "jsonl", tmp_path / "again.jsonl") == original


def test_doccano_lines_follow_the_relation_project_format(cli, annotated: str, tmp_path: Path) -> None:
    lines = _export(cli, annotated, "doccano", tmp_path / "d.jsonl").splitlines()
    assert len(lines) == 10  # one per done version
    labels, types = set(), set()
    for line in lines:
        rec = json.loads(line)
        text = rec["text"]
        assert isinstance(text, str) and rec["doc_id"] and rec["annotator"] in ("alice", "bob")
        ids = [e["id"] for e in rec["entities"]]
        assert len(set(ids)) == len(ids) and all(isinstance(i, int) for i in ids)
        for e in rec["entities"]:
            assert set(e) == {"id", "label", "start_offset", "end_offset"}
            assert 0 <= e["start_offset"] < e["end_offset"] <= len(text)
            labels.add(e["label"])
        for r in rec["relations"]:
            assert set(r) == {"id", "from_id", "to_id", "type"} and {r["from_id"], r["to_id"]} <= set(ids)
            types.add(r["type"])
        assert set(rec["attributes"]) <= {str(i) for i in ids}
    assert labels == {"QUOTE", "CUE", "SPEAKER", "CLAIM"} and types == {"ATTRIBUTED_TO", "CUED_BY"}


def test_doccano_roundtrips_through_our_import(cli, annotated: str, tmp_path: Path) -> None:
    lines = _export(cli, annotated, "doccano", tmp_path / "d.jsonl").splitlines()
    anns = [annotation_from_doccano(json.loads(x), f"d.jsonl:{i}") for i, x in enumerate(lines, 1)]
    _roundtrip(cli, annotated, tmp_path, anns)


def _config() -> tuple[dict[str, str], dict[str, set[str]], set[str]]:
    root = ET.fromstring(LABEL_CONFIG)
    controls = {el.get("name"): TAG_TYPES[el.tag] for el in root if el.tag in TAG_TYPES}
    values = {el.get("name"): {c.get("value") for c in el} for el in root if el.tag in ("Labels", "Choices")}
    relations = {r.get("value") for rel in root.iter("Relations") for r in rel}
    assert [el.get("name") for el in root if el.tag == "Text"] == ["text"]
    assert all(el.get("toName") == "text" for el in root if el.tag in TAG_TYPES)
    return controls, values, relations  # type: ignore[return-value]


def _check_result(result: list[dict[str, Any]], text: str) -> None:
    controls, values, relations = _config()
    regions = {}
    for item in result:
        if item["type"] == "relation":
            continue
        assert item["to_name"] == "text" and controls[item["from_name"]] == item["type"]
        v = item["value"]
        assert 0 <= v["start"] < v["end"] <= len(text)
        if item["type"] == "labels":
            assert v["text"] == text[v["start"]:v["end"]] and set(v["labels"]) <= values[item["from_name"]]
            regions[item["id"]] = (v["start"], v["end"])
        elif item["type"] == "choices":
            assert set(v["choices"]) <= values[item["from_name"]]
        else:
            assert all(isinstance(t, str) for t in v["text"])
    for item in result:
        if item["type"] == "relation":
            assert {item["from_id"], item["to_id"]} <= set(regions) and item["direction"] == "right"
            assert set(item["labels"]) <= relations
        else:  # per-region attributes sit on a region's id and offsets
            assert regions[item["id"]] == (item["value"]["start"], item["value"]["end"])


def test_label_studio_tasks_follow_the_import_format_and_config(cli, annotated: str, tmp_path: Path) -> None:
    tasks = json.loads(_export(cli, annotated, "label-studio", tmp_path / "ls.json"))
    assert isinstance(tasks, list) and len(tasks) == 6  # one task per document
    assert sum(len(t["annotations"]) for t in tasks) == 10
    kinds = set()
    for task in tasks:
        assert set(task) == {"data", "annotations"} and task["data"]["text"]
        for ann in task["annotations"]:
            _check_result(ann["result"], task["data"]["text"])
            kinds |= {i["from_name"] for i in ann["result"] if i["type"] != "relation"}
    assert kinds == set(_config()[0])  # every control of the config is used somewhere
    assert cli("export", "label-studio-config").stdout == LABEL_CONFIG


def test_label_studio_roundtrips_as_annotations_and_predictions(cli, annotated: str, tmp_path: Path) -> None:
    for mode in ("annotations", "predictions"):
        tasks = json.loads(_export(cli, annotated, "label-studio", tmp_path / f"{mode}.json", "--as", mode))
        other = "predictions" if mode == "annotations" else "annotations"
        assert all(mode in t and other not in t for t in tasks)
        anns = [a for i, t in enumerate(tasks) for a in annotations_from_task(t, f"ls.json:{i}")]
        (tmp_path / mode).mkdir()
        _roundtrip(cli, annotated, tmp_path / mode, anns)
