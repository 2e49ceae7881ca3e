"""Paired comparison of two scenarios: effects with 95 % confidence intervals.

Replication i of A and of B run with the same seed (common random numbers), so each
replication gives one paired difference; the interval is a t interval over those
differences. ``independent=True`` gives B other seeds and a Welch interval instead, to
show how much pairing narrows the intervals.

The metrics and how each is computed are declared in ``experiments.metrics``.
effects.csv columns (stable for scripts): innovation (or "all"), metric, mean_a, mean_b,
diff, ci_low, ci_high, n. For ``state_cost_per_adoption_year_msek`` mean_a and mean_b are
each scenario's state spending per adoption-year and diff is the incremental ratio
(extra state spending / extra adoption-years of B over A), with a bootstrap interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from experiments.metrics import EFFECT_METRICS, per_replication
from experiments.run import RunResults


def _interval(diffs: np.ndarray) -> tuple[float, float]:
    n = diffs.size
    if n < 2:
        return np.nan, np.nan
    half = stats.t.ppf(0.975, n - 1) * diffs.std(ddof=1) / np.sqrt(n)
    return diffs.mean() - half, diffs.mean() + half


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    if min(a.size, b.size) < 2:  # fewer than two values on a side: no interval
        return np.nan, np.nan
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = np.sqrt(va + vb)
    if se == 0:
        return b.mean() - a.mean(), b.mean() - a.mean()
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stats.t.ppf(0.975, dof) * se
    return b.mean() - a.mean() - half, b.mean() - a.mean() + half


def effects(a: RunResults, b: RunResults, independent: bool = False) -> pd.DataFrame:
    """The effects table of B against A."""
    table_a, table_b = per_replication(a), per_replication(b)
    rows = []
    innovations = [*dict.fromkeys(a.timeseries["innovation"].astype(str)), "all"]
    for innovation in innovations:
        pa = table_a.xs(innovation, level="innovation")
        pb = table_b.xs(innovation, level="innovation")
        for metric in EFFECT_METRICS:
            n = len(pa)
            if metric.paired is not None:
                mean_a, mean_b, diff, low, high = metric.paired(pa, pb, a.seed)
            else:
                va, vb = pa[metric.name].to_numpy(float), pb[metric.name].to_numpy(float)
                if independent:  # each side's own values (a run that never got there has none)
                    va, vb = va[~np.isnan(va)], vb[~np.isnan(vb)]
                    n = min(va.size, vb.size)
                else:
                    keep = ~np.isnan(va) & ~np.isnan(vb)  # pairs where both have a value
                    va, vb, n = va[keep], vb[keep], int(keep.sum())
                if n == 0:
                    mean_a = mean_b = diff = low = high = np.nan
                else:
                    mean_a, mean_b, diff = va.mean(), vb.mean(), vb.mean() - va.mean()
                    low, high = _welch(va, vb) if independent else _interval(vb - va)
            rows.append(
                {
                    "innovation": innovation,
                    "metric": metric.name,
                    "mean_a": mean_a,
                    "mean_b": mean_b,
                    "diff": diff,
                    "ci_low": low,
                    "ci_high": high,
                    "n": n,
                }
            )
    return pd.DataFrame(rows)


def effects_text(table: pd.DataFrame, name_a: str, name_b: str) -> str:
    """The effects table as aligned text for the terminal."""
    lines = [f"Effect of {name_b} against {name_a} (B - A; 95 % interval; n paired replications)"]
    for innovation, group in table.groupby("innovation", sort=False):
        lines.append(f"  {innovation}")
        for row in group.itertuples():
            lines.append(
                f"    {row.metric:<36} A {row.mean_a:10.3f}  B {row.mean_b:10.3f}  "
                f"diff {row.diff:10.3f}  [{row.ci_low:10.3f}, {row.ci_high:10.3f}]  n {row.n}"
            )
    return "\n".join(lines)
