"""Models a sweep can evaluate at a design point: the spridning model, and a test function.

An evaluator takes the point's overrides and its replications' seeds and returns one row
per replication and innovation with the outcomes. The Ishigami function (known Sobol
indices) goes through the same sampling, running, storage and analysis as the model,
which shows the pipeline is wired correctly.
"""

from __future__ import annotations

import math
import re
from typing import Any, Protocol

import numpy as np
import pandas as pd

from experiments.metrics import SERIES_MEASURES, per_replication
from experiments.run import DEFAULT_BATCH, batches, combine, run_batch
from model.scenario import Scenario
from model.stages import STAGE_NAMES


class Evaluator(Protocol):
    def __call__(
        self,
        overrides: dict[str, Any],
        seeds: list[int],
        scenario: Scenario | None,
        reference: Scenario | None,
        outcomes: tuple[str, ...],
    ) -> pd.DataFrame: ...


SERIES = re.compile(rf"^({'|'.join(SERIES_MEASURES)})_m(\d+)$")
STAGES_OF = {
    "running": ("trialling", "adopted"),
    "decided": ("decided",),
    "abandoned": ("discontinued",),
    "adopted": ("adopted",),
}


def municipality_counts(timeseries: pd.DataFrame) -> pd.Series:
    """How many municipalities each row's run had: every one is in exactly one stage."""
    return timeseries[list(STAGE_NAMES)].sum(axis=1)


def series_values(timeseries: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Counts of municipalities at given months (outcomes ``<measure>_m<month>``), per
    replication and innovation, plus "all" (summed); NaN past the run's end."""
    ts = timeseries.assign(innovation=timeseries["innovation"].astype(str))
    ts = ts.set_index(["month", "replication", "innovation"]).sort_index()
    columns = {}
    for name in names:
        measure, month = SERIES.match(name).groups()
        if int(month) > ts.index.get_level_values("month").max():
            columns[name] = None
            continue
        at = ts.xs(int(month), level="month")
        if measure == "ever_adopted":
            values = at["ever_adopted_share"] * municipality_counts(at)
        elif measure == "coverage":
            values = at["coverage_weighted_share"] * municipality_counts(at)
        elif measure == "completed":
            values = at["fully_covered"]
        else:
            values = at[list(STAGES_OF[measure])].sum(axis=1)
        columns[name] = values.astype(float)
    index = ts.xs(ts.index.get_level_values("month").min(), level="month").index
    table = pd.DataFrame(
        {n: (v if v is not None else np.nan) for n, v in columns.items()}, index=index
    )
    overall = table.groupby(level="replication").sum(min_count=1)
    overall["innovation"] = "all"
    overall = overall.reset_index().set_index(["replication", "innovation"])
    return pd.concat([table, overall]).sort_index()


def _outcomes(
    scenario: Scenario,
    seeds: list[int],
    outcomes: tuple[str, ...],
    block_overrides: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Per-replication outcomes (rows: position in ``seeds`` x innovation, plus "all");
    ``block_overrides``: each replication's own parameter values (``model/blocks.py``)."""
    parts = [
        run_batch(
            scenario,
            first,
            seeds[first : first + count],
            None if block_overrides is None else block_overrides[first : first + count],
        )
        for first, count in batches(len(seeds), DEFAULT_BATCH)
    ]
    results = combine(scenario, 0, seeds, parts)
    series = [name for name in outcomes if SERIES.match(name)]
    metrics = [name for name in outcomes if not SERIES.match(name)]
    parts = []
    if metrics:
        parts.append(per_replication(results)[metrics])
    if series:
        parts.append(series_values(results.timeseries, series))
    return pd.concat(parts, axis=1)[list(outcomes)]


def evaluate_spridning(
    overrides: dict[str, Any],
    seeds: list[int],
    scenario: Scenario | None,
    reference: Scenario | None,
    outcomes: tuple[str, ...],
) -> pd.DataFrame:
    """The model at one point; with a reference, also the paired effect (same seeds)."""
    assert scenario is not None
    table = _outcomes(scenario.with_overrides(overrides), seeds, outcomes)
    if reference is not None:
        base = _outcomes(reference.with_overrides(overrides), seeds, outcomes)
        effect = (table - base.reindex(table.index)).add_prefix("effect_")
        table = table.join(effect)
    return table.reset_index()


def evaluate_spridning_points(
    points: list[tuple[dict[str, Any], list[int]]],
    scenario: Scenario | None,
    reference: Scenario | None,
    outcomes: tuple[str, ...],
) -> list[pd.DataFrame]:
    """Several points at once, their replications side by side as blocks of one model
    (each block with its point's values): what ``evaluate_spridning`` gives per point,
    since a block's results do not depend on its batch. Raises ``BlockParameterError``
    when a point sets a parameter that cannot differ between blocks."""
    assert scenario is not None
    seeds = [seed for _, point_seeds in points for seed in point_seeds]
    blocks = [overrides for overrides, point_seeds in points for _ in point_seeds]
    table = _outcomes(scenario, seeds, outcomes, blocks)
    if reference is not None:
        base = _outcomes(reference, seeds, outcomes, blocks)
        table = table.join((table - base.reindex(table.index)).add_prefix("effect_"))
    table = table.reset_index()
    tables, first = [], 0
    for _, point_seeds in points:
        rows = table["replication"].between(first, first + len(point_seeds) - 1)
        part = table[rows].reset_index(drop=True)
        part["replication"] -= first
        tables.append(part)
        first += len(point_seeds)
    return tables


def ishigami(x1: float, x2: float, x3: float, a: float = 7.0, b: float = 0.1) -> float:
    """The Ishigami function: S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244) on [-pi, pi]^3."""
    return math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)


def evaluate_ishigami(
    overrides: dict[str, Any],
    seeds: list[int],
    scenario: Scenario | None,
    reference: Scenario | None,
    outcomes: tuple[str, ...],
) -> pd.DataFrame:
    """Deterministic: every replication gives the same value."""
    value = ishigami(overrides["x1"], overrides["x2"], overrides["x3"])
    if not np.isfinite(value):
        raise ValueError(f"ishigami is not finite at {overrides}")
    return pd.DataFrame({"replication": range(len(seeds)), "innovation": "all", "y": value})


# Evaluators that can also take several points in one call (blocks of one model).
POINTS_EVALUATORS = {"spridning": evaluate_spridning_points}

EVALUATORS: dict[str, Evaluator] = {
    "spridning": evaluate_spridning,
    "ishigami": evaluate_ishigami,
}
