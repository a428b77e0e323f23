"""Validation of files we read and write against schemas/ plus the checks a schema cannot express.

The same schemas validate imports (here) and exports (in the tests), so what we write is
exactly what we accept.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple, cast

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from jsonschema.validators import extend

from annotator.errors import InputError

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_FILES = {"gold": "gold.schema.json", "input": "input.schema.json", "prodigy": "prodigy.schema.json",
                "brat-scheme": "brat-scheme.schema.json"}


#: JSON Schema counts 1.0 as an integer; offsets and counts here must be written as integers (1, not 1.0),
#: since Python cannot index text with a float.
_STRICT_TYPES = Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
)
StrictValidator = extend(Draft202012Validator, type_checker=_STRICT_TYPES)


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS_DIR / SCHEMA_FILES[name]).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return StrictValidator(schema)


def _field_path(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(line)"


@lru_cache(maxsize=None)
def fast_validator(name: str) -> Callable[[Any], Any]:
    """The same schema compiled to Python by fastjsonschema: ~30x faster than ``jsonschema`` on a valid
    gold line, which is what an import mostly meets. Only ever used to say "valid" (see ``schema_error``)."""
    schema = json.loads((SCHEMAS_DIR / SCHEMA_FILES[name]).read_text(encoding="utf-8"))
    return cast(Callable[[Any], Any], fastjsonschema.compile(schema))


def _has_float(obj: Any) -> bool:
    """Whether any value is a float: fastjsonschema counts 1.0 as an integer, our schemas do not."""
    stack = [obj]
    while stack:
        value = stack.pop()
        if isinstance(value, float):
            return True
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


class JsonFacts(NamedTuple):
    """What the checks of one parsed JSON value need to know about all of it, found in one walk
    (``scan_json``) instead of one walk per check."""

    #: Arrays and objects nest deeper than the limit given (the walk stopped there: the rest is unknown).
    too_deep: bool
    #: Some value is a float (``schema_valid``).
    has_float: bool
    #: No string or key holds NUL and no number is NaN or infinite (``check_storable``).
    storable: bool
    #: Some float is a whole number of at least 2**63: what orjson makes of an integer literal beyond 64 bits
    #: (the reader then parses the line again with ``json``, which keeps it an exact integer).
    wide_float: bool = False
    #: Known to encode as JSON text (parsed by orjson, which accepts no lone surrogate escape and no integer
    #: beyond 64 bits): the reader's encoding check can be skipped.
    encodable: bool = False


def scan_json(obj: Any, depth_limit: int, encodable: bool = False) -> JsonFacts | None:
    """``JsonFacts`` of a value made of JSON types (None for anything else: the checks then walk it
    themselves); ``encodable`` is passed on (what the parser knows)."""
    has_float = wide_float = False
    storable = True
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        kind = type(value)
        if kind is dict:
            if depth > depth_limit:
                return JsonFacts(True, has_float, storable, wide_float, encodable)
            if storable and "\x00" in "".join(value):
                storable = False
            children: Any = value.values()
        elif kind is list:
            if depth > depth_limit:
                return JsonFacts(True, has_float, storable, wide_float, encodable)
            children = value
        else:
            children = (value,)
            depth -= 1  # a scalar on its own (the whole value): no nesting
        for child in children:
            kind = type(child)
            if kind is str:
                if storable and "\x00" in child:
                    storable = False
            elif kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind is float:
                has_float = True
                if child != child or child in (_INF, -_INF):
                    storable = False
                elif abs(child) >= _WIDE and child.is_integer():
                    wide_float = True
            elif not (kind is int or kind is bool or child is None):
                return None
    return JsonFacts(False, has_float, storable, wide_float, encodable)


_INF = float("inf")
_WIDE = float(2**63)


def schema_valid(obj: Any, schema: str, has_float: bool | None = None) -> bool:
    """Whether ``obj`` is valid against the schema, by the fast compiled validator (objects holding floats
    are checked by ``jsonschema``, whose strict integers they may break). ``has_float``: already known
    (``scan_json``)."""
    if _has_float(obj) if has_float is None else has_float:
        return not any(True for _ in validator(schema).iter_errors(obj))
    try:
        fast_validator(schema)(obj)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_error(obj: Any, schema: str, has_float: bool | None = None) -> tuple[str, str] | None:
    """(field path, message) of the most relevant schema violation, or None if valid.

    Valid objects are recognised by the fast validator; only an invalid one goes through ``jsonschema``,
    whose error tree gives the message (the same message as before the fast path)."""
    if schema_valid(obj, schema, has_float):
        return None
    error = best_match(validator(schema).iter_errors(obj))
    if error is None:
        return None
    # Prefer the innermost error of a oneOf (e.g. "cue": {...bad...}) so the message names the real field.
    while error.context:
        inner = best_match(error.context)
        if inner is None:
            break
        error = inner
    message = error.message
    if error.validator == "pattern" and error.path and list(error.path)[-1] == "text":
        message = "text is empty (only whitespace)"
    elif error.validator == "minLength" and error.path and list(error.path)[-1] == "text":
        message = "text is empty"
    elif error.validator == "enum":
        message = f"unknown value {error.instance!r}; expected one of {', '.join(map(repr, error.validator_value))}"
    return _field_path(error.absolute_path), message


#: Double quotation marks that open / close a direct quote (single ones double as apostrophes).
OPENING_MARKS = frozenset('"“„«')
CLOSING_MARKS = frozenset('"”»')


def check_gold_semantics(obj: Mapping[str, Any], path: str, line: int) -> None:
    """Offsets in range, every ``text`` equals ``doc[start:end]``, no overlaps or duplicates within a layer,
    unique item ids, direct quotes without their quotation marks (docs/contract.md section 1)."""
    text: str = obj["text"]
    n = len(text)

    def check_span(span: Mapping[str, Any], field: str) -> tuple[int, int]:
        start, end = span["start"], span["end"]
        if not (0 <= start < end <= n):
            raise InputError(f"offsets [{start}, {end}) out of range for a text of {n} characters", path, line, field)
        if span["text"] != text[start:end]:
            raise InputError(
                f"text {span['text'][:40]!r} does not match the document at [{start}, {end}): {text[start:end][:40]!r}",
                path, line, field,
            )
        return start, end

    layers: dict[str, dict[tuple[int, int], str]] = {"quotes": {}, "cues": {}, "speakers": {}, "claims": {}}

    def add_own_span(layer: str, span: tuple[int, int], field: str) -> None:
        # Quotes and claims are one item per span: the same span twice is a duplicate, not an overlap.
        # (Cues and speakers may be shared by several quotes.)
        if span in layers[layer]:
            raise InputError(f"same span [{span[0]}, {span[1]}) as {layers[layer][span]}: an item is listed twice",
                             path, line, field)
        layers[layer][span] = field

    for i, quote in enumerate(obj.get("quotes") or ()):
        span = check_span(quote, f"quotes[{i}]")
        add_own_span("quotes", span, f"quotes[{i}]")
        if quote.get("kind") == "direct" and (text[span[0]] in OPENING_MARKS or text[span[1] - 1] in CLOSING_MARKS):
            raise InputError(
                "a direct quote's span must not include its quotation marks (docs/contract.md section 1)",
                path, line, f"quotes[{i}]",
            )
        if quote.get("cue"):
            layers["cues"].setdefault(check_span(quote["cue"], f"quotes[{i}].cue"), f"quotes[{i}].cue")
        if quote.get("speaker"):
            layers["speakers"].setdefault(
                check_span(quote["speaker"], f"quotes[{i}].speaker"), f"quotes[{i}].speaker"
            )
    for i, claim in enumerate(obj.get("claims") or ()):
        add_own_span("claims", check_span(claim, f"claims[{i}]"), f"claims[{i}]")
    for layer, prefix in (("quotes", "q"), ("claims", "c")):
        # The ids the items will have: an item without one gets <prefix><position> (scheme.quote_from_dict),
        # which must not collide with an explicit id either.
        seen: dict[str, int] = {}
        for i, item in enumerate(obj.get(layer) or ()):
            item_id = item.get("id") or f"{prefix}{i + 1}"
            if item_id in seen:
                auto = "" if item.get("id") and obj[layer][seen[item_id]].get("id") else (
                    f" (an item without an id is {prefix}<position>)")
                raise InputError(
                    f"id {item_id!r} is also the id of {layer}[{seen[item_id]}]{auto}; item ids must be unique",
                    path, line, f"{layer}[{i}].id",
                )
            seen[item_id] = i
    for layer, spans in layers.items():
        ordered = sorted(spans.items())
        for (a, fa), (b, fb) in zip(ordered, ordered[1:]):
            if b[0] < a[1]:
                raise InputError(f"{fb} overlaps {fa}: spans of one layer ({layer}) must not overlap", path, line, fb)


#: The longest document id the database stores (documents.ext_id).
ID_MAX = 500


def _storable(obj: Any) -> bool:
    """Whether no string or key holds NUL and no number is NaN or infinite (``check_storable`` words why not)."""
    stack = [obj]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return False
        elif isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return False
        elif isinstance(value, dict) or isinstance(value, Mapping):
            if any("\x00" in key for key in value):
                return False
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return True


def check_storable(obj: Mapping[str, Any], path: str, line: int, storable: bool | None = None) -> None:
    """What a database could refuse, refused here with file:line, the same on every backend.

    No NUL character in any string or key (PostgreSQL cannot store it, SQLite can), no NaN or
    Infinity (not JSON: an export would not be valid JSON), and an integer id no longer than a
    string id may be. ``storable``: already known (``scan_json``).
    """
    doc_id = obj.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool) and len(str(doc_id)) > ID_MAX:
        raise InputError(f"integer id has {len(str(doc_id))} digits; at most {ID_MAX} characters", path, line, "id")
    if _storable(obj) if storable is None else storable:  # the usual case: no field paths built
        return
    stack: list[tuple[str, Any]] = [("", obj)]
    while stack:
        field, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise InputError("contains a NUL character (\\u0000), which databases cannot store", path, line,
                                 field or "(line)")
        elif isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise InputError(f"{value!r} is not a JSON number (NaN and Infinity are not JSON)", path, line, field)
        elif isinstance(value, dict) or isinstance(value, Mapping):  # dict first: the ABC check is slow
            for key, item in value.items():
                if "\x00" in key:
                    raise InputError("a key contains a NUL character (\\u0000)", path, line, field or "(line)")
                stack.append((f"{field}.{key}" if field else key, item))
        elif isinstance(value, list):
            stack.extend((f"{field}[{i}]", item) for i, item in enumerate(value))
