"""Patterns the default model must reproduce (DESIGN.md section 6), and that switching a
mechanism off removes its signature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from experiments.run import RunResults, run_scenario
from model.scenario import Scenario

REPLICATIONS = 6
SPATIAL_OFF = {
    "mechanisms.peer_neighbours": False,
    "mechanisms.peer_county": False,
    "mechanisms.peer_fou": False,
    "learning.neighbours": 0.0,
    "learning.county": 0.0,
    "learning.fou": 0.0,
}


@pytest.fixture(scope="module")
def baseline_runs(baseline: Scenario) -> RunResults:
    return run_scenario(baseline, REPLICATIONS, seed=5, progress=False)


def yearly_increments(results: RunResults, innovation: str) -> np.ndarray:
    series = results.timeseries[results.timeseries["innovation"] == innovation]
    curve = series.groupby("month")["ever_adopted_share"].mean().to_numpy()
    return np.diff(curve[11::12], prepend=0.0)


def adoption_months(results: RunResults, innovation: str, months: int) -> pd.DataFrame:
    table = results.municipalities[results.municipalities["innovation"] == innovation].copy()
    table["month"] = table["adopted_month"].astype("float")
    table["censored_month"] = table["month"].fillna(months + 1)
    return table


def neighbour_vs_random_gap(table: pd.DataFrame, neighbours: pd.DataFrame) -> tuple[float, float]:
    """Mean |difference in adoption month| over neighbour pairs and over random pairs."""
    neighbour, random_pairs = [], []
    rng = np.random.default_rng(0)
    for _, replication in table.groupby("replication"):
        month = dict(zip(replication["kommunkod"], replication["month"], strict=True))
        a = np.array([month[c] for c in neighbours["code_a"]])
        b = np.array([month[c] for c in neighbours["code_b"]])
        neighbour.append(np.abs(a - b)[~np.isnan(a) & ~np.isnan(b)])
        values = replication["month"].to_numpy()
        i, j = rng.integers(0, values.size, (2, 20_000))
        keep = (i != j) & ~np.isnan(values[i]) & ~np.isnan(values[j])
        random_pairs.append(np.abs(values[i] - values[j])[keep])
    return float(np.concatenate(neighbour).mean()), float(np.concatenate(random_pairs).mean())


@pytest.mark.parametrize("innovation", ["person_centred_method", "e_service"])
def test_cumulative_adoption_is_s_shaped(baseline_runs: RunResults, innovation: str) -> None:
    increments = yearly_increments(baseline_runs, innovation)
    peak = int(increments.argmax())
    assert 2 <= peak <= len(increments) - 3, increments
    assert increments[:2].max() < increments[peak] / 4
    assert increments[-1] < increments[peak] / 2


@pytest.mark.parametrize("innovation", ["digital_night_supervision", "e_service"])
def test_larger_municipalities_adopt_earlier(
    baseline_runs: RunResults, baseline: Scenario, municipalities: pd.DataFrame, innovation: str
) -> None:
    table = adoption_months(baseline_runs, innovation, baseline.run.months)
    population = table["kommunkod"].map(
        dict(zip(municipalities["kommunkod"], municipalities["population"], strict=True))
    )
    result = spearmanr(population, table["censored_month"])
    assert result.statistic < -0.1 and result.pvalue < 0.001


def test_size_effect_vanishes_with_identical_municipalities(
    baseline: Scenario, municipalities: pd.DataFrame
) -> None:
    size_blind = {
        "municipalities.size_gradient": 0.0,
        "municipalities.budget_sek_per_capita": 0.0,
        "municipalities.budget_base_msek": 1.5,
        "municipalities.large_extra_slots": 0,
    }
    flat = baseline.with_overrides(
        size_blind
        | {f"innovations.{k}.compatibility": [1.0] * 5 for k in range(len(baseline.innovations))}
    )
    results = run_scenario(flat, REPLICATIONS, seed=5, progress=False)
    table = adoption_months(results, "e_service", flat.run.months)
    population = table["kommunkod"].map(
        dict(zip(municipalities["kommunkod"], municipalities["population"], strict=True))
    )
    assert abs(spearmanr(population, table["censored_month"]).statistic) < 0.08


def test_adoption_clusters_in_space(
    baseline_runs: RunResults, baseline: Scenario, neighbours
) -> None:
    for innovation in ("digital_night_supervision", "person_centred_method", "e_service"):
        table = adoption_months(baseline_runs, innovation, baseline.run.months)
        neighbour_gap, random_gap = neighbour_vs_random_gap(table, neighbours)
        assert neighbour_gap < 0.95 * random_gap, (innovation, neighbour_gap, random_gap)


def test_clustering_vanishes_without_spatial_channels(baseline: Scenario, neighbours) -> None:
    results = run_scenario(
        baseline.with_overrides(SPATIAL_OFF), REPLICATIONS, seed=5, progress=False
    )
    table = adoption_months(results, "person_centred_method", baseline.run.months)
    neighbour_gap, random_gap = neighbour_vs_random_gap(table, neighbours)
    assert abs(neighbour_gap - random_gap) < 0.06 * random_gap, (neighbour_gap, random_gap)


def test_peer_channels_drive_product_diffusion(
    baseline_runs: RunResults, baseline: Scenario
) -> None:
    """Without peer awareness and learning, products barely spread: the channels matter."""
    isolated = run_scenario(
        baseline.with_overrides(
            SPATIAL_OFF | {"mechanisms.peer_size_class": False, "learning.size_class": 0.0}
        ),
        REPLICATIONS,
        seed=5,
        progress=False,
    )

    def final(results: RunResults) -> float:
        ts = results.timeseries
        last = ts[(ts["month"] == ts["month"].max()) & (ts["innovation"] == "e_service")]
        return float(last["adoption_share"].mean())

    assert final(isolated) < 0.5 * final(baseline_runs)


def test_learning_makes_later_adoption_easier(
    baseline_runs: RunResults, baseline: Scenario
) -> None:
    without = run_scenario(
        baseline.with_overrides({"mechanisms.learning": False}),
        REPLICATIONS,
        seed=5,
        progress=False,
    )

    def share_10y(results: RunResults) -> float:
        ts = results.timeseries
        return float(ts[ts["month"] == 120]["adoption_share"].mean())

    assert share_10y(without) < 0.7 * share_10y(baseline_runs)
