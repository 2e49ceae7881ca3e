"""The SKR headline as one chart a board member reads at a glance: the effect on adoption
after 10 years per innovation, sorted, with the range it may take.

The bar is the mean effect; the whisker is the widest interval the effects table carries:
the range of 95 % of outcomes with the parameters' uncertainty when the comparison ran
under a calibrated posterior, else the 95 % confidence interval of the mean (chance
only). The caption says which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from viz.checks import require_columns, require_rows
from viz.layout import GREY, finish, palette
from viz.words import check_lang, signed, text

HEADLINE_METRIC = "adoption_share_10y"
ALL = "all"


def interval_columns(effects: pd.DataFrame) -> tuple[str, str, str]:
    """(low, high, words key) of the widest interval the effects table carries."""
    if {"total_ci_low", "total_ci_high"} <= set(effects.columns) and effects[
        "total_ci_low"
    ].notna().any():
        return "total_ci_low", "total_ci_high", "headline_total"
    return "ci_low", "ci_high", "headline_ci"


def headline_effects(
    effects: pd.DataFrame, name_a: str, name_b: str, lang: str = "sv"
) -> go.Figure:
    """Effect of B against A on the share of municipalities that have adopted after 10
    years, in percentage points, one bar per innovation (largest first), the mean over
    innovations last."""
    check_lang(lang)
    require_columns(effects, ("innovation", "metric", "diff", "ci_low", "ci_high"), "effects")
    rows = effects[effects["metric"] == HEADLINE_METRIC]
    require_rows(rows, f"effects table rows for {HEADLINE_METRIC}")
    low, high, words = interval_columns(rows)
    each = rows[rows["innovation"].astype(str) != ALL].sort_values("diff")
    overall = rows[rows["innovation"].astype(str) == ALL]
    shown = pd.concat([overall, each])
    names = [
        text("all_innovations_mean", lang) if str(i) == ALL else str(i) for i in shown["innovation"]
    ]
    diff = 100 * shown["diff"].to_numpy(dtype=float)
    lows = 100 * shown[low].to_numpy(dtype=float)
    highs = 100 * shown[high].to_numpy(dtype=float)
    colour = palette(2)[1]
    colours = [GREY if str(i) == ALL else colour for i in shown["innovation"]]
    fig = go.Figure(
        go.Bar(
            x=diff,
            y=names,
            orientation="h",
            marker_color=colours,
            error_x={
                "type": "data",
                "symmetric": False,
                "array": np.maximum(highs - diff, 0),
                "arrayminus": np.maximum(diff - lows, 0),
                "color": "#333",
                "thickness": 1.5,
            },
            text=[f"{signed(d, lang, 1)} {text('pp', lang)}" for d in diff],
            textposition="inside",
            insidetextanchor="start",
            customdata=np.column_stack([lows, highs]),
            hovertemplate="<b>%{y}</b><br>%{x:+.1f} "
            + text("pp", lang)
            + f"<br>{text(words, lang)}: %{{customdata[0]:+.1f}} – %{{customdata[1]:+.1f}}"
            + "<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color="#333", line_width=1)
    return finish(
        fig,
        lang,
        text("headline_title", lang, a=name_a, b=name_b),
        xaxis={"title": {"text": text("headline_axis", lang)}, "zeroline": False},
        yaxis={"automargin": True},
        height=160 + 48 * len(shown),
        margin={"l": 10, "r": 20, "t": 70, "b": 90},
        annotations=[
            {
                "text": text(words, lang),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.02,
                "yanchor": "top",
                "yshift": -40,
                "showarrow": False,
                "font": {"size": 11, "color": "#555"},
                "align": "left",
            }
        ],
    )
