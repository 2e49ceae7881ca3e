"""Patterns the default model must reproduce (DESIGN.md section 6), and that switching a
mechanism off removes its signature."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.patterns import (
    adoption_months,
    is_s_shaped,
    neighbour_vs_random_gap,
    size_correlation,
    yearly_increments,
)
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


@pytest.mark.parametrize("innovation", ["person_centred_method", "e_service"])
def test_cumulative_adoption_is_s_shaped(baseline_runs: RunResults, innovation: str) -> None:
    increments = yearly_increments(baseline_runs, innovation)
    assert is_s_shaped(increments), increments


@pytest.mark.parametrize("innovation", ["digital_night_supervision", "e_service"])
def test_larger_municipalities_adopt_earlier(
    baseline_runs: RunResults, baseline: Scenario, municipalities: pd.DataFrame, innovation: str
) -> None:
    table = adoption_months(baseline_runs, innovation, baseline.run.months)
    rho, p_value = size_correlation(table, municipalities)
    assert rho < -0.1 and p_value < 0.001


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
    assert abs(size_correlation(table, municipalities)[0]) < 0.08


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
