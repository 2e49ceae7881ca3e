"""Adoption as small multiples: one panel per innovation, the compared scenarios in each.

Ten curves with ten bands on one axis cannot be told apart; one panel per innovation,
same axes everywhere, scenarios in the same two colours in every panel, can.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.adoption import TIMESERIES_COLUMNS
from viz.bands import band_traces, summarise
from viz.checks import innovations_in, require_columns, require_rows
from viz.layout import finish, palette, x_title
from viz.words import check_lang, text

COLUMNS = 3  # panels per row


def adoption_panels(
    scenarios: dict[str, pd.DataFrame], lang: str = "sv", x_unit: str = "years"
) -> go.Figure:
    """Mean adoption share with its 2.5-97.5 % band, one panel per innovation (in the first
    table's order), one colour per scenario (name -> timeseries table)."""
    check_lang(lang)
    if not scenarios:
        raise ValueError("scenarios is empty; give at least one name -> timeseries table")
    for name, table in scenarios.items():
        require_columns(table, TIMESERIES_COLUMNS, f"timeseries table of {name!r}")
        require_rows(table, f"timeseries table of {name!r}")
    innovations = innovations_in(next(iter(scenarios.values())))
    columns = min(COLUMNS, len(innovations))
    rows = math.ceil(len(innovations) / columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=innovations,
        shared_xaxes=True,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        vertical_spacing=min(0.12, 0.6 / rows),
    )
    colours = dict(zip(scenarios, palette(len(scenarios)), strict=True))
    named = {name: table["innovation"].astype(str) for name, table in scenarios.items()}
    for k, innovation in enumerate(innovations):
        row, col = divmod(k, columns)
        for name, table in scenarios.items():
            selected = table[named[name] == innovation]  # the cast once per table, above
            if selected.empty:
                continue
            summary = summarise(selected, "adoption_share", f"{name}: {innovation}")
            traces = band_traces(
                summary,
                name,
                colours[name],
                lang,
                x_unit,
                value_format=".1%",
                showlegend=k == 0,
                legendgroup=name,
            )
            for trace in traces:
                fig.add_trace(trace, row=row + 1, col=col + 1)
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    fig.update_xaxes(title_text=x_title(x_unit, lang), row=rows)
    fig.update_yaxes(title_text=text("adoption_share", lang), col=1)
    return finish(
        fig,
        lang,
        text("adoption_title", lang),
        legend_title=f"{text('scenario', lang)}<br><sup>{text('band_legend', lang)}</sup>",
        height=300 * rows + 120,
    )
