"""The supplier market of product innovations: how many suppliers, at what price, how
concentrated, over time.

A state lever can spread an innovation and still leave one supplier with the whole
market; these three panels show that side. Methods (no procurement) have no market:
their rows have no suppliers and no price, so they are left out.

Reading note: ``mean_price`` and ``market_concentration`` are undefined (NaN) in a month
without active suppliers or customers; the mean and band of such a month are over the
replications that have a value, and the hover says how many those are.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.bands import band_traces, summarise
from viz.checks import choose, require_columns, require_rows
from viz.layout import check_x_unit, finish, palette, x_title
from viz.words import check_lang, text

MARKET_COLUMNS = (
    "replication",
    "month",
    "innovation",
    "suppliers_active",
    "mean_price",
    "market_concentration",
)
PANELS = (
    ("suppliers_active", "suppliers_axis", ",.1f"),
    ("mean_price", "mean_price_axis", ",.1f"),
    ("market_concentration", "market_concentration_axis", ".2f"),
)


def innovations_with_market(timeseries: pd.DataFrame) -> list[str]:
    """Innovations with at least one active supplier in some replication and month."""
    names = timeseries["innovation"].astype(str)
    active = timeseries.groupby(names, sort=False)["suppliers_active"].max()
    return [n for n in dict.fromkeys(names) if active[n] > 0]


def _innovations_to_draw(timeseries: pd.DataFrame, innovation: str | None) -> list[str]:
    """Every innovation with a market, or ``innovation``; a method has no market to draw,
    so asking for one (or a table with only methods) is refused."""
    require_columns(timeseries, MARKET_COLUMNS, "timeseries table")
    require_rows(timeseries, "timeseries table")
    with_market = innovations_with_market(timeseries)
    all_names = list(dict.fromkeys(timeseries["innovation"].astype(str)))
    if innovation is not None:
        choose(innovation, all_names, "innovation in timeseries table")
        if innovation not in with_market:
            raise ValueError(
                f"innovation {innovation!r} has no supplier market (no active supplier in any "
                f"month: a method); innovations with a market: {with_market}"
            )
    names = [innovation] if innovation is not None else with_market
    if not names:
        raise ValueError(
            f"no innovation in the timeseries table has a supplier market: {all_names}"
        )
    return names


def supplier_market(
    timeseries: pd.DataFrame, innovation: str | None = None, x_unit: str = "years", lang: str = "sv"
) -> go.Figure:
    """Three panels over time: active suppliers, mean price, market concentration.

    One line per innovation with a market (or only ``innovation``), mean over
    replications with a 2.5–97.5 % band. Asking for a method raises ValueError.
    """
    check_lang(lang)
    check_x_unit(x_unit)
    names = _innovations_to_draw(timeseries, innovation)
    all_names = list(dict.fromkeys(timeseries["innovation"].astype(str)))
    fig = make_subplots(
        rows=len(PANELS),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[text(column, lang) for column, _, _ in PANELS],
        vertical_spacing=0.08,
    )
    ts = timeseries.assign(innovation=timeseries["innovation"].astype(str))
    colours = dict(zip(all_names, palette(len(all_names)), strict=True))
    for row, (column, axis, value_format) in enumerate(PANELS, start=1):
        for name in names:
            rows = ts[ts["innovation"] == name]
            summary = summarise(rows, column, f"timeseries table, {name}, {column}")
            traces = band_traces(
                summary,
                name,
                colours[name],
                lang,
                x_unit,
                value_format=value_format,
                showlegend=row == 1,
            )
            for trace in traces:
                trace.meta = {**trace.meta, "panel": column}
            fig.add_traces(traces, rows=row, cols=1)
        fig.update_yaxes(title={"text": text(axis, lang)}, rangemode="tozero", row=row, col=1)
    fig.update_yaxes(range=[0, 1.02], row=3, col=1)
    fig.update_xaxes(title={"text": x_title(x_unit, lang)}, row=len(PANELS), col=1)
    return finish(
        fig,
        lang,
        text("market_title", lang),
        legend_title=f"{text('innovation', lang)}<br><sup>{text('band_legend', lang)}</sup>",
        height=800,
    )
