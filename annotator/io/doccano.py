"""doccano JSONL for a sequence-labelling project with relations (one line per document and annotator).

doccano's import format for such a project is one JSON object per line with ``text``, ``entities``
(``id``, ``label``, ``start_offset``, ``end_offset``: character offsets, end exclusive) and ``relations``
(``id``, ``from_id``, ``to_id``, ``type``). Every other key is kept by doccano as the example's metadata;
we use that for what its entities cannot hold:

- ``entities``: the regions of ``regions.py`` (labels ``QUOTE``, ``CUE``, ``SPEAKER``, ``CLAIM``), ids 1..n;
- ``relations``: ``ATTRIBUTED_TO`` (QUOTE -> SPEAKER) and ``CUED_BY`` (QUOTE -> CUE), ids 1..m;
- ``doc_id``, ``dataset``, ``annotator``, ``status``, ``doc_meta``: where the line comes from;
- ``attributes``: per entity id (as a string), the item attributes: QUOTE ``id``, ``kind``, ``stance``;
  SPEAKER ``name``; CLAIM ``id``, ``checkworthy``, ``speaker`` (CUE entities have none).

:func:`annotation_from_doccano` reads such a line back (what doccano exports again has the same keys),
so a file round-trips through ``annotator import`` after :func:`gold_from_doccano`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from annotator.errors import InputError
from annotator.io.regions import Link, Region, annotation_from_regions, regions_of
from annotator.scheme import Annotation

if TYPE_CHECKING:
    from annotator.records import ExportedVersion


def doccano_record(ann: Annotation, dataset: str) -> dict[str, Any]:
    regions, links = regions_of(ann)
    return {
        "text": ann.text,
        "entities": [{"id": r.index + 1, "label": r.label, "start_offset": r.start, "end_offset": r.end}
                     for r in regions],
        "relations": [{"id": i + 1, "from_id": link.head + 1, "to_id": link.child + 1, "type": link.label}
                      for i, link in enumerate(links)],
        "doc_id": ann.doc_id, "dataset": dataset, "annotator": ann.annotator, "status": ann.status,
        "doc_meta": dict(ann.meta),
        "attributes": {str(r.index + 1): dict(r.attrs) for r in regions if r.attrs},
    }


def doccano_lines(versions: Iterable["ExportedVersion"], dataset: str) -> Iterator[str]:
    for ev in versions:
        yield json.dumps(doccano_record(ev.annotation, dataset), ensure_ascii=False)


def annotation_from_doccano(record: Mapping[str, Any], where: str = "") -> Annotation:
    """The version of a doccano line (ours, or doccano's export of it: entity ids may be renumbered)."""
    try:
        text = record["text"]
        attrs = record.get("attributes") or {}
        regions = [
            Region(int(e["id"]), str(e["label"]), int(e["start_offset"]), int(e["end_offset"]),
                   attrs.get(str(e["id"]), {}))
            for e in record.get("entities", [])
        ]
        links = [Link(int(r["from_id"]), int(r["to_id"]), str(r["type"])) for r in record.get("relations", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"not a doccano relation record: {exc}", where) from None
    return annotation_from_regions(
        str(record.get("doc_id") or record.get("id")), text, record.get("annotator"), record.get("status") or "done",
        record.get("doc_meta") or {}, regions, links, where,
    )
