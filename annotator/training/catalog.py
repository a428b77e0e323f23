"""What models there are: the installed base spaCy pipelines, the shipped models, trained pipeline folders.

``annotator models`` lists them with their model cards (``README.md``): the shipped models in
``annotator/models/<name>``, and pipeline folders made by ``annotator train`` (marked by its
``.annotator-train`` file) found in the folders searched (by default ``models/``, where ``train`` writes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from annotator.training.train import CARD_FILE, OUTPUT_MARKER, SCORES_FILE

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_SEARCH = (Path("models"),)


@dataclass(frozen=True)
class ModelEntry:
    name: str
    kind: str  # "base pipeline" | "shipped model" | "trained pipeline"
    path: str
    title: str  # the model card's first heading
    card: str  # the whole model card ("" when there is none)
    scores: dict[str, Any]  # a trained pipeline's held-out scores ({"base": ..., "updated": ...})

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "path": self.path, "title": self.title, "card": self.card,
                "scores": self.scores}


def _card(folder: Path) -> tuple[str, str]:
    try:
        text = (folder / CARD_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "", ""
    title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), "")
    return title, text


def _scores(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / SCORES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    scores = data.get("scores") if isinstance(data, dict) else None
    return scores if isinstance(scores, dict) else {}


def base_pipelines() -> list[ModelEntry]:
    """The installed spaCy packages ``preannotate`` can use as the base (parser and NER)."""
    import spacy

    from annotator.config import DEFAULT_MODELS

    out = []
    for name in sorted(set(spacy.util.get_installed_models()) | {m for m in DEFAULT_MODELS if spacy.util.is_package(m)}):
        version = spacy.util.get_package_version(name) or ""
        out.append(ModelEntry(name, "base pipeline", name, f"spaCy pipeline {name} {version}".strip(), "", {}))
    return out


def shipped_models() -> list[ModelEntry]:
    out = []
    for folder in sorted(p for p in SHIPPED_DIR.iterdir() if p.is_dir() and (p / CARD_FILE).is_file()):
        title, card = _card(folder)
        out.append(ModelEntry(folder.name, "shipped model", str(folder), title, card, {}))
    return out


def trained_pipelines(search: Iterable[Path] = DEFAULT_SEARCH) -> list[ModelEntry]:
    """Folders made by ``annotator train``: each searched folder itself, or its direct sub-folders."""
    found: list[Path] = []
    for root in search:
        if (root / OUTPUT_MARKER).is_file():
            found.append(root)
        elif root.is_dir():
            found.extend(sorted(p for p in root.iterdir() if (p / OUTPUT_MARKER).is_file()))
    out = []
    for folder in found:
        title, card = _card(folder)
        out.append(ModelEntry(folder.name, "trained pipeline", str(folder), title, card, _scores(folder)))
    return out


def all_models(search: Iterable[Path] = DEFAULT_SEARCH) -> list[ModelEntry]:
    return [*base_pipelines(), *shipped_models(), *trained_pipelines(search)]
