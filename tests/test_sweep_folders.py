"""A sweep's folder as the reader sees it: any folder name is just a name (never SQL,
never a glob), a report says how many runs are missing or failed, and an analysis made
before the sweep changed is made again rather than quoted."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.analysis import analyse, stale_reason
from experiments.cli import main
from experiments.dataset import load_results, parts
from experiments.experiment import load_experiment
from experiments.sweep import make_plan, run_sweep

ISHIGAMI = """
name = "names"
model = "ishigami"
design = "grid"
levels = 2
replications = 2
seed = {seed}
chunk_runs = 1
[parameters]
x1 = {{ low = -3.0, high = 3.0 }}
x2 = {{ low = -3.0, high = 3.0 }}
x3 = {{ values = [0.0, 1.0, 2.0] }}
"""
# A quote (ends an SQL string), a bracket (a glob's character class), and statements.
CRAFTED = "it's [1] x'); COPY (SELECT 42 AS answer) TO 'stray.csv'; --"


def experiment(folder: Path, seed: int) -> Path:
    path = folder / f"names_{seed}.toml"
    path.write_text(ISHIGAMI.format(seed=seed), encoding="utf-8")
    return path


def test_a_folder_name_is_never_sql_nor_a_glob(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # where a COPY ... TO 'stray.csv' would write
    mine, other = experiment(tmp_path, 1), experiment(tmp_path, 2)
    out = tmp_path / CRAFTED
    decoy = tmp_path / CRAFTED.replace("[1]", "1")  # what the name matches as a glob
    assert main(["sweep", str(other), "--workers", "1", "--out", str(decoy)]) == 0
    assert main(["sweep", str(mine), "--workers", "1", "--out", str(out)]) == 0
    assert "24 runs: 0 were already stored, 24 ran now" in capsys.readouterr().out
    assert main(["sweep", str(mine), "--workers", "1", "--out", str(out)]) == 0  # resume
    assert "24 were already stored, 0 ran now" in capsys.readouterr().out
    assert main(["analyse", str(out)]) == 0
    plan = make_plan(load_experiment(mine))
    assert set(load_results(out)["run_id"]) == set(plan.runs["run_id"])  # not the decoy's
    response = pd.read_csv(out / "analysis" / "response.csv")
    assert (response["n"] == 2).all()
    expected = {out, decoy, mine, other}
    found = {p for p in tmp_path.iterdir()}
    assert found == expected, f"stray files: {found - expected}"
    assert not list(tmp_path.rglob("stray.csv"))


def test_a_report_says_what_is_missing_and_a_stale_analysis_is_made_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = experiment(tmp_path, 3)
    out = tmp_path / "out"
    report = run_sweep(load_experiment(path), out, progress=False, flush_runs=1)
    assert report.ran == 24 and len(parts(out)) == 24
    for part in parts(out)[:16]:  # as if the sweep had been killed early on
        part.unlink()
    analyse(out)
    assert main(["report", str(out), "--lang", "en"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "16 of the sweep&#x27;s 24 runs are missing" in html
    assert "run `spridning sweep` again" in html

    run_sweep(load_experiment(path), out, progress=False)  # resumed to completion
    capsys.readouterr()
    assert main(["report", str(out), "--lang", "sv"]) == 0
    assert "was out of date (it was made from 8 of 24 runs" in capsys.readouterr().err
    response = pd.read_csv(out / "analysis" / "response.csv")
    assert (response["n"] == 2).all() and len(response) == 12  # every point, both runs
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "körningar saknas" not in html
    assert stale_reason(out) is None
    source = json.loads((out / "analysis" / "source.json").read_text())
    assert (source["runs_stored"], source["runs_total"]) == (24, 24)
    (out / "runs" / "part-late.parquet").write_bytes(parts(out)[0].read_bytes())  # changed
    assert "made from 24 of 24 runs" in stale_reason(out)


def test_a_report_counts_failed_runs(tmp_path: Path) -> None:
    body = """
name = "allocations"
scenario = "programme"
design = "grid"
replications = 1
outcomes = ["adoption_share_5y"]
[parameters]
"programme.share_grants" = { values = [0.5, 0.6] }
"programme.share_capacity" = { values = [0.3, 0.2] }
"""
    path = tmp_path / "allocations.toml"
    path.write_text(body, encoding="utf-8")
    loaded = load_experiment(path)
    loaded = loaded.model_copy(
        update={"scenario": loaded.scenario.with_overrides({"run.months": 24})}
    )
    run_sweep(loaded, tmp_path / "out", progress=False)
    analyse(tmp_path / "out")
    assert main(["report", str(tmp_path / "out"), "--lang", "en"]) == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "2 of 4 runs failed" in html and "runs are missing" not in html
