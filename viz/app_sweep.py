"""The sweep tab: a sweep folder's analysis tables, and the figures for one choice.

A folder that is not a finished, analysed sweep gets one plain sentence saying what is
missing (and the command that fixes it) instead of an empty tab. The tables are the CSV
files of `spridning analyse`; they hold every innovation (and "all") and every outcome,
so they are filtered to one of each before the figure functions see them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from experiments.metrics import METRIC_BY_NAME
from viz import morris_plot, response_surface, sobol_indices
from viz.words import text

MANIFEST = "manifest.json"
ANALYSIS = "analysis"
TABLES = ("response", "sobol", "morris")


class SweepUnavailable(ValueError):
    """The results folder cannot be shown; the message says why, in the page's language."""


@dataclass(frozen=True)
class SweepTables:
    """An analysed sweep: what was varied, and the analysis tables that exist."""

    folder: Path
    name: str
    design: str
    points: int | None
    parameters: list[str]  # the varied parameters, as the response table names them
    tables: dict[str, pd.DataFrame]  # "response", "sobol", "morris" -> table


def _manifest(folder: Path, lang: str) -> dict:
    path = folder / MANIFEST
    if not folder.exists():
        raise SweepUnavailable(text("sweep_missing", lang, path=folder))
    if not path.is_file():
        raise SweepUnavailable(text("sweep_no_manifest", lang, path=folder))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SweepUnavailable(text("sweep_bad_manifest", lang, path=folder, error=error)) from None
    if not isinstance(manifest, dict) or manifest.get("kind") != "sweep":
        kind = manifest.get("kind") if isinstance(manifest, dict) else None
        raise SweepUnavailable(text("sweep_not_sweep", lang, path=folder, kind=repr(kind)))
    return manifest


def _read(path: Path, lang: str) -> pd.DataFrame:
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise SweepUnavailable(text("sweep_bad_csv", lang, file=path, error=error)) from None
    for column in ("innovation", "outcome", "parameter"):
        if column in table.columns:
            table[column] = table[column].astype(str)
    return table


def load_sweep(folder: Path | str | None, lang: str = "sv") -> SweepTables:
    """The analysed sweep in ``folder``; SweepUnavailable says plainly what is missing."""
    if folder is None:
        raise SweepUnavailable(text("sweep_none", lang))
    folder = Path(folder)
    manifest = _manifest(folder, lang)
    tables = {}
    for name in TABLES:
        path = folder / ANALYSIS / f"{name}.csv"
        if path.is_file():
            tables[name] = _read(path, lang)
    if not tables:
        raise SweepUnavailable(text("sweep_no_analysis", lang, path=folder))
    definition = manifest.get("definition") or {}
    experiment = definition.get("experiment") or {}
    if "response" in tables:
        columns = list(tables["response"].columns)
        parameters = columns[: columns.index("innovation")] if "innovation" in columns else []
    else:
        parameters = [p.get("name", "?") for p in definition.get("parameters") or []]
    points = manifest.get("points")
    return SweepTables(
        folder=folder,
        name=str(experiment.get("name", folder.name)),
        design=str(experiment.get("design", manifest.get("design", "?"))),
        points=points if isinstance(points, int) else None,
        parameters=parameters,
        tables=tables,
    )


def outcomes(sweep: SweepTables) -> list[str]:
    """Every outcome in any analysis table, in the order the tables list them."""
    names: dict[str, None] = {}
    for table in sweep.tables.values():
        names.update(dict.fromkeys(table["outcome"]))
    return list(names)


def outcome_label(outcome: str, lang: str) -> str:
    """How the outcome choice shows an outcome: the declared metric's label (an effect's
    as an effect), then the outcome's own name as the tables and figures use it."""
    metric = METRIC_BY_NAME.get(outcome.removeprefix("effect_"))
    if metric is None:
        return outcome
    label = metric.label.get(lang)
    if outcome.startswith("effect_"):
        label = text("effect_of", lang, metric=label)
    return f"{label} [{outcome}]"


def innovations(sweep: SweepTables) -> list[str]:
    """Every innovation in any analysis table, "all" first."""
    names: dict[str, None] = {}
    for table in sweep.tables.values():
        names.update(dict.fromkeys(table["innovation"]))
    return sorted(names, key=lambda n: n != "all")


def _one(table: pd.DataFrame, outcome: str, innovation: str) -> pd.DataFrame:
    rows = table[(table["outcome"] == outcome) & (table["innovation"] == innovation)]
    return rows.drop(columns="innovation")


def held_values(rows: pd.DataFrame, others: list[str]) -> dict[str, object]:
    """The value each undrawn parameter is held at: its first (smallest) level."""
    return {p: sorted(rows[p].dropna().unique().tolist(), key=str)[0] for p in others}


def response_item(
    sweep: SweepTables, outcome: str, innovation: str, x: str, y: str | None, lang: str
) -> list[go.Figure | str]:
    """The response surface over ``x`` (and ``y``), other parameters held at one level."""
    if sweep.design != "grid":
        return [text("response_grid_only", lang, design=sweep.design)]
    rows = _one(sweep.tables["response"], outcome, innovation)
    if rows.empty:
        return [text("missing_for_outcome", lang, what=text("what_response", lang))]
    others = [p for p in sweep.parameters if p not in (x, y)]
    held = held_values(rows, others)
    for parameter, value in held.items():
        rows = rows[rows[parameter] == value]
    items: list[go.Figure | str] = []
    if held:
        values = ", ".join(f"{p} = {v}" for p, v in held.items())
        items.append(text("held_at", lang, values=values))
    fig = response_surface(rows, x, y, outcome=outcome, lang=lang)
    if y is not None:  # grid levels as equal cells, not spans to the midpoints between levels
        fig.update_xaxes(type="category").update_yaxes(type="category")
    items.append(fig)
    return items


def sweep_items(
    sweep: SweepTables, outcome: str, innovation: str, x: str | None, y: str | None, lang: str
) -> list[go.Figure | str]:
    """Figures (and notes) for one outcome and innovation: response, Sobol, Morris."""
    items: list[go.Figure | str] = []
    if "response" in sweep.tables and x:
        items += response_item(sweep, outcome, innovation, x, y if y != x else None, lang)
    for name, draw in (("sobol", sobol_indices), ("morris", morris_plot)):
        if name not in sweep.tables:
            continue
        rows = _one(sweep.tables[name], outcome, innovation)
        if rows.empty:
            items.append(text("missing_for_outcome", lang, what=text(f"what_{name}", lang)))
        else:
            items.append(draw(rows, outcome, lang=lang))
    return items


def _stamp(folder: Path | None) -> tuple[float, ...]:
    """Modification times of the files the sweep tab reads: a new analysis is picked up."""
    if folder is None:
        return ()
    paths = [folder / MANIFEST, *sorted((folder / ANALYSIS).glob("*.csv"))]
    return tuple(p.stat().st_mtime if p.exists() else 0.0 for p in paths)


@lru_cache(maxsize=4)
def _cached_sweep(
    folder: Path | None, lang: str, stamp: tuple[float, ...]
) -> SweepTables | SweepUnavailable:
    try:
        return load_sweep(folder, lang)
    except SweepUnavailable as reason:
        return reason


def sweep_state(folder: Path | None, lang: str) -> SweepTables | SweepUnavailable:
    """The analysed sweep in ``folder``, or why there is none (re-read when files change)."""
    return _cached_sweep(folder, lang, _stamp(folder))
