"""Maps of the model's answer: per municipality, a probability or an amount, not one run.

- ``probability_map``: the share of runs (replications, and posterior draws when the runs
  carry them) in which the municipality has adopted by the end of year Y, with a slider
  over the years. "Has adopted" means it scaled up at least once by then.
- ``difference_map``: that probability in scenario B minus in scenario A (paired runs).
- ``money_map``: the policy money a municipality received over the run (grants, capacity
  money, risk-sharing refunds), in SEK per inhabitant, mean over runs.

Polygons come from the project's boundaries by default (``viz.geography``); sets no
boundary file covers are drawn as points. Every map opens offline.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from viz.checks import require_columns, require_rows, single_innovation
from viz.geography import boundaries_for, geo_layout, plain_layout
from viz.layout import finish
from viz.maps import year_slider
from viz.words import check_lang, number, text

MUNICIPALITY_COLUMNS = ("replication", "innovation", "kommunkod", "adopted_month")
MONEY_COLUMNS = ("replication", "kommunkod", "grants_msek", "capacity_msek", "refunds_msek")
REFERENCE_COLUMNS = ("kommunkod", "name", "county", "population", "lat", "lon")
PROBABILITY_SCALE = "Viridis"
DIFFERENCE_SCALE = "RdBu"
MONEY_SCALE = "YlGn"
MAP_HEIGHT = 720
ALL = "all"  # difference_map's innovation for the mean over all innovations
SHOWN_YEAR = 10  # the year a map opens at: the horizon of the headline effect


def adoption_probability(
    municipalities: pd.DataFrame, innovation: str, cutoffs: list[int]
) -> pd.DataFrame:
    """Per municipality (rows, by kommunkod) and cutoff month (columns): the share of the
    table's replications in which it had adopted by that month."""
    require_columns(municipalities, MUNICIPALITY_COLUMNS, "municipalities table")
    rows = municipalities[municipalities["innovation"].astype(str) == innovation]
    require_rows(rows, f"municipalities table for {innovation!r}")
    months = pd.to_numeric(rows["adopted_month"]).astype(float).to_numpy()
    codes = rows["kommunkod"].astype(str).to_numpy()
    runs = rows["replication"].nunique()
    adopted = np.stack([np.nan_to_num(months, nan=np.inf) <= c for c in cutoffs], axis=1)
    counts = pd.DataFrame(adopted, index=codes, columns=cutoffs).groupby(level=0).sum()
    return counts / runs


def _years(months: int) -> list[int]:
    return [min(12 * y, months) for y in range(1, math.ceil(months / 12) + 1)]


def _step_labels(cutoffs: list[int], start_year: int | None) -> list[str]:
    """A step's label: the calendar year when the start year is known, else year 1, 2..."""
    years = range(1, len(cutoffs) + 1)
    return [str(start_year + y - 1) if start_year else str(y) for y in years]


def _places(reference: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    require_columns(reference, REFERENCE_COLUMNS, "reference table")
    table = reference.assign(kommunkod=reference["kommunkod"].astype(str)).set_index("kommunkod")
    unknown = sorted(set(codes) - set(table.index))
    if unknown:
        raise ValueError(f"municipality codes not in the reference table: {unknown[:5]}")
    return table.loc[codes]


def _customdata(places: pd.DataFrame, lang: str) -> np.ndarray:
    return np.column_stack(
        [
            places["name"].astype(str),
            places["county"].astype(str),
            [number(p, lang) for p in places["population"]],
        ]
    )


def _hover(value_title: str, value_format: str, colour_field: str, lang: str) -> str:
    return (
        f"<b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>{text('population', lang)}: "
        f"%{{customdata[2]}}<br>{value_title}: %{{{colour_field}:{value_format}}}<extra></extra>"
    )


def _trace(
    values: pd.Series,
    places: pd.DataFrame,
    geojson: dict | None,
    colour: dict,
    colourbar: dict,
    hover: tuple[str, str],
    lang: str,
) -> go.Choropleth | go.Scatter:
    """The figure's own trace: polygons when there are boundaries, else points."""
    customdata = _customdata(places, lang)
    if geojson is not None:
        return go.Choropleth(
            geojson=geojson,
            locations=list(values.index),
            z=values.to_numpy(),
            marker={"line": {"width": 0.3, "color": "#555"}},
            colorbar=colourbar,
            customdata=customdata,
            hovertemplate=_hover(*hover, "z", lang),
            **colour,
        )
    marker_colour = {f"c{k[1:]}" if k.startswith("z") else k: v for k, v in colour.items()}
    return go.Scatter(
        x=places["lon"],
        y=places["lat"],
        mode="markers",
        marker={
            "size": 7,
            "color": values.to_numpy(),
            "colorbar": colourbar,
            "line": {"width": 0.3, "color": "#444"},
            **marker_colour,
        },
        customdata=customdata,
        hovertemplate=_hover(*hover, "marker.color", lang),
    )


def _frame_trace(values: pd.Series, polygons: bool) -> go.Choropleth | go.Scatter:
    if polygons:
        return go.Choropleth(z=values.to_numpy())
    return go.Scatter(marker={"color": values.to_numpy()})


def _figure(
    values: pd.DataFrame,
    reference: pd.DataFrame,
    boundaries: str | Path | None,
    colour: dict,
    colourbar_title: str,
    hover: tuple[str, str],
    title: str,
    lang: str,
    slider: bool,
    tickformat: str,
) -> go.Figure:
    """A map of ``values`` (rows: kommunkod; columns: the slider's steps, labelled), open at
    year ``SHOWN_YEAR`` (or the last, in a shorter run); without a slider, that year only."""
    codes = [str(c) for c in values.index]
    places = _places(reference, codes)
    geojson = boundaries_for(set(codes), boundaries)
    colourbar = {"title": {"text": colourbar_title}, "tickformat": tickformat, "len": 0.7}
    shown = min(SHOWN_YEAR, values.shape[1]) - 1
    fig = go.Figure(_trace(values.iloc[:, shown], places, geojson, colour, colourbar, hover, lang))
    layout: dict = geo_layout(geojson) if geojson is not None else plain_layout()
    if slider and values.shape[1] > 1:
        fig.frames = [
            go.Frame(data=[_frame_trace(values[c], geojson is not None)], name=str(c), traces=[0])
            for c in values.columns
        ]
        layout["sliders"] = [year_slider([str(c) for c in values.columns], lang, shown)]
    return finish(
        fig, lang, title, height=MAP_HEIGHT, margin={"l": 10, "r": 10, "t": 60, "b": 10}, **layout
    )


def _by_year(
    municipalities: pd.DataFrame, innovation: str, months: int, start_year: int | None
) -> pd.DataFrame:
    """Probabilities by year; for ``ALL``, the mean over the table's innovations."""
    cutoffs = _years(months)
    if innovation == ALL:
        names = municipalities["innovation"].astype(str).unique()
        each = [adoption_probability(municipalities, name, cutoffs) for name in names]
        shares = pd.concat(each).groupby(level=0).mean()
    else:
        shares = adoption_probability(municipalities, innovation, cutoffs)
    shares.columns = _step_labels(cutoffs, start_year)
    return shares


def _runs(municipalities: pd.DataFrame) -> str:
    return str(municipalities["replication"].nunique())


def probability_map(
    municipalities: pd.DataFrame,
    reference: pd.DataFrame,
    months: int,
    innovation: str | None = None,
    start_year: int | None = None,
    boundaries: str | Path | None = None,
    lang: str = "sv",
    slider: bool = True,
) -> go.Figure:
    """Each municipality coloured by the share of runs in which it has adopted by the end
    of the slider's year. ``months``: the run's length; ``start_year``: its first
    calendar year (steps are then labelled by calendar year)."""
    check_lang(lang)
    innovation = single_innovation(municipalities, innovation, "municipalities table")
    values = _by_year(municipalities, innovation, months, start_year)
    title = text("probability_map_title", lang, innovation=innovation, runs=_runs(municipalities))
    colour = {"colorscale": PROBABILITY_SCALE, "zmin": 0, "zmax": 1}
    hover = (text("probability_adopted", lang), ".0%")
    return _figure(
        values,
        reference,
        boundaries,
        colour,
        text("probability_adopted", lang),
        hover,
        title,
        lang,
        slider,
        ".0%",
    )


def difference_map(
    municipalities_a: pd.DataFrame,
    municipalities_b: pd.DataFrame,
    reference: pd.DataFrame,
    months: int,
    innovation: str,
    names: tuple[str, str] = ("A", "B"),
    start_year: int | None = None,
    boundaries: str | Path | None = None,
    lang: str = "sv",
    slider: bool = True,
) -> go.Figure:
    """Probability of adoption by the slider's year in B minus in A, per municipality:
    where the policy moves adoption, in percentage points (``innovation="all"``: the mean
    over the innovations)."""
    check_lang(lang)
    a = _by_year(municipalities_a, innovation, months, start_year)
    b = _by_year(municipalities_b, innovation, months, start_year)
    if set(a.index) != set(b.index):
        raise ValueError("the two scenarios' municipalities tables hold different municipalities")
    values = b - a.loc[b.index]
    reach = max(0.05, float(np.nanmax(np.abs(values.to_numpy()))))
    colour = {"colorscale": DIFFERENCE_SCALE, "zmin": -reach, "zmax": reach, "zmid": 0}
    title = text("difference_map_title", lang, innovation=innovation, a=names[0], b=names[1])
    hover = (text("difference_adopted", lang), "+.0%")
    return _figure(
        values,
        reference,
        boundaries,
        colour,
        text("difference_adopted", lang),
        hover,
        title,
        lang,
        slider,
        "+.0%",
    )


def money_per_inhabitant(money_received: pd.DataFrame, reference: pd.DataFrame) -> pd.Series:
    """SEK per inhabitant each municipality received over the run, mean over runs."""
    require_columns(money_received, MONEY_COLUMNS, "money_received table")
    require_rows(money_received, "money_received table")
    total = money_received[["grants_msek", "capacity_msek", "refunds_msek"]].sum(axis=1)
    runs = money_received["replication"].nunique()
    per_place = total.groupby(money_received["kommunkod"].astype(str)).sum() / runs
    places = _places(reference, list(per_place.index))
    return per_place * 1e6 / places["population"].to_numpy()


def money_map(
    money_received: pd.DataFrame,
    reference: pd.DataFrame,
    boundaries: str | Path | None = None,
    lang: str = "sv",
) -> go.Figure:
    """Where the policy money went: SEK per inhabitant received over the run."""
    check_lang(lang)
    values = money_per_inhabitant(money_received, reference).to_frame("end")
    colour = {"colorscale": MONEY_SCALE, "zmin": 0, "zmax": float(values["end"].max()) or 1.0}
    title = text("money_map_title", lang, runs=_runs(money_received))
    hover = (text("sek_per_inhabitant", lang), ",.0f")
    return _figure(
        values,
        reference,
        boundaries,
        colour,
        text("sek_per_inhabitant", lang),
        hover,
        title,
        lang,
        False,
        ",.0f",
    )
