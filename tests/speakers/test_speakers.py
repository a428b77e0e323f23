"""Cross-outlet speakers: name variants merged by an explainable rule, corrections stored, statements aligned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.records import DocumentVersion, Edit
from annotator.scheme import Annotation, Quote, SpeakerMention, Stance, annotation_from_dict
from annotator.speakers.canonical import SpeakerQuote, align_quotes, cross_outlet_speakers, match_kind, merge_names
from tests.conftest import SAMPLE_DIR
from tests.helpers import write_jsonl


def test_spelling_variants_titles_and_surnames_merge() -> None:
    names = ["Sergey Lavrov", "Sergei Lavrov", "Sergey Lavrov", "Mr Lavrov", "Antony J. Blinken", "Antony Blinken",
             "Blinken", "Joe Biden", "Vladimir Putin", "NATO", "the Kremlin"]
    m = merge_names(names)
    assert m["Sergei Lavrov"] == m["Mr Lavrov"] == m["Sergey Lavrov"] == "Sergey Lavrov"  # most frequent spelling
    assert m["Blinken"] == m["Antony J. Blinken"] == m["Antony Blinken"]
    assert len({m["Joe Biden"], m["Vladimir Putin"], m["NATO"], m["the Kremlin"], m["Blinken"]}) == 5


def test_different_first_names_and_ambiguous_surnames_stay_apart() -> None:
    m = merge_names(["Joe Biden", "Hunter Biden", "Biden"])
    assert m["Joe Biden"] != m["Hunter Biden"]
    assert m["Biden"] == "Biden"  # two full names share the surname: no guess


def test_corrections_override_the_rule() -> None:
    m = merge_names(["Sergei Lavrov", "Sergey Lavrov", "the ministry"],
                    {"Sergei Lavrov": "Sergei Lavrov", "the ministry": "Russian Foreign Ministry"})
    assert m["Sergei Lavrov"] == "Sergei Lavrov" and m["Sergey Lavrov"] == "Sergey Lavrov"
    assert m["the ministry"] == "Russian Foreign Ministry"


def _q(doc: str, text: str) -> SpeakerQuote:
    return SpeakerQuote(doc, doc, "q1", text, "direct", "he", "X", None, None)


def test_alignment_marks_exact_and_paraphrased_copies() -> None:
    quotes = [
        _q("a", "If Russia decides to pursue confrontation, there will be serious consequences."),
        _q("b", "if Russia decides to pursue confrontation there will be serious consequences"),
        _q("c", "Russia will face serious consequences if it decides to pursue confrontation"),
        _q("d", "Dialogue is always better than attack."),
    ]
    (exact,) = align_quotes(quotes[:2])
    assert exact.match == "exact" and {q.doc_id for q in exact.quotes} == {"a", "b"}
    groups = align_quotes(quotes)
    assert len(groups) == 1 and groups[0].match == "paraphrase"
    assert {q.doc_id for q in groups[0].quotes} == {"a", "b", "c"}


def test_a_quote_inside_a_longer_one_is_contains_not_exact() -> None:
    """Issue 17.8: a 5-word quote and the 30-word quote it is part of are not the same statement."""
    short = "serious consequences for Russia's economy"
    long = ("We have made it clear that if Russia decides to pursue confrontation there will be "
            f"{short} and we are ready to act together with our allies in Europe")
    (group,) = align_quotes([_q("a", short), _q("b", long)])
    assert group.match == "contains"
    assert match_kind(["the talks were useful", "the talks were useful"]) == "exact"
    assert match_kind(["the talks were useful", "the talks were useful and frank", "no talks today"]) == "paraphrase"


def _gold(doc_id: str, text: str, quote: str, mention: str, name: str, outlet: str, label: str) -> dict:
    start = text.index(quote)
    m = text.index(mention)
    ann = Annotation(doc_id, text, "alice", "done", {"outlet": outlet}, quotes=(
        Quote("q1", start, start + len(quote), quote, "direct", None,
              SpeakerMention(m, m + len(mention), mention, name), Stance("Russia", label)),
    ))
    return ann.to_dict()


def test_speakers_command_lists_merges_and_stores_corrections(cli, db_url: str, tmp_path: Path) -> None:
    q = "The alliance is being brought closer to our borders in Romania and Poland"
    src = write_jsonl(tmp_path / "g.jsonl", [
        _gold("a", f"“{q},” Sergei Lavrov said.", q, "Sergei Lavrov", "Sergei Lavrov", "bne", "favor"),
        _gold("b", f"“{q}.” Lavrov said, according to Sergey Lavrov’s aides.", q, "Sergey Lavrov", "Sergey Lavrov",
              "tass", "favor"),
        _gold("c", "“Talks were useful,” Blinken said.", "Talks were useful", "Blinken", "Blinken", "cnn", "neutral"),
    ])
    assert cli("import", src, "--dataset", "n", "--db", db_url).exit_code == 0
    out = cli("speakers", "--dataset", "n", "--annotator", "alice", "--json", "--db", db_url)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    lavrov = data[0]
    assert lavrov["variants"] == ["Sergei Lavrov", "Sergey Lavrov"] and lavrov["quotes"] == 2
    assert lavrov["per_outlet"] == {"bne": 1, "tass": 1}
    assert lavrov["stances"] == {"Russia: favor": 2}
    assert lavrov["aligned"][0]["match"] == "exact"
    assert [q["doc_id"] for q in lavrov["aligned"][0]["quotes"]] == ["a", "b"]

    assert cli("speakers", "split", "Sergei Lavrov", "--dataset", "n", "--db", db_url).exit_code == 0
    data = json.loads(cli("speakers", "-d", "n", "-a", "alice", "--json", "--db", db_url).stdout)
    assert sorted(s["name"] for s in data) == ["Blinken", "Sergei Lavrov", "Sergey Lavrov"]
    assert cli("speakers", "merge", "Blinken", "Antony Blinken", "--dataset", "n", "--db", db_url).exit_code == 0
    data = json.loads(cli("speakers", "-d", "n", "-a", "alice", "--json", "--db", db_url).stdout)
    assert "Antony Blinken" in {s["name"] for s in data}
    assert cli("speakers", "reset", "Sergei Lavrov", "--dataset", "n", "--db", db_url).exit_code == 0
    data = json.loads(cli("speakers", "-d", "n", "-a", "alice", "--json", "--db", db_url).stdout)
    assert len(data) == 2

    table = cli("speakers", "-d", "n", "-a", "alice", "--db", db_url)
    assert "Sergey Lavrov" in table.stdout and "bne: 1" in table.stdout


def test_speakers_without_dataset_is_a_clear_error(cli, sqlite_url: str) -> None:
    result = cli("speakers", "--db", sqlite_url)
    assert result.exit_code == 1 and "missing option --dataset" in result.stderr


def test_a_decision_on_one_statement_applies_to_its_aligned_copies(db_url: str) -> None:
    from annotator.annotate.aligned import apply_to_aligned
    from annotator.db.engine import open_database
    from annotator.records import ImportRecord
    from annotator.db.repo import Repository
    from annotator.speakers.canonical import cross_outlet_speakers

    repo = Repository(open_database(db_url))
    said = "If Russia decides to pursue confrontation, there will be serious consequences"
    texts = {"a": f"“{said},” Blinken said.", "b": f"Blinken said: “{said.lower()}.”", "c": "“Fine,” Blinken said."}
    repo.import_records("x", [ImportRecord(k, v, {"outlet": k}, "t") for k, v in texts.items()])
    run = repo.start_model_run("x", "m", "1", {})
    sugg = []
    for doc in repo.documents("x"):
        start = doc.text.lower().index(said.lower()[:10]) if doc.ext_id != "c" else 1
        end = start + (len(said) if doc.ext_id != "c" else 4)
        m = doc.text.index("Blinken")
        q = Quote("q1", start, end, doc.text[start:end], "direct", None,
                  SpeakerMention(m, m + 7, "Blinken", "Antony Blinken"), status="suggested")
        sugg.append((doc.id, Annotation(doc.ext_id, doc.text, "model", quotes=(q,)), None))
    repo.add_suggestions(run, sugg)

    (blinken,) = cross_outlet_speakers(repo.suggestions("x"))
    (statement,) = blinken.aligned
    assert {q.doc_id for q in statement.quotes} == {"a", "b"}
    outcome = apply_to_aligned(repo, "x", "alice", statement, stance=Stance("Russia", "against"))
    assert outcome == {"a": "applied", "b": "applied"}
    for doc_id in ("a", "b"):
        state = repo.open_version(repo.document_id("x", doc_id), "alice")
        assert state.quotes[0].stance == Stance("Russia", "against") and state.quotes[0].status == "accepted"
        assert [e["action"] for e in repo.events(state.version_id)][-1] == "apply-aligned"
    untouched = repo.open_version(repo.document_id("x", "c"), "alice")
    assert untouched.quotes[0].stance is None and untouched.quotes[0].status == "suggested"


def test_an_initial_and_a_surname_merge_like_a_bare_surname() -> None:
    m = merge_names(["Antony Blinken", "J. Blinken", "A. Blinken"])
    assert m["J. Blinken"] == m["A. Blinken"] == "Antony Blinken"
    assert merge_names(["J. Smith", "Anna Smith", "John Smith"])["J. Smith"] == "John Smith"
    assert merge_names(["J. Smith", "Anna Smith", "Alan Smith"])["J. Smith"] == "J. Smith"  # no guess


def test_applying_to_copies_reports_each_copy_and_keeps_going(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.annotate.aligned import apply_to_aligned
    from annotator.db.engine import open_database
    from annotator.records import ImportRecord
    from annotator.db.repo import Repository
    from annotator.errors import SaveError
    from annotator.speakers.canonical import AlignedStatement, SpeakerQuote

    repo = Repository(open_database(db_url))
    said = "We will never accept this deal"
    repo.import_records("x", [ImportRecord(k, f"“{said},” Blinken said.", {}, "t") for k in ("a",)] +
                        [ImportRecord("b", f"Blinken said: “{said}.” Again.", {}, "t")])
    run = repo.start_model_run("x", "m", "1", {})
    sugg = []
    for doc in repo.documents("x"):
        s = doc.text.index(said) - 1  # the suggestion wrongly includes the opening mark
        sugg.append((doc.id, Annotation(doc.ext_id, doc.text, "model", quotes=(
            Quote("q1", s, s + len(said) + 1, doc.text[s:s + len(said) + 1], "mixed", status="suggested"),)), None))
    repo.add_suggestions(run, sugg)
    copies = tuple(SpeakerQuote(d, d, "q1", f"“{said}", "mixed", "Blinken", "Blinken", None, None) for d in ("a", "b"))
    statement = AlignedStatement(copies, "exact", 100.0)

    real = repo.update_item
    def flaky(version_id: int, layer: str, item_id: str, edit: Edit, action: str) -> DocumentVersion:
        if repo.get_version(version_id).document.ext_id == "a":
            raise SaveError("decision not saved: database is locked")
        return real(version_id, layer, item_id, edit, action)

    monkeypatch.setattr(repo, "update_item", flaky)
    outcome = apply_to_aligned(repo, "x", "alice", statement, kind="direct")
    assert outcome == {"a": "not saved: decision not saved: database is locked", "b": "applied"}
    b = repo.open_version(repo.document_id("x", "b"), "alice").quotes[0]
    assert b.kind == "direct" and b.text == said  # the opening mark is trimmed from a direct quote


def _all_pairs_alignment(quotes: list[SpeakerQuote]) -> set[tuple[frozenset[tuple[str, str]], str, float]]:
    """The definition the fast alignment must reproduce: compare every pair of quotes, link by single link."""
    from rapidfuzz import fuzz

    from annotator.speakers.canonical import ALIGN_THRESHOLD, EXACT_THRESHOLD, _normalized_words

    norm = [_normalized_words(q.text) for q in quotes]
    parent = list(range(len(quotes)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    links: dict[tuple[int, int], float] = {}
    for i in range(len(quotes)):
        for j in range(i + 1, len(quotes)):
            if quotes[i].doc_id == quotes[j].doc_id or not norm[i] or not norm[j]:
                continue
            score = fuzz.token_set_ratio(norm[i], norm[j])
            if score >= ALIGN_THRESHOLD and min(len(norm[i].split()), len(norm[j].split())) >= 4:
                links[(i, j)] = score
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(quotes)):
        groups.setdefault(find(i), []).append(i)
    out = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        pairs = [(norm[i], norm[j]) for a, i in enumerate(members) for j in members[a + 1:]]
        exact = all(x == y or fuzz.ratio(x, y) >= EXACT_THRESHOLD for x, y in pairs)
        contains = all(x in y or y in x or x == y or fuzz.ratio(x, y) >= EXACT_THRESHOLD for x, y in pairs)
        weakest = min(s for (i, j), s in links.items() if i in members and j in members)
        out.add((frozenset((quotes[i].doc_id, quotes[i].quote_id) for i in members),
                 "exact" if exact else "contains" if contains else "paraphrase", round(weakest, 6)))
    return out


def _as_set(groups: tuple) -> set[tuple[frozenset[tuple[str, str]], str, float]]:
    return {(frozenset((q.doc_id, q.quote_id) for q in g.quotes), g.match, round(g.similarity, 6)) for g in groups}


def test_alignment_equals_comparing_every_pair_on_the_sample_articles() -> None:
    gold = Path(__file__).parents[1] / "gold" / "sample_gold.jsonl"
    annotations = [annotation_from_dict(json.loads(line)) for line in gold.read_text(encoding="utf-8").splitlines()]
    speakers = cross_outlet_speakers(annotations)
    assert sum(len(s.aligned) for s in speakers) >= 3
    for speaker in speakers:
        assert _as_set(speaker.aligned) == _all_pairs_alignment(list(speaker.quotes)), speaker.name


_WORDS = ["russia", "nato", "will", "face", "serious", "consequences", "if", "it", "invades", "ukraine", "we",
          "call", "on", "to", "withdraw", "troops", "the", "of", "and", "dialogue"]


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.lists(st.sampled_from(_WORDS), min_size=0, max_size=9)),
                max_size=14))
@settings(max_examples=200, deadline=None)
def test_alignment_equals_comparing_every_pair_on_random_quotes(raw: list[tuple[str, list[str]]]) -> None:
    quotes = [SpeakerQuote(doc, doc, f"q{i}", " ".join(ws), "direct", "", "X", None, None)
              for i, (doc, ws) in enumerate(raw)]
    assert _as_set(align_quotes(quotes)) == _all_pairs_alignment(quotes)  # fewer wordings than the common-word cut


# -- corrections: chains, cycles, bad names (issue 16, D22) ----------------------------------------------

def test_merge_chains_resolve_to_their_end() -> None:
    names = ["Lavrov", "S. Lavrov", "Sergey Lavrov", "Sergei V. Lavrov"]
    corrections = {"Lavrov": "S. Lavrov", "S. Lavrov": "Sergey Lavrov", "Sergey Lavrov": "Sergei Lavrov"}
    m = merge_names(names, corrections)
    assert {m[n] for n in ("Lavrov", "S. Lavrov", "Sergey Lavrov")} == {"Sergei Lavrov"}
    # A chain through a name no annotation uses still ends at its end.
    assert merge_names(["A"], {"A": "B", "B": "C", "C": "D"})["A"] == "D"


def test_an_old_cycle_resolves_to_one_of_its_names_without_hanging() -> None:
    m = merge_names(["A", "B"], {"A": "B", "B": "A"})
    assert m["A"] in {"A", "B"} and m["B"] in {"A", "B"}


def test_speakers_merge_refuses_cycles_empty_and_over_long_names(cli, db_url: str) -> None:
    cli("import", SAMPLE_DIR / "000_60b67c4313700902.txt", "--dataset", "n", "--db", db_url)

    def merge(variant: str, canonical: str) -> Result:
        return cli("speakers", "merge", variant, canonical, "--dataset", "n", "--db", db_url)

    assert merge("Lavrov", "Sergey Lavrov").exit_code == 0
    assert merge("Sergey Lavrov", "Sergei Lavrov").exit_code == 0
    cycle = merge("Sergei Lavrov", "Lavrov")
    assert cycle.exit_code == 1
    assert cycle.stderr == ("Error: merging 'Sergei Lavrov' into 'Lavrov' would make a cycle ('Lavrov' -> "
                            "'Sergey Lavrov' -> 'Sergei Lavrov'); `speakers reset` one of them first\n")
    for variant, canonical, problem in [
        ("", "Sergei Lavrov", "variant name is empty"),
        ("Lavrov", "   ", "canonical name is empty"),
        ("L" * 301, "Sergei Lavrov", "variant name is longer than 300 characters"),
    ]:
        result = merge(variant, canonical)
        assert result.exit_code == 1 and result.stderr == f"Error: {problem}\n", result.output
    itself = merge("Lavrov", "Lavrov")  # before: "'Lavrov' is now merged into 'Lavrov'." (stored as a split)
    assert itself.exit_code == 1 and itself.stderr == (
        "Error: cannot merge 'Lavrov' into itself (to keep it apart from other names: speakers split 'Lavrov')\n")
    with Repository(open_database(db_url)) as repo:
        assert repo.speaker_corrections("n") == {"Lavrov": "Sergey Lavrov", "Sergey Lavrov": "Sergei Lavrov"}
