"""Summaries of a run: months to 10 / 50 / 90 % adoption with their spread over replications."""

from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLDS = (0.1, 0.5, 0.9)


def months_to_share(timeseries: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """First month each replication's adoption share reaches ``threshold`` (NaN if never)."""
    reached = timeseries[timeseries["adoption_share"] >= threshold]
    first = reached.groupby(["innovation", "replication"])["month"].min()
    every = pd.MultiIndex.from_product(
        [timeseries["innovation"].unique(), timeseries["replication"].unique()],
        names=["innovation", "replication"],
    )
    return first.reindex(every).rename("month").reset_index()


def adoption_milestones(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Per innovation and threshold: replications reaching it, median and 10-90 % range."""
    rows = []
    replications = timeseries["replication"].nunique()
    for threshold in THRESHOLDS:
        months = months_to_share(timeseries, threshold)
        for innovation, group in months.groupby("innovation", sort=False):
            values = group["month"].dropna().to_numpy()
            rows.append(
                {
                    "innovation": innovation,
                    "threshold": threshold,
                    "reached": len(values),
                    "replications": replications,
                    "median_month": float(np.median(values)) if len(values) else np.nan,
                    "p10_month": float(np.percentile(values, 10)) if len(values) else np.nan,
                    "p90_month": float(np.percentile(values, 90)) if len(values) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def milestone_text(timeseries: pd.DataFrame) -> str:
    table = adoption_milestones(timeseries)
    final = timeseries[timeseries["month"] == timeseries["month"].max()]
    final_share = final.groupby("innovation", sort=False)["adoption_share"]
    lines = [
        "Months to 10 / 50 / 90 % of municipalities adopting (median [10-90 % range], reached in k of n runs)"
    ]
    for innovation, group in table.groupby("innovation", sort=False):
        cells = []
        for row in group.itertuples():
            if row.reached == 0:
                cells.append(f"{row.threshold:.0%}: not reached")
            else:
                cells.append(
                    f"{row.threshold:.0%}: {row.median_month:.0f} [{row.p10_month:.0f}-{row.p90_month:.0f}]"
                    + (
                        ""
                        if row.reached == row.replications
                        else f" in {row.reached}/{row.replications}"
                    )
                )
        shares = final_share.get_group(innovation)
        lines.append(
            f"  {innovation:<28} "
            + "; ".join(cells)
            + f"; final share {shares.mean():.2f} (sd {shares.std(ddof=0):.2f})"
        )
    return "\n".join(lines)
