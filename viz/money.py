"""The state's money: where a programme budget went, and how spending builds up over time.

Policy makers ask what a lever costs and where the money ends up; an unspent grant pot
is as much a finding as the grants paid. The Sankey uses means over replications (the
flows are sums, so the means balance like the flows of every single run).

What the result tables can and cannot split (so the figures do not invent numbers):
- budget -> trial grants / other use / unspent / still in the grant pot: from
  ``state_money`` (budget = granted + administered + unspent + pot, checked here);
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

import pandas as pd
import plotly.graph_objects as go

from experiments.metrics import state_spending_msek
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
    "grant_pot_msek",
)
SPENDING_COLUMNS = ("replication", "month", "innovation", "state_spending_msek")
GRANT_COLUMNS = (*SPENDING_COLUMNS, "risk_refunds_msek")
NODE_COLOURS = {
    "budget": "#4c78a8",
    "granted": "#54a24b",
    "administered": "#f58518",
    "unspent": GREY,
    "in_pot": "#d3d3d3",
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
    totals["in_pot_msek"] = grouped["grant_pot_msek"].last()
    return totals


def _grants_by_innovation(timeseries: pd.DataFrame, replications: set) -> pd.Series:
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
    budget = mean["budget_msek"]
    parts = {
        "granted": mean["granted_msek"],
        "administered": mean["administered_msek"],
        "unspent": mean["unspent_msek"],
        "in_pot": mean["in_pot_msek"],
    }
    refunds = mean["risk_refunds_msek"]
    if budget <= 0 and refunds <= 0:
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
    per_innovation = None
    if timeseries is not None:
        per_innovation = _grants_by_innovation(timeseries, set(totals.index))
        paid = per_innovation["grants"].sum()
        if abs(paid - parts["granted"]) > 1e-6 * max(1.0, parts["granted"]):
            raise ValueError(
                f"grants in the timeseries table ({paid:.3f} MSEK) differ from granted_msek "
                f"in state_money ({parts['granted']:.3f}); are they from the same run?"
            )

    nodes: list[str] = []
    colours: list[str] = []
    index: dict[str, int] = {}

    def node(key: str, name: str, value: float, colour: str) -> int:
        if key not in index:
            index[key] = len(nodes)
            nodes.append(f"{name}: {number(value, lang, 1)} {text('msek', lang)}")
            colours.append(colour)
        return index[key]

    sources: list[int] = []
    targets: list[int] = []
    values: list[float] = []

    def link(source: int, target: int, value: float) -> None:
        if value > 0:
            sources.append(source)
            targets.append(target)
            values.append(float(value))

    if budget > 0:
        top = node("budget", text("budget", lang), budget, NODE_COLOURS["budget"])
        for key, value in parts.items():
            if value > 0:
                link(top, node(key, text(key, lang), value, NODE_COLOURS[key]), value)
    if received is not None:
        _by_size_class(received, reference, totals, mean, node, link, lang)
    elif per_innovation is not None:
        innovation_colours = dict(
            zip(per_innovation.index, palette(len(per_innovation)), strict=True)
        )
        received = per_innovation.sum(axis=1)
        for name, row in per_innovation.iterrows():
            if received[name] <= 0:
                continue
            target = node(f"innovation:{name}", name, received[name], innovation_colours[name])
            if row["grants"] > 0 and "granted" in index:
                link(index["granted"], target, row["grants"])
            if row["risk_refunds_msek"] > 0:
                source = node(
                    "risk_refunds",
                    text("risk_refunds", lang),
                    refunds,
                    NODE_COLOURS["risk_refunds"],
                )
                link(source, target, row["risk_refunds_msek"])
    elif refunds > 0:
        source = node(
            "risk_refunds", text("risk_refunds", lang), refunds, NODE_COLOURS["risk_refunds"]
        )
        target = node("refunded", text("refunded_to", lang), refunds, NODE_COLOURS["granted"])
        link(source, target, refunds)

    n = len(totals)
    fig = go.Figure(
        go.Sankey(
            valueformat=".1f",
            valuesuffix=f" {text('msek', lang)}",
            node={"label": nodes, "color": colours, "pad": 18, "thickness": 18},
            link={"source": sources, "target": targets, "value": values},
            meta={"nodes": dict(index), "budget_msek": float(budget), "replications": n},
        )
    )
    return finish(fig, lang, text("sankey_title", lang, n=n), height=560)


def _by_size_class(received, reference, totals, mean, node, link, lang: str) -> None:
    """Links from grants, capacity building and risk refunds to size classes (means)."""
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
    capacity = per_class["capacity_msek"].sum()
    if abs(per_class["grants_msek"].sum() - mean["granted_msek"]) > 1e-6 * max(
        1.0, mean["granted_msek"]
    ):
        raise ValueError("money_received grants differ from state_money granted; same run?")
    received_by = per_class.sum(axis=1)
    colours = dict(zip(classes, palette(len(classes)), strict=True))

    def target(size_class: str) -> int:
        name = f"{text('municipalities_in', lang)} {size_class}"
        return node(f"size:{size_class}", name, received_by[size_class], colours[size_class])

    sources = {}
    if capacity > 0 and mean["administered_msek"] > 0:
        administered = node(
            "administered",
            text("administered", lang),
            mean["administered_msek"],
            NODE_COLOURS["administered"],
        )
        sources["capacity_msek"] = node(
            "capacity", text("capacity_building", lang), capacity, NODE_COLOURS["administered"]
        )
        link(administered, sources["capacity_msek"], capacity)
        rest = mean["administered_msek"] - capacity
        if rest > 1e-9:
            link(administered, node("other_use", text("other_use", lang), rest, GREY), rest)
    if mean["granted_msek"] > 0:
        sources["grants_msek"] = node(
            "granted", text("granted", lang), mean["granted_msek"], NODE_COLOURS["granted"]
        )
    if mean["risk_refunds_msek"] > 0:
        sources["refunds_msek"] = node(
            "risk_refunds",
            text("risk_refunds", lang),
            mean["risk_refunds_msek"],
            NODE_COLOURS["risk_refunds"],
        )
    for column, source in sources.items():
        for size_class in classes:
            value = per_class.loc[size_class, column]
            if value > 0:
                link(source, target(size_class), value)


def _cumulative(frame: pd.DataFrame, column: str, keys: list[str]) -> pd.DataFrame:
    ordered = frame.sort_values([*keys, "month"])
    return ordered.assign(cumulative=ordered.groupby(keys)[column].cumsum())


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
    fig = go.Figure()
    if all(c in table.columns for c in MONEY_COLUMNS):
        require_rows(table, "state_money table")
        spent = state_spending_msek(table, ["replication", "month"]).rename("spent")
        data = _cumulative(spent.reset_index(), "spent", ["replication"])
        name = text("spending_all", lang)
        colour = palette(1)[0]
        summary = summarise(data, "cumulative", "state_money table")
        fig.add_traces(band_traces(summary, name, colour, lang, x_unit, value_format=",.1f"))
        budget = _cumulative(table, "budget_msek", ["replication"])
        if budget["cumulative"].max() > 0:
            line = budget.groupby("month")["cumulative"].mean()
            fig.add_trace(
                go.Scatter(
                    x=line.index / 12.0 if x_unit == "years" else line.index,
                    y=line.to_numpy(),
                    mode="lines",
                    line={"color": "#555", "dash": "dash", "width": 1.5},
                    name=text("budget_cumulative", lang),
                    hovertemplate=f"{text('budget_cumulative', lang)}: %{{y:,.1f}} MSEK"
                    "<extra></extra>",
                    meta={"series": "budget", "role": "reference"},
                )
            )
        title = text("spending_title", lang)
    elif all(c in table.columns for c in SPENDING_COLUMNS):
        require_rows(table, "timeseries table")
        names = select_innovations(table, innovation, "timeseries table")
        colours = dict(zip(innovations_in(table), palette(len(innovations_in(table))), strict=True))
        data = _cumulative(
            table.assign(innovation=table["innovation"].astype(str)),
            "state_spending_msek",
            ["replication", "innovation"],
        )
        for name in names:
            colour = colours[name]
            rows = data[data["innovation"] == name]
            summary = summarise(rows, "cumulative", f"timeseries table, {name}")
            fig.add_traces(band_traces(summary, name, colour, lang, x_unit, value_format=",.1f"))
        title = text("spending_title_innovation", lang)
    else:
        raise ValueError(
            f"expected a state_money table (columns {list(MONEY_COLUMNS)}) or a timeseries "
            f"table (columns {list(SPENDING_COLUMNS)}); got columns {list(table.columns)}"
        )
    return finish(
        fig,
        lang,
        title,
        legend_title=f"<sup>{text('band_legend', lang)}</sup>",
        xaxis={"title": {"text": x_title(x_unit, lang)}},
        yaxis={"title": {"text": text("spending_axis", lang)}, "rangemode": "tozero"},
    )
