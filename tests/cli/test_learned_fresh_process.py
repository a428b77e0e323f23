"""The packaged classifiers in fresh processes: the real `annotator` command, and `spacy.load` of a saved
pipeline that finds the components through the package's entry points alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from annotator.db.engine import open_database
from annotator.db.repo import Repository

ARTICLE = ("Troops at the border\n\n"
           "The Kremlin said Russia had moved 100,000 troops to the border since November. "
           "“We have no plans to invade Ukraine,” Dmitry Peskov told reporters on Monday. "
           "Thank you all for coming tonight, she said.\n")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_predict_in_a_fresh_process_suggests_checkworthy_claims_and_target_stances(tmp_path: Path) -> None:
    src = tmp_path / "troops.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    result = _run("predict", str(src), "--all-claims", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (obj,) = [json.loads(line) for line in result.stdout.splitlines()]
    claims = {c["text"]: c["checkworthy"] for c in obj["claims"]}
    # "X said Y": the claim is what was said; a quoted claim keeps its speaker
    assert claims["Russia had moved 100,000 troops to the border since November"] is True
    assert {c["text"]: c["speaker"] for c in obj["claims"]}["We have no plans to invade Ukraine,"] == "Dmitry Peskov"
    assert not any(t.startswith("Troops at the border") for t in claims)  # the heading is no candidate
    assert False in claims.values()  # --all-claims keeps the non-check-worthy candidates, marked
    stances = {q["text"]: q["stance"] for q in obj["quotes"]}
    quote = next(t for t in stances if "invade Ukraine" in t)
    assert stances[quote]["target"] == "Ukraine" and stances[quote]["label"] in ("favor", "against", "neutral")
    default = _run("predict", str(src), cwd=tmp_path)
    (plain,) = [json.loads(line) for line in default.stdout.splitlines()]
    assert plain["claims"] and all(c["checkworthy"] for c in plain["claims"])  # only check-worthy by default


def test_preannotate_in_a_fresh_process_stores_learned_suggestions(tmp_path: Path, db_url: str) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "troops.txt").write_text(ARTICLE, encoding="utf-8")
    assert _run("import", str(tmp_path / "docs"), "--dataset", "news", "--db", db_url, cwd=tmp_path).returncode == 0
    result = _run("preannotate", "--dataset", "news", "--db", db_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (ann,) = list(Repository(open_database(db_url)).suggestions("news"))
    assert ann.claims and all(c.checkworthy for c in ann.claims)
    assert any(q.stance is not None and q.stance.target == "Ukraine" for q in ann.quotes)


def test_a_saved_pipeline_loads_in_a_fresh_process_through_entry_points(tmp_path: Path) -> None:
    from annotator.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    nlp.to_disk(tmp_path / "pipe")
    script = ("import json, spacy\n"
              f"nlp = spacy.load({str(tmp_path / 'pipe')!r})\n"
              f"doc = nlp({ARTICLE!r})\n"
              "print(json.dumps({'pipes': nlp.pipe_names, 'claims': doc._.claim_speakers,"
              " 'scores': doc.spans['claims'].attrs['scores'],"
              " 'stances': [r['stance'] for r in doc._.attributions]}))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["pipes"][-2:] == ["annotator_stance_clf", "annotator_checkworthy"]
    assert data["claims"] and len(data["scores"]) == len(data["claims"])
    assert any(s and s[0] == "Ukraine" for s in data["stances"])
