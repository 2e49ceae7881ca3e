"""The patterns a run must show (DESIGN.md section 6), measured the same way by the tests,
the validation report and the ODD document: Bass docking, S-shaped adoption, larger
municipalities adopting earlier, and adoption clustering in space."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from experiments.run import RunResults, run_scenario
from model.scenario import load_scenario


def bass_curves(replications: int = 150, seed: int = 11) -> tuple[pd.DataFrame, float, float]:
    """The docking set-up's mean adoption share per month beside the discrete Bass
    recursion F(t+1) = F(t) + (p + q F(t))(1 - F(t)) and the continuous closed form;
    with the scenario's p and q."""
    scenario = load_scenario("bass_docking")
    p, q = scenario.innovations[0].external_rate, scenario.awareness.national
    results = run_scenario(scenario, replications, seed=seed, progress=False, events=False)
    mean = results.timeseries.groupby("month")["adoption_share"].mean().to_numpy()
    months = np.arange(1, scenario.run.months + 1)
    recursion = np.zeros(scenario.run.months + 1)
    for t in range(scenario.run.months):
        recursion[t + 1] = recursion[t] + (p + q * recursion[t]) * (1 - recursion[t])
    decay = np.exp(-(p + q) * months)
    table = pd.DataFrame(
        {
            "month": months,
            "model": mean,
            "recursion": recursion[1:],
            "closed_form": (1 - decay) / (1 + (q / p) * decay),
        }
    )
    return table, p, q


def yearly_increments(results: RunResults, innovation: str) -> np.ndarray:
    """New adopters (ever adopted, share) in each year, mean over replications."""
    series = results.timeseries[results.timeseries["innovation"] == innovation]
    curve = series.groupby("month")["ever_adopted_share"].mean().to_numpy()
    return np.diff(curve[11::12], prepend=0.0)


def is_s_shaped(increments: np.ndarray) -> bool:
    """Slow start, a peak in the middle years, slowing at the end."""
    peak = int(increments.argmax())
    return bool(
        2 <= peak <= len(increments) - 3
        and increments[:2].max() < increments[peak] / 4
        and increments[-1] < increments[peak] / 2
    )


def adoption_months(results: RunResults, innovation: str, months: int) -> pd.DataFrame:
    """Municipalities' first adoption month (``censored_month``: never = months + 1)."""
    table = results.municipalities[results.municipalities["innovation"] == innovation].copy()
    table["month"] = table["adopted_month"].astype("float")
    table["censored_month"] = table["month"].fillna(months + 1)
    return table


def size_correlation(table: pd.DataFrame, municipalities: pd.DataFrame) -> tuple[float, float]:
    """Spearman correlation (and p-value) of population with adoption month."""
    population = table["kommunkod"].map(
        dict(zip(municipalities["kommunkod"], municipalities["population"], strict=True))
    )
    result = spearmanr(population, table["censored_month"])
    return float(result.statistic), float(result.pvalue)


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
