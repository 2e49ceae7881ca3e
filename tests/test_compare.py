"""Paired comparison: the effects table scripts rely on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.cli import main
from experiments.metrics import EFFECT_METRICS


def test_compare_writes_a_stable_effects_table(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "programme_short.toml"
    library = Path(__file__).resolve().parents[1] / "scenarios"
    scenario.write_text(
        f'extends = "{library / "programme.toml"}"\nname = "p"\n[run]\nmonths = 120\n'
    )
    base = tmp_path / "base_short.toml"
    base.write_text(f'extends = "{library / "baseline.toml"}"\nname = "b"\n[run]\nmonths = 120\n')
    assert (
        main(["compare", str(base), str(scenario), "-n", "6", "--out", str(tmp_path / "out")]) == 0
    )
    table = pd.read_csv(tmp_path / "out" / "effects.csv")
    assert list(table.columns) == [
        "innovation",
        "metric",
        "mean_a",
        "mean_b",
        "diff",
        "ci_low",
        "ci_high",
        "n",
    ]
    assert list(dict.fromkeys(table["metric"])) == [m.name for m in EFFECT_METRICS]
    assert "all" in set(table["innovation"]) and (table["n"] == 6).all()
    plain = table[table["metric"] != "state_cost_per_adoption_year_msek"].dropna()
    assert ((plain["ci_low"] <= plain["diff"]) & (plain["diff"] <= plain["ci_high"])).all()
    assert (plain["diff"] - (plain["mean_b"] - plain["mean_a"])).abs().max() < 1e-9
    overall = table[table["innovation"] == "all"].set_index("metric")
    assert overall.loc["state_spending_msek", "mean_a"] == 0.0
    assert overall.loc["state_spending_msek", "mean_b"] > 500  # 5 years of 200 MSEK, some unspent
    assert overall.loc["adoption_share_10y", "ci_low"] > 0  # the programme raises adoption
    assert (tmp_path / "out" / "a" / "timeseries.parquet").exists()
    assert "Effect of p against b" in capsys.readouterr().out
