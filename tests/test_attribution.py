"""Which lever did what: each lever alone against the baseline and removed from the
combination, paired by seed; the numbers are those `compare` gives for the same pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.attribution import COLUMNS, METRICS, AttributionError, attribute
from experiments.cli import main
from experiments.compare import effects
from experiments.run import run_scenario
from model.scenario import load_scenario

MONTHS = {"run.months": 120}


def run(scenario):
    return run_scenario(scenario, 3, seed=4, progress=False)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return attribute(
        load_scenario("skr_position").with_overrides(MONTHS),
        load_scenario("baseline").with_overrides(MONTHS),
        run,
    )


def diffs(a, b, metric: str = "adoption_share_10y") -> pd.Series:
    t = effects(a, b)
    return t[t["metric"] == metric].set_index("innovation")["diff"]


def test_attribution_matches_compare_on_the_same_pairs(table: pd.DataFrame) -> None:
    assert tuple(table.columns) == COLUMNS
    assert set(table["metric"]) == set(METRICS)
    levers = ["programme", "trial_legislation", "shared_procurement"]
    assert list(dict.fromkeys(table["lever"])) == [*levers, "combination"]
    skr = load_scenario("skr_position").with_overrides(MONTHS)
    baseline, whole = run(load_scenario("baseline").with_overrides(MONTHS)), run(skr)
    share = table[table["metric"] == "adoption_share_10y"].set_index(["lever", "innovation"])
    np.testing.assert_allclose(
        share.loc["combination", "effect_alone"],
        diffs(baseline, whole).loc[share.loc["combination"].index],
    )
    alone = run(
        skr.with_overrides(
            {"trial_legislation.enabled": False, "shared_procurement.enabled": False}
        )
    )
    removed = run(skr.with_overrides({"programme.enabled": False}))
    programme = share.loc["programme"]
    np.testing.assert_allclose(
        programme["effect_alone"], diffs(baseline, alone).loc[programme.index]
    )
    np.testing.assert_allclose(
        programme["effect_removed"], diffs(removed, whole).loc[programme.index]
    )


def test_interaction_is_removed_minus_alone_and_the_combination_s_rest(table) -> None:
    levers = table[table["lever"] != "combination"]
    np.testing.assert_allclose(
        levers["interaction"], levers["effect_removed"] - levers["effect_alone"]
    )
    keys = ["innovation", "metric"]
    summed = levers.groupby(keys)["effect_alone"].sum()
    combination = table[table["lever"] == "combination"].set_index(keys)
    np.testing.assert_allclose(
        combination["interaction"], combination["effect_alone"] - summed.loc[combination.index]
    )


def test_a_scenario_without_levers_is_refused(tmp_path: Path, capsys) -> None:
    with pytest.raises(AttributionError, match="no lever enabled"):
        attribute(load_scenario("baseline"), load_scenario("baseline"), run)
    assert main(["attribute", "baseline", "-n", "2", "--out", str(tmp_path / "a")]) == 2
    assert "no lever enabled" in capsys.readouterr().err


def test_compare_attribute_writes_the_table_the_report_shows(tmp_path: Path) -> None:
    library = Path(__file__).resolve().parents[1] / "scenarios"
    files = []
    for name in ("baseline", "skr_position"):
        path = tmp_path / f"{name}.toml"
        path.write_text(f'extends = "{library / name}.toml"\n[run]\nmonths = 60\n')
        files.append(str(path))
    out = tmp_path / "out"
    assert main(["compare", *files, "-n", "2", "--attribute", "--out", str(out)]) == 0
    written = pd.read_csv(out / "attribution.csv")
    assert tuple(written.columns) == COLUMNS and len(written) > 0
    assert main(["report", str(out), "--lang", "en"]) == 0
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "id='attribution'" in report and "Which lever did what" in report
    assert "id='programme-calls'" in report  # B runs the programme: its calls are shown
    # The same command again replaces the folder it wrote (as `make run` twice does).
    assert main(["compare", *files, "-n", "2", "--attribute", "--out", str(out)]) == 0
    assert (
        main(
            [
                "compare",
                *files,
                "-n",
                "2",
                "--attribute",
                "--independent",
                "--out",
                str(out),
                "--force",
            ]
        )
        == 2
    )
