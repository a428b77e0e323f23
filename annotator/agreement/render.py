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
    from annotator.agreement.report import AgreementReport

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


def _layers(report: "AgreementReport") -> Table:
    many = len(report.annotators) >= 3
    caption = (
        "Span F1: exact / overlap match (overall: micro over pairs). αU: Krippendorff's unitizing alpha on "
        "characters (overall: documents all did). Token statistics on "
        + report.tokenization
        + ". κ: Cohen's for a pair"
        + (", Fleiss' overall (documents done by all)." if many else ".")
    )
    table = _table("Span and token agreement", caption)
    for name, justify in (
        ("layer", "left"), ("label", "left"), ("pair", "left"), ("docs", "right"), ("tokens", "right"),
        ("spans", "right"), ("F1 exact", "right"), ("F1 overlap", "right"), ("αU", "right"), ("α", "right"), ("κ", "right"),
        ("AC1", "right"), ("agree", "right"),
    ):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for i, item in enumerate(report.layers):
        if i and item.label is None:
            table.add_section()
        label = literal("all") if item.label is None else literal(item.label)
        for p in item.pairs:
            t = p.token
            table.add_row(
                literal(item.layer), label, _pair(*p.annotators), str(p.documents), str(t.tokens),
                f"{p.spans[0]}/{p.spans[1]}", _f(p.exact.f1), _f(p.overlap.f1), _f(p.unitizing.alpha), _f(t.alpha),
                _f(t.cohen_kappa),
                _f(t.ac1), _pct(t.percent_agreement),
            )  # fmt: skip
        o, t = item.overall, item.overall.token
        kappa = t.fleiss_kappa if many else t.cohen_kappa
        table.add_row(
            literal(item.layer), label, literal("overall", style="bold"), str(o.documents), str(t.tokens), str(o.spans),
            _f(o.exact.f1), _f(o.overlap.f1), _f(o.unitizing.alpha), _f(t.alpha), _f(kappa), _f(t.ac1), _pct(t.percent_agreement),
        )  # fmt: skip
    return table


def _speakers(report: "AgreementReport") -> Table:
    assert report.speakers is not None
    table = _table(
        "Speaker agreement on matched quotes",
        "Same canonical speaker name (case ignored), among matched quotes where at least one annotator named a speaker.",
    )
    for name in ("pair", "matched quotes", "compared", "same", "no speaker (both)", "agreement"):
        table.add_column(name, justify="left" if name == "pair" else "right")
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
        table.add_column(name, justify="left" if name == "pair" else "right")
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
        table.add_column(name, justify="left" if name == "attribute" else "right")
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


def report_tables(report: "AgreementReport") -> list[Table]:
    tables = [_summary(report)]
    if report.layers:
        tables.append(_layers(report))
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
    """One row per annotator and layer/label: precision, recall, F1 against the adjudicated version."""
    spans = _table(
        f"Against {report.gold}: spans",
        f"Reference: {report.gold}. P = matched / annotator's spans, R = matched / {report.gold}'s spans.",
    )
    for name in ("annotator", "layer", "label", "docs", "P exact", "R exact", "F1 exact", "P ovl", "R ovl", "F1 ovl"):
        spans.add_column(name, justify="left" if name in ("annotator", "layer", "label") else "right")
    attrs = _table(
        f"Against {report.gold}: speaker and stance",
        "Accuracy on the annotator's quotes matched to a gold quote (overlap matching).",
    )
    for name in ("annotator", "matched", "speaker", "stance"):
        attrs.add_column(name, justify="left" if name == "annotator" else "right")
    for i, row in enumerate(report.annotators):
        if i:
            spans.add_section()
        for x in row.layers:
            spans.add_row(
                literal(row.annotator), literal(x.layer), literal("all" if x.label is None else x.label), str(row.documents),
                _f(x.exact.precision), _f(x.exact.recall), _f(x.exact.f1),
                _f(x.overlap.precision), _f(x.overlap.recall), _f(x.overlap.f1),
            )  # fmt: skip
        attrs.add_row(literal(row.annotator), str(row.speaker_matched), _pct(row.speaker_accuracy), _pct(row.stance_accuracy))
    return [spans, attrs]


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
