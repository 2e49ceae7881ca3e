"""Mean over replications with a shaded band: the one way every time series is drawn.

A single replication is one possible history, not a result; the figures show the mean
across replications and the spread (the 2.5 and 97.5 % quantiles of the replications,
which is where 95 % of simulated histories lie, not a confidence interval of the mean).
Each series becomes three traces: the band's lower edge, its upper edge (filled down to
the lower one) and the mean line, tagged in ``meta`` so code and tests can find them.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from viz.layout import transparent, x_values
from viz.words import text

QUANTILES = (0.025, 0.975)


def summarise(frame: pd.DataFrame, value: str, what: str) -> pd.DataFrame:
    """Per month: mean, 2.5 % and 97.5 % quantiles and count of ``value`` over replications.

    ``frame`` must hold one row per replication and month (``what`` names it in errors).
    Months where no replication has a value (NaN, e.g. a price before any supplier
    exists) are left out rather than drawn as zero.
    """
    duplicated = frame.duplicated(["replication", "month"])
    if duplicated.any():
        raise ValueError(f"{what}: several rows per replication and month; select one series first")
    grouped = frame.groupby("month", sort=True)[value]
    summary = pd.DataFrame(
        {
            "mean": grouped.mean(),
            "low": grouped.quantile(QUANTILES[0]),
            "high": grouped.quantile(QUANTILES[1]),
            "n": grouped.count(),
        }
    ).reset_index()
    return summary.dropna(subset=["mean"]).reset_index(drop=True)


def band_traces(
    summary: pd.DataFrame,
    name: str,
    colour: str,
    lang: str,
    x_unit: str = "years",
    value_format: str = ".1f",
    dash: str = "solid",
    showlegend: bool = True,
    legendgroup: str | None = None,
) -> list[go.Scatter]:
    """Lower edge, upper edge (filled) and mean line of one series, in that order.

    The hover on the mean line gives the band too, so the band edges skip hover.
    """
    x = x_values(summary["month"], x_unit)
    group = legendgroup or name
    band = text("band", lang)
    edge = {"width": 0, "color": colour}
    lower = go.Scatter(
        x=x,
        y=summary["low"],
        mode="lines",
        line=edge,
        name=f"{name}: {text('band_low', lang)}",
        legendgroup=group,
        showlegend=False,
        hoverinfo="skip",
        meta={"series": name, "role": "band_low"},
    )
    upper = go.Scatter(
        x=x,
        y=summary["high"],
        mode="lines",
        line=edge,
        fill="tonexty",
        fillcolor=transparent(colour),
        name=f"{name}: {band}",
        legendgroup=group,
        showlegend=False,
        hoverinfo="skip",
        meta={"series": name, "role": "band_high"},
    )
    f = value_format
    hover = (
        f"<b>{name}</b><br>{text('month', lang)} %{{customdata[0]}}"
        f"<br>{text('mean', lang)}: %{{y:{f}}}"
        f"<br>{band}: %{{customdata[1]:{f}}} – %{{customdata[2]:{f}}}"
        f"<br>n = %{{customdata[3]}} {text('replications_with_value', lang)}<extra></extra>"
    )
    mean = go.Scatter(
        x=x,
        y=summary["mean"],
        mode="lines",
        line={"color": colour, "dash": dash, "width": 2},
        name=name,
        legendgroup=group,
        showlegend=showlegend,
        customdata=summary[["month", "low", "high", "n"]].to_numpy(),
        hovertemplate=hover,
        meta={"series": name, "role": "mean"},
    )
    return [lower, upper, mean]
