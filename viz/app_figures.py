"""Figures and the summary of one comparison (scenario against baseline) for the explorer.

Thin wrappers over the report figures in ``viz`` so the page shows exactly what a report
would; what is added here is what a live page needs: a placeholder when there is
nothing to draw, and a summary in numbers that does not need the figures to be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from model.reference import load_municipalities
from viz import adoption_map, adoption_over_time, budget_sankey, state_spending_over_time
from viz.app_labels import text
from viz.app_runs import Comparison
from viz.checks import innovations_in
from viz.labels import number
from viz.layout import TEMPLATE

SUMMARY_MONTH = 120  # "after 10 years", as the effects table of `spridning compare`
MAP_HEIGHT = 620


@lru_cache(maxsize=1)
def reference() -> pd.DataFrame:
    """The municipality table the map needs, read once."""
    return load_municipalities()


def placeholder(message: str, height: int = 360) -> go.Figure:
    """An empty figure that says why it is empty, instead of blank axes that look like data."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font_size=15
    )
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        xaxis={"visible": False},
        yaxis={"visible": False},
        meta={"placeholder": True},
    )
    return fig


def scenario_tables(comparison: Comparison, lang: str) -> dict[str, pd.DataFrame]:
    """Legend name -> timeseries: the scenario, then the baseline (once if they coincide)."""
    tables = {comparison.name: comparison.results.timeseries}
    tables.setdefault(text("baseline", lang), comparison.baseline.timeseries)
    return tables


def adoption_figure(comparison: Comparison, innovation: str | None, lang: str) -> go.Figure:
    """Adoption curves of the scenario and the baseline, all innovations or one."""
    tables = scenario_tables(comparison, lang)
    if innovation:
        tables = {n: t for n, t in tables.items() if innovation in innovations_in(t)}
    fig = adoption_over_time(scenarios=tables, innovation=innovation or None, lang=lang)
    return fig.update_layout(height=520, margin={"t": 60, "r": 20})


def map_figure(
    comparison: Comparison, innovation: str | None, lang: str, boundaries: Path | None = None
) -> go.Figure:
    """The scenario's replication 0 on the map, one innovation (polygons if ``boundaries``)."""
    fig = adoption_map(
        comparison.results.municipalities,
        reference(),
        replication=0,
        innovation=innovation,
        boundaries=boundaries,
        months=comparison.scenario.run.months,
        lang=lang,
    )
    # legend in the empty south-west corner: in the north-west (as drawn for reports) it
    # covers Norrbotten's municipalities in a half-width column
    return fig.update_layout(
        height=MAP_HEIGHT,
        title_font_size=14,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"x": 0.0, "y": 0.02, "xanchor": "left", "yanchor": "bottom"},
    )


def has_policy_money(state_money: pd.DataFrame) -> bool:
    """Whether a run had any policy budget or risk refunds (else the Sankey has no flows)."""
    return bool(
        (state_money["budget_msek"].sum() > 0) or (state_money["risk_refunds_msek"].sum() > 0)
    )


def sankey_figure(comparison: Comparison, lang: str) -> go.Figure:
    """Where the policy money went, or a placeholder saying there was none."""
    money = comparison.results.state_money
    if not has_policy_money(money):
        return placeholder(text("no_money", lang))
    fig = budget_sankey(
        money,
        lang=lang,
        received=comparison.results.money_received,
        reference=reference(),
    )
    fig.update_traces(node_pad=28, textfont_size=11)
    return fig.update_layout(
        height=440, title_font_size=14, margin={"l": 10, "r": 10, "t": 50, "b": 10}
    )


def spending_figure(comparison: Comparison, lang: str) -> go.Figure:
    """Cumulative state spending of the scenario (the baseline spends nothing)."""
    money = comparison.results.state_money
    if not has_policy_money(money):
        return placeholder(text("no_money", lang))
    fig = state_spending_over_time(money, lang=lang)
    # legend below the plot: beside it, it would take most of a half-width column
    return fig.update_layout(
        height=520,
        title_font_size=14,
        margin={"t": 50, "r": 20},
        legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
    )


@dataclass(frozen=True)
class Summary:
    """The numbers under the Run button: one sentence each, and a row per innovation."""

    lines: list[str]
    rows: list[tuple[str, str, str, str]]  # innovation, scenario, baseline, difference


def shares_at(timeseries: pd.DataFrame, month: int) -> pd.Series:
    """Mean adoption share over replications per innovation at ``month`` (or the last)."""
    last = int(timeseries["month"].max())
    rows = timeseries[timeseries["month"] == min(month, last)]
    means = rows.groupby(rows["innovation"].astype(str))["adoption_share"].mean()
    return means.reindex(innovations_in(timeseries))


def _percent(share: float, lang: str) -> str:
    return f"{number(100 * share, lang, 1)} %"


def _points(diff: float, lang: str) -> str:
    sign = "+" if diff > 0 else "−" if diff < 0 else "±"
    return sign + number(abs(100 * diff), lang, 1)


def summary(comparison: Comparison, lang: str) -> Summary:
    """Adoption after 10 years (or at the end of a shorter run), scenario against baseline."""
    months = min(SUMMARY_MONTH, comparison.scenario.run.months)
    scenario = shares_at(comparison.results.timeseries, months)
    baseline = shares_at(comparison.baseline.timeseries, months)
    replications = len(comparison.results.seeds)
    lines = [
        text(
            "summary",
            lang,
            years=number(months / 12, lang, 0 if months % 12 == 0 else 1),
            share=_percent(scenario.mean(), lang),
            scenario=comparison.name,
            base=_percent(baseline.mean(), lang),
            diff=_points(scenario.mean() - baseline.mean(), lang),
            n_innovations=len(scenario),
            replications=replications,
        )
    ]
    money = comparison.results.state_money
    if has_policy_money(money):
        spent = money["granted_msek"] + money["administered_msek"] + money["risk_refunds_msek"]
        per_run = spent.groupby(money["replication"]).sum().mean()
        lines.append(text("summary_money", lang, msek=number(per_run, lang, 0)))
    seconds = number(comparison.seconds, lang, 1)
    what = text(f"time_{comparison.ran}", lang)
    lines.append(text("summary_time", lang, seconds=seconds, what=what))
    rows = []
    for name, share in scenario.items():
        base = baseline.get(name)
        if base is None or pd.isna(base):
            rows.append((name, _percent(share, lang), "–", "–"))
        else:
            rows.append(
                (name, _percent(share, lang), _percent(base, lang), _points(share - base, lang))
            )
    return Summary(lines, rows)
