"""Sensitivity analysis figures: which parameters drive an outcome, and how.

The model has many uncertain parameters; before a result is used in an argument, these
figures show whether it rests on one of them. They read tidy tables from the analysis
code (contracts in each function's docstring); parameter names are shown as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from viz.checks import choose, require_columns, require_rows
from viz.layout import finish, palette, transparent
from viz.words import check_lang, text

SOBOL_COLUMNS = ("outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("outcome", "parameter", "mu_star", "mu_star_conf", "sigma")
RESPONSE_COLUMNS = ("outcome", "mean", "ci_low", "ci_high", "n")


def _one_outcome(
    table: pd.DataFrame, outcome: str, what: str, innovation: str = "all"
) -> pd.DataFrame:
    """The rows of one outcome (and, when the table has an innovation column, one innovation)."""
    require_rows(table, what)
    if "innovation" in table.columns:
        innovations = list(dict.fromkeys(table["innovation"].astype(str)))
        choose(innovation, innovations, f"innovation in {what}")
        table = table[table["innovation"].astype(str) == innovation]
    choose(outcome, list(dict.fromkeys(table["outcome"].astype(str))), f"outcome in {what}")
    rows = table[table["outcome"].astype(str) == outcome]
    if "parameter" in rows.columns and rows["parameter"].duplicated().any():
        raise ValueError(f"{what}: a parameter appears twice for outcome {outcome!r}")
    return rows


def sobol_indices(
    sobol: pd.DataFrame, outcome: str, lang: str = "sv", innovation: str = "all"
) -> go.Figure:
    """First-order (S1) and total (ST) Sobol indices with confidence bars, by ST.

    ``sobol`` columns: outcome, parameter, S1, S1_conf, ST, ST_conf (the conf columns
    are half-widths of the indices' confidence intervals). Parameters are sorted by ST,
    largest first; a large ST - S1 gap means the parameter acts through interactions.
    """
    check_lang(lang)
    require_columns(sobol, SOBOL_COLUMNS, "sobol table")
    rows = _one_outcome(sobol, outcome, "sobol table", innovation).sort_values(
        "ST", ascending=False
    )
    parameters = rows["parameter"].astype(str).tolist()
    colours = palette(2)
    fig = go.Figure()
    for key, name, colour in (("S1", "s1", colours[0]), ("ST", "st", colours[1])):
        fig.add_trace(
            go.Bar(
                x=parameters,
                y=rows[key],
                error_y={"type": "data", "array": rows[f"{key}_conf"], "visible": True},
                name=text(name, lang),
                marker_color=colour,
                customdata=rows[f"{key}_conf"],
                hovertemplate=f"<b>%{{x}}</b><br>{text(name, lang)}: %{{y:.3f}}"
                " ± %{customdata:.3f}<extra></extra>",
                meta={"index": key},
            )
        )
    return finish(
        fig,
        lang,
        text("sobol_title", lang, outcome=outcome),
        barmode="group",
        xaxis={"title": {"text": text("parameter", lang)}},
        yaxis={"title": {"text": text("sobol_axis", lang)}},
    )


def morris_plot(
    morris: pd.DataFrame, outcome: str, lang: str = "sv", innovation: str = "all"
) -> go.Figure:
    """Morris screening: mu* (importance) against sigma (non-linearity or interaction).

    ``morris`` columns: outcome, parameter, mu_star, mu_star_conf, sigma. Each point is
    labelled with its parameter; the horizontal bar is mu_star's confidence half-width.
    """
    check_lang(lang)
    require_columns(morris, MORRIS_COLUMNS, "morris table")
    rows = _one_outcome(morris, outcome, "morris table", innovation)
    fig = go.Figure(
        go.Scatter(
            x=rows["mu_star"],
            y=rows["sigma"],
            mode="markers+text",
            text=rows["parameter"].astype(str),
            textposition="top center",
            marker={"size": 9, "color": palette(1)[0]},
            error_x={"type": "data", "array": rows["mu_star_conf"], "visible": True},
            customdata=rows["mu_star_conf"],
            hovertemplate=f"<b>%{{text}}</b><br>{text('mu_star', lang)}: %{{x:.3g}}"
            f" ± %{{customdata:.3g}}<br>{text('sigma', lang)}: %{{y:.3g}}<extra></extra>",
            name=outcome,
            showlegend=False,
        )
    )
    return finish(
        fig,
        lang,
        text("morris_title", lang, outcome=outcome),
        xaxis={"title": {"text": text("mu_star", lang)}, "rangemode": "tozero"},
        yaxis={"title": {"text": text("sigma", lang)}, "rangemode": "tozero"},
    )


def response_surface(
    response: pd.DataFrame,
    x: str,
    y: str | None = None,
    *,
    outcome: str,
    lang: str = "sv",
    innovation: str = "all",
) -> go.Figure:
    """The outcome's mean as a function of one parameter (line with its CI band) or two
    (heatmap, CI and n in the hover).

    ``response`` columns: one per varied parameter, then outcome, mean, ci_low, ci_high,
    n; ``outcome`` is keyword-only. Every other varied parameter must be held at one
    value in the table (filter it first); otherwise the figure would silently mix settings.
    """
    check_lang(lang)
    rows = _response_rows(response, x, y, outcome, innovation)
    if y is None:
        return _response_line(rows, x, outcome, lang)
    return _response_heatmap(rows, x, y, outcome, lang)


def _response_rows(
    response: pd.DataFrame, x: str, y: str | None, outcome: str, innovation: str
) -> pd.DataFrame:
    """The rows to draw, refused when a parameter not drawn still varies or a point
    appears twice: the figure would silently mix settings."""
    require_columns(response, RESPONSE_COLUMNS, "response table")
    parameters = [c for c in response.columns if c not in (*RESPONSE_COLUMNS, "innovation")]
    choose(x, parameters, "parameter x in response table")
    if y is not None:
        choose(y, parameters, "parameter y in response table")
        if y == x:
            raise ValueError(f"x and y must be different parameters, both are {x!r}")
    rows = _one_outcome(response, outcome, "response table", innovation)
    drawn = [x] if y is None else [x, y]
    varying = [p for p in parameters if p not in drawn and rows[p].nunique(dropna=False) > 1]
    if varying:
        raise ValueError(
            f"response table also varies {varying}; filter it to one value of each, "
            f"or draw one of them as y"
        )
    if rows.duplicated(drawn).any():
        raise ValueError(f"response table has several rows for the same {drawn}")
    return rows


def _hover_ci_and_runs(lang: str) -> str:
    """The hover's CI and run count, from customdata (ci_low, ci_high, n)."""
    return (
        f"<br>{text('ci95', lang)}: %{{customdata[0]:.3g}} – %{{customdata[1]:.3g}}"
        f"<br>n = %{{customdata[2]:.0f}} {text('runs', lang)}<extra></extra>"
    )


def _response_line(rows: pd.DataFrame, x: str, outcome: str, lang: str) -> go.Figure:
    """The mean against one parameter with its confidence band (lower edge, upper edge
    filled down to it, mean line: the band traces of every time series figure)."""
    rows = rows.sort_values(x)
    mean_text = text("outcome_mean", lang, outcome=outcome)
    colour = palette(1)[0]
    ci = text("ci95", lang)
    edge = {"width": 0, "color": colour}
    lower = go.Scatter(
        x=rows[x],
        y=rows["ci_low"],
        mode="lines",
        line=edge,
        showlegend=False,
        hoverinfo="skip",
        name=f"{ci}: {text('ci_low', lang)}",
        meta={"role": "band_low"},
    )
    upper = go.Scatter(
        x=rows[x],
        y=rows["ci_high"],
        mode="lines",
        line=edge,
        fill="tonexty",
        fillcolor=transparent(colour),
        name=ci,
        hoverinfo="skip",
        meta={"role": "band_high"},
    )
    mean = go.Scatter(
        x=rows[x],
        y=rows["mean"],
        mode="lines+markers",
        line={"color": colour, "width": 2},
        name=mean_text,
        customdata=rows[["ci_low", "ci_high", "n"]].to_numpy(),
        hovertemplate=f"{x}: %{{x}}<br>{mean_text}: %{{y:.3g}}{_hover_ci_and_runs(lang)}",
        meta={"role": "mean"},
    )
    return finish(
        go.Figure([lower, upper, mean]),
        lang,
        text("response_title", lang, outcome=outcome, x=x),
        xaxis={"title": {"text": x}},
        yaxis={"title": {"text": mean_text}},
    )


def _response_heatmap(rows: pd.DataFrame, x: str, y: str, outcome: str, lang: str) -> go.Figure:
    """The mean over a grid of two parameters, one equal cell per level."""
    mean_text = text("outcome_mean", lang, outcome=outcome)
    grid = rows.pivot(index=y, columns=x, values="mean")
    extra = [
        rows.pivot(index=y, columns=x, values=c).reindex_like(grid).to_numpy()
        for c in ("ci_low", "ci_high", "n")
    ]
    fig = go.Figure(
        go.Heatmap(
            x=grid.columns.to_numpy(),
            y=grid.index.to_numpy(),
            z=grid.to_numpy(),
            customdata=np.stack(extra, axis=-1).tolist(),
            colorbar={"title": {"text": mean_text}},
            hovertemplate=f"{x}: %{{x}}<br>{y}: %{{y}}<br>{mean_text}: %{{z:.3g}}"
            f"{_hover_ci_and_runs(lang)}",
            name=mean_text,
        )
    )
    return finish(
        fig,
        lang,
        text("response_title_2d", lang, outcome=outcome, x=x, y=y),
        # Grid levels are often uneven (50, 100, 200, 400): one equal cell per level.
        xaxis={"title": {"text": x}, "type": "category"},
        yaxis={"title": {"text": y}, "type": "category"},
    )
