"""Calibration (ABC-SMC over joint targets): recovers parameters from series the model
generated, checks the posterior against the data (predictive bands, held-out
observations), resumes after a kill with identical results, and rejects malformed
targets clearly."""

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

from experiments.abc_smc import Calibration, Settings
from experiments.calibration_problem import build_problem
from experiments.cli import main
from experiments.evaluators import municipality_counts, series_values
from experiments.posterior import load_posterior, ship, summarise
from experiments.run import run_scenario
from experiments.targets import TargetError, load_target
from model.model import DiffusionModel
from model.reference.synthetic import synthetic_municipalities
from model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TRUTH = {"innovations.0.relevance_share": 0.7, "awareness.county": 0.05}
HEADER = """name = "synthetic_lov"
scenario = "lov"
innovation = "lov"
start = "2008-01"
[parameters]
"innovations.lov.relevance_share" = { low = 0.4, high = 1.0 }
"awareness.county" = { shared = true }
"""


def synthetic_target(folder: Path) -> Path:
    """The LOV target's dates and measures, with values the model gives at TRUTH."""
    lov, _ = load_target("lov")
    simulated = run_scenario(
        load_scenario("lov").with_overrides(TRUTH), 16, seed=77, progress=False
    )
    names = [lov.outcome(o) for o in lov.observations]
    means = series_values(simulated.timeseries, names).xs("lov", level="innovation").mean()
    lines = [HEADER]
    for observation in lov.observations:
        lines += [
            "[[observations]]",
            f'date = "{observation.date}"',
            f'measure = "{observation.measure}"',
            f"value = {means[lov.outcome(observation)]:.2f}",
            'source = "the model itself, at known parameters"',
        ]
    path = folder / "synthetic.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_target(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="module")
def recovered(synthetic: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("recovery")
    calibration = Calibration(
        build_problem([synthetic]),
        folder,
        Settings(population=60, replications=4, generations=4, seed=3),
    )
    calibration.run(progress=False, say=lambda line: None)
    return calibration, summarise(calibration, draws=40, replications=2)


def test_calibration_recovers_the_parameters_that_made_the_series(recovered) -> None:
    _, summary = recovered
    posterior = {row["parameter"]: row for row in summary["posterior"]}
    # Stated tolerance: the truth lies in each 90 % posterior interval. LOV's plateau
    # tells its relevance share (the interval covers less than 60 % of the prior range:
    # "identified"); the county channel, next to LOV's strong external channel, is barely
    # told by these data, and the posterior says so rather than inventing precision.
    for name, truth in (("innovations.lov.relevance_share", 0.7), ("awareness.county", 0.05)):
        row = posterior[name]
        assert row["q05"] <= truth <= row["q95"], (name, row)
    assert posterior["innovations.lov.relevance_share"]["share_of_prior_range"] < 0.6
    assert posterior["innovations.lov.relevance_share"]["identified"]
    assert posterior["awareness.county"]["share_of_prior_range"] < 1.0
    epsilons = [g["epsilon"] for g in summary["generations"]]
    assert epsilons[1] > epsilons[-1]  # the generations close in on the data


def test_each_generation_keeps_its_tolerance_and_weights(recovered) -> None:
    """Oracles from the stored rounds: the distance formula, the kept particles (a share
    of replications within the tolerance), and normalised weights."""
    calibration, summary = recovered
    problem = calibration.problem
    series = problem.series[0]
    rows = calibration.rows(2)
    columns = [series.column(c) for c in series.observation_columns]
    scaled = (rows[columns].to_numpy() - series.observed) / series.tolerance
    np.testing.assert_allclose(rows["distance"], np.sqrt((scaled**2).mean(axis=1)), rtol=1e-12)
    epsilon = summary["generations"][2]["epsilon"]
    population = calibration.population(2)
    shares = (rows["distance"] <= epsilon).groupby([rows["round"], rows["particle"]]).mean()
    kept = population.set_index(["round", "particle"])["accepted_share"]
    pd.testing.assert_series_equal(kept, shares.loc[kept.index], check_names=False)
    assert (kept > 0).all() and len(population) == 60
    assert population["weight"].sum() == pytest.approx(1.0)


def test_posterior_predictive_check_against_the_runs(recovered) -> None:
    calibration, summary = recovered
    folder = calibration.folder
    predictive = pd.read_parquet(folder / "predictive.parquet")
    assert len(predictive) == 40 * 2  # draws x replications
    fit = pd.read_csv(folder / "fit.csv")
    series = calibration.problem.series[0]
    assert len(fit) == 8
    for row, observation in zip(fit.to_dict("records"), series.target.observations, strict=True):
        values = predictive[series.column(series.target.outcome(observation))]
        low, median, high = values.quantile([0.05, 0.5, 0.95])
        assert (row["band_low"], row["median"], row["band_high"]) == pytest.approx(
            (low, median, high), rel=1e-12
        )
        assert row["inside_band"] == (low <= row["observed"] <= high)
    assert fit["inside_band"].sum() >= 6  # the model's own series lies in its band
    curve = pd.read_csv(folder / "curve.csv").set_index(["measure", "month"])
    assert curve.loc[("running", 36), "date"] == "2010-12"  # month 36 ends December 2010


def test_a_shipped_posterior_carries_what_made_it(recovered, tmp_path: Path) -> None:
    calibration, _ = recovered
    path = ship(calibration.folder, "test", into=tmp_path)
    draws, manifest = load_posterior(path)
    assert len(draws) == 40 and manifest["targets"] == [
        {"name": "synthetic_lov", "observations": 8}
    ]
    assert manifest["method"].startswith("ABC-SMC") and manifest["created"]
    names = [p["name"] for p in manifest["parameters"]]
    assert list(draws.columns) == ["draw", *names]


def test_out_of_sample_check_scores_the_held_out_observations(
    synthetic: Path, tmp_path: Path
) -> None:
    calibration = Calibration(
        build_problem([synthetic], fit_until="2011-12"),
        tmp_path,
        Settings(population=20, replications=2, generations=2),
    )
    calibration.run(progress=False, say=lambda line: None)
    summary = summarise(calibration, draws=20, replications=2)
    fit = pd.DataFrame(summary["fit"])
    assert fit["used_in_fit"].tolist() == (fit["date"] <= "2011-12").tolist()
    later = fit[~fit["used_in_fit"]]
    held = summary["out_of_sample"]
    assert held["n"] == 4
    assert held["rmse"] == pytest.approx(np.sqrt((later["error"] ** 2).mean()), rel=1e-12)
    assert held["per_target"]["synthetic_lov"]["n"] == 4
    # only the early observations enter the distance
    rows = calibration.rows(1)
    series = calibration.problem.series[0]
    early = [
        series.column(c)
        for c, used in zip(series.observation_columns, series.fitted, strict=True)
        if used
    ]
    scaled = (rows[early].to_numpy() - series.observed[series.fitted]) / series.tolerance[
        series.fitted
    ]
    np.testing.assert_allclose(rows["distance"], np.sqrt((scaled**2).mean(axis=1)), rtol=1e-12)


def test_a_killed_calibration_resumes_to_the_same_result(synthetic: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "experiments.cli", "calibrate", str(synthetic)]
    command += ["--population", "12", "--replications", "2", "--generations", "2"]
    command += ["--draws", "10", "--workers", "1"]
    killed = tmp_path / "killed"
    process = subprocess.Popen(
        [*command, "--out", str(killed)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (killed / "rounds" / "g01-r000.parquet").exists():
            break
        time.sleep(0.05)
    assert process.poll() is None, "the calibration finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not (killed / "populations" / "g01.parquet").exists()
    subprocess.run([*command, "--out", str(killed)], cwd=ROOT, check=True, capture_output=True)
    whole = tmp_path / "whole"
    subprocess.run([*command, "--out", str(whole)], cwd=ROOT, check=True, capture_output=True)
    for generation in range(2):
        name = f"populations/g{generation:02d}.parquet"
        pd.testing.assert_frame_equal(pd.read_parquet(killed / name), pd.read_parquet(whole / name))
    pd.testing.assert_frame_equal(
        pd.read_parquet(killed / "draws.parquet"), pd.read_parquet(whole / "draws.parquet")
    )


def test_joint_targets_share_behaviour_and_keep_their_own_attributes() -> None:
    problem = build_problem(["lov", "digital_safety_alarms", "broadband_strategy"])
    dimensions = {d.name: d for d in problem.dimensions}
    hurdle = dimensions["decision.hurdle"]
    assert hurdle.shared and {t for t, _ in hurdle.paths} == {s.name for s in problem.series}
    own = dimensions["innovations.lov.external_rate"]
    assert not own.shared and own.paths == (("lov", "innovations.0.external_rate"),)
    values = {d.name: (d.low + d.high) / 2 for d in problem.dimensions}
    lov = problem.overrides(values, "lov")
    alarms = problem.overrides(values, "digital_safety_alarms")
    assert lov["decision.hurdle"] == alarms["decision.hurdle"] == values["decision.hurdle"]
    assert (
        "innovations.0.external_rate" in lov
        and lov["innovations.0.external_rate"] == values["innovations.lov.external_rate"]
    )
    assert (
        alarms["innovations.0.external_rate"] == values["innovations.digital_alarms.external_rate"]
    )


VALID = """name = "bad"
scenario = "lov"
innovation = "lov"
start = "2008-01"
{extra}
[[observations]]
date = "{date}"
measure = "{measure}"
value = {value}
source = "test"

[[observations]]
date = "2011-12"
measure = "running"
value = 10
source = "test"
"""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date": "2010-13"}, "observations.0.date"),
        ({"date": "12/2010"}, "dates are YYYY-MM"),
        ({"measure": "happy"}, "observations.0.measure"),
        ({"value": -3}, "observations.0.value"),
        ({"value": 300}, "more than the 290 municipalities"),
        ({"date": "2007-06"}, "is before the start (2008-01)"),
        ({"extra": 'colour = "red"'}, "colour: Extra inputs are not permitted"),
    ],
)
def test_a_malformed_target_is_rejected_with_file_and_key(
    tmp_path: Path, fields: dict, message: str
) -> None:
    values = {"extra": "", "date": "2010-12", "measure": "running", "value": 45} | fields
    path = tmp_path / "bad.toml"
    path.write_text(VALID.format(**values), encoding="utf-8")
    with pytest.raises(TargetError) as error:
        load_target(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_target_problems_found_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        VALID.format(extra="", date="2010-12", measure="running", value=45).replace(
            'innovation = "lov"', 'innovation = "teleporter"'
        ),
        encoding="utf-8",
    )
    assert main(["calibrate", str(path), "--params", "decision.hurdle"]) == 2
    assert "innovation 'teleporter' is not in scenario lov" in capsys.readouterr().err
    fine = tmp_path / "fine.toml"
    fine.write_text(VALID.format(extra="", date="2010-12", measure="running", value=45))
    with pytest.raises(TargetError, match="no parameters to fit"):
        build_problem([fine])
    assert main(["calibrate", "lov", "--params", "decision.hurdle=low:high"]) == 2
    assert "name=low:high with numbers" in capsys.readouterr().err
    assert main(["calibrate", "lov", "--fit-until", "2030-01"]) == 2
    assert "leaves no observation to predict" in capsys.readouterr().err
    assert main(["calibrate", "lov", "--fit-until", "2001-01"]) == 2
    assert "no observation is that early" in capsys.readouterr().err
    assert main(["calibrate", "lov", "--fit-until", "2011"]) == 2
    assert "a date YYYY-MM" in capsys.readouterr().err
    assert main(["calibrate", "nowhere"]) == 2
    assert "target file not found" in capsys.readouterr().err
    assert main(["calibrate"]) == 2
    assert "or give --all" in capsys.readouterr().err
    assert main(["calibrate", "lov", "--ship", "../elsewhere"]) == 2
    assert (
        "--ship '../elsewhere': a posterior's name is lower-case letters" in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (
            '"innovations.lov.external_rate" = { shared = true }',
            "parameters.innovations.lov.external_rate.shared: an innovation's attribute",
        ),
        ('"decision.hurdle" = { shared = true, low = 0.0, high = 0.9 }', "its range differs"),
        ('"decision.hurdel" = { shared = true }', "parameters.decision.hurdel"),
    ],
)
def test_a_joint_fit_refuses_inconsistent_parameters(
    tmp_path: Path, parameters: str, message: str
) -> None:
    path = tmp_path / "other.toml"
    text = VALID.format(
        extra=f"[parameters]\n{parameters}\n", date="2010-12", measure="running", value=45
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TargetError, match=message):
        build_problem(["lov", path])


def test_a_single_parameter_calibrates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["calibrate", "lov", "--params", "decision.hurdle", "--population", "10"]
        + ["--replications", "1", "--generations", "1", "--draws", "5", "--workers", "1"]
        + ["--out", str(tmp_path)]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "decision.hurdle" in out and "Posterior predictive check" in out
    assert pd.read_csv(tmp_path / "posterior.csv")["parameter"].tolist() == ["decision.hurdle"]


# --- sets of another size than Sweden's 290 -------------------------------------------------


def test_counts_are_of_the_municipalities_the_run_had() -> None:
    """A synthetic set of 60: "ever adopted" counts its own municipalities, not 290."""
    municipalities, neighbours = synthetic_municipalities(60, seed=2)
    scenario = load_scenario("programme").with_overrides({"run.months": 36})
    model = DiffusionModel(
        scenario, seed=[1, 2], municipalities=municipalities, neighbours=neighbours
    )
    model.run()
    timeseries = model.timeseries()
    assert (municipality_counts(timeseries) == 60).all()
    counted = series_values(timeseries, ["ever_adopted_m36"])["ever_adopted_m36"]
    outcomes = model.municipality_outcomes()
    outcomes["innovation"] = outcomes["innovation"].astype(str)
    adopted = outcomes[outcomes["adopted_month"].fillna(10_000) <= 36]
    expected = adopted.groupby(["replication", "innovation"]).size()
    per_innovation = counted.drop("all", level="innovation")
    assert expected.sum() > 0  # something to count
    pd.testing.assert_series_equal(
        per_innovation,
        expected.reindex(per_innovation.index, fill_value=0).astype(float),
        check_names=False,
    )


def test_shares_in_a_target_are_of_the_runs_municipalities(tmp_path: Path) -> None:
    path = tmp_path / "share.toml"
    text = VALID.format(extra="", date="2010-12", measure="running", value=45)
    path.write_text(text.replace("value = 10", 'value = 0.5\nunit = "share"'), encoding="utf-8")
    target, _ = load_target(path, municipalities=100)
    share = target.observations[1]
    assert share.count(100) == 50 and share.count(290) == 145
    assert [o.tolerance(100) for o in target.observations] == [5.0, 5.0]  # at least 5
    assert [o.tolerance(1000) for o in target.observations] == [5.0, 50.0]  # 10 % of 500
    with pytest.raises(TargetError, match="more than the 40 municipalities"):
        load_target(path, municipalities=40)
