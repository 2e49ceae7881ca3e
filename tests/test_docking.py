"""Docking with the Bass model (DESIGN.md section 6)."""

from __future__ import annotations

import numpy as np

from experiments.run import run_scenario
from model.scenario import load_scenario


def bass_recursion(p: float, q: float, months: int) -> np.ndarray:
    """Discrete-time Bass: F(t+1) = F(t) + (p + q F(t)) (1 - F(t)), F(0) = 0; F(1..months)."""
    shares = np.zeros(months + 1)
    for t in range(months):
        shares[t + 1] = shares[t] + (p + q * shares[t]) * (1.0 - shares[t])
    return shares[1:]


def bass_closed_form(p: float, q: float, t: np.ndarray) -> np.ndarray:
    decay = np.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def test_mean_adoption_follows_the_discrete_bass_recursion() -> None:
    scenario = load_scenario("bass_docking")
    p = scenario.innovations[0].external_rate
    q = scenario.awareness.national
    months = scenario.run.months
    results = run_scenario(scenario, replications=150, seed=11, progress=False)
    mean = results.timeseries.groupby("month")["adoption_share"].mean().to_numpy()
    expected = bass_recursion(p, q, months)
    assert np.abs(mean - expected).max() <= 0.02
    # The continuous closed form runs about a period ahead; the recursion is the right yardstick.
    closed = bass_closed_form(p, q, np.arange(1, months + 1))
    assert np.abs(mean - expected).max() < np.abs(mean - closed).max()


def test_docking_fails_for_a_wrong_q() -> None:
    """The docking test has teeth: the same runs do not match a Bass curve with another q."""
    scenario = load_scenario("bass_docking")
    results = run_scenario(scenario, replications=40, seed=12, progress=False)
    mean = results.timeseries.groupby("month")["adoption_share"].mean().to_numpy()
    wrong = bass_recursion(scenario.innovations[0].external_rate, 0.08, scenario.run.months)
    assert np.abs(mean - wrong).max() > 0.05
