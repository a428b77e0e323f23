"""Label Studio JSON tasks: one task per document, each annotator's version as an annotation or prediction.

Label Studio imports a JSON list of tasks ``{"data": {...}, "annotations": [...], "predictions": [...]}``.
Each annotation or prediction has a ``result`` list whose items name the control tag (``from_name``) and
the object tag (``to_name``) of the project's labelling config (:data:`LABEL_CONFIG`):

- a region: ``{"id", "from_name": "label", "to_name": "text", "type": "labels",
  "value": {"start", "end", "text", "labels": ["QUOTE"]}}`` (character offsets, end exclusive);
- per-region attributes (the config's ``perRegion`` controls) as further items with the region's ``id``:
  ``kind`` and ``stance`` (``choices``), ``stance_target``, ``speaker_name`` and ``claim_speaker``
  (``textarea``), ``checkworthy`` (``choices``, ``yes``/``no``);
- a relation: ``{"type": "relation", "from_id", "to_id", "direction": "right", "labels": ["ATTRIBUTED_TO"]}``.

Region ids are ``quote:<id>``, ``claim:<id>``, ``cue:<n>`` and ``speaker:<n>``. ``data`` holds ``text`` and
``doc_id``, ``dataset``, ``doc_meta``; each annotation's ``meta`` holds ``annotator`` and ``status``.
Versions become ``annotations`` (finished work, e.g. to review or train from) or ``predictions``
(pre-annotations an annotator corrects in Label Studio). The file is written as a stream, one task per
line inside ``[`` ... ``]``, so memory does not grow with the corpus.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from annotator.errors import InputError
from annotator.io.regions import CLAIM, CUE, LABELS, QUOTE, RELATIONS, SPEAKER, Link, Region, \
    annotation_from_regions, regions_of
from annotator.scheme import QUOTE_KINDS, STANCE_LABELS, Annotation

if TYPE_CHECKING:
    from annotator.records import ExportedVersion

FROM_LABEL = "label"
TO_TEXT = "text"
_CHOICE_ATTRS = {"kind": QUOTE, "stance": QUOTE, "checkworthy": CLAIM}
_TEXT_ATTRS = {"stance_target": QUOTE, "speaker_name": SPEAKER, "claim_speaker": CLAIM}


def _choices(name: str, label: str, values: Iterable[str]) -> str:
    opts = "".join(f'<Choice value="{v}"/>' for v in values)
    return f'  <Choices name="{name}" toName="{TO_TEXT}" perRegion="true" whenLabelValue="{label}">{opts}</Choices>\n'


#: The labelling config (Setup > Labeling Interface > Code) these tasks are written for.
LABEL_CONFIG = (
    "<View>\n"
    "  <Relations>" + "".join(f'<Relation value="{r}"/>' for r in RELATIONS) + "</Relations>\n"
    f'  <Labels name="{FROM_LABEL}" toName="{TO_TEXT}">' + "".join(f'<Label value="{v}"/>' for v in LABELS)
    + "</Labels>\n"
    f'  <Text name="{TO_TEXT}" value="$text"/>\n'
    + _choices("kind", QUOTE, QUOTE_KINDS)
    + _choices("stance", QUOTE, STANCE_LABELS)
    + f'  <TextArea name="stance_target" toName="{TO_TEXT}" perRegion="true" whenLabelValue="{QUOTE}"/>\n'
    + f'  <TextArea name="speaker_name" toName="{TO_TEXT}" perRegion="true" whenLabelValue="{SPEAKER}"/>\n'
    + _choices("checkworthy", CLAIM, ("yes", "no"))
    + f'  <TextArea name="claim_speaker" toName="{TO_TEXT}" perRegion="true" whenLabelValue="{CLAIM}"/>\n'
    "</View>\n"
)


def _region_id(r: Region) -> str:
    if r.label in (QUOTE, CLAIM):
        return f"{r.label.lower()}:{r.attrs['id']}"
    return f"{r.label.lower()}:{r.index}"


def result_of(ann: Annotation) -> list[dict[str, Any]]:
    """The ``result`` list of one version: regions, their attributes, relations."""
    regions, links = regions_of(ann)
    ids = [_region_id(r) for r in regions]
    out: list[dict[str, Any]] = []
    for r, rid in zip(regions, ids):
        where = {"start": r.start, "end": r.end}

        def item(from_name: str, kind: str, value: dict[str, Any]) -> None:
            out.append({"id": rid, "from_name": from_name, "to_name": TO_TEXT, "type": kind, "value": {**where, **value}})

        item(FROM_LABEL, "labels", {"text": ann.text[r.start:r.end], "labels": [r.label]})
        a = r.attrs
        if r.label == QUOTE:
            item("kind", "choices", {"choices": [a["kind"]]})
            if a.get("stance"):
                item("stance", "choices", {"choices": [a["stance"]["label"]]})
                item("stance_target", "textarea", {"text": [a["stance"]["target"]]})
        elif r.label == SPEAKER:
            item("speaker_name", "textarea", {"text": [a["name"]]})
        elif r.label == CLAIM:
            item("checkworthy", "choices", {"choices": ["yes" if a["checkworthy"] else "no"]})
            if a.get("speaker"):
                item("claim_speaker", "textarea", {"text": [a["speaker"]]})
    for link in links:
        out.append({"type": "relation", "from_id": ids[link.head], "to_id": ids[link.child], "direction": "right",
                    "labels": [link.label]})
    return out


def _task(versions: list["ExportedVersion"], dataset: str, as_predictions: bool) -> dict[str, Any]:
    first = versions[0].annotation
    entries: list[dict[str, Any]] = [{"result": result_of(ev.annotation), "meta": {"annotator": ev.annotation.annotator,
                                                             "status": ev.annotation.status}}
               for ev in versions]
    if as_predictions:
        for entry, ev in zip(entries, versions):
            entry["model_version"] = ev.annotation.annotator
    return {
        "data": {TO_TEXT: first.text, "doc_id": first.doc_id, "dataset": dataset, "doc_meta": dict(first.meta)},
        ("predictions" if as_predictions else "annotations"): entries,
    }


def label_studio_chunks(versions: Iterable["ExportedVersion"], dataset: str, as_predictions: bool = False) -> Iterator[str]:
    """The JSON file as text pieces: ``[``, one task per line, ``]`` (versions arrive grouped by document)."""
    group: list["ExportedVersion"] = []
    first = True

    def flush() -> str:
        nonlocal first
        text = ("[\n" if first else ",\n") + json.dumps(_task(group, dataset, as_predictions), ensure_ascii=False)
        first = False
        return text

    for ev in versions:
        if group and ev.annotation.doc_id != group[0].annotation.doc_id:
            yield flush()
            group = []
        group.append(ev)
    if group:
        yield flush()
    yield "[]\n" if first else "\n]\n"


def annotations_from_task(task: Mapping[str, Any], where: str = "") -> list[Annotation]:
    """The versions of a task (its annotations and predictions) read back: the inverse of the export."""
    try:
        data = task["data"]
        text = data[TO_TEXT]
        out = []
        for entry in [*task.get("annotations", []), *task.get("predictions", [])]:
            regions: dict[str, Region] = {}
            attrs: dict[str, dict[str, Any]] = {}
            rels: list[tuple[str, str, str]] = []
            for item in entry["result"]:
                if item.get("type") == "relation":
                    rels.append((item["from_id"], item["to_id"], item["labels"][0]))
                    continue
                rid, name, value = item["id"], item["from_name"], item["value"]
                a = attrs.setdefault(rid, {})
                if name == FROM_LABEL:
                    label = value["labels"][0]
                    regions[rid] = Region(len(regions), label, int(value["start"]), int(value["end"]))
                    if label in (QUOTE, CLAIM):
                        a["id"] = rid.split(":", 1)[1]
                elif name == "kind":
                    a["kind"] = value["choices"][0]
                elif name == "stance":
                    a.setdefault("stance", {})["label"] = value["choices"][0]
                elif name == "stance_target":
                    a.setdefault("stance", {})["target"] = value["text"][0]
                elif name == "speaker_name":
                    a["name"] = value["text"][0]
                elif name == "checkworthy":
                    a["checkworthy"] = value["choices"][0] == "yes"
                elif name == "claim_speaker":
                    a["speaker"] = value["text"][0]
            full = [Region(r.index, r.label, r.start, r.end, attrs.get(rid, {})) for rid, r in regions.items()]
            links = [Link(regions[h].index, regions[c].index, lab) for h, c, lab in rels]
            meta = entry.get("meta") or {}
            out.append(annotation_from_regions(
                str(data.get("doc_id")), text, meta.get("annotator") or entry.get("model_version"),
                meta.get("status") or "done", data.get("doc_meta") or {}, full, links, where,
            ))
        return out
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise InputError(f"not a Label Studio task of this export: {exc!r}", where) from None
