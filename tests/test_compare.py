"""Paired comparison: the effects table scripts rely on, its intervals checked against
scipy's t tests (an independent oracle), and months_to_50pct on a hand-computed case."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.cli import main
from experiments.compare import _interval, effects
from experiments.metrics import EFFECT_METRICS, per_replication
from experiments.run import RunResults, run_scenario
from model.outputs import read_tables
from model.scenario import Scenario, load_scenario


def read_run(folder: Path) -> RunResults:
    """A run as `spridning compare` wrote it (a/ or b/), read back from its files."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return RunResults(
        scenario=Scenario.model_validate(manifest["scenario"]),
        seed=manifest["seed"],
        seeds=manifest["replication_seeds"],
        tables=read_tables(folder),
    )


def share_at(timeseries: pd.DataFrame, month: int) -> pd.DataFrame:
    """Adoption share in ``month``: one row per replication, one column per innovation and
    "all" (the mean over innovations), read straight from the timeseries table."""
    rows = timeseries[timeseries["month"] == month]
    wide = rows.pivot(index="replication", columns="innovation", values="adoption_share")
    wide.columns = wide.columns.astype(str)
    return wide.assign(all=wide.mean(axis=1))


def value_created(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Value created over the run (MSEK): replication x innovation, and "all" (the sum)."""
    table = timeseries.assign(innovation=timeseries["innovation"].astype(str))
    wide = table.pivot_table(
        index="replication", columns="innovation", values="value_msek", aggfunc="sum"
    )
    return wide.assign(all=wide.sum(axis=1))


def test_compare_writes_a_stable_effects_table(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "programme_short.toml"
    library = Path(__file__).resolve().parents[1] / "scenarios"
    scenario.write_text(
        f'extends = "{library / "programme.toml"}"\nname = "p"\n[run]\nmonths = 120\n'
    )
    base = tmp_path / "base_short.toml"
    base.write_text(f'extends = "{library / "baseline.toml"}"\nname = "b"\n[run]\nmonths = 120\n')
    out = tmp_path / "out"
    assert main(["compare", str(base), str(scenario), "-n", "6", "--out", str(out)]) == 0
    table = pd.read_csv(out / "effects.csv")
    assert list(table.columns) == [
        "innovation",
        "metric",
        "mean_a",
        "mean_b",
        "diff",
        "ci_low",
        "ci_high",
        "n",
        "uncertainty",
        "total_ci_low",
        "total_ci_high",
        "share_positive",
        "sd_parameter",
        "sd_stochastic",
    ]
    assert (table["uncertainty"] == "stochastic only").all()
    assert list(dict.fromkeys(table["metric"])) == [m.name for m in EFFECT_METRICS]
    assert "all" in set(table["innovation"])
    paired_on_every_run = table["metric"] != "months_to_50pct_if_reached"
    assert (table.loc[paired_on_every_run, "n"] == 6).all()
    assert (table.loc[~paired_on_every_run, "n"] <= 6).all()
    # Oracle: the per-replication values read from the written runs, and scipy's paired t
    # test on them. Replication i of A and B share a seed, so the pairs line up by number.
    a_runs, b_runs = (pd.read_parquet(out / x / "timeseries.parquet") for x in ("a", "b"))
    checked = 0
    for metric, a_values, b_values in (
        ("adoption_share_10y", share_at(a_runs, 120), share_at(b_runs, 120)),
        ("value_created_msek", value_created(a_runs), value_created(b_runs)),
    ):
        rows = table[table["metric"] == metric].set_index("innovation")
        for innovation in a_values.columns:
            va, vb = a_values[innovation].to_numpy(), b_values[innovation].to_numpy()
            row = rows.loc[innovation]
            assert row["mean_a"] == pytest.approx(va.mean(), rel=1e-12, abs=1e-12)
            assert row["mean_b"] == pytest.approx(vb.mean(), rel=1e-12, abs=1e-12)
            assert row["diff"] == pytest.approx((vb - va).mean(), rel=1e-12, abs=1e-12)
            if np.ptp(vb - va) == 0:  # every pair differs by the same: a point interval
                assert row["ci_low"] == row["ci_high"] == pytest.approx(row["diff"])
                continue
            low, high = stats.ttest_rel(vb, va).confidence_interval(0.95)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)
            checked += 1
    assert checked >= 6  # the programme moves several innovations, so the intervals are real
    overall = table[table["innovation"] == "all"].set_index("metric")
    assert overall.loc["state_spending_msek", "mean_a"] == 0.0
    assert overall.loc["state_spending_msek", "mean_b"] > 500  # 5 years of 200 MSEK, some unspent
    assert overall.loc["adoption_share_10y", "ci_low"] > 0  # the programme raises adoption
    assert "Effect of p against b" in capsys.readouterr().out

    # The Welch interval (independent=True) on the same runs: scipy's unequal-variance t test.
    welch = effects(read_run(out / "a"), read_run(out / "b"), independent=True)
    welch = welch[welch["metric"] == "adoption_share_10y"].set_index("innovation")
    a_share, b_share = share_at(a_runs, 120), share_at(b_runs, 120)
    for innovation in ("digital_night_supervision", "all"):
        va, vb = a_share[innovation].to_numpy(), b_share[innovation].to_numpy()
        low, high = stats.ttest_ind(vb, va, equal_var=False).confidence_interval(0.95)
        row = welch.loc[innovation]
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)


# --- hand-made runs whose right answers are known -----------------------------------------


def hand_made_run(shares: np.ndarray, value: np.ndarray, seed: int = 1) -> RunResults:
    """A RunResults with only what ``per_replication`` reads.

    ``shares``: (replications, months, innovations) adoption share per month; ``value``:
    (replications, innovations) value created, booked in month 1.
    """
    replications, months, n_innovations = shares.shape
    names = [f"i{k}" for k in range(n_innovations)]
    r, m, i = np.meshgrid(
        np.arange(replications), np.arange(1, months + 1), np.arange(n_innovations), indexing="ij"
    )
    booked = np.zeros(shares.shape)
    booked[:, 0, :] = value
    timeseries = pd.DataFrame(
        {
            "replication": r.ravel(),
            "month": m.ravel(),
            "innovation": pd.Categorical.from_codes(i.ravel(), categories=names),
            "adoption_share": shares.ravel(),
            "adopted": np.rint(shares.ravel() * 290).astype(int),
            "value_msek": booked.ravel(),
            "state_spending_msek": 0.0,
            "municipal_spending_msek": 0.0,
            "risk_refunds_msek": 0.0,
        }
    )
    last = timeseries[timeseries["month"] == months]
    groups = pd.concat(
        [
            last[["replication", "month", "innovation", "adoption_share"]].assign(
                group_type="size_class", group=group
            )
            for group in ("<10k", ">=100k")
        ],
        ignore_index=True,
    )
    state_money = pd.DataFrame(
        {
            "replication": np.repeat(np.arange(replications), months),
            "month": np.tile(np.arange(1, months + 1), replications),
            "granted_msek": 0.0,
            "administered_msek": 0.0,
            "risk_refunds_msek": 0.0,
        }
    )
    return RunResults(
        scenario=None,  # type: ignore[arg-type]  # not read by per_replication or effects
        seed=seed,
        seeds=list(range(replications)),
        tables={
            "timeseries": timeseries,
            "municipalities": pd.DataFrame(),
            "groups": groups,
            "state_money": state_money,
            "money_received": pd.DataFrame(),
        },
    )


def test_reaching_50pct_on_a_hand_computed_case() -> None:
    """First month with adoption_share >= 0.5 per replication; a run that never got there
    has no month (NaN), and is counted by ``reached_50pct_share`` instead of as a number
    of months. "all": the share reached is the mean over innovations; a time over
    innovations is not defined (NaN)."""
    i0 = [
        [0.1, 0.3, 0.5, 0.6, 0.4, 0.7],  # exactly 0.5 in month 3 (then dips and recovers)
        [0.0, 0.2, 0.49, 0.51, 0.6, 0.6],  # month 4
        [0.1, 0.2, 0.3, 0.4, 0.45, 0.49],  # never
    ]
    i1 = [
        [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],  # month 1
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.9],  # the last month: 6
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # never
    ]
    shares = np.stack([np.array(i0), np.array(i1)], axis=2)
    table = per_replication(hand_made_run(shares, np.zeros((3, 2))))
    months = table["months_to_50pct_if_reached"].unstack("innovation")
    expected = pd.DataFrame(
        {"all": [np.nan] * 3, "i0": [3.0, 4.0, np.nan], "i1": [1.0, 6.0, np.nan]},
        index=pd.Index([0, 1, 2], name="replication"),
    )
    pd.testing.assert_frame_equal(months[expected.columns], expected, check_names=False)
    reached = table["reached_50pct_share"].unstack("innovation")
    expected = pd.DataFrame(
        {"all": [1.0, 1.0, 0.0], "i0": [1.0, 1.0, 0.0], "i1": [1.0, 1.0, 0.0]},
        index=pd.Index([0, 1, 2], name="replication"),
    )
    pd.testing.assert_frame_equal(reached[expected.columns], expected, check_names=False)
    # With months shorter than 5 years, the 5- and 10-year shares are the last month's.
    assert table.loc[(0, "i0"), "adoption_share_5y"] == 0.7
    assert table.loc[(1, "i1"), "adoption_share_10y"] == 0.9


def test_times_to_50pct_are_compared_only_over_pairs_that_both_got_there() -> None:
    """A pair where either scenario never reached half is left out of the time's effect
    (n says how many remain) but counts in the share that reached it."""
    never, early, late = [0.0, 0.0, 0.0, 0.0], [0.1, 0.6, 0.6, 0.6], [0.1, 0.2, 0.3, 0.6]
    a = np.array([[never], [late], [late]]).transpose(0, 2, 1)  # (replications, months, 1)
    b = np.array([[early], [early], [never]]).transpose(0, 2, 1)
    table = effects(
        hand_made_run(a, np.zeros((3, 1)), seed=3), hand_made_run(b, np.zeros((3, 1)), seed=3)
    ).set_index(["innovation", "metric"])
    months = table.loc[("i0", "months_to_50pct_if_reached")]
    assert months["n"] == 1 and months["diff"] == 2.0 - 4.0
    reached = table.loc[("i0", "reached_50pct_share")]
    assert reached["n"] == 3 and reached["diff"] == pytest.approx(2 / 3 - 2 / 3)


@pytest.mark.parametrize("independent", [False, True])
def test_intervals_match_scipy_on_hand_made_pairs(independent: bool) -> None:
    """Paired: scipy.stats.ttest_rel(b, a); independent: Welch's ttest_ind(b, a)."""
    rng = np.random.default_rng(4)
    replications, months = 7, 3
    shares = rng.uniform(0, 1, (replications, months, 2))
    value_a = rng.normal(10, 2, (replications, 2))
    value_b = value_a + rng.normal([1.0, -0.5], [0.5, 3.0], (replications, 2))  # correlated
    a = hand_made_run(shares, value_a, seed=3)
    b = hand_made_run(shares[::-1] * 0.9, value_b, seed=3)
    table = effects(a, b, independent=independent).set_index(["innovation", "metric"])
    cases = [
        ("i0", "value_created_msek", value_a[:, 0], value_b[:, 0]),
        ("i1", "value_created_msek", value_a[:, 1], value_b[:, 1]),
        ("all", "value_created_msek", value_a.sum(axis=1), value_b.sum(axis=1)),
        ("i1", "adoption_share_10y", shares[:, -1, 1], 0.9 * shares[::-1, -1, 1]),
    ]
    for innovation, metric, va, vb in cases:
        row = table.loc[(innovation, metric)]
        oracle = (
            stats.ttest_ind(vb, va, equal_var=False) if independent else stats.ttest_rel(vb, va)
        )
        low, high = oracle.confidence_interval(0.95)
        assert row["diff"] == pytest.approx(vb.mean() - va.mean(), rel=1e-12)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-12), (
            innovation,
            metric,
        )
        assert row["n"] == replications


# --- slow study: does the paired interval cover the effect as often as it says? ----------

COVERAGE_SERIES = [
    (innovation, metric)
    for innovation in (
        "all",
        "digital_night_supervision",
        "person_centred_method",
        "e_service",
        "vr_training_tool",
    )
    for metric in (
        "adoption_share_5y",
        "adoption_share_10y",
        "value_created_msek",
        "municipal_spending_msek",
        "size_gap_10y",
    )
]


@pytest.mark.slow
def test_paired_interval_covers_the_effect_95_percent_of_the_time() -> None:
    """400 comparisons of 5 paired replications each (programme against baseline, 10
    years): the 95 % interval of each must cover the effect (the mean over all 2000
    pairs) about 95 % of the time, per metric and pooled. Too slow for `make test`
    (about 2 minutes); run with `pytest -m slow`.

    months_to_50pct is left out: it is censored at months + 1, and with 5 replications
    its interval covers far less than 95 % (about 70 % for digital_night_supervision).
    """
    n, blocks, per_block = 5, 10, 200
    diffs: dict[tuple[str, str], list[np.ndarray]] = {key: [] for key in COVERAGE_SERIES}
    scenarios = [
        load_scenario(name).with_overrides({"run.months": 120})
        for name in ("baseline", "programme")
    ]
    for block in range(blocks):  # in blocks, so the groups tables stay small
        a, b = (
            per_replication(run_scenario(s, per_block, seed=100 + block, progress=False))
            for s in scenarios
        )
        for innovation, metric in COVERAGE_SERIES:
            va = a.xs(innovation, level="innovation")[metric].to_numpy()
            vb = b.xs(innovation, level="innovation")[metric].to_numpy()
            diffs[(innovation, metric)].append(vb - va)
    coverage = {}
    for key, parts in diffs.items():
        pairs = np.concatenate(parts)
        effect = pairs.mean()
        intervals = [_interval(chunk) for chunk in pairs.reshape(-1, n)]
        coverage[key] = np.mean([low <= effect <= high for low, high in intervals])
    pooled = np.mean(list(coverage.values()))
    report = {f"{i}/{m}": round(c, 3) for (i, m), c in coverage.items()}
    # With 400 intervals a series' coverage has a standard error of about 0.011. Measured
    # (seeds 100-109): pooled 0.94, lowest series 0.91; with the 0.95 t quantile instead
    # of 0.975: pooled 0.89.
    assert 0.925 <= pooled <= 0.97, (pooled, report)
    assert min(coverage.values()) >= 0.88, report
