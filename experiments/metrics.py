"""Every outcome metric declared once: how it is computed, aggregated, shown and named.

As EMA Workbench's ``ScalarOutcome(name, kind, function)``: `spridning compare`
(effects.csv), the sweep outcomes, the key findings, the forest plot of effects and the
explorer all read ``METRICS``, so a new metric is one entry here plus the function that
computes it. Each function gets one run's tables and returns a value per replication and
innovation; ``overall`` says how the "all" row is formed from them (mean or sum over the
innovations, or a rule of its own). The incremental cost ratio needs two scenarios and a
bootstrap, so it is computed by ``paired`` from both runs' tables and is no sweep outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

# What a series outcome ``<measure>_m<month>`` counts at the end of a month (docs in
# experiments/targets.py; computed by experiments.evaluators.series_values).
SERIES_MEASURES = (
    "running",
    "decided",
    "abandoned",
    "adopted",
    "ever_adopted",
    "completed",
    "coverage",
)

if TYPE_CHECKING:
    from experiments.run import RunResults

KEYS = ["replication", "innovation"]
# The state's policy spending: trial grants paid, the programme's other use of its budget
# (capacity, FoU, centre, administration, process support) and risk-sharing refunds.
STATE_SPENDING_COLUMNS = ("granted_msek", "administered_msek", "risk_refunds_msek")


@dataclass(frozen=True)
class Words:
    """One text in Swedish and in English (both required, so neither can be forgotten)."""

    sv: str
    en: str

    def get(self, lang: str) -> str:
        if lang not in ("sv", "en"):
            raise ValueError(f"lang must be one of ['sv', 'en'], got {lang!r}")
        return self.sv if lang == "sv" else self.en


@dataclass(frozen=True)
class RunTables:
    """What a metric is computed from: one run's tables, innovation names as text."""

    timeseries: pd.DataFrame
    groups: pd.DataFrame
    state_money: pd.DataFrame
    months: int  # the run's length
    innovations: pd.DataFrame | None = None  # innovations.parquet (None: an older run)

    @classmethod
    def of(cls, results: RunResults) -> RunTables:
        timeseries = results.timeseries.copy()
        timeseries["innovation"] = timeseries["innovation"].astype(str)
        innovations = results.tables.get("innovations")
        if innovations is not None:
            innovations = innovations.copy()
            innovations["innovation"] = innovations["innovation"].astype(str)
            innovations = innovations.set_index(KEYS)
        months = int(timeseries["month"].max())
        return cls(timeseries, results.groups, results.state_money, months, innovations)

    def named(self) -> list[str] | None:
        """The scenario's named innovations (None when the run does not say: all are)."""
        if self.innovations is None:
            return None
        origin = self.innovations["origin"]
        return sorted(set(origin[origin == "named"].index.get_level_values("innovation")))

    def share_at(self, month: int) -> pd.Series:
        """Adoption share per replication and innovation at ``month`` (or the run's end)."""
        ts = self.timeseries
        return ts[ts["month"] == min(month, self.months)].set_index(KEYS)["adoption_share"]

    def summed(self, column: str) -> pd.Series:
        """A timeseries column summed over the run, per replication and innovation."""
        return self.timeseries.groupby(KEYS)[column].sum()


Compute = Callable[[RunTables], pd.Series]
Paired = Callable[
    [pd.DataFrame, pd.DataFrame, int | None], tuple[float, float, float, float, float]
]


@dataclass(frozen=True)
class Metric:
    """One outcome: its computation, its "all" rule, how it is shown and what it is called.

    ``scale`` multiplies values for display (shares are shown x 100, in percentage
    points), ``decimals`` is how many a sentence quotes. ``unit`` is the unit of a
    difference, ``level_unit`` the unit of one scenario's value (a share is in %, its
    difference in percentage points). ``label`` titles axes and figure panels,
    ``subject`` begins the key finding. ``headline`` is the metric's place among the
    key findings of a comparison (None: not one of them). ``in_effects``: whether
    `spridning compare` reports it (adoption-years only feeds the cost ratio and sweeps).
    """

    name: str
    compute: Compute | None
    overall: Literal["mean", "sum"] | Compute | None
    unit: Words
    label: Words
    subject: Words
    scale: float = 1.0
    decimals: int = 0
    direction: Literal["higher is better", "lower is better", "neutral"] = "neutral"
    level_unit: Words | None = None
    headline: int | None = None
    in_effects: bool = True
    paired: Paired | None = None

    @property
    def paired_only(self) -> bool:
        """Needs two scenarios (so it is in effects.csv but is no sweep outcome)."""
        return self.paired is not None

    @property
    def levels_in(self) -> Words:
        return self.level_unit or self.unit


def state_spending_msek(state_money: pd.DataFrame, by: str | list[str]) -> pd.Series:
    """The state's policy spending (``STATE_SPENDING_COLUMNS``) summed per ``by``."""
    return state_money.groupby(by)[list(STATE_SPENDING_COLUMNS)].sum().sum(axis=1)


def _share_after(month: int) -> Compute:
    def share(run: RunTables) -> pd.Series:
        return run.share_at(month)

    return share


def _months_to_half(run: RunTables) -> pd.Series:
    """First month with at least half adopted; NaN where the run never got there (a
    "never" is not a number of months: it is counted by ``_reached_half``)."""
    ts = run.timeseries
    reached = ts[ts["adoption_share"] >= 0.5].groupby(KEYS)["month"].min()
    return reached.reindex(run.share_at(run.months).index).astype(float)


def _reached_half(run: RunTables) -> pd.Series:
    """1 where at least half had adopted at some month of the run, else 0."""
    return _months_to_half(run).notna().astype(float)


def _undefined_over_innovations(run: RunTables) -> pd.Series:
    """NaN per replication: times over different sets of innovations do not average."""
    replications = run.share_at(run.months).index.get_level_values("replication").unique()
    return pd.Series(np.nan, index=pd.Index(replications, name="replication"))


def _summed(column: str) -> Compute:
    def total(run: RunTables) -> pd.Series:
        return run.summed(column)

    return total


def _municipal_net(run: RunTables) -> pd.Series:
    """Municipal spending less the refunds the state paid back for failed trials."""
    return run.summed("municipal_spending_msek") - run.summed("risk_refunds_msek")


def _adoption_years(run: RunTables) -> pd.Series:
    return run.summed("adopted") / 12.0


def _overall_state_spending(run: RunTables) -> pd.Series:
    """All policy money, also what cannot be traced to one innovation (capacity, FoU …)."""
    return state_spending_msek(run.state_money, "replication")


def _size_gap_10y(run: RunTables) -> pd.Series:
    """Adoption share of the largest size class minus that of the smallest, after 10 years."""
    groups = run.groups
    sizes = groups[
        (groups["group_type"] == "size_class") & (groups["month"] == min(120, run.months))
    ].copy()
    sizes["innovation"] = sizes["innovation"].astype(str)
    sizes["group"] = sizes["group"].astype(str)
    wide = sizes.pivot_table(index=KEYS, columns="group", values="adoption_share", observed=True)
    return wide[">=100k"] - wide["<10k"]


def _reached_relevant(share: float) -> Compute:
    """1 where an innovation's adopters at the end are at least ``share`` of the
    municipalities it is relevant to, else 0 (only innovations there: named or arrived)."""

    def reached(run: RunTables) -> pd.Series:
        table = run.innovations
        if table is None:
            return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=KEYS))
        relevant = table["relevant"].where(table["relevant"] > 0)
        return (table["adopters_end"] / relevant >= share).astype(float)

    return reached


def _weak_adopters(run: RunTables) -> pd.Series:
    """Municipalities using an innovation whose true benefit/cost is below 1 at the end."""
    table = run.innovations
    if table is None:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=KEYS))
    return table["adopters_end"].where(table["true_ratio"] < 1.0, 0).astype(float)


def _incremental_ratio(
    a: pd.DataFrame, b: pd.DataFrame, seed: int | None
) -> tuple[float, float, float, float, float]:
    """State cost per adoption-year in A and B, and the incremental ratio with a bootstrap
    CI (``seed`` None: no interval)."""
    sa, sb = a["state_spending_msek"].to_numpy(), b["state_spending_msek"].to_numpy()
    ya, yb = a["adoption_years"].to_numpy(), b["adoption_years"].to_numpy()
    ratio_a = sa.sum() / ya.sum() if ya.sum() else np.nan
    ratio_b = sb.sum() / yb.sum() if yb.sum() else np.nan
    extra_years = (yb - ya).mean()
    diff = (sb - sa).mean() / extra_years if extra_years > 0 else np.nan
    if seed is None:  # the estimate only (per posterior draw)
        return ratio_a, ratio_b, diff, np.nan, np.nan
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(2000):
        pick = rng.integers(0, sa.size, sa.size)
        years = (yb[pick] - ya[pick]).mean()
        if years > 0:
            draws.append((sb[pick] - sa[pick]).mean() / years)
    low, high = (
        np.percentile(draws, [2.5, 97.5])
        if len(draws) > 100 and np.isfinite(diff)
        else (np.nan, np.nan)
    )
    return ratio_a, ratio_b, diff, low, high


POINTS = Words("procentenheter", "percentage points")
PERCENT = Words("%", "%")
MSEK = Words("MSEK", "MSEK")

METRICS: tuple[Metric, ...] = (
    Metric(
        name="adoption_share_5y",
        compute=_share_after(60),
        overall="mean",
        unit=POINTS,
        level_unit=PERCENT,
        scale=100.0,
        decimals=1,
        direction="higher is better",
        label=Words(
            "Andel som har infört efter 5 år (procentenheter)",
            "Share adopted after 5 years (percentage points)",
        ),
        subject=Words(
            "Andelen kommuner som infört en innovation efter 5 år",
            "The share of municipalities that have adopted an innovation after 5 years",
        ),
    ),
    Metric(
        name="adoption_share_10y",
        compute=_share_after(120),
        overall="mean",
        unit=POINTS,
        level_unit=PERCENT,
        scale=100.0,
        decimals=1,
        direction="higher is better",
        headline=1,
        label=Words(
            "Andel som har infört efter 10 år (procentenheter)",
            "Share adopted after 10 years (percentage points)",
        ),
        subject=Words(
            "Andelen kommuner som infört en innovation efter 10 år (medel över innovationerna)",
            "The share of municipalities that have adopted an innovation after 10 years "
            "(mean over the innovations)",
        ),
    ),
    Metric(
        name="reached_50pct_share",
        compute=_reached_half,
        overall="mean",
        unit=POINTS,
        level_unit=PERCENT,
        scale=100.0,
        decimals=0,
        direction="higher is better",
        headline=2,
        label=Words(
            "Andel replikeringar där hälften har infört inom körningen (procentenheter)",
            "Share of replications where half adopted within the run (percentage points)",
        ),
        subject=Words(
            "Andelen körningar där hälften av kommunerna infört innan körningen slutar "
            "(medel över innovationerna)",
            "The share of runs in which half of the municipalities adopted an innovation before "
            "the run ended (mean over the innovations)",
        ),
    ),
    Metric(
        name="months_to_50pct_if_reached",
        compute=_months_to_half,
        overall=_undefined_over_innovations,  # innovations that got there differ by run
        unit=Words("månader", "months"),
        direction="lower is better",
        label=Words(
            "Månader till 50 % har infört, där det nåddes (n = par som nådde dit)",
            "Months to 50 % adopted, where reached (n = pairs that got there)",
        ),
        subject=Words(
            "Tiden tills hälften av kommunerna infört, där båda scenarierna nådde dit",
            "The time until half of the municipalities adopted, where both scenarios got there",
        ),
    ),
    Metric(
        name="value_created_msek",
        compute=_summed("value_msek"),
        overall="sum",
        unit=MSEK,
        direction="higher is better",
        headline=4,
        label=Words("Skapat värde (MSEK)", "Value created (MSEK)"),
        subject=Words(
            "Värdet som innovationerna skapat i kommunerna",
            "The value the innovations created in the municipalities",
        ),
    ),
    Metric(
        name="innovations_reaching_10pct",
        compute=_reached_relevant(0.1),
        overall="sum",
        unit=Words("innovationer", "innovations"),
        decimals=1,
        direction="higher is better",
        label=Words(
            "Innovationer som används av minst 10 % av dem de är relevanta för, vid slutet",
            "Innovations used by at least 10 % of those they are relevant to, at the end",
        ),
        subject=Words(
            "Antalet innovationer som används av minst 10 % av kommunerna de är relevanta för",
            "The number of innovations used by at least 10 % of the municipalities they are "
            "relevant to",
        ),
    ),
    Metric(
        name="innovations_reaching_50pct",
        compute=_reached_relevant(0.5),
        overall="sum",
        unit=Words("innovationer", "innovations"),
        decimals=1,
        direction="higher is better",
        label=Words(
            "Innovationer som används av minst hälften av dem de är relevanta för, vid slutet",
            "Innovations used by at least half of those they are relevant to, at the end",
        ),
        subject=Words(
            "Antalet innovationer som används av minst hälften av kommunerna de är relevanta för",
            "The number of innovations used by at least half of the municipalities they are "
            "relevant to",
        ),
    ),
    Metric(
        name="weak_adopters_end",
        compute=_weak_adopters,
        overall="sum",
        unit=Words("kommuner", "municipalities"),
        decimals=1,
        direction="lower is better",
        label=Words(
            "Kommuner som vid slutet använder en svag innovation (nytta/kostnad under 1)",
            "Municipalities using a weak innovation (benefit/cost below 1) at the end",
        ),
        subject=Words(
            "Antalet kommuner som använder en innovation som kostar mer än den ger",
            "The number of municipalities using an innovation that costs more than it gives",
        ),
    ),
    Metric(
        name="state_spending_msek",
        # per innovation: its grants and refunds; "all": every policy MSEK spent
        compute=_summed("state_spending_msek"),
        overall=_overall_state_spending,
        unit=MSEK,
        headline=5,
        label=Words("Statens utgifter (MSEK)", "State spending (MSEK)"),
        subject=Words("Statens utgifter för åtgärderna", "The state's spending on the levers"),
    ),
    Metric(
        name="municipal_spending_msek",
        compute=_municipal_net,
        overall="sum",
        unit=MSEK,
        label=Words("Kommunernas utgifter, netto (MSEK)", "Municipal spending, net (MSEK)"),
        subject=Words("Kommunernas utgifter, netto", "The municipalities' net spending"),
    ),
    Metric(
        name="state_cost_per_adoption_year_msek",
        compute=None,
        overall=None,
        paired=_incremental_ratio,
        unit=Words("MSEK per extra införandeår", "MSEK per extra adoption-year"),
        level_unit=Words("MSEK per införandeår", "MSEK per adoption-year"),
        decimals=2,
        direction="lower is better",
        headline=6,
        label=Words(
            "Extra statliga MSEK per extra införandeår (bootstrapintervall)",
            "Extra state MSEK per extra adoption-year (bootstrap interval)",
        ),
        subject=Words(
            "Statens kostnad per extra införandeår",
            "The state's cost per additional adoption-year",
        ),
    ),
    Metric(
        name="size_gap_10y",
        compute=_size_gap_10y,
        overall="mean",
        unit=POINTS,
        scale=100.0,
        decimals=1,
        direction="lower is better",
        headline=3,
        label=Words(
            "Skillnad största − minsta storleksklass efter 10 år (procentenheter)",
            "Gap largest − smallest size class after 10 years (percentage points)",
        ),
        subject=Words(
            "Skillnaden i införande mellan de största och de minsta kommunerna efter 10 år",
            "The adoption gap between the largest and the smallest municipalities after 10 years",
        ),
    ),
    Metric(
        name="adoption_years",
        compute=_adoption_years,
        overall="sum",
        unit=Words("införandeår", "adoption-years"),
        decimals=1,
        direction="higher is better",
        in_effects=False,
        label=Words(
            "Införandeår (kommuner som har infört, summerat över månaderna / 12)",
            "Adoption-years (municipalities that have adopted, summed over months / 12)",
        ),
        subject=Words(
            "Antalet införandeår (kommuner med innovationen i drift, i år)",
            "The number of adoption-years (municipalities using an innovation, in years)",
        ),
    ),
)

METRIC_BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
# What `spridning compare` writes to effects.csv, in this order.
EFFECT_METRICS: tuple[Metric, ...] = tuple(m for m in METRICS if m.in_effects)
# What one run gives per replication: every metric that needs no second scenario.
RUN_METRICS: tuple[Metric, ...] = tuple(m for m in METRICS if not m.paired_only)
# The key findings of a comparison, in the order they are told.
HEADLINES: tuple[Metric, ...] = tuple(
    sorted((m for m in METRICS if m.headline is not None), key=lambda m: m.headline or 0)
)


def _overall(metric: Metric, table: pd.DataFrame, run: RunTables) -> pd.Series:
    """The metric over all innovations, per replication. A mean is over the named
    innovations (a pipeline's innovations arrive in some replications only, and mostly
    late); a sum is over every innovation there."""
    if callable(metric.overall):
        return metric.overall(run)
    values = table[metric.name]
    named = run.named()
    if metric.overall == "mean" and named is not None:
        values = values[values.index.get_level_values("innovation").isin(named)]
    return values.groupby(level="replication").agg(metric.overall)


def per_replication(results: RunResults, metrics: tuple[Metric, ...] = RUN_METRICS) -> pd.DataFrame:
    """Run metrics per replication and innovation (plus "all"): rows (replication,
    innovation), one column per metric (default: every one in ``RUN_METRICS``)."""
    run = RunTables.of(results)
    table = pd.DataFrame({m.name: m.compute(run) for m in metrics if m.compute})
    overall = pd.DataFrame({m.name: _overall(m, table, run) for m in metrics})
    overall["innovation"] = "all"
    overall = overall.reset_index().set_index(KEYS)
    return pd.concat([table, overall]).sort_index()
