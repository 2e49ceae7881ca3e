"""Where and when an innovation spread: a map of Sweden, one replication, with a time slider.

One replication is one possible history; the map shows its geography (neighbour
contagion, early large municipalities), not an average (``viz.choropleths`` maps the
probabilities). It draws the municipalities' polygons (the project's own boundaries, or a
GeoJSON file given), and markers at map points for municipalities no file covers
(synthetic sets). Each municipality is
coloured by the month it first adopted; grey means not adopted (yet, at the slider's
year, or at all by the end of the run). Hover shows the final stage, which can differ
from the slider year's (the table records only the first adoption and the end state).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from viz.checks import choose, require_columns, require_rows, single_innovation
from viz.geography import boundaries_for, geo_layout, plain_layout
from viz.layout import GREY, finish
from viz.words import check_lang, number, stage_label, text

OUTCOME_COLUMNS = ("replication", "innovation", "kommunkod", "adopted_month", "final_stage")
REFERENCE_COLUMNS = ("kommunkod", "name", "county", "population", "lat", "lon")
COLOURSCALE = "Viridis"


def _municipalities(
    table: pd.DataFrame, reference: pd.DataFrame, replication: int, innovation: str | None
) -> tuple[str, pd.DataFrame]:
    """The innovation drawn and one row per municipality: reference columns and outcome."""
    require_columns(table, OUTCOME_COLUMNS, "municipalities table")
    require_columns(reference, REFERENCE_COLUMNS, "reference table")
    require_rows(table, "municipalities table")
    choose(replication, sorted(table["replication"].unique().tolist()), "replication")
    rows = table[table["replication"] == replication]
    innovation = single_innovation(rows, innovation, "municipalities table")
    rows = rows[rows["innovation"].astype(str) == innovation].copy()
    rows["kommunkod"] = rows["kommunkod"].astype(str)
    if rows["kommunkod"].duplicated().any():
        raise ValueError("municipalities table: a municipality appears twice in one replication")
    reference = reference.assign(kommunkod=reference["kommunkod"].astype(str))
    unknown = sorted(set(rows["kommunkod"]) - set(reference["kommunkod"]))
    if unknown:
        raise ValueError(f"municipalities table: codes not in the reference table: {unknown[:5]}")
    merged = reference.merge(
        rows[["kommunkod", "adopted_month", "final_stage"]], on="kommunkod", how="left"
    )
    absent = merged["final_stage"].isna()
    if absent.any():
        raise ValueError(
            f"municipalities table: {int(absent.sum())} municipalities of the reference table "
            f"have no row for {innovation!r}, replication {replication} "
            f"(e.g. {merged.loc[absent, 'kommunkod'].head(5).tolist()})"
        )
    merged["adopted_month"] = pd.to_numeric(merged["adopted_month"]).astype(float)
    return innovation, merged


def _hover(lang: str) -> str:
    return (
        "<b>%{customdata[0]}</b> (%{customdata[1]})"
        f"<br>{text('population', lang)}: %{{customdata[2]}}"
        f"<br>{text('adopted_month', lang)}: %{{customdata[3]}}"
        f"<br>{text('final_stage', lang)}: %{{customdata[4]}}<extra></extra>"
    )


def _customdata(rows: pd.DataFrame, lang: str) -> np.ndarray:
    months = [text("never", lang) if math.isnan(m) else str(int(m)) for m in rows["adopted_month"]]
    return np.column_stack(
        [
            rows["name"].astype(str),
            rows["county"].astype(str),
            [number(p, lang) for p in rows["population"]],
            months,
            [stage_label(str(s), lang) for s in rows["final_stage"]],
        ]
    )


def _split(data: pd.DataFrame, cutoff: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(adopted by month ``cutoff``, not adopted by then)."""
    adopted = data["adopted_month"] <= cutoff
    return data[adopted], data[~adopted]


def _points(rows: pd.DataFrame, basemap: bool) -> dict:
    """Coordinates for a geo trace (basemap) or a plain x/y trace (lon, lat)."""
    if basemap:
        return {"lat": rows["lat"], "lon": rows["lon"]}
    return {"x": rows["lon"], "y": rows["lat"]}


def _marker_traces(
    data: pd.DataFrame, cutoff: int, months: int, lang: str, basemap: bool = True
) -> list[go.Scattergeo | go.Scatter]:
    adopted, other = _split(data, cutoff)
    hover = _hover(lang)
    kind = go.Scattergeo if basemap else go.Scatter
    return [
        kind(
            **_points(adopted, basemap),
            mode="markers",
            marker={
                "size": 7,
                "color": adopted["adopted_month"],
                "colorscale": COLOURSCALE,
                "cmin": 1,
                "cmax": months,
                "colorbar": {"title": {"text": text("adopted_month", lang)}},
                "line": {"width": 0.3, "color": "#444"},
            },
            customdata=_customdata(adopted, lang),
            hovertemplate=hover,
            name=text("adopted_by_then", lang),
            meta={"role": "adopted"},
        ),
        kind(
            **_points(other, basemap),
            mode="markers",
            marker={"size": 6, "color": GREY, "line": {"width": 0.3, "color": "#777"}},
            customdata=_customdata(other, lang),
            hovertemplate=hover,
            name=text("not_adopted", lang),
            meta={"role": "not_adopted"},
        ),
    ]


def _polygon_traces(
    data: pd.DataFrame, cutoff: int, months: int, lang: str, geojson: dict | None
) -> list[go.Choropleth]:
    """Polygons; ``geojson`` only in the figure's own traces (frames reuse it)."""
    adopted, other = _split(data, cutoff)
    hover = _hover(lang)
    shape = {} if geojson is None else {"geojson": geojson}
    border = {"line": {"width": 0.3, "color": "#555"}}
    return [
        go.Choropleth(
            **shape,
            locations=adopted["kommunkod"],
            z=adopted["adopted_month"],
            colorscale=COLOURSCALE,
            zmin=1,
            zmax=months,
            marker=border,
            colorbar={"title": {"text": text("adopted_month", lang)}},
            customdata=_customdata(adopted, lang),
            hovertemplate=hover,
            name=text("adopted_by_then", lang),
            meta={"role": "adopted"},
        ),
        go.Choropleth(
            **shape,
            locations=other["kommunkod"],
            z=np.zeros(len(other)),
            colorscale=[[0, GREY], [1, GREY]],
            showscale=False,
            showlegend=True,
            marker=border,
            customdata=_customdata(other, lang),
            hovertemplate=hover,
            name=text("not_adopted", lang),
            meta={"role": "not_adopted"},
        ),
    ]


def _geo_layout() -> dict:
    return {
        "geo": {
            "scope": "europe",
            "fitbounds": "locations",
            "projection": {"type": "mercator"},
            "resolution": 50,
            "showcountries": True,
            "showland": True,
            "landcolor": "#f4f4f4",
            "showlakes": True,
            "lakecolor": "#e6f0fa",
        }
    }


def _run_months(last_adoption: float, months: int | None) -> int:
    """The run's length: ``months`` if given (and not before the last adoption), else the
    last adoption month rounded up to a whole year (the table does not record it)."""
    if months is None:
        return 12 * max(1, math.ceil(last_adoption / 12)) if not math.isnan(last_adoption) else 12
    if not math.isnan(last_adoption) and last_adoption > months:
        raise ValueError(
            f"months={months} but a municipality adopted in month {int(last_adoption)}"
        )
    return months


def _trace_maker(
    data: pd.DataFrame, months: int, lang: str, basemap: bool, geojson: dict | None
) -> Callable[[int, bool], list]:
    """The map's traces at a cutoff month: polygons when there are boundaries (the GeoJSON
    only in the ``first`` traces, the figure's own; frames reuse it), else markers."""
    if geojson is None:

        def traces(cutoff: int, first: bool) -> list:
            return _marker_traces(data, cutoff, months, lang, basemap)

        return traces

    def traces(cutoff: int, first: bool) -> list:
        return _polygon_traces(data, cutoff, months, lang, geojson if first else None)

    return traces


def _animation(duration: int) -> dict:
    """How the slider and buttons move between frames: ``duration`` ms per frame."""
    return {"frame": {"duration": duration, "redraw": True}, "mode": "immediate"}


def year_slider(labels: list[str], lang: str, active: int | None = None) -> dict:
    """One step per year (the state at the end of that year, animating to the frame of the
    same name), starting at ``active`` (default: the last)."""
    steps = [
        {"label": label, "method": "animate", "args": [[label], _animation(0)]} for label in labels
    ]
    return {
        "active": len(steps) - 1 if active is None else active,
        "currentvalue": {"prefix": text("by_end_of_year", lang)},
        "steps": steps,
        "pad": {"t": 30},
    }


def _play_pause(years: int, lang: str) -> dict:
    """Play through the years from the first, and pause."""
    return {
        "type": "buttons",
        "showactive": False,
        "x": 0.0,
        "y": 0.0,
        "xanchor": "right",
        "yanchor": "top",
        "pad": {"t": 30, "r": 10},
        "buttons": [
            {
                "label": text("play", lang),
                "method": "animate",
                "args": [[str(y) for y in range(1, years + 1)], _animation(600)],
            },
            {"label": text("pause", lang), "method": "animate", "args": [[None], _animation(0)]},
        ],
    }


def adoption_map(
    municipalities_table: pd.DataFrame,
    reference: pd.DataFrame,
    replication: int = 0,
    innovation: str | None = None,
    boundaries: str | Path | None = None,
    months: int | None = None,
    lang: str = "sv",
    basemap: bool = True,
) -> go.Figure:
    """Map of one replication: each municipality coloured by its first adoption month.

    Where markers are drawn (no boundaries cover the municipalities), ``basemap=False``
    draws them on plain axes (longitude, latitude at Sweden's aspect) instead of Plotly's
    geography, whose base map plotly.js fetches from Plotly's server.

    ``reference`` is ``model.reference.load_municipalities()``. ``innovation`` may be
    left out only when the table holds one. The slider has one step per year (the state
    at the end of that year), ending at the run's last month: ``months`` if given, else
    the last adoption month rounded up to a whole year (the table does not record the run
    length). ``boundaries``: path to a GeoJSON file of municipality polygons (default: the
    project's own when it covers the table's municipalities).
    """
    check_lang(lang)
    innovation, data = _municipalities(municipalities_table, reference, replication, innovation)
    months = _run_months(data["adopted_month"].max(), months)
    years = math.ceil(months / 12)
    cutoffs = [min(12 * y, months) for y in range(1, years + 1)]
    geojson = boundaries_for(set(data["kommunkod"]), boundaries)
    traces = _trace_maker(data, months, lang, basemap, geojson)
    fig = go.Figure(data=traces(cutoffs[-1], first=True))
    fig.frames = [
        go.Frame(data=traces(cutoff, first=False), name=str(year), traces=[0, 1])
        for year, cutoff in enumerate(cutoffs, start=1)
    ]
    return finish(
        fig,
        lang,
        f"{text('map_title', lang)}: {innovation} ({text('map_replication', lang)} {replication})",
        **(
            geo_layout(geojson)
            if geojson is not None
            else _geo_layout()
            if basemap
            else plain_layout()
        ),
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.7)"},
        height=750,
        sliders=[year_slider([str(y) for y in range(1, years + 1)], lang)],
        updatemenus=[_play_pause(years, lang)],
    )
