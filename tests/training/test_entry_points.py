"""Every spaCy factory and registered function of ours is an entry point, so pipelines load in a fresh process.

spaCy finds components and registered functions (``@misc``, ``@readers``, ...) that a pipeline's config names
through the entry point groups ``spacy_factories``, ``spacy_misc``, ... of installed packages. Without them,
``spacy.load`` in a new process fails (E002 / E893) unless something happened to import our module first.
Each test here runs the real commands as separate processes, as a user would.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from spacy.language import Language

import annotator
from tests.conftest import GOLD_FILE, ROOT

ANNOTATOR_BIN = Path(sys.executable).with_name("annotator")
#: spaCy >= 3.8 keeps component factories in ``internal_factories``; their entry point group is
#: still ``spacy_factories`` (loaded whenever a ``Language`` is created).


def _our_modules() -> list[str]:
    """Modules of the package that talk to spaCy's registries (the migrations are scripts, not modules)."""
    names = []
    for info in pkgutil.walk_packages(annotator.__path__, "annotator."):
        if ".migrations" in info.name or info.ispkg:
            continue
        spec = importlib.util.find_spec(info.name)
        source = Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""
        if "Language.factory" in source or "registry." in source or "_factory(" in source:
            names.append(info.name)
    return names


def _registered_by_us() -> dict[tuple[str, str], str]:
    """``(registry, name) -> "module:attr"`` of every spaCy factory or function defined in annotator."""
    import catalogue
    from spacy.util import registry

    for name in _our_modules():
        importlib.import_module(name)
    found = {}
    for (namespace, *rest), func in catalogue.REGISTRY.items():
        if namespace != "spacy" or len(rest) != 2:
            continue
        reg, name = rest
        reg = "factories" if reg == "internal_factories" else reg  # spaCy 3.8 keeps factories apart
        module = getattr(func, "__module__", "") or ""
        if module.split(".")[0] == "annotator":
            found[(reg, name)] = f"{module}:{func.__qualname__}"
    assert registry is not None
    return found


def test_every_factory_and_registered_function_of_ours_is_an_entry_point() -> None:
    ours = _registered_by_us()
    assert ("factories", "annotator_quotes") in ours and ("factories", "annotator_attribution") in ours
    for (reg, name), target in sorted(ours.items()):
        group = {ep.name: ep.value for ep in entry_points(group=f"spacy_{reg}")}
        assert group.get(name) == target, (
            f"{name!r} ({target}) is registered in spaCy's {reg!r} registry but pyproject.toml's "
            f"[project.entry-points.spacy_{reg}] does not list it as {name} = \"{target}\""
        )


def _fresh(code: str, *args: str) -> subprocess.CompletedProcess:
    """``code`` in a new interpreter that never imports annotator itself."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


LOAD_AND_RUN = """
import sys, spacy
nlp = spacy.load(sys.argv[1])
doc = nlp("“We will rebuild the bridge next year,” Maria Lopez said.")
print(nlp.pipe_names)
print([(s.label_, s.text) for s in doc.spans.get("quotes", [])])
"""


@pytest.mark.slow
def test_a_saved_rule_pipeline_loads_with_spacy_load_in_a_fresh_process(nlp_base: Language, tmp_path: Path) -> None:
    nlp_base.to_disk(tmp_path / "pipeline")
    out = _fresh(LOAD_AND_RUN, str(tmp_path / "pipeline"))
    assert out.returncode == 0, out.stderr
    assert "annotator_quotes" in out.stdout and "('direct', 'We will rebuild the bridge next year,')" in out.stdout


def _run(*args: str | Path) -> subprocess.CompletedProcess:
    out = subprocess.run([str(ANNOTATOR_BIN), *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                         timeout=900, env={"NO_COLOR": "1", "PATH": str(ANNOTATOR_BIN.parent), "HOME": str(ROOT)})
    assert out.returncode == 0, f"annotator {' '.join(map(str, args))}: {out.stderr[-2000:]}"
    return out


LOAD_TRAINED = """
import sys, spacy
nlp = spacy.load(sys.argv[1])
print(nlp.pipe_names)
print(nlp.get_pipe("annotator_checkworthy").classifier.model.info.get("updated_on"))
print(nlp.get_pipe("annotator_attribution").tagger.stacked)
"""


@pytest.mark.slow
def test_train_then_preannotate_then_predict_each_in_its_own_process(tmp_path: Path) -> None:
    lines = [json.loads(line) for line in GOLD_FILE.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line["id"].startswith(("000", "004"))]  # the two shortest articles
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({**l, "annotator": "gold"}, ensure_ascii=False) + "\n" for l in lines),
                    encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    _run("import", gold, "--dataset", "g", "--db", db)
    trained = json.loads(_run("train", "--dataset", "g", "--output", tmp_path / "m", "--json", "--db", db).stdout)
    model = Path(trained["model_path"])
    assert (model / "config.cfg").exists() and (model / "annotator_attribution" / "base" / "model.crfsuite").exists()
    assert trained["folds"] == [[lines[0]["id"]], [lines[1]["id"]]]
    for name in ("base", "updated"):
        assert {"quotes_overlap", "claims_overlap", "speaker_accuracy", "stance_accuracy"} <= set(trained["scores"][name])
    card = (model / "README.md").read_text(encoding="utf-8")
    assert "| base |" in card and "| updated |" in card and "annotator train --dataset g" in card

    pre = _run("preannotate", "--dataset", "g", "--model", model, "--db", db)
    assert "Pre-annotated 2 document(s)" in pre.stdout
    text = tmp_path / "new.txt"
    text.write_text("“The talks have failed completely,” Peter Novak told reporters on Monday.\n", encoding="utf-8")
    predicted = [json.loads(line) for line in _run("predict", text, "--model", model).stdout.splitlines()]
    assert [q["text"] for q in predicted[0]["quotes"]] == ["The talks have failed completely,"]

    loaded = _fresh(LOAD_TRAINED, str(model))  # plain spaCy, nothing of ours imported first
    assert loaded.returncode == 0, loaded.stderr
    names, updated_on, stacked = loaded.stdout.splitlines()
    assert "annotator_attribution" in names and "annotator_checkworthy" in names
    assert int(updated_on) > 0 and stacked == "True"  # the updated models, not the shipped ones

    listed = json.loads(_run("models", "--dir", tmp_path, "--json").stdout)
    mine = next(e for e in listed if e["kind"] == "trained pipeline")
    assert mine["path"] == str(model) and mine["scores"] == trained["scores"] and mine["card"] == card
    assert {e["name"] for e in listed if e["kind"] == "shipped model"} == {"attribution", "checkworthy", "stance"}
