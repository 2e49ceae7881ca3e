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

from experiments.metrics import METRIC_BY_NAME, Metric, per_replication
from experiments.run import RunResults
from model.reference import load_municipalities
from viz import adoption_map, adoption_over_time, budget_sankey, state_spending_over_time
from viz.app_runs import Comparison
from viz.checks import innovations_in
from viz.explain import tell
from viz.labels import innovation_namer, relabel
from viz.layout import TEMPLATE
from viz.words import number, text

SUMMARY_METRIC = "adoption_share_10y"  # as the effects table of `spridning compare`
SUMMARY_MONTH = 120  # the month that metric is taken at (or the end of a shorter run)
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


def namer(comparison: Comparison, lang: str):
    """Names innovations by their labels in ``lang`` (``viz.labels``)."""
    return innovation_namer(comparison.scenario.model_dump()["innovations"], lang)


def scenario_tables(comparison: Comparison, lang: str) -> dict[str, pd.DataFrame]:
    """Legend name -> timeseries: the scenario, then the baseline (once if they coincide)."""
    tables = {comparison.name: comparison.results.timeseries}
    tables.setdefault(text("baseline", lang), comparison.baseline.timeseries)
    return tables


def adoption_figure(comparison: Comparison, innovation: str | None, lang: str) -> go.Figure:
    """Adoption curves of the scenario and the baseline, all innovations or one, named by
    their labels."""
    tables = scenario_tables(comparison, lang)
    if innovation:
        tables = {n: t for n, t in tables.items() if innovation in innovations_in(t)}
    name = namer(comparison, lang)
    tables = {key: relabel(table, name) for key, table in tables.items()}
    chosen = name(innovation) if innovation else None
    fig = adoption_over_time(scenarios=tables, innovation=chosen, lang=lang)
    return fig.update_layout(height=520, margin={"t": 60, "r": 20})


def map_figure(
    comparison: Comparison, innovation: str | None, lang: str, boundaries: Path | None = None
) -> go.Figure:
    """The scenario's replication 0 on the map, one innovation (polygons if ``boundaries``)."""
    name = namer(comparison, lang)
    fig = adoption_map(
        relabel(comparison.results.municipalities, name),
        reference(),
        replication=0,
        innovation=name(innovation) if innovation else None,
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


def clicked_municipality(click: dict | None) -> str | None:
    """The kommunkod of the municipality clicked on the map (polygon or marker), if any."""
    points = (click or {}).get("points") or []
    if not points:
        return None
    point = points[0]
    location = point.get("location")
    if location:
        return str(location)
    custom = point.get("customdata")
    name = custom[0] if isinstance(custom, list) and custom else None
    found = reference()[reference()["name"] == name]
    return str(found["kommunkod"].iloc[0]) if len(found) else None


def map_story(
    comparison: Comparison,
    tables: dict[str, pd.DataFrame],
    code: str,
    innovation: str,
    lang: str,
) -> list[str]:
    """The clicked municipality's story in the map's replication (0), from the event
    table of that replication (``RunCache.story_tables``; ``viz.explain``)."""
    manifest = {"scenario": comparison.scenario.model_dump()}
    lines = tell(manifest, tables["events"], tables["municipalities"], code, innovation, 0, lang)
    return [line.sentence for line in lines]


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
    header: tuple[str, str, str, str]
    rows: list[tuple[str, str, str, str]]  # innovation, scenario, baseline, difference


def metric_means(results: RunResults, metric: Metric) -> pd.Series:
    """A declared metric's mean over replications, per innovation in run order, then "all"."""
    values = per_replication(results, (metric,))[metric.name]
    means = values.groupby(level="innovation").mean()
    return means.reindex([*innovations_in(results.timeseries), "all"])


def _level(value: float, metric: Metric, lang: str) -> str:
    return f"{number(value * metric.scale, lang, metric.decimals)} {metric.levels_in.get(lang)}"


def _change(diff: float, metric: Metric, lang: str) -> str:
    sign = "+" if diff > 0 else "−" if diff < 0 else "±"
    return sign + number(abs(diff * metric.scale), lang, metric.decimals)


def _summary_rows(
    scenario: pd.Series, baseline: pd.Series, metric: Metric, lang: str, label
) -> list[tuple[str, str, str, str]]:
    rows = []
    for name, value in scenario.drop("all").items():
        base = baseline.get(name)
        if base is None or pd.isna(base):
            rows.append((label(name), _level(value, metric, lang), "–", "–"))
        else:
            rows.append(
                (
                    label(name),
                    _level(value, metric, lang),
                    _level(base, metric, lang),
                    _change(value - base, metric, lang),
                )
            )
    return rows


def summary(comparison: Comparison, lang: str) -> Summary:
    """Adoption after 10 years (or at the end of a shorter run), scenario against baseline."""
    metric = METRIC_BY_NAME[SUMMARY_METRIC]
    months = min(SUMMARY_MONTH, comparison.scenario.run.months)
    scenario = metric_means(comparison.results, metric)
    baseline = metric_means(comparison.baseline, metric)
    lines = [
        text(
            "summary",
            lang,
            years=number(months / 12, lang, 0 if months % 12 == 0 else 1),
            share=_level(scenario["all"], metric, lang),
            scenario=comparison.name,
            base=_level(baseline["all"], metric, lang),
            diff=_change(scenario["all"] - baseline["all"], metric, lang),
            unit=metric.unit.get(lang),
            n_innovations=len(scenario) - 1,
            replications=len(comparison.results.seeds),
        )
    ]
    if has_policy_money(comparison.results.state_money):
        spent = metric_means(comparison.results, METRIC_BY_NAME["state_spending_msek"])["all"]
        lines.append(text("summary_money", lang, msek=number(spent, lang, 0)))
    if comparison.posterior:
        lines.append(text("band_posterior", lang, parameters=", ".join(comparison.posterior)))
    else:
        lines.append(text("band_stochastic", lang))
    seconds = number(comparison.seconds, lang, 1)
    what = text(f"time_{comparison.ran}", lang)
    lines.append(text("summary_time", lang, seconds=seconds, what=what))
    header = (
        text("col_innovation", lang),
        text("col_scenario", lang),
        text("col_baseline", lang),
        text("col_diff", lang, unit=metric.unit.get(lang)),
    )
    rows = _summary_rows(scenario, baseline, metric, lang, namer(comparison, lang))
    return Summary(lines, header, rows)
