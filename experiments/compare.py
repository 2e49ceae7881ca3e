"""Paired comparison of two scenarios: effects with 95 % confidence intervals.

Replication i of A and of B run with the same seed (common random numbers), so each
replication gives one paired difference; the interval is a t interval over those
differences. ``independent=True`` gives B other seeds and a Welch interval instead, to
show how much pairing narrows the intervals.

With a posterior (``compare --posterior``), replication i runs with the parameters of
posterior draw ``draw_of[i]`` in both scenarios (same seed, same parameters). The mean
is then over every draw and replication, its interval a t interval over the draws' mean
effects (replications of one draw are not independent), and the table adds how far the
parameters' uncertainty spreads the effect (see ``uncertainty_columns``).

The metrics and how each is computed are declared in ``experiments.metrics``.
effects.csv columns (stable for scripts): innovation (or "all"), metric, mean_a, mean_b,
diff, ci_low, ci_high, n, then uncertainty ("stochastic only", or "parameters and
stochastic" with a posterior), total_ci_low, total_ci_high, share_positive,
sd_parameter, sd_stochastic. For ``state_cost_per_adoption_year_msek`` mean_a and mean_b
are each scenario's state spending per adoption-year and diff is the incremental ratio
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


STOCHASTIC_ONLY = "stochastic only"
WITH_PARAMETERS = "parameters and stochastic"


def uncertainty_columns(
    diffs: np.ndarray, draws: np.ndarray | None, per_draw: np.ndarray | None = None
) -> dict[str, float | str]:
    """What the effect's spread is made of, from paired differences (one per replication)
    and each replication's posterior draw (None: no posterior).

    With a posterior: ``total_ci_*`` is the 2.5-97.5 % range of the paired effect over all
    draws and replications (what one realisation may show, the parameters uncertain
    too); ``share_positive`` the share of draws whose mean effect is above zero; and the
    variance split by the law of total variance, Var = Var_draws(mean | draw) + E[Var |
    draw]: ``sd_stochastic`` = sqrt(mean within-draw variance), ``sd_parameter`` = sqrt of
    the variance of the draws' means less the part their own noise explains. A ratio
    metric has no per-replication value: ``per_draw`` gives each draw's estimate, whose
    range is the total interval (its spread includes the noise of R replications).
    """
    nan = float("nan")
    if draws is None:
        sd = float(diffs.std(ddof=1)) if diffs.size > 1 else nan
        return {
            "uncertainty": STOCHASTIC_ONLY,
            "total_ci_low": nan,
            "total_ci_high": nan,
            "share_positive": nan,
            "sd_parameter": nan,
            "sd_stochastic": sd,
        }
    if per_draw is not None:
        values = per_draw[np.isfinite(per_draw)]
        low, high = np.percentile(values, [2.5, 97.5]) if values.size else (nan, nan)
        return {
            "uncertainty": WITH_PARAMETERS,
            "total_ci_low": float(low),
            "total_ci_high": float(high),
            "share_positive": float((values > 0).mean()) if values.size else nan,
            "sd_parameter": float(values.std(ddof=1)) if values.size > 1 else nan,
            "sd_stochastic": nan,
        }
    frame = pd.DataFrame({"draw": draws, "diff": diffs})
    grouped = frame.groupby("draw")["diff"]
    means, variances, sizes = grouped.mean(), grouped.var(ddof=1), grouped.size()
    # within-draw variance needs two replications of a draw; without it no split
    within = float(variances.mean()) if variances.notna().any() else nan
    noise = float((variances / sizes).mean()) if np.isfinite(within) else nan
    between = float(means.var(ddof=1)) - noise if len(means) > 1 else nan
    low, high = np.percentile(diffs, [2.5, 97.5]) if diffs.size else (nan, nan)
    return {
        "uncertainty": WITH_PARAMETERS,
        "total_ci_low": float(low),
        "total_ci_high": float(high),
        "share_positive": float((means > 0).mean()),
        "sd_parameter": float(np.sqrt(max(between, 0.0))) if np.isfinite(between) else nan,
        "sd_stochastic": float(np.sqrt(within)) if np.isfinite(within) else nan,
    }


def effects(
    a: RunResults, b: RunResults, independent: bool = False, draw_of: np.ndarray | None = None
) -> pd.DataFrame:
    """The effects table of B against A (``draw_of``: each replication's posterior draw)."""
    table_a, table_b = per_replication(a), per_replication(b)
    rows = []
    innovations = [*dict.fromkeys(a.timeseries["innovation"].astype(str)), "all"]
    for innovation in innovations:
        pa = table_a.xs(innovation, level="innovation")
        pb = table_b.xs(innovation, level="innovation")
        for metric in EFFECT_METRICS:
            n = len(pa)
            draws = None if draw_of is None else draw_of[pa.index.to_numpy()]
            if metric.paired is not None:
                mean_a, mean_b, diff, low, high = metric.paired(pa, pb, a.seed)
                per_draw = None
                if draws is not None:
                    per_draw = np.array(
                        [
                            metric.paired(pa[draws == d], pb[draws == d], None)[2]
                            for d in np.unique(draws)
                        ]
                    )
                spread = uncertainty_columns(np.array([]), draws, per_draw)
            else:
                va, vb = pa[metric.name].to_numpy(float), pb[metric.name].to_numpy(float)
                if independent:  # each side's own values (a run that never got there has none)
                    va, vb = va[~np.isnan(va)], vb[~np.isnan(vb)]
                    n = min(va.size, vb.size)
                    paired = vb[:n] - va[:n]
                else:
                    keep = ~np.isnan(va) & ~np.isnan(vb)  # pairs where both have a value
                    va, vb, n = va[keep], vb[keep], int(keep.sum())
                    paired = vb - va
                    draws = None if draws is None else draws[keep]
                if n == 0:
                    mean_a = mean_b = diff = low = high = np.nan
                else:
                    mean_a, mean_b, diff = va.mean(), vb.mean(), vb.mean() - va.mean()
                    low, high = _welch(va, vb) if independent else _interval(vb - va)
                    if draws is not None:  # replications of a draw share its parameters:
                        # the mean's interval is over the draws' mean effects
                        per_draw = pd.Series(paired).groupby(draws).mean().to_numpy()
                        low, high = diff + np.subtract(_interval(per_draw), per_draw.mean())
                spread = uncertainty_columns(paired, draws)
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
                    **spread,
                }
            )
    return pd.DataFrame(rows)


def effects_text(table: pd.DataFrame, name_a: str, name_b: str) -> str:
    """The effects table as aligned text for the terminal."""
    posterior = (table["uncertainty"] == WITH_PARAMETERS).any()
    lines = [
        f"Effect of {name_b} against {name_a} (B - A; 95 % interval of the mean; n paired "
        "replications"
        + (
            "; total: 95 % range over posterior draws and replications, with the parameters' "
            "share of its variance)"
            if posterior
            else "; the interval covers stochastic uncertainty only)"
        )
    ]
    for innovation, group in table.groupby("innovation", sort=False):
        lines.append(f"  {innovation}")
        for row in group.itertuples():
            line = (
                f"    {row.metric:<36} A {row.mean_a:10.3f}  B {row.mean_b:10.3f}  "
                f"diff {row.diff:10.3f}  [{row.ci_low:10.3f}, {row.ci_high:10.3f}]  n {row.n}"
            )
            if posterior:
                share = parameter_share(row.sd_parameter, row.sd_stochastic)
                line += f"  total [{row.total_ci_low:10.3f}, {row.total_ci_high:10.3f}]"
                line += f"  parameters {share:4.0%}" if np.isfinite(share) else ""
            lines.append(line)
    return "\n".join(lines)


def parameter_share(sd_parameter: float, sd_stochastic: float) -> float:
    """The parameters' share of the effect's variance (NaN when not split)."""
    total = sd_parameter**2 + sd_stochastic**2
    return sd_parameter**2 / total if np.isfinite(total) and total > 0 else float("nan")
