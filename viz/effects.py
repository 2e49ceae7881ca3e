"""Forest plot of a scenario comparison: each effect with its 95 % interval, against zero.

The comparison's answer is an interval, not a number; a forest plot puts every metric's
difference (B − A) and interval next to a zero line so "no detectable effect" is visible.
Metrics have different units, so each gets its own panel and axis, with innovations as
rows. Each metric is drawn on its declared scale (shares x 100, in percentage points;
see ``experiments.metrics``).

Reading notes carried by the labels: ``months_to_50pct`` counts "never reached" as run
length + 1, so two runs that never reach 50 % show a difference of 0 with no interval;
for ``state_cost_per_adoption_year_msek`` the point is the incremental ratio (not
mean_b - mean_a) with a bootstrap interval; the "all" row is the project's own aggregate
(shares averaged over innovations, money summed, and its state spending includes the
programme's non-grant spending, which the per-innovation rows do not).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from experiments.metrics import METRIC_BY_NAME
from viz.checks import choose, require_columns, require_rows
from viz.layout import finish, palette
from viz.words import check_lang, metric_label, text

EFFECT_COLUMNS = ("innovation", "metric", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "n")


def display_scale(metric: str) -> float:
    """The factor a metric is drawn with (a metric not declared is drawn as it is)."""
    declared = METRIC_BY_NAME.get(metric)
    return declared.scale if declared else 1.0


def _selection(
    table: pd.DataFrame, metrics: list[str] | None, innovations: list[str] | None
) -> tuple[list[str], list[str]]:
    """The metrics and innovations to draw: the ones asked for, checked, else all ("all" last)."""
    available_metrics = list(dict.fromkeys(table["metric"]))
    available_innovations = list(dict.fromkeys(table["innovation"]))
    if "all" in available_innovations:
        available_innovations = [i for i in available_innovations if i != "all"] + ["all"]
    for m in metrics or []:
        choose(m, available_metrics, "metric in effects table")
    for i in innovations or []:
        choose(i, available_innovations, "innovation in effects table")
    return metrics or available_metrics, innovations or available_innovations


def _hover(lang: str, name_a: str, name_b: str) -> str:
    return (
        "<b>%{y}</b><br>"
        f"{text('difference', lang)}: %{{x:.3~f}}"
        f"<br>{text('ci95', lang)}: %{{customdata[0]:.3~f}} – %{{customdata[1]:.3~f}}"
        f"<br>{name_a}: %{{customdata[2]:.3~f}}, {name_b}: %{{customdata[3]:.3~f}}"
        "<br>n = %{customdata[4]:.0f}<extra></extra>"
    )


def _metric_trace(
    rows: pd.DataFrame, metric: str, row_names: dict[str, str], hover: str, lang: str
) -> go.Scatter:
    """One metric's differences with their intervals; open markers where there is none."""
    scale = display_scale(metric)
    diff = rows["diff"].to_numpy(float) * scale
    low = rows["ci_low"].to_numpy(float) * scale
    high = rows["ci_high"].to_numpy(float) * scale
    has_interval = ~(np.isnan(low) | np.isnan(high))
    return go.Scatter(
        x=diff,
        y=[row_names[i] for i in rows.index],
        mode="markers",
        marker={
            "color": palette(1)[0],
            "size": 9,
            "symbol": np.where(has_interval, "circle", "circle-open").tolist(),
        },
        error_x={
            "type": "data",
            "symmetric": False,
            "array": high - diff,
            "arrayminus": diff - low,
            "thickness": 1.5,
            "width": 4,
        },
        customdata=np.column_stack(
            [
                low,
                high,
                rows["mean_a"].to_numpy(float) * scale,
                rows["mean_b"].to_numpy(float) * scale,
                rows["n"].to_numpy(),
            ]
        ),
        hovertemplate=hover,
        name=metric_label(metric, lang),
        showlegend=False,
        meta={"metric": metric, "scale": scale},
    )


def _total_trace(
    rows: pd.DataFrame, metric: str, row_names: dict[str, str], lang: str, legend: bool
) -> go.Scatter | None:
    """The total range (posterior draws and replications) as a wide pale bar behind the
    95 % interval of the mean; None when the table has none (stochastic only)."""
    if "total_ci_low" not in rows:
        return None
    scale = display_scale(metric)
    diff = rows["diff"].to_numpy(float) * scale
    low = rows["total_ci_low"].to_numpy(float) * scale
    high = rows["total_ci_high"].to_numpy(float) * scale
    if np.isnan(low).all():
        return None
    return go.Scatter(
        x=diff,
        y=[row_names[i] for i in rows.index],
        mode="markers",
        marker={"color": "rgba(0,0,0,0)", "size": 1},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": high - diff,
            "arrayminus": diff - low,
            "thickness": 8,
            "width": 0,
            "color": "rgba(120,120,200,0.35)",
        },
        hoverinfo="skip",
        name=text("total_range", lang),
        legendgroup="total",
        showlegend=legend,
    )


def effects_forest(
    effects: pd.DataFrame,
    lang: str = "sv",
    metrics: list[str] | None = None,
    innovations: list[str] | None = None,
    name_a: str = "A",
    name_b: str = "B",
) -> go.Figure:
    """One panel per metric, one row per innovation: diff with its ci_low..ci_high bar.

    ``metrics`` / ``innovations`` select and order (default: all, in the table's order,
    "all" last). ``name_a`` / ``name_b`` name the compared scenarios in the title.
    Rows without a difference (NaN, e.g. a ratio with no extra adoption) are left out;
    a row with a difference but no interval is drawn as an open marker. With a posterior
    (``compare --posterior``) a wide pale bar behind each shows the total range.
    """
    check_lang(lang)
    require_columns(effects, EFFECT_COLUMNS, "effects table")
    require_rows(effects, "effects table")
    table = effects.assign(
        innovation=effects["innovation"].astype(str), metric=effects["metric"].astype(str)
    )
    metrics, innovations = _selection(table, metrics, innovations)
    row_names = {i: text("all_innovations", lang) if i == "all" else i for i in innovations}
    fig = make_subplots(
        rows=len(metrics),
        cols=1,
        subplot_titles=[metric_label(m, lang) for m in metrics],
        vertical_spacing=min(0.3 / max(len(metrics) - 1, 1), 0.08),
    )
    hover = _hover(lang, name_a, name_b)
    for row, metric in enumerate(metrics, start=1):
        rows = table[(table["metric"] == metric) & table["innovation"].isin(innovations)]
        rows = rows.set_index("innovation").reindex(innovations).dropna(subset=["diff"])
        total = _total_trace(rows, metric, row_names, lang, legend=row == 1)
        if total is not None:
            fig.add_trace(total, row=row, col=1)
        fig.add_trace(_metric_trace(rows, metric, row_names, hover, lang), row=row, col=1)
        fig.add_vline(x=0, line={"color": "#555", "width": 1, "dash": "dash"}, row=row, col=1)
        fig.update_yaxes(
            categoryorder="array",
            categoryarray=[row_names[i] for i in innovations][::-1],
            row=row,
            col=1,
        )
    fig.update_xaxes(title={"text": text("difference", lang)}, row=len(metrics), col=1)
    return finish(
        fig,
        lang,
        text("effects_title", lang, a=name_a, b=name_b),
        height=140 + len(metrics) * (50 + 24 * len(innovations)),
        margin={"l": 200},
    )
