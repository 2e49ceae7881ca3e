"""The state's money: where a programme budget went, and how spending builds up over time.

Policy makers ask what a lever costs and where the money ends up; an unspent grant pot
is as much a finding as the grants paid. The Sankey uses means over replications (the
flows are sums, so the means balance like the flows of every single run).

What the result tables can and cannot split (so the figures do not invent numbers):
- budget -> trial grants / other use / unspent / still held in the levers' pots: from
  ``state_money`` (budget = granted + administered + unspent + held, checked here);
- trial grants -> innovations: from ``timeseries`` (its ``state_spending_msek`` is the
  innovation's grants plus risk refunds, so grants = state_spending - risk_refunds);
- "other use" (``administered_msek``) -> capacity building (from ``money_received``) and
  the rest (FoU, competence centre, administration: one sum in the tables);
- grants, capacity building and risk refunds -> size classes: from ``money_received``
  (what each municipality received per replication);
Risk refunds (shared procurement with state risk sharing) are state money outside any
programme budget and appear as their own source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from experiments.metrics import state_spending_msek
from model.policies.calls import COLUMNS as CALL_TABLE_COLUMNS
from viz.bands import band_traces, summarise
from viz.checks import innovations_in, require_columns, require_rows, select_innovations
from viz.layout import GREY, check_x_unit, finish, palette, x_title
from viz.words import check_lang, number, text

MONEY_COLUMNS = (
    "replication",
    "month",
    "budget_msek",
    "granted_msek",
    "administered_msek",
    "unspent_msek",
    "risk_refunds_msek",
    "held_msek",
)
SPENDING_COLUMNS = ("replication", "month", "innovation", "state_spending_msek")
GRANT_COLUMNS = (*SPENDING_COLUMNS, "risk_refunds_msek")
NODE_COLOURS = {
    "budget": "#4c78a8",
    "granted": "#54a24b",
    "administered": "#f58518",
    "unspent": GREY,
    "held": "#d3d3d3",
    "risk_refunds": "#b279a2",
}


def money_totals(state_money: pd.DataFrame) -> pd.DataFrame:
    """Per replication: each flow summed over the run, and the grant pot left at the end."""
    require_columns(state_money, MONEY_COLUMNS, "state_money table")
    require_rows(state_money, "state_money table")
    ordered = state_money.sort_values(["replication", "month"])
    grouped = ordered.groupby("replication")
    totals = grouped[
        ["budget_msek", "granted_msek", "administered_msek", "unspent_msek", "risk_refunds_msek"]
    ].sum()
    totals["held_msek"] = grouped["held_msek"].last()
    return totals


def _grants_by_innovation(timeseries: pd.DataFrame, replications: set) -> pd.DataFrame:
    """Mean over replications of each innovation's grants (state spending - risk refunds)."""
    require_columns(timeseries, GRANT_COLUMNS, "timeseries table")
    if set(timeseries["replication"].unique()) != replications:
        raise ValueError(
            "timeseries and state_money hold different replications; are they from the same run?"
        )
    ts = timeseries.assign(
        innovation=timeseries["innovation"].astype(str),
        grants=timeseries["state_spending_msek"] - timeseries["risk_refunds_msek"],
    )
    names = select_innovations(timeseries, None, "timeseries table")
    per_run = ts.groupby(["replication", "innovation"])[["grants", "risk_refunds_msek"]].sum()
    return per_run.groupby(level="innovation").mean().reindex(names)


def _budget_parts(mean: pd.Series) -> dict[str, float]:
    """Where the mean budget went; refuses a run with no policy money or unbalanced books,
    since the Sankey would then draw nothing or invent a flow."""
    budget = mean["budget_msek"]
    parts = {
        "granted": mean["granted_msek"],
        "administered": mean["administered_msek"],
        "unspent": mean["unspent_msek"],
        "held": mean["held_msek"],
    }
    if budget <= 0 and mean["risk_refunds_msek"] <= 0:
        raise ValueError(
            "state_money table: no policy money in this run (budget and risk refunds are 0 "
            "in every month); nothing to draw"
        )
    gap = budget - sum(parts.values())
    if abs(gap) > 1e-6 * max(1.0, budget):
        raise ValueError(
            f"state_money table does not balance: budget {budget:.3f} MSEK but granted + "
            f"administered + unspent + pot = {sum(parts.values()):.3f} MSEK"
        )
    return parts


def _checked_grants_by_innovation(
    timeseries: pd.DataFrame, totals: pd.DataFrame, granted: float
) -> pd.DataFrame:
    """Grants and risk refunds per innovation, refused unless the grants add up to what
    ``state_money`` says was granted (tables of two different runs would mislead)."""
    per_innovation = _grants_by_innovation(timeseries, set(totals.index))
    paid = per_innovation["grants"].sum()
    if abs(paid - granted) > 1e-6 * max(1.0, granted):
        raise ValueError(
            f"grants in the timeseries table ({paid:.3f} MSEK) differ from granted_msek "
            f"in state_money ({granted:.3f}); are they from the same run?"
        )
    return per_innovation


@dataclass
class _Flows:
    """The Sankey's nodes and links as they are drawn; a node is made the first time its
    key is named (later calls return its index), and only positive flows become links."""

    lang: str
    labels: list[str] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    sources: list[int] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def node(self, key: str, name: str, value: float, colour: str) -> int:
        """Index of the node ``key``, labelled with its name and amount when first made."""
        if key not in self.index:
            self.index[key] = len(self.labels)
            self.labels.append(f"{name}: {number(value, self.lang, 1)} {text('msek', self.lang)}")
            self.colours.append(colour)
        return self.index[key]

    def link(self, source: int, target: int, value: float) -> None:
        if value > 0:
            self.sources.append(source)
            self.targets.append(target)
            self.values.append(float(value))

    def named(self, key: str, value: float) -> int:
        """A node of the money's own kinds (budget, granted, ...): the word and colour of
        ``key``."""
        return self.node(key, text(key, self.lang), value, NODE_COLOURS[key])


def _budget_links(flows: _Flows, budget: float, parts: dict[str, float]) -> None:
    """Budget -> each use of it (trial grants, other use, unspent, still in the pot)."""
    if budget <= 0:
        return
    top = flows.named("budget", budget)
    for key, value in parts.items():
        if value > 0:
            flows.link(top, flows.named(key, value), value)


def _innovation_links(flows: _Flows, per_innovation: pd.DataFrame, refunds: float) -> None:
    """Trial grants and risk refunds -> the innovations they paid for."""
    colours = dict(zip(per_innovation.index, palette(len(per_innovation)), strict=True))
    received = per_innovation.sum(axis=1)
    for name, row in per_innovation.iterrows():
        if received[name] <= 0:
            continue
        target = flows.node(f"innovation:{name}", name, received[name], colours[name])
        if row["grants"] > 0 and "granted" in flows.index:
            flows.link(flows.index["granted"], target, row["grants"])
        if row["risk_refunds_msek"] > 0:
            flows.link(flows.named("risk_refunds", refunds), target, row["risk_refunds_msek"])


def _refund_links(flows: _Flows, refunds: float) -> None:
    """Risk refunds -> the municipalities refunded, when nothing splits them further."""
    source = flows.named("risk_refunds", refunds)
    target = flows.node(
        "refunded", text("refunded_to", flows.lang), refunds, NODE_COLOURS["granted"]
    )
    flows.link(source, target, refunds)


def _sankey_figure(flows: _Flows, budget: float, replications: int, lang: str) -> go.Figure:
    """The Sankey of ``flows``; ``meta`` names the nodes so code and tests can find them."""
    fig = go.Figure(
        go.Sankey(
            valueformat=".1f",
            valuesuffix=f" {text('msek', lang)}",
            node={"label": flows.labels, "color": flows.colours, "pad": 18, "thickness": 18},
            link={"source": flows.sources, "target": flows.targets, "value": flows.values},
            meta={
                "nodes": dict(flows.index),
                "budget_msek": float(budget),
                "replications": replications,
            },
        )
    )
    return finish(fig, lang, text("sankey_title", lang, n=replications), height=560)


def budget_sankey(
    state_money: pd.DataFrame,
    timeseries: pd.DataFrame | None = None,
    lang: str = "sv",
    received: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
) -> go.Figure:
    """Sankey of the policy money, mean over replications (MSEK).

    Budget -> trial grants paid / other use / unspent / still in the grant pot. With
    ``received`` (``money_received.parquet`` of the same run) and ``reference`` (the
    municipality table): other use -> capacity building / the rest, and grants, capacity
    building and risk refunds -> the size classes of the municipalities they reached.
    Otherwise, with ``timeseries`` (same run): grants and risk refunds -> each innovation.
    """
    check_lang(lang)
    totals = money_totals(state_money)
    mean = totals.mean()
    parts = _budget_parts(mean)
    per_innovation = None
    if timeseries is not None:
        per_innovation = _checked_grants_by_innovation(timeseries, totals, parts["granted"])
    flows = _Flows(lang)
    _budget_links(flows, mean["budget_msek"], parts)
    if received is not None:
        _size_class_links(flows, _money_by_size_class(received, reference, totals, mean), mean)
    elif per_innovation is not None:
        _innovation_links(flows, per_innovation, mean["risk_refunds_msek"])
    elif mean["risk_refunds_msek"] > 0:
        _refund_links(flows, mean["risk_refunds_msek"])
    return _sankey_figure(flows, mean["budget_msek"], len(totals), lang)


def _money_by_size_class(
    received: pd.DataFrame, reference: pd.DataFrame | None, totals: pd.DataFrame, mean: pd.Series
) -> pd.DataFrame:
    """Mean grants, capacity building and risk refunds per size class (rows smallest class
    first), refused unless the grants agree with ``state_money`` (same run)."""
    require_columns(
        received,
        ("replication", "kommunkod", "grants_msek", "capacity_msek", "refunds_msek"),
        "money_received table",
    )
    if reference is None:
        raise ValueError("budget_sankey: give reference= (the municipality table) with received=")
    if set(received["replication"].unique()) != set(totals.index):
        raise ValueError("money_received and state_money hold different replications")
    size = dict(zip(reference["kommunkod"], reference["size_class"], strict=True))
    classes = list(dict.fromkeys(reference.sort_values("population")["size_class"]))
    table = received.assign(size_class=received["kommunkod"].map(size))
    per_class = (
        table.groupby(["replication", "size_class"])[
            ["grants_msek", "capacity_msek", "refunds_msek"]
        ]
        .sum()
        .groupby(level="size_class")
        .mean()
        .reindex(classes)
        .fillna(0.0)
    )
    if abs(per_class["grants_msek"].sum() - mean["granted_msek"]) > 1e-6 * max(
        1.0, mean["granted_msek"]
    ):
        raise ValueError("money_received grants differ from state_money granted; same run?")
    return per_class


def _size_class_sources(flows: _Flows, mean: pd.Series, capacity: float) -> dict[str, int]:
    """The nodes money reaches municipalities from, by ``money_received`` column; other use
    is split into capacity building and the rest on the way."""
    sources = {}
    administered = mean["administered_msek"]
    if capacity > 0 and administered > 0:
        other_use = flows.named("administered", administered)
        sources["capacity_msek"] = flows.node(
            "capacity",
            text("capacity_building", flows.lang),
            capacity,
            NODE_COLOURS["administered"],
        )
        flows.link(other_use, sources["capacity_msek"], capacity)
        rest = administered - capacity
        if rest > 1e-9:
            flows.link(
                other_use, flows.node("other_use", text("other_use", flows.lang), rest, GREY), rest
            )
    if mean["granted_msek"] > 0:
        sources["grants_msek"] = flows.named("granted", mean["granted_msek"])
    if mean["risk_refunds_msek"] > 0:
        sources["refunds_msek"] = flows.named("risk_refunds", mean["risk_refunds_msek"])
    return sources


def _size_class_links(flows: _Flows, per_class: pd.DataFrame, mean: pd.Series) -> None:
    """Grants, capacity building and risk refunds -> the size classes they reached (a
    class gets its node only when money reached it)."""
    sources = _size_class_sources(flows, mean, per_class["capacity_msek"].sum())
    received_by = per_class.sum(axis=1)
    classes = list(per_class.index)
    colours = dict(zip(classes, palette(len(classes)), strict=True))
    for column, source in sources.items():
        for size_class in classes:
            value = per_class.loc[size_class, column]
            if value > 0:
                name = f"{text('municipalities_in', flows.lang)} {size_class}"
                target = flows.node(
                    f"size:{size_class}", name, received_by[size_class], colours[size_class]
                )
                flows.link(source, target, value)


def _cumulative(frame: pd.DataFrame, column: str, keys: list[str]) -> pd.DataFrame:
    """``frame`` with ``cumulative``: ``column`` summed month by month within ``keys``."""
    ordered = frame.sort_values([*keys, "month"])
    return ordered.assign(cumulative=ordered.groupby(keys)[column].cumsum())


def _all_spending_traces(table: pd.DataFrame, x_unit: str, lang: str) -> list[go.Scatter]:
    """All policy money used (band and mean), and the cumulative budget as a reference."""
    require_rows(table, "state_money table")
    spent = state_spending_msek(table, ["replication", "month"]).rename("spent")
    data = _cumulative(spent.reset_index(), "spent", ["replication"])
    summary = summarise(data, "cumulative", "state_money table")
    name, colour = text("spending_all", lang), palette(1)[0]
    traces = band_traces(summary, name, colour, lang, x_unit, value_format=",.1f")
    budget = _budget_line(table, x_unit, lang)
    return traces if budget is None else [*traces, budget]


def _budget_line(table: pd.DataFrame, x_unit: str, lang: str) -> go.Scatter | None:
    """The mean cumulative budget as a dashed line (None when there is no budget), so
    spending can be read against what was made available."""
    budget = _cumulative(table, "budget_msek", ["replication"])
    if budget["cumulative"].max() <= 0:
        return None
    line = budget.groupby("month")["cumulative"].mean()
    return go.Scatter(
        x=line.index / 12.0 if x_unit == "years" else line.index,
        y=line.to_numpy(),
        mode="lines",
        line={"color": "#555", "dash": "dash", "width": 1.5},
        name=text("budget_cumulative", lang),
        hovertemplate=f"{text('budget_cumulative', lang)}: %{{y:,.1f}} MSEK<extra></extra>",
        meta={"series": "budget", "role": "reference"},
    )


def _innovation_spending_traces(
    table: pd.DataFrame, innovation: str | None, x_unit: str, lang: str
) -> list[go.Scatter]:
    """Band and mean of each innovation's traceable money (grants and risk refunds), in
    the colour the innovation has in every figure."""
    require_rows(table, "timeseries table")
    names = select_innovations(table, innovation, "timeseries table")
    every = innovations_in(table)
    colours = dict(zip(every, palette(len(every)), strict=True))
    data = _cumulative(
        table.assign(innovation=table["innovation"].astype(str)),
        "state_spending_msek",
        ["replication", "innovation"],
    )
    traces = []
    for name in names:
        rows = data[data["innovation"] == name]
        summary = summarise(rows, "cumulative", f"timeseries table, {name}")
        traces += band_traces(summary, name, colours[name], lang, x_unit, value_format=",.1f")
    return traces


def state_spending_over_time(
    table: pd.DataFrame, innovation: str | None = None, x_unit: str = "years", lang: str = "sv"
) -> go.Figure:
    """Cumulative state spending, mean over replications with a 2.5–97.5 % band.

    With a ``state_money`` table: all policy money used (grants + other use + risk
    refunds), with the cumulative budget as a dashed reference. With a ``timeseries``
    table: one line per innovation (or ``innovation``) of the money that can be traced to
    an innovation, its grants and risk refunds; other programme spending is not in it.
    """
    check_lang(lang)
    check_x_unit(x_unit)
    if all(c in table.columns for c in MONEY_COLUMNS):
        traces = _all_spending_traces(table, x_unit, lang)
        title = text("spending_title", lang)
    elif all(c in table.columns for c in SPENDING_COLUMNS):
        traces = _innovation_spending_traces(table, innovation, x_unit, lang)
        title = text("spending_title_innovation", lang)
    else:
        raise ValueError(
            f"expected a state_money table (columns {list(MONEY_COLUMNS)}) or a timeseries "
            f"table (columns {list(SPENDING_COLUMNS)}); got columns {list(table.columns)}"
        )
    return finish(
        go.Figure(traces),
        lang,
        title,
        legend_title=f"<sup>{text('band_legend', lang)}</sup>",
        xaxis={"title": {"text": x_title(x_unit, lang)}},
        yaxis={"title": {"text": text("spending_axis", lang)}, "rangemode": "tozero"},
    )


CALL_COLUMNS = CALL_TABLE_COLUMNS  # model/policies/calls.py declares the table


def calls_summary(programme_calls: pd.DataFrame) -> pd.DataFrame:
    """Mean over replications per lever, year and instrument, then each instrument's
    totals over the years (year "all"): how much each call could absorb."""
    require_columns(programme_calls, CALL_COLUMNS, "programme_calls table")
    values = list(CALL_COLUMNS[4:])
    if programme_calls.empty:
        return pd.DataFrame(columns=list(CALL_COLUMNS[1:]))
    per_year = programme_calls.groupby(["lever", "year", "instrument"], sort=True)[values].mean()
    per_year = per_year.reset_index()
    totals = per_year.groupby(["lever", "instrument"], sort=False)[values].sum().reset_index()
    totals[["budget_msek", "rolled_over_msek"]] = float("nan")  # carried money: not summable
    totals["year"] = "all"
    shown = pd.concat([per_year.astype({"year": str}), totals], ignore_index=True)
    return shown[list(CALL_COLUMNS[1:])]
