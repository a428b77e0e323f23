"""Gold JSONL (docs/contract.md section 2): one line per version, the format import reads back."""

from __future__ import annotations

import json
from typing import Iterable, Iterator

from annotator.scheme import Annotation


def gold_line(ann: Annotation) -> str:
    """One gold JSONL line (docs/contract.md section 2), without the newline."""
    return json.dumps(ann.to_dict(), ensure_ascii=False)


def gold_lines(versions: Iterable[Annotation]) -> Iterator[str]:
    for ann in versions:
        yield gold_line(ann)
