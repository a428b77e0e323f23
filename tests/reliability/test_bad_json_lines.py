"""Bad gold JSONL lines: one `file:line: field: problem` message, exit 1, nothing stored, never a traceback.

The same shared reader serves `import`, `predict` and `evaluate`. Named cases first (offsets written as
1.0, nesting ~1000 levels deep, integers over Python's 4,300-digit limit), then a hypothesis fuzz test
that breaks one part of a valid line at a time (types, nesting, numbers, ids, offsets) on both backends.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import db_snapshot
from tests.conftest import Cli

TEXT = "“We are ready to talk,” said Antony Blinken. About 100,000 troops are there."


def valid_line() -> dict[str, Any]:
    start = TEXT.index("We")
    end = TEXT.index(",”")
    cue = TEXT.index("said")
    who = TEXT.index("Antony")
    claim = TEXT.index("About")
    return {
        "id": "d1", "text": TEXT, "meta": {"outlet": "wire"}, "annotator": "alice", "status": "done",
        "quotes": [{
            "id": "q1", "start": start, "end": end, "text": TEXT[start:end], "kind": "direct",
            "cue": {"start": cue, "end": cue + 4, "text": "said"},
            "speaker": {"start": who, "end": who + 14, "text": "Antony Blinken", "name": "Antony Blinken"},
            "stance": None,
        }],
        "claims": [{"id": "c1", "start": claim, "end": len(TEXT), "text": TEXT[claim:], "checkworthy": True,
                    "speaker": None}],
    }


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


NAMED = {
    "float offset": (json.dumps(valid_line()).replace('"start": 1,', '"start": 1.0,', 1),
                     ":1: quotes[0].start: 1.0 is not of type 'integer'"),
    "deep nesting": (json.dumps(valid_line())[:-1] + f', "extra": {nested(990)}}}',
                     ":1: JSON nested too deeply (more than 64 levels)"),
    "deep meta": (json.dumps(valid_line()).replace('"meta": {', f'"meta": {{"deep": {nested(600)}, ', 1),
                  ":1: JSON nested too deeply (more than 64 levels)"),
    "huge integer": (json.dumps(valid_line()).replace('"start": 1,', f'"start": {"9" * 5000},', 1),
                     f":1: number too long: integers may have at most {sys.get_int_max_str_digits()} digits"),
}


def _seeded(cli: Cli, db_url: str, tmp_path: Path) -> None:
    """A database that already has a dataset (and so its schema): any change shows in a snapshot."""
    seed = tmp_path / "seed.jsonl"
    seed.write_text(json.dumps(valid_line()) + "\n", encoding="utf-8")
    assert cli("import", seed, "--dataset", "seed", "--db", db_url).exit_code == 0


def _one_line_error(stderr: str, where: str, expected: str) -> None:
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1, stderr
    assert stderr.startswith(f"Error: {where}"), stderr
    assert expected in stderr, stderr


@pytest.mark.parametrize("case", list(NAMED))
def test_named_bad_lines_are_one_message_on_import(cli, db_url: str, tmp_path: Path, case: str) -> None:
    line, expected = NAMED[case]
    assert valid_line()["quotes"][0]["start"] == 1  # the replacements above hit the quote's start
    src = tmp_path / "bad.jsonl"
    src.write_text(json.dumps({"id": "ok", "text": "A fine first line."}) + "\n" + line + "\n", encoding="utf-8")
    _seeded(cli, db_url, tmp_path)
    before = db_snapshot(db_url)
    result = cli("import", src, "--dataset", "news", "--db", db_url)
    assert result.exit_code == 1
    _one_line_error(result.stderr, f"{src}:2", expected.replace(":1:", ":2:", 1)[3:])
    assert db_snapshot(db_url) == before


@pytest.mark.parametrize("case", list(NAMED))
def test_named_bad_lines_are_one_message_in_predict_and_evaluate(cli, tmp_path: Path, case: str) -> None:
    line, expected = NAMED[case]
    src = tmp_path / "bad.jsonl"
    src.write_text(line + "\n", encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(valid_line()) + "\n", encoding="utf-8")
    for args in (["predict", src, "--out", tmp_path / "out.jsonl"], ["evaluate", good, src], ["evaluate", src, good]):
        result = cli(*args)
        assert result.exit_code == 1, args
        _one_line_error(result.stderr, f"{src}:1", expected[3:])
    assert not (tmp_path / "out.jsonl").exists()


# -- fuzz -------------------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(
    max_size=5
)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=3), inner, max_size=3), max_leaves=6)
not_int = json_values.filter(lambda v: not isinstance(v, int) or isinstance(v, bool))
not_str = json_values.filter(lambda v: not isinstance(v, str))
bad_offset = (
    not_int
    | st.integers(max_value=-1)
    | st.integers(min_value=len(TEXT) + 1)
    | st.integers(min_value=1, max_value=len(TEXT)).map(float)
    | st.integers(min_value=10**20, max_value=10**60)
)
OFFSET_FIELDS = [("quotes", 0, "start"), ("quotes", 0, "end"), ("claims", 0, "start"), ("claims", 0, "end"),
                 ("quotes", 0, "cue", "start"), ("quotes", 0, "speaker", "end")]


def _set(obj: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@st.composite
def broken_lines(draw: st.DrawFn) -> str:
    """A valid gold line with exactly one thing broken, as the text of one JSONL line."""
    line = valid_line()
    kind = draw(st.sampled_from(["offset", "id", "type", "nesting", "huge", "enum", "span text"]))
    if kind == "offset":
        _set(line, draw(st.sampled_from(OFFSET_FIELDS)), draw(bad_offset))
    elif kind == "id":
        path = draw(st.sampled_from([("id",), ("quotes", 0, "id"), ("claims", 0, "id")]))
        _set(line, path, draw(st.just("") | not_str.filter(lambda v: v is not None or path != ("id",))))
    elif kind == "type":
        field, value = draw(st.sampled_from([
            ("text", not_str), ("meta", json_values.filter(lambda v: not isinstance(v, dict) and v is not None)),
            ("quotes", json_values.filter(lambda v: not isinstance(v, list) and v is not None)),
            ("claims", json_values.filter(lambda v: not isinstance(v, list) and v is not None)),
            ("status", json_values), ("annotator", json_values.filter(lambda v: v is not None and not isinstance(v, str))),
        ]))
        line[field] = draw(value)
    elif kind == "nesting":
        depth = draw(st.integers(min_value=65, max_value=3000))
        text = json.dumps(line)
        return text.replace('"meta": {', f'"meta": {{"x": {nested(depth)}, ', 1)
    elif kind == "huge":
        digits = draw(st.integers(min_value=4301, max_value=20000))
        return json.dumps(line).replace('"start": 1,', f'"start": {"1" * digits},', 1)
    elif kind == "enum":
        path = draw(st.sampled_from([("status",), ("quotes", 0, "kind")]))
        _set(line, path, draw(st.text(max_size=8).filter(lambda v: v not in ("new", "in_progress", "done", "flagged",
                                                                              "skipped", "direct", "indirect", "mixed"))))
    else:
        _set(line, ("quotes", 0, "text"), draw(st.text(min_size=1, max_size=10).filter(lambda v: v != TEXT[1:21])))
    return json.dumps(line, ensure_ascii=draw(st.booleans()))


def test_fuzzed_bad_gold_lines_are_refused_cleanly(cli, db_url: str, tmp_path: Path) -> None:
    _seeded(cli, db_url, tmp_path)
    before = db_snapshot(db_url)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(line=broken_lines())
    def refused(line: str) -> None:
        src = tmp_path / "fuzz.jsonl"
        src.write_text(line + "\n", encoding="utf-8")
        result = cli("import", src, "--dataset", "fuzz", "--db", db_url)
        assert result.exit_code == 1, (line[:300], result.output)
        _one_line_error(result.stderr, f"{src}:1", "")
        assert db_snapshot(db_url) == before

    refused()
