"""The fast schema check (fastjsonschema) says "valid" exactly when jsonschema does, so imports accept and
refuse the same lines as before; jsonschema still words every error message.

Checked on every gold and input line the test suite's import fixtures are made of, and on many random
mutations of them: wrong types (including 1.0 for an integer, which fastjsonschema alone would accept),
missing and extra keys, empty and blank strings, unknown enum values, nesting in the wrong place.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.io.validation import schema_error, schema_valid, validator
from tests.cli.test_import import gold_line


def _jsonschema_valid(obj: Any, schema: str) -> bool:
    return not any(True for _ in validator(schema).iter_errors(obj))


SEEDS: list[tuple[str, Any]] = [
    ("gold", gold_line()),
    ("gold", gold_line(claims=[{"id": "c1", "start": 1, "end": 10, "text": "We call o", "checkworthy": True,
                                "speaker": None}])),
    ("gold", gold_line(quotes=[{**gold_line()["quotes"][0], "cue": None, "speaker": None, "stance": None}])),
    ("input", {"id": "d1", "text": "Some text.", "meta": {"source": "x", "n": 3}}),
    ("input", {"text": "Just a text."}),
]

REPLACEMENTS: list[Any] = [None, True, 0, 1, -1, 1.0, 2.5, "", " ", "x", "direct", "favor", [], {}, [1], {"a": 1}]


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(obj: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    obj = copy.deepcopy(obj)
    if not path:
        return value if how == "replace" else obj
    parent = obj
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete" and isinstance(parent, dict):
        del parent[last]
    elif how == "extra" and isinstance(parent, dict):
        parent["unexpected_key"] = value
    return obj


def test_the_seeds_are_valid_for_both() -> None:
    for schema, obj in SEEDS:
        assert schema_valid(obj, schema) and _jsonschema_valid(obj, schema)
        assert schema_error(obj, schema) is None


def test_every_single_mutation_of_every_field_is_judged_alike() -> None:
    judged = invalid = 0
    for schema, seed in SEEDS:
        for path in _paths(seed):
            for how in ("delete", "extra"):
                obj = _mutate(seed, path, how, 1)
                assert schema_valid(obj, schema) == _jsonschema_valid(obj, schema), (how, path)
                judged += 1
            for value in REPLACEMENTS:
                obj = _mutate(seed, path, "replace", value)
                fast, slow = schema_valid(obj, schema), _jsonschema_valid(obj, schema)
                assert fast == slow, (path, value)
                invalid += not slow
                judged += 1
                if not slow:  # the message comes from jsonschema, as before the fast path
                    assert schema_error(obj, schema) is not None
    assert judged > 500 and invalid > 200


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_combinations_of_mutations_are_judged_alike(data: st.DataObject) -> None:
    schema, obj = data.draw(st.sampled_from(SEEDS))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(_paths(obj)))
        how = data.draw(st.sampled_from(("replace", "delete", "extra")))
        obj = _mutate(obj, path, how, data.draw(st.sampled_from(REPLACEMENTS)))
    assert schema_valid(obj, schema) == _jsonschema_valid(obj, schema)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.sampled_from("ab\x00é")),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet=st.sampled_from("k\x00"), max_size=2), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES, st.integers(1, 6))
def test_one_walk_finds_what_the_three_checks_found(value: Any, limit: int) -> None:
    """``scan_json`` (one walk) says what nesting, float and storable walks said one by one."""
    from annotator.io.readers import _depth_exceeds
    from annotator.io.validation import _has_float, _storable, scan_json

    facts = scan_json(value, limit)
    assert facts is not None and facts.too_deep == _depth_exceeds(value, limit)
    if not facts.too_deep:
        assert facts.has_float == _has_float(value) and facts.storable == _storable(value)


# -- parsing: orjson first, json for what orjson refuses or widens ---------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(codec=None), max_size=8)
    | st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, 1e19, -0.0, 9.223372036854776e18]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=12,
)
_edits = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["", ",", "]", "}", '"', "\\", "e", ".", "-",
                                                                       "0", " ", "\\ud800", "NaN", "1e999"])),
                  max_size=3)


def _old_parse(line: str) -> tuple[str, str]:
    """What the reader did before orjson: ``json.loads`` alone (then the same checks)."""
    from annotator.io.readers import parse_json_line
    from annotator.errors import InputError

    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        try:
            parse_json_line(line, "f.jsonl", 1)
        except InputError as exc:
            return "error", str(exc)
        raise AssertionError("json refused a line the reader took")
    return "ok", repr(obj)  # repr: 1 and 1.0, 0.0 and -0.0, key order all differ


@settings(max_examples=150, deadline=None)
@given(_json_values, st.booleans(), _edits)
def test_a_line_parses_to_what_json_made_of_it_or_to_its_error(value: Any, ascii_only: bool,
                                                               edits: list[tuple[int, str]]) -> None:
    from annotator.errors import InputError
    from annotator.io.readers import _parse_scanned

    line = json.dumps(value, ensure_ascii=ascii_only)
    for at, piece in edits:  # malformed lines too
        at %= len(line) + 1
        line = line[:at] + piece + line[at:]
    try:
        obj, facts = _parse_scanned(line, "f.jsonl", 1)
    except InputError as exc:
        assert _old_parse(line) == ("error", str(exc))
        return
    assert _old_parse(line) == ("ok", repr(obj))
    if facts is not None and facts.encodable:
        obj_bytes = json.dumps(obj, ensure_ascii=False).encode("utf-8")  # no lone surrogate: it encodes
        assert obj_bytes
