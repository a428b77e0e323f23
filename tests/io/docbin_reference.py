"""The export's Docs as the DocBin export built them before it wrote DocBins without Docs: a spaCy Doc per
version (``Doc(words, spaces)``, ``char_span(alignment_mode="expand")``, span groups, ``doc.ents`` through
``filter_spans``, user_data), added with spaCy's own ``DocBin.add``. ``add_version`` must store the same."""

from __future__ import annotations

from typing import Any

import srsly
from spacy.tokens import Doc
from spacy.util import filter_spans
from spacy.vocab import Vocab

from annotator.io.docbin import _user_data, group_spans
from annotator.io.spacy_config import SpanLengths
from annotator.io.tokens import ExportReport, TokenLayout, make_doc
from annotator.scheme import LAYER_LABELS, LAYERS, Annotation


def reference_doc(
    ann: Annotation, layout: TokenLayout, vocab: Vocab, dataset: str, report: ExportReport, lengths: SpanLengths
) -> Doc:
    doc = make_doc(vocab, ann.text, layout)
    kept = ann.kept()
    groups: dict[str, dict[tuple[int, int, str], Any]] = {layer: {} for layer in LAYERS}

    def add(layer: str, start: int, end: int, kb_id: str = "", span_id: str = "") -> None:
        key = (start, end, kb_id or span_id)
        if key in groups[layer]:
            return
        label = LAYER_LABELS[layer]
        span = doc.char_span(start, end, label=label, kb_id=kb_id, span_id=span_id, alignment_mode="expand")
        if span is None or len(span) == 0:
            report.adjust(ann, label, (start, end), None)
            return
        if (span.start_char, span.end_char) != (start, end):
            report.adjust(ann, label, (start, end), (span.start_char, span.end_char))
        groups[layer][key] = span

    for layer, start, end, kb_id, span_id in group_spans(kept):
        add(layer, start, end, kb_id, span_id)
    for layer in LAYERS:
        doc.spans[layer] = sorted(groups[layer].values(), key=lambda sp: (sp.start, sp.end))
        for span in groups[layer].values():
            lengths.add(layer, len(span))
    doc.ents = filter_spans(groups["speakers"].values())
    try:
        srsly.msgpack_dumps(kept.meta)
        packable = True
    except (OverflowError, ValueError):
        packable = False
    doc.user_data.update(_user_data(kept, dataset, meta_as_json=not packable))
    return doc
