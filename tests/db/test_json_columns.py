"""JSON columns are read by orjson where it gives what ``json.loads`` gives, and by ``json`` elsewhere."""

from __future__ import annotations

import json
import math

from hypothesis import given, strategies as st

from annotator.db.engine import json_dumps, json_loads, open_database
from annotator.db.repo import Repository
from annotator.records import ImportRecord

TRICKY = [
    "123456789012345678901234567890", "18446744073709551616", "-9223372036854775809", "1e400", "NaN",
    "-Infinity", '"\\ud800"', '{"a": 1, "a": 2}', "-0.0", "5e-324", '{"n": 1234567890123456789.5}', "[]",
    '{"big": 18446744073709551616}', '[{"big":18446744073709551616}]', '{"s": "x\\": y", "n": 99999999999999999999}',
]


def test_tricky_texts_read_as_json_reads_them() -> None:
    for text in TRICKY:
        got, want = json_loads(text), json.loads(text)
        assert type(got) is type(want) and (got == want or (math.isnan(got) and math.isnan(want))), text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_any_json_text_reads_as_json_reads_it(value: object) -> None:
    for text in (json.dumps(value), json_dumps(value), json.dumps({"k": value}), json_dumps({"k": value})):
        assert repr(json_loads(text)) == repr(json.loads(text)), text


def test_meta_with_integers_beyond_64_bits_reads_back_exactly(db_url: str) -> None:
    meta = {"big": 2**70, "negative": -(2**64) - 1, "float": 0.1, "nested": [{"x": 10**19}]}
    repo = Repository(open_database(db_url))
    repo.import_records("news", [ImportRecord("d1", "Some text.", meta, "test")])
    (doc,) = repo.documents("news")
    assert doc.meta == meta and isinstance(doc.meta["big"], int)
    repo.db.dispose()
