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
# The lines to draw: (scenario or None, innovation, line key: innovation or group, rows).
Lines = list[tuple[str | None, str, str, pd.DataFrame]]


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
) -> Lines:
    """(scenario, innovation, line key: innovation or group, rows) for every line to draw."""
    out = []
    for scenario, table in tables.items():
        what = "groups table" if by else "timeseries table"
        if scenario is not None:
            what = f"{what} of scenario {scenario!r}"
        require_columns(table, GROUPS_COLUMNS if by else TIMESERIES_COLUMNS, what)
        require_rows(table, what)
        if by is None:
            named = table["innovation"].astype(str)  # once per table: the cast is the cost
            for name in select_innovations(table, innovation, what):
                out.append((scenario, name, name, table[named == name]))
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


def _with_county_names(series: Lines, reference: pd.DataFrame | None) -> Lines:
    """County lines named "code name" rather than by the bare county code."""
    names = county_names(reference)
    return [(s, i, names.get(k, k), rows) for s, i, k, rows in series]


def _colour_by_scenario(series: Lines, scenarios_given: bool) -> bool:
    """Whether colour tells scenarios apart: when scenarios are compared on one line each
    (otherwise colour is the innovation's or group's, and dash tells scenarios apart)."""
    keys = dict.fromkeys(k for _, _, k, _ in series)
    return scenarios_given and len(keys) == 1


def _line_names(series: Lines, scenarios_given: bool, by: str | None) -> list[str]:
    """Each line's legend name: scenario and innovation (or group), only the scenario when
    scenarios are compared for one innovation."""
    keys = dict.fromkeys(k for _, _, k, _ in series)
    names = []
    for scenario, _, key, _ in series:
        parts = [p for p in (scenario, key) if p is not None]
        if scenarios_given and len(keys) == 1 and by is None:
            parts = [scenario]  # one innovation: the legend names scenarios
        names.append(" · ".join(parts))
    return names


def _line_styles(
    series: Lines, first_table: pd.DataFrame, by: str | None, colour_by_scenario: bool
) -> list[tuple[str, str]]:
    """(colour, dash) of each line. An innovation keeps the colour it has when all are
    drawn, so figures can be read side by side."""
    scenario_names = list(dict.fromkeys(s for s, _, _, _ in series))
    keys = list(dict.fromkeys(k for _, _, k, _ in series))
    colour_keys = innovations_in(first_table) if by is None else keys
    colour_keys += [k for k in keys if k not in colour_keys]
    colours = palette(len(scenario_names) if colour_by_scenario else len(colour_keys))
    styles = []
    for scenario, _, key, _ in series:
        s = scenario_names.index(scenario)
        if colour_by_scenario:
            styles.append((colours[s], "solid"))
        else:
            styles.append((colours[colour_keys.index(key)], DASHES[s % len(DASHES)]))
    return styles


def _adoption_title(series: Lines, by: str | None, lang: str) -> str:
    """The title, naming the innovation when only one is drawn."""
    title = text("adoption_title" if by is None else f"adoption_title_{by}", lang)
    innovations = list(dict.fromkeys(i for _, i, _, _ in series))
    if len(innovations) == 1:
        title = f"{title}: {innovations[0]}"
    return title


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
        series = _with_county_names(series, reference)
    colour_by_scenario = _colour_by_scenario(series, scenarios is not None)
    names = _line_names(series, scenarios is not None, by)
    styles = _line_styles(series, next(iter(tables.values())), by, colour_by_scenario)

    fig = go.Figure()
    for (_, _, _, rows), name, (colour, dash) in zip(series, names, styles, strict=True):
        summary = summarise(rows, "adoption_share", f"adoption share of {name}")
        fig.add_traces(
            band_traces(summary, name, colour, lang, x_unit, value_format=".1%", dash=dash)
        )

    legend = (
        text(by, lang) if by else text("scenario" if colour_by_scenario else "innovation", lang)
    )
    return finish(
        fig,
        lang,
        _adoption_title(series, by, lang),
        legend_title=f"{legend}<br><sup>{text('band_legend', lang)}</sup>",
        xaxis={"title": {"text": x_title(x_unit, lang)}},
        yaxis={
            "title": {"text": text("adoption_share", lang)},
            "tickformat": ".0%",
            "range": [0, 1],
        },
    )
