"""Stored tokenizations are packed (a base64 of gaps and lengths; the Prodigy tokens JSON they give is stored
beside them), and the list form older databases hold is still read: both give the same offsets, the same stats
and byte-identical exports."""

from __future__ import annotations

import re
from pathlib import Path

import numpy
from hypothesis import given, settings, strategies as st
from sqlalchemy import create_engine, inspect, select, update

from annotator.db.engine import open_database
from annotator.db.models import Document
from annotator.db.repo import Repository
from annotator.db.token_store import PACKED, pack_tokens, unpack_tokens
from annotator.io.tokens import layout_from_offsets
from annotator.records import TokenOffsets
from annotator.scheme import Annotation
from tests.conftest import Cli
from tests.io.conftest import import_samples


@st.composite
def in_order(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Tokens in text order, not overlapping; gaps and lengths from 0 to beyond 16 bits."""
    size = st.one_of(st.integers(0, 3), st.integers(0, 300), st.integers(0, 70_000))
    pos, out = 0, []
    for gap, length in draw(st.lists(st.tuples(size, size), max_size=40)):
        out.append((pos + gap, pos + gap + length))
        pos += gap + length
    return out


@given(in_order())
@settings(max_examples=300, deadline=None)
def test_tokens_in_order_are_packed_and_read_back_exactly(offsets: list[tuple[int, int]]) -> None:
    stored = pack_tokens(offsets)
    assert isinstance(stored, dict) and stored["n"] == len(offsets)
    top = max([b - a for a, b in offsets] + [a - b for (_, b), (a, _) in zip([(0, 0)] + offsets, offsets)] + [0])
    assert stored["width"] == (1 if top < 256 else 2 if top < 65536 else 4)
    back = unpack_tokens(stored)
    assert back is not None and list(back) == offsets and back == offsets


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=2, max_size=20))
def test_offsets_that_cannot_be_packed_stay_a_list(pairs: list[tuple[int, int]]) -> None:
    stored = pack_tokens(pairs)
    packable = all(s <= e for s, e in pairs) and all(b <= c for (_, b), (c, _) in zip(pairs, pairs[1:]))
    assert isinstance(stored, dict) == packable
    if not packable:
        assert stored == [list(p) for p in pairs]
    assert unpack_tokens(stored) == pairs


def test_the_list_form_and_unknown_values() -> None:
    assert unpack_tokens(None) is None
    assert unpack_tokens([]) == [] and unpack_tokens([[0, 3], [4, 9]]) == [(0, 3), (4, 9)]
    assert unpack_tokens(pack_tokens([])) == []
    for bad in ({"n": 2, "width": 1, PACKED: "AAE="}, {"n": 1, "width": 3, PACKED: ""}, "x", 3,
                [[0, None]], [[1]], [[0, 2 ** 70]], [["a", "b"]], [3]):
        try:
            unpack_tokens(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was read")


@st.composite
def text_and_offsets(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    text = draw(st.text(alphabet="ab —\n\t🇷🇺", max_size=30))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=20)))
    pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2])]
    if draw(st.booleans()) and pairs:  # sometimes offsets that do not fit: empty, overlapping, beyond the text
        i = draw(st.integers(0, len(pairs) - 1))
        pairs[i] = (draw(st.integers(-1, len(text) + 1)), draw(st.integers(-1, len(text) + 1)))
    return text, pairs


@given(text_and_offsets())
@settings(max_examples=500, deadline=None)
def test_layouts_from_the_stored_arrays_equal_the_layouts_from_pairs(case: tuple[str, list[tuple[int, int]]]) -> None:
    text, pairs = case
    arrays = numpy.array(pairs, dtype=numpy.int64).reshape(-1, 2)
    offsets = TokenOffsets(arrays[:, 0].copy(), arrays[:, 1].copy())
    assert layout_from_offsets(text, offsets) == layout_from_offsets(text, pairs)


@given(st.lists(st.tuples(st.sampled_from([" ", " ", " ", "\n", "\t", "  "]), st.text(alphabet="ab—🇷🇺.", min_size=1,
                                                                                       max_size=4)), max_size=12),
       st.sampled_from(["", " ", "\n"]), st.booleans())
@settings(max_examples=150, deadline=None)
def test_layouts_of_word_tokens_equal_the_layouts_from_pairs(words: list[tuple[str, str]], tail: str, split: bool) -> None:
    """Tokens separated by one space or nothing (the layout's short cut), or by other whitespace (not)."""
    text = "".join(sep + word for sep, word in words)[1:] + tail
    pattern = r"\S+" if split else r"\w+|[^\w\s]"
    pairs = [m.span() for m in re.finditer(pattern, text)]
    arrays = numpy.array(pairs, dtype=numpy.int64).reshape(-1, 2)
    offsets = TokenOffsets(arrays[:, 0].copy(), arrays[:, 1].copy())
    assert layout_from_offsets(text, offsets) == layout_from_offsets(text, pairs)


def _tokenize(repo: Repository) -> None:
    """Two tokenizations: word/punctuation tokens, and on one document str.split tokens (misaligned spans)."""
    run = repo.start_model_run("news", "test-tokenizer", "1", {})
    docs = repo.documents("news")
    repo.add_suggestions(run, [
        (d.id, Annotation(d.ext_id, d.text, "model"),
         [m.span() for m in re.finditer(r"\S+" if i == 0 else r"\w+|[^\w\s]", d.text)])
        for i, d in enumerate(docs)
    ])


def _exports(cli: Cli, db: str, folder: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    folder.mkdir()
    for fmt in ("jsonl", "prodigy", "docbin"):
        target = folder / fmt
        extra = ("--annotator", "alice") if fmt == "docbin" else ()
        result = cli("export", fmt, "--dataset", "news", "--db", db, "--out", target, *extra)
        assert result.exit_code == 0, result.output
        files = sorted(target.iterdir()) if target.is_dir() else [target]
        for file in files:  # the spacy train config names the export's folder
            out[f"{fmt}/{file.name}"] = file.read_bytes().replace(str(folder.resolve()).encode(), b"FOLDER")
    return out


def test_a_database_with_tokens_in_the_old_list_form_exports_the_same_files(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    import_samples(cli, db_url, tmp_path)
    repo = Repository(open_database(db_url))
    _tokenize(repo)
    with repo.db.engine.connect() as conn:
        stored = dict(conn.execute(select(Document.id, Document.tokens)).all())
    assert stored and all(isinstance(v, dict) and PACKED in v for v in stored.values())  # written packed
    assert len(_prodigy_tokens(db_url)) == 6  # with the Prodigy tokens JSON
    packed_stats = repo.stats("news")
    packed = _exports(cli, db_url, tmp_path / "packed")
    with repo.db.engine.begin() as conn:  # rewritten as databases tokenized before the packed form hold them
        conn.execute(update(Document).values(prodigy_tokens=None))  # and before the Prodigy tokens JSON
        for doc_id, value in stored.items():
            old = [[s, e] for s, e in unpack_tokens(value) or ()]
            conn.execute(update(Document).where(Document.id == doc_id).values(tokens=old))
        assert all(isinstance(v, list) for v in conn.execute(select(Document.tokens)).scalars())
    assert [d.tokens for d in repo.documents("news")] == [unpack_tokens(stored[d.id]) for d in repo.documents("news")]
    assert repo.stats("news") == packed_stats and packed_stats.tokens and packed_stats.tokenized_documents == 6
    old_form = _exports(cli, db_url, tmp_path / "old")
    assert old_form.keys() == packed.keys() and len(packed) >= 4
    for name in packed:
        assert old_form[name] == packed[name], name
    repo.db.dispose()


def _prodigy_tokens(url: str) -> dict[int, bytes]:
    """The stored Prodigy tokens JSON of each document that has one, read without opening (and so upgrading)
    the database."""
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = {i: bytes(b) for i, b in conn.execute(select(Document.id, Document.prodigy_tokens)) if b is not None}
    engine.dispose()
    return stored


def test_tokenizations_stored_before_the_prodigy_tokens_json_get_it_when_the_database_is_upgraded(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """Migration 0010: a database whose tokenizations were stored without the Prodigy tokens JSON (at 0009, where
    the first 0009 had put it into the tokens JSON) gets it on opening, the same value a new tokenization stores,
    the tokens JSON as it was, and the same Prodigy export."""
    from alembic import command

    from annotator.db.engine import alembic_config

    import_samples(cli, db_url, tmp_path)
    repo = Repository(open_database(db_url))
    _tokenize(repo)
    with repo.db.engine.connect() as conn:
        tokens = dict(conn.execute(select(Document.id, Document.tokens)).all())
    repo.db.dispose()
    blobs = _prodigy_tokens(db_url)
    assert len(blobs) == 6

    def export(name: str) -> bytes:
        result = cli("export", "prodigy", "--dataset", "news", "--db", db_url, "--out", tmp_path / name)
        assert result.exit_code == 0, result.output
        return (tmp_path / name).read_bytes()

    expected = export("with.jsonl")
    command.downgrade(alembic_config(db_url), "0009")
    engine = create_engine(db_url)
    assert "prodigy_tokens" not in {c["name"] for c in inspect(engine).get_columns("documents")}
    with engine.begin() as conn:  # as the first 0009 left them: the tokens JSON with a "derived" key
        for doc_id, value in tokens.items():
            conn.execute(update(Document.__table__).where(Document.__table__.c.id == doc_id)
                         .values(tokens={**value, "derived": {"prodigy_tokens": {"form": 1}}}))
    engine.dispose()
    open_database(db_url).dispose()  # opening upgrades
    assert _prodigy_tokens(db_url) == blobs
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert dict(conn.execute(select(Document.id, Document.tokens)).all()) == tokens
    engine.dispose()
    assert export("upgraded.jsonl") == expected


def test_a_tokenization_of_neither_form_neither_stops_the_upgrade_nor_the_export(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """A stored tokenization that is no [start, end] pairs (written by another tool: a null, a number beyond
    64 bits) does not lock the database at its upgrade to 0010, and the Prodigy export tokenizes that text
    itself, as it does a text never tokenized."""
    from alembic import command

    from annotator.db.engine import alembic_config

    import_samples(cli, db_url, tmp_path)
    repo = Repository(open_database(db_url))
    _tokenize(repo)
    first, second = [d.id for d in repo.documents("news")][:2]
    repo.db.dispose()

    def export(name: str) -> bytes:
        result = cli("export", "prodigy", "--dataset", "news", "--db", db_url, "--out", tmp_path / name)
        assert result.exit_code == 0, result.output
        return (tmp_path / name).read_bytes()

    command.downgrade(alembic_config(db_url), "0009")
    engine = create_engine(db_url)
    table = Document.__table__
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == first).values(tokens=[[0, None]]))
        conn.execute(update(table).where(table.c.id == second).values(tokens=[[0, 2 ** 70]]))
    engine.dispose()
    broken = export("broken.jsonl")  # opening upgrades
    assert first not in _prodigy_tokens(db_url) and second not in _prodigy_tokens(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.id.in_([first, second])).values(tokens=None))
    engine.dispose()
    assert broken == export("untokenized.jsonl")
