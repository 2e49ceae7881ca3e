"""Sweeps: same results whatever the engine, loss-free resume after kill -9, failures kept,
changed experiments refused, and the Sobol analysis wired correctly (Ishigami)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments import sweep
from experiments.analysis import analyse
from experiments.cli import main
from experiments.dataset import SweepFolderError, connect, load_results, parts
from experiments.discovery import find_boxes
from experiments.engines import engine
from experiments.experiment import ExperimentError, load_experiment
from experiments.sampling import design_points
from experiments.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
SHORT_SCENARIO = """
extends = "{baseline}"
name = "short"
[run]
months = 48
"""


def write_experiment(folder: Path, body: str, name: str = "exp.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "short.toml").write_text(
        SHORT_SCENARIO.format(baseline=ROOT / "scenarios" / "baseline.toml"), encoding="utf-8"
    )
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


GRID = """
name = "grid_test"
scenario = "short.toml"
design = "grid"
replications = 3
seed = 5
chunk_runs = 2
outcomes = ["adoption_share_5y", "value_created_msek"]
[parameters]
"awareness.county" = {{ values = [0.01, 0.04] }}
"decision.hurdle" = {{ values = {hurdles} }}
"""


def comparable(folder: Path) -> pd.DataFrame:
    table = load_results(folder, status=None).drop(columns=["seconds"])
    return table.sort_values(["run_id", "innovation"]).reset_index(drop=True)


def test_results_identical_in_process_two_workers_and_dask(tmp_path: Path) -> None:
    from distributed import LocalCluster

    loaded = load_experiment(write_experiment(tmp_path, GRID.format(hurdles="[0.0, 0.2]")))
    run_sweep(loaded, tmp_path / "one", progress=False)
    with engine(workers=2) as pool:
        run_sweep(loaded, tmp_path / "two", pool.executor, pool.slots, progress=False)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        engine(scheduler=cluster.scheduler_address) as dask,
    ):
        run_sweep(loaded, tmp_path / "dask", dask.executor, dask.slots, progress=False)
    one = comparable(tmp_path / "one")
    assert len(one) == 4 * 3 * 6  # points x replications x (5 innovations + all)
    assert (one["status"] == "ok").all()
    pd.testing.assert_frame_equal(one, comparable(tmp_path / "two"))
    pd.testing.assert_frame_equal(one, comparable(tmp_path / "dask"))
    # Different points differ, and replications share seeds across points (CRN).
    assert one.groupby("point")["value_created_msek"].mean().nunique() > 1
    assert one.groupby("replication")["seed"].nunique().eq(1).all()


@pytest.mark.parametrize("blockable", [True, False])
def test_points_run_together_as_blocks_give_the_point_by_point_results(
    tmp_path: Path, blockable: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task of several points runs them as blocks of one model when every parameter may
    differ between blocks (model/blocks.py), else point by point: the results are the same
    as one point per task either way."""
    body = GRID.format(hurdles="[0.0, 0.2]")
    if not blockable:
        body = body.replace('"awareness.county"', '"trials.noise_sd"').replace(
            "[0.01, 0.04]", "[0.1, 0.3]"
        )
    together = write_experiment(tmp_path, body.replace("chunk_runs = 2", "chunk_runs = 12"))
    alone = write_experiment(tmp_path, body.replace("chunk_runs = 2", "chunk_runs = 1"), "a.toml")
    run_sweep(load_experiment(alone), tmp_path / "alone", progress=False)
    if blockable:  # the points must not be run one by one
        monkeypatch.setitem(sweep.EVALUATORS, "spridning", None)
    run_sweep(load_experiment(together), tmp_path / "together", progress=False)
    result = comparable(tmp_path / "together")
    assert (result["status"] == "ok").all() and result["run_id"].nunique() == 12
    pd.testing.assert_frame_equal(result, comparable(tmp_path / "alone"))


def test_kill_minus_nine_then_resume_gives_the_uninterrupted_result(tmp_path: Path) -> None:
    experiment = write_experiment(
        tmp_path,
        GRID.format(hurdles="[0.0, 0.05, 0.1, 0.15, 0.2, 0.25]").replace(
            "chunk_runs = 2", "chunk_runs = 1"
        ),
    )
    killed = tmp_path / "killed"
    command = [sys.executable, "-m", "experiments.cli", "sweep", str(experiment)]
    command += ["--workers", "1", "--flush-runs", "1", "--out", str(killed)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while len(parts(killed)) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the sweep finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stored = load_results(killed, status=None)["run_id"].nunique()
    assert 3 <= stored < 36

    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    assert f"{stored} were already stored, {36 - stored} ran now" in resumed.stdout

    run_sweep(load_experiment(experiment), tmp_path / "whole", progress=False)
    result = comparable(killed)
    assert result["run_id"].nunique() == 36
    assert not result.duplicated(["run_id", "innovation"]).any()
    pd.testing.assert_frame_equal(result, comparable(tmp_path / "whole"))
    assert not list((killed / "runs").glob(".*tmp"))


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path: Path) -> None:
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
    loaded = load_experiment(write_experiment(tmp_path, body))
    loaded = loaded.model_copy(
        update={"scenario": loaded.scenario.with_overrides({"run.months": 24})}
    )
    report = run_sweep(loaded, tmp_path / "out", progress=False)
    assert (report.ran, report.failed) == (4, 2)
    table = load_results(tmp_path / "out", status=None)
    failed = table[table["status"] == "failed"]
    assert set(
        zip(failed["programme.share_grants"], failed["programme.share_capacity"], strict=True)
    ) == {
        (0.5, 0.2),
        (0.6, 0.3),
    }
    assert failed["error"].str.contains("must sum to 1").all()
    assert failed["adoption_share_5y"].isna().all()
    assert table[table["status"] == "ok"]["adoption_share_5y"].notna().all()


def test_a_changed_experiment_is_refused_in_the_same_folder(tmp_path: Path) -> None:
    path = write_experiment(
        tmp_path, GRID.format(hurdles="[0.0]").replace("replications = 3", "replications = 1")
    )
    run_sweep(load_experiment(path), tmp_path / "out", progress=False)
    path.write_text(path.read_text().replace("seed = 5", "seed = 6"))
    with pytest.raises(SweepFolderError, match="different experiment"):
        run_sweep(load_experiment(path), tmp_path / "out", progress=False)


def test_sobol_analysis_recovers_the_ishigami_indices(tmp_path: Path) -> None:
    loaded = load_experiment("ishigami_check")
    loaded = loaded.model_copy(
        update={"experiment": loaded.experiment.model_copy(update={"samples": 512})}
    )
    run_sweep(loaded, tmp_path / "ishigami", progress=False)
    analyse(tmp_path / "ishigami")
    table = pd.read_csv(tmp_path / "ishigami" / "analysis" / "sobol.csv").set_index("parameter")
    np.testing.assert_allclose(table["S1"], [0.314, 0.442, 0.0], atol=0.06)
    np.testing.assert_allclose(table["ST"], [0.558, 0.442, 0.244], atol=0.06)
    # Intervals are reported and cover the known values.
    assert (table["ST_conf"] > 0).all()
    known = np.array([0.558, 0.442, 0.244])
    assert (np.abs(table["ST"] - known) <= table["ST_conf"] + 0.02).all()


def test_morris_ranks_the_ishigami_inputs(tmp_path: Path) -> None:
    path = write_experiment(
        tmp_path,
        (ROOT / "experiments/examples/ishigami_check.toml")
        .read_text()
        .replace('design = "sobol"', 'design = "morris"\nlevels = 4')
        .replace("samples = 1024", "samples = 200"),
    )
    run_sweep(load_experiment(path), tmp_path / "morris", progress=False)
    analyse(tmp_path / "morris")
    table = pd.read_csv(tmp_path / "morris" / "analysis" / "morris.csv").set_index("parameter")
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(table.columns)
    # x3 acts only through its interaction with x1: small mean effect, large spread.
    assert table.loc["x3", "mu"] ** 2 < table.loc["x3", "sigma"] ** 2
    assert table.loc["x2", "mu_star"] > table.loc["x3", "mu_star"]


def test_duckdb_queries_the_parts(tmp_path: Path) -> None:
    path = write_experiment(
        tmp_path, GRID.format(hurdles="[0.0]").replace("replications = 3", "replications = 2")
    )
    run_sweep(load_experiment(path), tmp_path / "out", progress=False)
    with connect(tmp_path / "out") as connection:
        rows = connection.execute(
            'SELECT "awareness.county", avg(adoption_share_5y) FROM runs '
            "WHERE innovation = 'all' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert [round(r[0], 2) for r in rows] == [0.01, 0.04]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'design = "grid"\n[parameters]\n"awareness.nonsense" = {}',
            "awareness.nonsense: unknown parameter",
        ),
        (
            'design = "grid"\n[parameters]\n"awareness.county" = { values = [-1.0] }',
            "awareness.county = -1.0 is not allowed",
        ),
        (
            'design = "grid"\n[parameters]\n"programme.targeting" = { values = ["richest"] }',
            "'all', 'low_capacity', 'small' or 'central'",
        ),
        (
            'design = "lhs"\n[parameters]\n"programme.targeting" = { values = ["all"] }',
            "samples numeric ranges",
        ),
        ('design = "sobol"\nsamples = 100\n[parameters]\n"awareness.county" = {}', "power of two"),
        (
            'design = "grid"\noutcomes = ["happiness"]\n[parameters]\n"awareness.county" = {}',
            "outcomes: unknown ['happiness']",
        ),
        (
            'design = "grid"\ncolour = "red"\n[parameters]\n"awareness.county" = {}',
            "colour: Extra inputs are not permitted",
        ),
        (
            'design = "grid"\nreplications = 0\n[parameters]\n"awareness.county" = {}',
            "replications: Input should be greater than or equal to 1",
        ),
        (
            'design = "grid"\n[parameters]\n"awareness.county" = { low = 0.5, high = 0.1 }',
            "low (0.5) must be below high (0.1)",
        ),
        (
            'design = "grid"\n[parameters]\n"innovation.trial_cost_msek" = {}',
            "differ per innovation",
        ),
        (
            'design = "grid"\n[parameters]\n"innovations.teleporter.trial_cost_msek" = {}',
            "no innovation 'teleporter'",
        ),
        (
            'design = "lhs"\n[parameters]\n"awareness.county" = {}\n[discovery]\noutcome = "adoption_share_10y"\nbelow = 0.0',
            "discovery: needs reference_scenario",
        ),
        ('design = "grid"\n[parameters', "not valid TOML"),
        ('design = "grid"', "nothing to vary"),
        (
            'design = "grid"\noutcomes = ["value_created_msek", "value_created_msek"]\n[parameters]\n"awareness.county" = {}',
            "listed more than once",
        ),
        (
            'design = "grid"\noutcomes = ["running_m0"]\n[parameters]\n"awareness.county" = {}',
            "outcomes: unknown ['running_m0']",
        ),
        ('design = "grid"\n[select]\nsource = "assumption"', "more than 100,000"),
        (
            'design = "grid"\n[parameters]\n"programme.years" = { values = [2.5] }',
            "programme.years: a whole number",
        ),
        (
            'design = "lhs"\nreference_scenario = "baseline"\n[parameters]\n"awareness.county" = {}\n[discovery]\noutcome = "adoption_share_10y"\ninnovation = "teleport"\nbelow = 0.0',
            "discovery.innovation: 'teleport'",
        ),
        (
            'model = "ishigami"\ndesign = "lhs"\n[parameters]\nx1 = { low = 0.0, high = 1.0 }',
            "needs x1, x2 and x3",
        ),
    ],
)
def test_a_bad_experiment_file_names_file_key_and_what_is_allowed(
    tmp_path: Path, body: str, message: str
) -> None:
    path = write_experiment(tmp_path, f'name = "bad"\nscenario = "baseline"\n{body}\n')
    with pytest.raises(ExperimentError) as error:
        load_experiment(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_innovation_fields_and_register_ranges_resolve(tmp_path: Path) -> None:
    body = 'name = "ok"\ndesign = "lhs"\nsamples = 8\n[parameters]\n'
    body += '"innovations.vr_training_tool.trial_cost_msek" = { low = 0.1, high = 1.0 }\n'
    body += '"programme.years" = {}\n'
    loaded = load_experiment(write_experiment(tmp_path, body))
    cost, years = loaded.parameters
    assert cost.path.startswith("innovations.") and cost.path.endswith(".trial_cost_msek")
    assert (years.path, years.low, years.high, years.integer) == (
        "programme.years",
        3,
        10,
        True,
    )
    points = design_points(loaded)
    assert points["programme.years"].between(3, 10).all()
    assert points["programme.years"].dtype == "int64"


def test_cli_sweep_and_analyse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_experiment(
        tmp_path, GRID.format(hurdles="[0.0]").replace("replications = 3", "replications = 2")
    )
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--workers", "1", "--out", str(out)]) == 0
    assert "4 runs: 0 were already stored, 4 ran now (0 failed)" in capsys.readouterr().out
    assert main(["sweep", str(path), "--workers", "1", "--out", str(out)]) == 0
    assert "4 were already stored, 0 ran now" in capsys.readouterr().out
    assert main(["analyse", str(out)]) == 0
    response = pd.read_csv(out / "analysis" / "response.csv")
    assert set(response["outcome"]) == {"adoption_share_5y", "value_created_msek"}
    assert (response["n"] == 2).all()
    # Oracle: each cell's two replications read back from the stored runs, and scipy's
    # one-sample t interval on them.
    stored = load_results(out)
    cells = ["awareness.county", "innovation"]
    runs = {key: group for key, group in stored.groupby(cells)}
    assert len(runs) == 2 * 6 and len(response) == 2 * len(runs)
    spread = 0
    for row in response.to_dict("records"):
        values = runs[tuple(row[c] for c in cells)][row["outcome"]].to_numpy()
        assert row["mean"] == pytest.approx(values.mean(), rel=1e-12)
        if np.ptp(values) == 0:  # the same in both replications: a point interval
            assert row["ci_low"] == row["ci_high"] == pytest.approx(values[0])
            continue
        low, high = stats.ttest_1samp(values, 0.0).confidence_interval(0.95)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)
        spread += 1
    assert spread >= 8  # most cells vary between replications: the intervals are exercised
    assert main(["analyse", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "missing.toml")]) == 2
    assert "experiment file not found" in capsys.readouterr().err


def test_prim_finds_a_known_box() -> None:
    rng = np.random.default_rng(3)
    inputs = pd.DataFrame({name: rng.uniform(0, 1, 600) for name in ("a", "b", "c")})
    vanishes = ((inputs["a"] < 0.3) & (inputs["b"] > 0.6)).to_numpy()
    box, trajectory = find_boxes(inputs, vanishes, density_target=0.8)
    limits = box.set_index("parameter")
    assert set(limits.index) == {"a", "b"}
    assert limits.loc["a", "high"] == pytest.approx(0.3, abs=0.05)
    assert limits.loc["b", "low"] == pytest.approx(0.6, abs=0.15)
    assert box["density"].iloc[0] >= 0.8 and box["coverage"].iloc[0] >= 0.8
    assert trajectory["coverage"].iloc[0] == 1.0


def test_repeated_points_count_their_runs_once(tmp_path: Path) -> None:
    body = (
        'name = "repeats"\nmodel = "ishigami"\ndesign = "grid"\nreplications = 2\n'
        "[parameters]\nx1 = { values = [0.5, 0.5] }\nx2 = { values = [1.0] }\n"
        "x3 = { values = [2.0] }\n"
    )
    loaded = load_experiment(write_experiment(tmp_path, body))
    report = run_sweep(loaded, tmp_path / "out", progress=False)
    assert report.total == 2  # two points with the same values are one set of runs
    analyse(tmp_path / "out")
    response = pd.read_csv(tmp_path / "out" / "analysis" / "response.csv")
    assert response["n"].tolist() == [2]


def test_a_bad_scheduler_address_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "ishigami_check", "--scheduler", "nonsense"]) == 2
    error = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at nonsense" in error
    assert "tcp://host:8786" in error
