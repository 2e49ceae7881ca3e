"""Running scenarios: determinism, the output contract, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.cli import main
from experiments.run import process_pool, run_scenario
from model.scenario import Scenario
from model.stages import STAGE_NAMES


@pytest.fixture(scope="module")
def short(baseline: Scenario) -> Scenario:
    return baseline.with_overrides({"run.months": 60})


def test_same_seed_same_tables_different_seed_different(short: Scenario) -> None:
    first = run_scenario(short, 2, seed=4, progress=False)
    again = run_scenario(short, 2, seed=4, progress=False)
    other = run_scenario(short, 2, seed=5, progress=False)
    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    pd.testing.assert_frame_equal(first.municipalities, again.municipalities)
    assert first.seeds == again.seeds != other.seeds
    assert not first.timeseries.equals(other.timeseries)


def test_results_do_not_depend_on_the_executor(short: Scenario) -> None:
    serial = run_scenario(short, 3, seed=8, progress=False)
    with process_pool(2) as pool:
        parallel = run_scenario(short, 3, seed=8, executor=pool, progress=False)
    pd.testing.assert_frame_equal(serial.timeseries, parallel.timeseries)
    pd.testing.assert_frame_equal(serial.municipalities, parallel.municipalities)


def test_a_replication_does_not_depend_on_its_batch(short: Scenario) -> None:
    """Replications run side by side in one model give what they give alone, to the bit."""
    alone = run_scenario(short, 5, seed=6, batch_size=1, progress=False)
    batched = run_scenario(short, 5, seed=6, batch_size=3, progress=False)
    pd.testing.assert_frame_equal(alone.timeseries, batched.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(alone.municipalities, batched.municipalities)
    pd.testing.assert_frame_equal(alone.groups, batched.groups, check_exact=True)


def test_group_shares_agree_with_municipality_outcomes(short: Scenario, municipalities) -> None:
    results = run_scenario(short, 2, seed=3, progress=False)
    final = results.municipalities[results.municipalities["final_stage"] == "adopted"]
    county = final.merge(municipalities[["kommunkod", "county_code"]], on="kommunkod")
    adopted = county.groupby(["replication", "innovation", "county_code"], observed=True).size()
    size = municipalities.groupby("county_code").size()
    groups = results.groups
    last = groups[(groups["month"] == 60) & (groups["group_type"] == "county")]
    for row in last.itertuples():
        expected = adopted.get((row.replication, row.innovation, row.group), 0) / size[row.group]
        assert row.adoption_share == expected


def test_output_contract(short: Scenario) -> None:
    results = run_scenario(short, 2, seed=1, progress=False)
    ts = results.timeseries
    for column in (
        "replication",
        "month",
        "innovation",
        "adoption_share",
        *STAGE_NAMES,
        "value_msek",
        "municipal_spending_msek",
        "state_spending_msek",
        "suppliers_active",
        "mean_price",
    ):
        assert column in ts.columns, column
    assert len(ts) == 2 * 60 * len(short.innovations)
    assert (ts[list(STAGE_NAMES)].sum(axis=1) == 290).all()
    assert ts["adoption_share"].equals(ts["adopted"] / 290)
    municipalities = results.municipalities
    assert list(municipalities.columns) == [
        "replication",
        "innovation",
        "kommunkod",
        "adopted_month",
        "final_stage",
        "relevant",
        "trial_month",
        "scaleup_month",
        "coverage_end",
        "stopped_month",
    ]
    assert len(municipalities) == 2 * 290 * len(short.innovations)
    # only relevant municipalities trial; coverage only where adopted; a stop has a month
    assert municipalities.loc[~municipalities["relevant"], "trial_month"].isna().all()
    adopted = municipalities["final_stage"] == "adopted"
    assert (municipalities.loc[~adopted, "coverage_end"] == 0).all()
    assert municipalities.loc[adopted, "coverage_end"].between(0, 1, inclusive="right").all()
    stopped = municipalities["final_stage"] == "discontinued"
    assert municipalities.loc[stopped, "stopped_month"].notna().all()
    for column in ("mean_coverage", "coverage_weighted_share", "scaled_up", "stopped"):
        assert column in ts.columns, column
    assert (ts["coverage_weighted_share"] <= ts["adoption_share"] + 1e-12).all()
    last = ts[ts["month"] == 60].set_index(["replication", "innovation"])["adopted"]
    counted = (
        municipalities[municipalities["final_stage"] == "adopted"]
        .groupby(["replication", "innovation"])
        .size()
    )
    assert counted.reindex(last.index, fill_value=0).equals(last)


def test_cli_run_writes_identical_files_for_the_same_seed(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "short.toml"
    scenario.write_text(
        'extends = "'
        + str(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml")
        + '"\n'
        'name = "short"\n[run]\nmonths = 36\n',
        encoding="utf-8",
    )
    for out in ("a", "b"):
        assert (
            main(["run", str(scenario), "-n", "2", "--seed", "9", "--out", str(tmp_path / out)])
            == 0
        )
    printed = capsys.readouterr().out
    assert "Months to 10 / 50 / 90 %" in printed and "digital_night_supervision" in printed
    for name in ("timeseries.parquet", "municipalities.parquet", "groups.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["seed"] == 9 and len(manifest["replication_seeds"]) == 2
    assert manifest["scenario"]["run"]["months"] == 36
    assert manifest["package_versions"]["mesa"] == "3.5.1"
    assert set(manifest["run_times"]) == {"started", "finished", "seconds_per_batch"}
    assert not list((tmp_path / "a").glob(".*tmp*"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["run", "baseline", "-n", "0"], "must be at least 1"),
        (["run", "baseline", "--seed", "x"], "must be a whole number"),
        (["compare", "baseline", "programme", "-n", "0"], "must be at least 1"),
        (["compare", "baseline", "programme", "--seed", "-1"], "must be at least 0"),
    ],
)
def test_cli_rejects_bad_options(arguments: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit):
        main(arguments)
    assert message in capsys.readouterr().err


def test_cli_params_lists_every_parameter_with_unit_and_source(capsys) -> None:
    from model.params import PARAMETERS

    assert main(["params"]) == 0
    out = capsys.readouterr().out
    for parameter in PARAMETERS:
        assert f"{parameter.name}  [{parameter.unit}]" in out
    assert out.count("source: ") == len(PARAMETERS)
