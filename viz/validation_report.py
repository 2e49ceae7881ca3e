"""The validation report: one self-contained HTML page drawn from `spridning validate`'s
summary and tables (docking curve, baseline patterns, each calibration's fit with its
band against the observed points, posterior and trade-offs, the out-of-sample check,
and what the model does not reproduce)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from viz.report import STYLE, _table

COLOURS = {
    "running": "#1f77b4",
    "decided": "#ff7f0e",
    "adopted": "#2ca02c",
    "abandoned": "#d62728",
    "ever_adopted": "#9467bd",
    "completed": "#8c564b",
    "coverage": "#17becf",
}


def docking_figure(curve: pd.DataFrame, p: float, q: float) -> go.Figure:
    fig = go.Figure(
        [
            go.Scatter(x=curve["month"], y=curve["model"], name="model mean", line={"width": 3}),
            go.Scatter(
                x=curve["month"],
                y=curve["recursion"],
                name="discrete Bass recursion",
                line={"dash": "dash"},
            ),
            go.Scatter(
                x=curve["month"],
                y=curve["closed_form"],
                name="continuous closed form",
                line={"dash": "dot"},
            ),
        ]
    )
    fig.update_layout(
        title=f"Bass docking (p = {p}, q = {q} per month)",
        xaxis_title="month",
        yaxis_title="adoption share",
        template="plotly_white",
    )
    return fig


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def fit_figures(folder: Path, title: str) -> list[go.Figure]:
    """Per series: the posterior predictive median and 5-95 % band per measure, and the
    observed points (filled: used in the fit; open: held out and predicted). Bands first,
    then lines, then points, so nothing hides the observations."""
    curve = pd.read_csv(folder / "curve.csv")
    fit = pd.read_csv(folder / "fit.csv")
    return [
        _fit_figure(rows, fit[fit["target"] == target], f"{title}: {target}")
        for target, rows in curve.groupby("target", sort=False)
    ]


def _fit_figure(curve: pd.DataFrame, fit: pd.DataFrame, title: str) -> go.Figure:
    bands, lines, points = [], [], []
    for measure, rows in curve.groupby("measure"):
        colour = COLOURS.get(measure, "#444444")
        dates = pd.to_datetime(rows["date"])
        bands.append(
            go.Scatter(
                x=dates, y=rows["band_high"], line={"width": 0}, showlegend=False, hoverinfo="skip"
            )
        )
        bands.append(
            go.Scatter(
                x=dates,
                y=rows["band_low"],
                fill="tonexty",
                line={"width": 0},
                fillcolor=_rgba(colour, 0.2),
                name=f"{measure}: 5-95 % band (posterior predictive)",
            )
        )
        lines.append(
            go.Scatter(
                x=dates,
                y=rows["median"],
                line={"color": colour, "width": 2},
                name=f"{measure}: model median",
            )
        )
        observed = fit[fit["measure"] == measure]
        for used, symbol, label in (
            (True, "circle", "observed (fitted)"),
            (False, "circle-open", "observed (held out)"),
        ):
            chosen = observed[observed["used_in_fit"] == used]
            if len(chosen):
                points.append(
                    go.Scatter(
                        x=pd.to_datetime(chosen["date"]),
                        y=chosen["observed"],
                        mode="markers",
                        marker={
                            "color": colour,
                            "size": 11,
                            "symbol": symbol,
                            "line": {"width": 2, "color": "#222"},
                        },
                        name=f"{measure}: {label}",
                    )
                )
    fig = go.Figure([*bands, *lines, *points])
    fig.update_layout(
        title=title, yaxis_title="municipalities", template="plotly_white", height=480
    )
    return fig


def build(out: Path) -> str:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    dock = summary["docking"]
    curve = pd.read_csv(out / "docking.csv")
    figures = [docking_figure(curve, dock["p"], dock["q"])]
    sections = []
    for key, result in summary["calibrations"].items():
        folder = out / result["folder"]
        charts = fit_figures(folder, f"Calibration: {key}")
        posterior = pd.DataFrame(result["posterior"])
        trade = pd.DataFrame(result["trade_offs"])
        held = result["out_of_sample"]
        held_text = (
            f"<p>Out of sample: {held['n']} later observations, RMSE {held['rmse']:.1f} "
            f"municipalities, {held['inside_band']} of {held['n']} inside the band.</p>"
            if held
            else ""
        )
        generations = pd.DataFrame(result["generations"])[
            ["generation", "epsilon", "candidates", "accepted", "effective_sample_size", "seconds"]
        ]
        sections.append(
            (
                f"<h3>{html.escape(key)}</h3>"
                f"<p>{html.escape(result['method'])}, targets {', '.join(result['targets'])}: "
                f"{len(result['generations'])} generations ({html.escape(result['stopped'])}); "
                f"posterior predictive check with {result['draws']} draws x "
                f"{result['predictive_replications']} replications: fit RMSE "
                f"{result['fit_rmse']:.1f} municipalities; {result['observations_inside_band']} "
                f"of {result['observations']} observations inside the 5-95 % band.</p>"
                f"{held_text}{_table(generations)}{_table(posterior)}"
                + (
                    f"<p>Trade-offs (|Spearman| &ge; 0.5 over the posterior draws):</p>{_table(trade)}"
                    if len(trade)
                    else ""
                )
                + f"{_table(pd.DataFrame(result['fit']))}",
                charts,
            )
        )
    patterns = pd.DataFrame(summary["patterns"])
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>spridning: validation</title>",
        f"<style>{STYLE}</style><script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
        "<h1>spridning: validation</h1>",
        "<h2 id='not-reproduced'>What the model does not reproduce</h2><ul>",
        *(f"<li>{html.escape(note)}</li>" for note in summary["not_reproduced"]),
        "</ul>",
        "<h2 id='docking'>Bass docking</h2>",
        f"<p>Largest difference of the model's mean ({dock['replications']} replications) from the "
        f"discrete recursion: {dock['max_difference_recursion']:.4f} (tolerance {dock['tolerance']}); "
        f"from the continuous closed form: {dock['max_difference_closed_form']:.4f} (which runs about "
        "one period ahead of a discrete-time model).</p>",
        figures[0].to_html(full_html=False, include_plotlyjs=False),
        "<h2 id='patterns'>Baseline patterns</h2>",
        "<p>S-shape (yearly new adopters rise, peak mid-run, fall), size effect (Spearman "
        "correlation of population with adoption month; negative: larger earlier), spatial "
        "clustering (neighbours adopt closer in time than random pairs).</p>",
        _table(patterns),
        "<h2 id='calibrations'>Calibrations</h2>",
    ]
    for section, charts in sections:
        parts += [section, *(c.to_html(full_html=False, include_plotlyjs=False) for c in charts)]
    parts.append("</body></html>")
    return "\n".join(parts)


def write(out: Path) -> Path:
    from experiments.storage import atomic_write_bytes

    path = out / "validation.html"
    atomic_write_bytes(path, build(out).encode("utf-8"))
    return path
