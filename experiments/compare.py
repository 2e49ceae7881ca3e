"""Paired comparison of two scenarios: effects with 95 % confidence intervals.

Replication i of A and of B run with the same seed (common random numbers), so each
replication gives one paired difference; the interval is a t interval over those
differences. ``independent=True`` gives B other seeds and a Welch interval instead, to
show how much pairing narrows the intervals.

effects.csv columns (stable for scripts): innovation (or "all"), metric, mean_a, mean_b,
diff, ci_low, ci_high, n. For ``state_cost_per_adoption_year_msek`` mean_a and mean_b are
each scenario's state spending per adoption-year and diff is the incremental ratio
(extra state spending / extra adoption-years of B over A), with a bootstrap interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from experiments.run import RunResults

METRICS = (
    "adoption_share_5y",
    "adoption_share_10y",
    "months_to_50pct",
    "value_created_msek",
    "state_spending_msek",
    "municipal_spending_msek",
    "state_cost_per_adoption_year_msek",
    "size_gap_10y",
)


def per_replication(results: RunResults) -> pd.DataFrame:
    """Metrics per replication and innovation (plus "all"): rows (replication, innovation)."""
    ts = results.timeseries.copy()
    ts["innovation"] = ts["innovation"].astype(str)
    months = int(ts["month"].max())
    keys = ["replication", "innovation"]

    def at(month: int) -> pd.Series:
        return ts[ts["month"] == min(month, months)].set_index(keys)["adoption_share"]

    reached = ts[ts["adoption_share"] >= 0.5].groupby(keys)["month"].min()
    grouped = ts.groupby(keys)
    table = pd.DataFrame(
        {
            "adoption_share_5y": at(60),
            "adoption_share_10y": at(120),
            "months_to_50pct": reached.reindex(at(months).index).fillna(months + 1),
            "value_created_msek": grouped["value_msek"].sum(),
            "state_spending_msek": grouped["state_spending_msek"].sum(),
            "municipal_spending_msek": grouped["municipal_spending_msek"].sum()
            - grouped["risk_refunds_msek"].sum(),
            "adoption_years": grouped["adopted"].sum() / 12.0,
        }
    )
    groups = results.groups
    sizes = groups[
        (groups["group_type"] == "size_class") & (groups["month"] == min(120, months))
    ].copy()
    sizes["innovation"] = sizes["innovation"].astype(str)
    sizes["group"] = sizes["group"].astype(str)
    wide = sizes.pivot_table(index=keys, columns="group", values="adoption_share", observed=True)
    table["size_gap_10y"] = wide[">=100k"] - wide["<10k"]

    overall = table.groupby("replication").agg(
        {
            "adoption_share_5y": "mean",
            "adoption_share_10y": "mean",
            "months_to_50pct": "mean",
            "value_created_msek": "sum",
            "municipal_spending_msek": "sum",
            "adoption_years": "sum",
            "size_gap_10y": "mean",
        }
    )
    money = results.state_money.groupby("replication")
    overall["state_spending_msek"] = (
        money["granted_msek"].sum()
        + money["administered_msek"].sum()
        + money["risk_refunds_msek"].sum()
    )
    overall["innovation"] = "all"
    overall = overall.reset_index().set_index(keys)
    return pd.concat([table, overall]).sort_index()


def _interval(diffs: np.ndarray) -> tuple[float, float]:
    n = diffs.size
    if n < 2:
        return np.nan, np.nan
    half = stats.t.ppf(0.975, n - 1) * diffs.std(ddof=1) / np.sqrt(n)
    return diffs.mean() - half, diffs.mean() + half


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = np.sqrt(va + vb)
    if se == 0:
        return b.mean() - a.mean(), b.mean() - a.mean()
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stats.t.ppf(0.975, dof) * se
    return b.mean() - a.mean() - half, b.mean() - a.mean() + half


def _incremental_ratio(
    a: pd.DataFrame, b: pd.DataFrame, seed: int
) -> tuple[float, float, float, float, float]:
    """State cost per adoption-year in A and B, and the incremental ratio with a bootstrap CI."""
    sa, sb = a["state_spending_msek"].to_numpy(), b["state_spending_msek"].to_numpy()
    ya, yb = a["adoption_years"].to_numpy(), b["adoption_years"].to_numpy()
    ratio_a = sa.sum() / ya.sum() if ya.sum() else np.nan
    ratio_b = sb.sum() / yb.sum() if yb.sum() else np.nan
    extra_years = (yb - ya).mean()
    diff = (sb - sa).mean() / extra_years if extra_years > 0 else np.nan
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(2000):
        pick = rng.integers(0, sa.size, sa.size)
        years = (yb[pick] - ya[pick]).mean()
        if years > 0:
            draws.append((sb[pick] - sa[pick]).mean() / years)
    low, high = (
        np.percentile(draws, [2.5, 97.5])
        if len(draws) > 100 and np.isfinite(diff)
        else (np.nan, np.nan)
    )
    return ratio_a, ratio_b, diff, low, high


def effects(a: RunResults, b: RunResults, independent: bool = False) -> pd.DataFrame:
    """The effects table of B against A."""
    table_a, table_b = per_replication(a), per_replication(b)
    rows = []
    innovations = [*dict.fromkeys(a.timeseries["innovation"].astype(str)), "all"]
    for innovation in innovations:
        pa = table_a.xs(innovation, level="innovation")
        pb = table_b.xs(innovation, level="innovation")
        for metric in METRICS:
            if metric == "state_cost_per_adoption_year_msek":
                mean_a, mean_b, diff, low, high = _incremental_ratio(pa, pb, seed=a.seed)
            else:
                va, vb = pa[metric].to_numpy(float), pb[metric].to_numpy(float)
                keep = ~np.isnan(va) & ~np.isnan(vb)
                va, vb = va[keep], vb[keep]
                mean_a, mean_b, diff = va.mean(), vb.mean(), (vb - va).mean()
                low, high = _welch(va, vb) if independent else _interval(vb - va)
            rows.append(
                {
                    "innovation": innovation,
                    "metric": metric,
                    "mean_a": mean_a,
                    "mean_b": mean_b,
                    "diff": diff,
                    "ci_low": low,
                    "ci_high": high,
                    "n": len(pa),
                }
            )
    return pd.DataFrame(rows)


def effects_text(table: pd.DataFrame, name_a: str, name_b: str) -> str:
    lines = [f"Effect of {name_b} against {name_a} (B - A; 95 % interval; n paired replications)"]
    for innovation, group in table.groupby("innovation", sort=False):
        lines.append(f"  {innovation}")
        for row in group.itertuples():
            lines.append(
                f"    {row.metric:<36} A {row.mean_a:10.3f}  B {row.mean_b:10.3f}  "
                f"diff {row.diff:10.3f}  [{row.ci_low:10.3f}, {row.ci_high:10.3f}]  n {row.n}"
            )
    return "\n".join(lines)
