"""Rich tables for an ``AgreementReport``: the same numbers as ``to_dict()``.

Everything that comes from users (annotator names, labels, document ids) is put in the tables as
``rich.text.Text``, never as a markup string, so ``[bold]x[/]`` shows literally.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table
from rich.text import Text

from annotator.display import literal

if TYPE_CHECKING:  # pragma: no cover
    from typing import Sequence

    from annotator.agreement.documents import DocumentDisagreement
    from annotator.agreement.gold import GoldReport
    from annotator.agreement.results import AgreementReport

MISSING = "—"


def _f(value: float | None, digits: int = 3) -> str:
    return MISSING if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return MISSING if value is None else f"{100 * value:.1f}%"


def _pair(a: str, b: str) -> Text:
    return Text.assemble(literal(a), " – ", literal(b))


def _table(title: str, caption: str | None = None) -> Table:
    return Table(title=literal(title), caption=literal(caption) if caption else None, box=box.SIMPLE_HEAVY)


def _summary(report: "AgreementReport") -> Table:
    docs = report.documents
    table = _table("Agreement: annotators and documents")
    table.add_column("annotator")
    table.add_column("compared docs done", justify="right")
    table.add_column("missing (not done)", justify="right")
    missing = dict(docs.missing)
    for name, n in docs.done:
        table.add_row(literal(name), str(n), str(len(missing.get(name, ()))))
    table.add_section()
    table.add_row(literal("documents"), f"{docs.compared} compared", f"{docs.complete} done by all")
    table.add_row(literal("excluded"), str(len({(e.doc_id, e.annotator) for e in docs.excluded})), f"of {docs.total}")
    return table


#: Below this console width the layer table is split into a span table and a token table.
NARROW = 130


def _layer_rows(report: "AgreementReport") -> list[tuple[int, str, str, Text, dict[str, str]]]:
    """(layer index, layer, label, pair cell, cells by column) for every pair and overall row."""
    many = len(report.annotators) >= 3
    rows = []
    for i, item in enumerate(report.layers):
        label = "all" if item.label is None else item.label
        for p in item.pairs:
            t = p.token
            rows.append((i, item.layer, label, _pair(*p.annotators), {
                "docs": str(p.documents), "spans": f"{p.spans[0]}/{p.spans[1]}", "F1 exact": _f(p.exact.f1),
                "F1 overlap": _f(p.overlap.f1), "αU": _f(p.unitizing.alpha), "tokens": str(t.tokens),
                "α": _f(t.alpha), "κ": _f(t.cohen_kappa), "AC1": _f(t.ac1), "agree": _pct(t.percent_agreement),
            }))  # fmt: skip
        o, t = item.overall, item.overall.token
        rows.append((i, item.layer, label, literal("overall", style="bold"), {
            "docs": str(o.documents), "spans": str(o.spans), "F1 exact": _f(o.exact.f1), "F1 overlap": _f(o.overlap.f1),
            "αU": _f(o.unitizing.alpha), "tokens": str(t.tokens), "α": _f(t.alpha),
            "κ": _f(t.fleiss_kappa if many else t.cohen_kappa), "AC1": _f(t.ac1), "agree": _pct(t.percent_agreement),
        }))  # fmt: skip
    return rows


SPAN_COLUMNS = ("docs", "spans", "F1 exact", "F1 overlap", "αU")
TOKEN_COLUMNS = ("tokens", "α", "κ", "AC1", "agree")


def _layers(report: "AgreementReport", width: int | None = None) -> list[Table]:
    """One wide table, or (narrower than ``NARROW``) a span table and a token table whose first
    column holds the layer, with its labels indented below it."""
    many = len(report.annotators) >= 3
    span_note = (
        "Span F1: exact / overlap match (overall: micro over pairs). αU: Krippendorff's unitizing alpha on "
        "characters (overall: documents all did)."
    )
    token_note = (
        "Token statistics on " + report.tokenization + ". κ: Cohen's for a pair"
        + (", Fleiss' overall (documents done by all)." if many else ".")
    )
    rows = _layer_rows(report)
    narrow = width is not None and width < NARROW
    parts = (
        [("Span agreement (F1 exact, F1 overlap, αU)", span_note, SPAN_COLUMNS), ("Token agreement", token_note, TOKEN_COLUMNS)]
        if narrow else [("Span and token agreement", span_note + " " + token_note, SPAN_COLUMNS + TOKEN_COLUMNS)]
    )
    tables = []
    for title, caption, columns in parts:
        table = _table(title, caption)
        heads = ["layer", "pair"] if narrow else ["layer", "label", "pair"]
        for name in heads:
            table.add_column(name, no_wrap=True)
        for name in columns:
            table.add_column(name.removeprefix("F1 ") if narrow else name, justify="right")
        previous = None
        for index, layer, label, pair, cells in rows:
            if previous is not None and index != previous and label == "all":
                table.add_section()
            first = index != previous
            previous = index
            if narrow:
                what = (literal(layer) if label == "all" else Text.assemble("  ", literal(label))) if first else Text("")
                table.add_row(what, pair, *(cells[c] for c in columns))
            else:
                table.add_row(literal(layer), literal(label), pair, *(cells[c] for c in columns))
        tables.append(table)
    return tables


def _speakers(report: "AgreementReport") -> Table:
    assert report.speakers is not None
    table = _table(
        "Speaker agreement on matched quotes",
        "Same canonical speaker name (case ignored), among matched quotes where at least one annotator named a speaker.",
    )
    for name in ("pair", "matched quotes", "compared", "same", "no speaker (both)", "agreement"):
        table.add_column(name, justify="left" if name == "pair" else "right", no_wrap=name == "pair")
    rows = [(_pair(*p.annotators), p) for p in report.speakers.pairs]
    rows.append((literal("overall", style="bold"), report.speakers.overall))
    for label, p in rows:
        table.add_row(label, str(p.matched_quotes), str(p.compared), str(p.same), str(p.both_missing), _pct(p.agreement))
    return table


def _stance(report: "AgreementReport") -> list[Table]:
    stance = report.stance
    assert stance is not None
    table = _table(
        "Stance agreement on matched quotes",
        f"Labels: {', '.join(stance.labels)} (AC1 with q = {len(stance.labels)}). Targets: share of the same "
        "target where both gave a stance.",
    )
    for name in ("pair", "matched quotes", "κ", "α", "AC1", "agree", "same target"):
        table.add_column(name, justify="left" if name == "pair" else "right", no_wrap=name == "pair")
    for p in stance.pairs:
        table.add_row(
            _pair(*p.annotators), str(p.matched_quotes), _f(p.cohen_kappa), _f(p.alpha), _f(p.ac1),
            _pct(p.percent_agreement), f"{_pct(p.target_agreement)} of {p.target_compared}",
        )  # fmt: skip
    o = stance.overall
    kappa = o.fleiss_kappa if len(report.annotators) >= 3 else o.cohen_kappa
    table.add_row(
        literal("overall", style="bold"), str(o.matched_quotes), _f(kappa), _f(o.alpha), _f(o.ac1),
        _pct(o.percent_agreement), f"{_pct(o.target_agreement)} of {o.target_compared}",
    )  # fmt: skip
    tables = [table]
    for p in stance.pairs:
        a, b = p.annotators
        matrix = Table(
            title=Text.assemble("Stance confusion: ", literal(a), " (rows) × ", literal(b), " (columns)"),
            box=box.SIMPLE,
        )
        matrix.add_column(Text.assemble(literal(a), " \\ ", literal(b)))
        for label in stance.labels:
            matrix.add_column(literal(label), justify="right")
        for label, row in zip(stance.labels, p.confusion):
            matrix.add_row(literal(label), *(str(v) for v in row))
        tables.append(matrix)
    return tables


def _units(report: "AgreementReport") -> Table:
    many = len(report.annotators) >= 3
    table = _table(
        "Agreement on matched units",
        "A unit is a group of quotes (claims) matched across annotators, at most one per annotator; an annotator "
        "without a matching item is a missing value. κ: " + ("Fleiss' on units all coded." if many else "Cohen's."),
    )
    for name in ("attribute", "units", "pairable", "all coded", "α", "κ", "AC1", "agree"):
        table.add_column(name, justify="left" if name == "attribute" else "right", no_wrap=name == "attribute")
    for u in report.units:
        kappa = u.fleiss_kappa if many else u.cohen_kappa
        table.add_row(
            literal(u.attribute), str(u.units), str(u.pairable), str(u.complete), _f(u.alpha), _f(kappa), _f(u.ac1),
            _pct(u.percent_agreement),
        )  # fmt: skip
    return table


def _excluded(report: "AgreementReport") -> Table | None:
    excluded = report.documents.excluded
    if not excluded:
        return None
    table = _table("Documents left out")
    table.add_column("reason")
    table.add_column("documents", justify="right")
    table.add_column("examples")
    reasons = Counter(e.reason if e.annotator is None else f"{e.annotator}: {e.reason}" for e in excluded)
    examples: dict[str, list[str]] = {}
    for e in excluded:
        key = e.reason if e.annotator is None else f"{e.annotator}: {e.reason}"
        examples.setdefault(key, [])
        if len(examples[key]) < 3:
            examples[key].append(e.doc_id)
    for reason, n in reasons.most_common():
        more = ", …" if n > len(examples[reason]) else ""
        table.add_row(literal(reason), str(n), literal(", ".join(examples[reason]) + more))
    return table


def report_tables(report: "AgreementReport", width: int | None = None) -> list[Table]:
    """The report's tables; ``width`` (the console's) below ``NARROW`` splits the widest one."""
    tables = [_summary(report)]
    if report.layers:
        tables.extend(_layers(report, width))
    if report.speakers is not None:
        tables.append(_speakers(report))
    if report.stance is not None:
        tables.extend(_stance(report))
    if report.units:
        tables.append(_units(report))
    excluded = _excluded(report)
    if excluded is not None:
        tables.append(excluded)
    return tables


def gold_tables(report: "GoldReport") -> list[Table]:
    """Per annotator and layer/label: precision, recall, F1 against the adjudicated version, one
    table per matching mode (narrow enough for 80 columns), then speaker and stance accuracy."""
    tables = []
    for mode in ("exact", "overlap"):
        spans = _table(
            f"Against {report.gold}: spans, {mode} match",
            f"Reference: {report.gold}. P = matched / annotator's spans, R = matched / {report.gold}'s spans.",
        )
        for name in ("annotator", "layer", "docs", "P", "R", "F1"):
            spans.add_column(name, justify="left" if name in ("annotator", "layer") else "right", no_wrap=True)
        for i, row in enumerate(report.annotators):
            if i:
                spans.add_section()
            for j, x in enumerate(row.layers):
                score = getattr(x, mode)
                what = literal(x.layer) if x.label is None else Text.assemble("  ", literal(x.label))
                spans.add_row(literal(row.annotator) if j == 0 else Text(""), what, str(row.documents),
                              _f(score.precision), _f(score.recall), _f(score.f1))  # fmt: skip
        tables.append(spans)
    attrs = _table(
        f"Against {report.gold}: speaker and stance",
        "Accuracy on the annotator's quotes matched to a gold quote (overlap matching).",
    )
    for name in ("annotator", "matched", "speaker", "stance"):
        attrs.add_column(name, justify="left" if name == "annotator" else "right", no_wrap=name == "annotator")
    for row in report.annotators:
        attrs.add_row(literal(row.annotator), str(row.speaker_matched), _pct(row.speaker_accuracy), _pct(row.stance_accuracy))
    tables.append(attrs)
    return tables


def documents_table(ranked: "Sequence[DocumentDisagreement]") -> Table:
    table = _table(
        "Documents by disagreement",
        "Items: groups of overlapping quotes and claims; disputed unless every annotator has the same item.",
    )
    for name in ("#", "document", "annotators", "items", "disputed", "disagreement"):
        table.add_column(name, justify="left" if name in ("document", "annotators") else "right")
    for i, d in enumerate(ranked, 1):
        table.add_row(str(i), literal(d.doc_id), literal(", ".join(d.annotators)), str(d.items), str(d.disputed), _pct(d.disagreement))
    return table
