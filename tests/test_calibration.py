"""Calibration: recovers parameters from a series the model generated, reports trade-offs
and fit, predicts held-out observations, and rejects malformed target files clearly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.calibrate import calibrate, prepare, tolerance
from experiments.cli import main
from experiments.dataset import load_results
from experiments.evaluators import municipality_counts, series_values
from experiments.experiment import ParameterRange
from experiments.run import run_scenario
from experiments.targets import TargetError, load_target
from model.model import DiffusionModel
from model.reference.synthetic import synthetic_municipalities
from model.scenario import load_scenario

# The model month whose end each observation date describes (start 2008-01 is month 1).
MONTH_OF = {"2010-12": 36, "2011-12": 48, "2012-12": 60, "2013-12": 72}
TRUTH = {"innovations.0.benefit_sek_per_capita_year": 80.0, "suppliers.entry_rate": 0.12}
HEADER = """name = "synthetic_lov"
scenario = "lov"
innovation = "lov"
start = "2008-01"
[parameters]
"innovations.lov.benefit_sek_per_capita_year" = { low = 40.0, high = 120.0 }
"suppliers.entry_rate" = {}
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
def recovered(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    folder = tmp_path_factory.mktemp("recovery")
    target, path = load_target(synthetic_target(folder))
    # Replications of LOV differ by 10-20 municipalities (supplier exits strand adopters):
    # each point is scored on 8 of them, or the nearest points are the lucky ones.
    summary = calibrate(prepare(target, path, budget=300, replications=8), folder / "out")
    return summary, folder / "out"


def test_calibration_recovers_the_parameters_that_made_the_series(recovered) -> None:
    summary, _ = recovered
    posterior = {row["parameter"]: row for row in summary["posterior"]}
    for name, truth in (
        ("innovations.lov.benefit_sek_per_capita_year", 80.0),
        ("suppliers.entry_rate", 0.12),
    ):
        row = posterior[name]
        # Stated tolerance: the truth lies in the 90 % posterior interval, and the data
        # narrow the prior range (the interval covers less than 70 % of it).
        assert row["q05"] <= truth <= row["q95"], (name, row)
        assert row["share_of_prior_range"] < 0.7, (name, row)
    assert summary["accepted"] >= 10


def accepted_points(folder: Path, summary: dict) -> pd.DataFrame:
    """The accepted points, read from points.csv: the ``accepted`` nearest by distance."""
    points = pd.read_csv(folder / "points.csv")
    return points.nsmallest(summary["accepted"], "distance")


def test_calibration_writes_fit_band_and_identifiability(recovered) -> None:
    summary, folder = recovered
    accepted = accepted_points(folder, summary)
    # Oracle for the band: the 5-95 % quantiles of the accepted points' replications,
    # read from the stored sweep, at the model month of each date (2008-01 is month 1).
    runs = load_results(folder / "sweep")
    runs = runs[runs["point"].isin(accepted["point"]) & (runs["innovation"] == "lov")]
    fit = pd.read_csv(folder / "fit.csv")
    assert len(fit) == 8
    for row in fit.to_dict("records"):
        column = f"{row['measure']}_m{MONTH_OF[row['date']]}"
        values = runs[column]
        assert (row["band_low"], row["band_high"]) == pytest.approx(
            tuple(values.quantile([0.05, 0.95])), rel=1e-12
        ), column
        assert row["median"] == pytest.approx(accepted[column].median(), rel=1e-12)
    assert fit["inside_band"].sum() >= 6  # the model's own series lies in its band
    # Oracle for the trade-off: scipy's Spearman correlation over the accepted points.
    correlations = pd.read_csv(folder / "correlations.csv")
    names = ["innovations.lov.benefit_sek_per_capita_year", "suppliers.entry_rate"]
    rho = stats.spearmanr(accepted[names[0]], accepted[names[1]]).statistic
    assert correlations[["parameter_1", "parameter_2"]].values.tolist() == [names]
    assert correlations["spearman"].iloc[0] == pytest.approx(rho, rel=1e-12)
    assert len(summary["trade_offs"]) == int(abs(rho) >= 0.5)
    curve = pd.read_csv(folder / "curve.csv").set_index(["measure", "month"])
    assert set(curve.index) == {
        (measure, month) for measure in ("running", "decided") for month in range(3, 85, 3)
    }
    assert curve.loc[("running", 36), "date"] == "2010-12"  # month 36 ends December 2010
    assert curve.loc[("decided", 3), "date"] == "2008-03"


def test_out_of_sample_check_predicts_the_later_observations(tmp_path: Path) -> None:
    target, path = load_target(synthetic_target(tmp_path))
    calibration = prepare(target, path, budget=150, replications=6, fit_until="2011-12")
    summary = calibrate(calibration, tmp_path / "out")
    fit = pd.read_csv(tmp_path / "out" / "fit.csv")
    assert fit["used_in_fit"].tolist() == (fit["date"] <= "2011-12").tolist()
    assert fit["used_in_fit"].sum() == 4  # 2010 and 2011, running and decided
    observed = fit.set_index(["measure", "date"])["observed"]
    columns = {key: f"{key[0]}_m{MONTH_OF[key[1]]}" for key in observed.index}
    tolerance = np.maximum(0.1 * observed, 5.0)  # no sd given: 10 %, at least 5
    # Oracle for the distance: only the fitted (earlier) observations enter it.
    points = pd.read_csv(tmp_path / "out" / "points.csv")
    early = [key for key in observed.index if key[1] <= "2011-12"]
    scaled = [(points[columns[key]] - observed[key]) / tolerance[key] for key in early]
    distance = np.sqrt((pd.concat(scaled, axis=1) ** 2).mean(axis=1))
    np.testing.assert_allclose(points["distance"], distance, rtol=1e-12)
    # Oracle for the held-out error: the accepted points' median against each later value.
    accepted = accepted_points(tmp_path / "out", summary)
    later = [key for key in observed.index if key[1] > "2011-12"]
    errors = np.array([accepted[columns[key]].median() - observed[key] for key in later])
    held_out = summary["out_of_sample"]
    assert held_out["n"] == 4
    assert held_out["rmse"] == pytest.approx(np.sqrt(np.mean(errors**2)), rel=1e-12)
    assert held_out["mean_absolute_error"] == pytest.approx(np.abs(errors).mean(), rel=1e-12)
    # And it predicts: scaled by the tolerance, the later observations would be accepted
    # by the same rule the fit uses (distance <= 1).
    later_tolerance = np.array([tolerance[key] for key in later])
    assert np.sqrt(np.mean((errors / later_tolerance) ** 2)) < 1.0


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
    target, _ = load_target(path)
    with pytest.raises(TargetError, match="no parameters to fit"):
        prepare(target, path)
    assert main(["calibrate", str(path), "--params", "decision.hurdle"]) == 2
    assert "innovation 'teleporter' is not in scenario lov" in capsys.readouterr().err
    assert main(["calibrate", "lov", "--params", "decision.hurdle=low:high"]) == 2
    assert "name=low:high with numbers" in capsys.readouterr().err
    assert main(["calibrate", "lov", "--fit-until", "2030-01"]) == 2
    assert "must leave observations both to fit and to predict" in capsys.readouterr().err
    assert main(["calibrate", "lov", "--fit-until", "2011"]) == 2
    assert "a date YYYY-MM" in capsys.readouterr().err
    assert main(["calibrate", "nowhere"]) == 2
    assert "target file not found" in capsys.readouterr().err


def test_a_single_parameter_calibrates(tmp_path: Path) -> None:
    target, path = load_target("lov")
    calibration = prepare(
        target, path, parameters={"decision.hurdle": ParameterRange()}, budget=20, replications=1
    )
    summary = calibrate(calibration, tmp_path)
    assert summary["trade_offs"] == []
    assert [row["parameter"] for row in summary["posterior"]] == ["decision.hurdle"]


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
    assert list(tolerance(target, 100)) == [5.0, 5.0]  # at least 5 municipalities
    assert list(tolerance(target, 1000)) == [5.0, 50.0]  # 10 % of 500
    with pytest.raises(TargetError, match="more than the 40 municipalities"):
        load_target(path, municipalities=40)
