"""Adoption over time: how fast an innovation spreads, with the spread across replications.

The central figure of the project: the share of the 290 municipalities that have adopted
(``adoption_share``, adopted now / 290; adopters who later left no longer count), as a
mean over replications with a 2.5–97.5 % band, per innovation, per scenario or per size
class or county.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from model.reference import load_municipalities
from viz.bands import band_traces, summarise
from viz.checks import (
    choose,
    innovations_in,
    require_columns,
    require_rows,
    select_innovations,
    single_innovation,
)
from viz.layout import DASHES, check_x_unit, finish, palette, x_title
from viz.words import check_lang, text

TIMESERIES_COLUMNS = ("replication", "month", "innovation", "adoption_share")
GROUPS_COLUMNS = ("replication", "month", "innovation", "group_type", "group", "adoption_share")
BY = ("size_class", "county")


def county_names(reference: pd.DataFrame | None = None) -> dict[str, str]:
    """County code -> "code name" (e.g. "01 Stockholms län") from the reference table."""
    if reference is None:
        reference = load_municipalities()
    require_columns(reference, ("county_code", "county"), "reference table")
    pairs = reference[["county_code", "county"]].drop_duplicates()
    return {str(c): f"{c} {n}" for c, n in zip(pairs["county_code"], pairs["county"], strict=True)}


def _tables(
    timeseries: pd.DataFrame | None,
    scenarios: dict[str, pd.DataFrame] | None,
    groups: pd.DataFrame | None,
    by: str | None,
) -> dict[str | None, pd.DataFrame]:
    """The tables to draw, keyed by scenario name (None when there is one run)."""
    if scenarios is not None:
        if timeseries is not None:
            raise ValueError("give timeseries or scenarios, not both")
        if not scenarios:
            raise ValueError("scenarios is empty; give at least one name -> table")
        return dict(scenarios)
    if by is not None:
        if groups is None:
            raise ValueError(f"by={by!r} needs the groups table (groups=groups.parquet's table)")
        return {None: groups}
    if timeseries is None:
        raise ValueError("give a timeseries table (or scenarios=, a dict name -> timeseries)")
    return {None: timeseries}


def _series(
    tables: dict[str | None, pd.DataFrame], innovation: str | None, by: str | None
) -> list[tuple[str | None, str, str, pd.DataFrame]]:
    """(scenario, innovation, line key: innovation or group, rows) for every line to draw."""
    out = []
    for scenario, table in tables.items():
        what = "groups table" if by else "timeseries table"
        if scenario is not None:
            what = f"{what} of scenario {scenario!r}"
        require_columns(table, GROUPS_COLUMNS if by else TIMESERIES_COLUMNS, what)
        require_rows(table, what)
        if by is None:
            for name in select_innovations(table, innovation, what):
                rows = table[table["innovation"].astype(str) == name]
                out.append((scenario, name, name, rows))
            continue
        chosen = single_innovation(table, innovation, what)
        rows = table[
            (table["innovation"].astype(str) == chosen) & (table["group_type"].astype(str) == by)
        ]
        if rows.empty:
            raise ValueError(f"{what} has no rows with group_type {by!r}")
        for group in dict.fromkeys(rows["group"].astype(str)):
            out.append((scenario, chosen, group, rows[rows["group"].astype(str) == group]))
    return out


def adoption_over_time(
    timeseries: pd.DataFrame | None = None,
    innovation: str | None = None,
    by: str | None = None,
    scenarios: dict[str, pd.DataFrame] | None = None,
    groups: pd.DataFrame | None = None,
    x_unit: str = "years",
    reference: pd.DataFrame | None = None,
    lang: str = "sv",
) -> go.Figure:
    """Mean adoption share over time with a 2.5–97.5 % band across replications.

    One line per innovation (or only ``innovation``); with ``scenarios`` (name -> table)
    one line per scenario and innovation, scenarios told apart by dash when several
    innovations are drawn. ``by="size_class"`` or ``"county"`` draws one line per group
    of one innovation from the ``groups`` table (with ``scenarios``, the dict's tables are
    groups tables). ``x_unit`` is "years" (month 12 = 1.0) or "months".
    """
    check_lang(lang)
    check_x_unit(x_unit)
    if by is not None:
        choose(by, BY, "by")
    tables = _tables(timeseries, scenarios, groups, by)
    series = _series(tables, innovation, by)

    if by == "county":
        names = county_names(reference)
        series = [(s, i, names.get(k, k), rows) for s, i, k, rows in series]
    scenario_names = list(dict.fromkeys(s for s, _, _, _ in series))
    innovations = list(dict.fromkeys(i for _, i, _, _ in series))
    keys = list(dict.fromkeys(k for _, _, k, _ in series))
    colour_by_scenario = scenarios is not None and len(keys) == 1
    # an innovation keeps the colour it has when all are drawn
    colour_keys = innovations_in(next(iter(tables.values()))) if by is None else keys
    colour_keys += [k for k in keys if k not in colour_keys]
    colours = palette(len(scenario_names) if colour_by_scenario else len(colour_keys))

    fig = go.Figure()
    for scenario, _, key, rows in series:
        s = scenario_names.index(scenario)
        k = colour_keys.index(key)
        parts = [p for p in (scenario, key) if p is not None]
        if scenarios is not None and len(keys) == 1 and by is None:
            parts = [scenario]  # one innovation: the legend names scenarios
        name = " · ".join(parts)
        what = f"adoption share of {name}"
        fig.add_traces(
            band_traces(
                summarise(rows, "adoption_share", what),
                name=name,
                colour=colours[s if colour_by_scenario else k],
                lang=lang,
                x_unit=x_unit,
                value_format=".1%",
                dash="solid" if colour_by_scenario else DASHES[s % len(DASHES)],
            )
        )

    title = text("adoption_title" if by is None else f"adoption_title_{by}", lang)
    if len(innovations) == 1:
        title = f"{title}: {innovations[0]}"
    legend = (
        text(by, lang) if by else text("scenario" if colour_by_scenario else "innovation", lang)
    )
    finish(
        fig,
        lang,
        title,
        legend_title=f"{legend}<br><sup>{text('band_legend', lang)}</sup>",
        xaxis={"title": {"text": x_title(x_unit, lang)}},
        yaxis={
            "title": {"text": text("adoption_share", lang)},
            "tickformat": ".0%",
            "range": [0, 1],
        },
    )
    return fig
