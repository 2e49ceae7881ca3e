"""The tables a run writes, declared once: name, what a row is, how it is built, and what
every column means (with its unit).

The run writer, the result loaders, the report and README's table of outputs are all
derived from ``OUTPUT_TABLES``; ``tests/test_outputs.py`` checks that every table's
columns are exactly the documented ones and that README's table is current
(``python -m model.outputs`` rewrites it). A new table is one entry here plus the code
that builds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from model.event_log import COLUMNS as EVENT_COLUMNS
from model.stages import STAGE_NAMES

if TYPE_CHECKING:
    from model.model import DiffusionModel

README_FILE = Path(__file__).resolve().parents[1] / "README.md"
KEYS = {
    "replication": "replication number (0, 1, ...) within the run",
    "month": "month of the run (1 = the first)",
    "innovation": "the innovation's name",
    "kommunkod": "the municipality's four-digit code",
}
STAGE_MEANINGS = {
    "unaware": "municipalities that have not heard of the innovation",
    "aware": "aware, not (yet) decided (or gave up waiting for a supplier)",
    "decided": "decided to trial: procurement running, or done with no supplier yet",
    "trialling": "running a trial",
    "adopted": "scaled up: implementing or in full use",
    "trial_failed": "trialled without scaling up (or the trial was cut short)",
    "discontinued": "adopted, then stopped (own reasons, a disappointing result, stranded)",
}


@dataclass(frozen=True)
class OutputTable:
    name: str  # file <name>.parquet, ``RunResults.<name>``
    rows: str  # what one row is
    build: Callable[[DiffusionModel], pd.DataFrame]
    columns: tuple[tuple[str, str], ...]  # (column, meaning with unit), in table order
    # whether a model has this table (the event table only when it recorded events)
    kept: Callable[[DiffusionModel], bool] = lambda model: True

    @property
    def file(self) -> str:
        return f"{self.name}.parquet"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


def _keys(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, KEYS[name]) for name in names)


OUTPUT_TABLES: tuple[OutputTable, ...] = (
    OutputTable(
        name="timeseries",
        rows="one row per replication, month and innovation",
        build=lambda model: model.timeseries(),
        columns=(
            *_keys("replication", "month", "innovation"),
            *((stage, f"{STAGE_MEANINGS[stage]} (count)") for stage in STAGE_NAMES),
            ("adoption_share", "adopted / municipalities in the run (0-1)"),
            ("ever_adopted_share", "adopted at some point so far / municipalities (0-1)"),
            ("mean_coverage", "share of the target group reached, mean over adopters (0-1)"),
            ("coverage_weighted_share", "adopters' coverage summed / municipalities (0-1)"),
            ("fully_covered", "adopters whose coverage reached the whole target group (count)"),
            ("trials_started", "trials started this month (count)"),
            ("trials_failed", "trials that ended without a scale-up this month (count)"),
            ("value_msek", "adopters' benefit minus running cost, by coverage (MSEK)"),
            ("municipal_spending_msek", "trials, procurements, implementation, running (MSEK)"),
            ("state_spending_msek", "trial grants and risk refunds this month (MSEK)"),
            ("risk_refunds_msek", "state refunds of failed product trials (MSEK)"),
            ("fou_supported_trials", "trials started with FoU support this month (count)"),
            ("scaled_up", "trials that led to scale-up this month (count)"),
            ("stopped", "adopters that stopped this month (count)"),
            ("suppliers_active", "suppliers of the product (count; 0 for methods)"),
            (
                "mean_price",
                "mean price customers pay: a consortium contract's or the supplier's own (SEK per inhabitant per year)",
            ),
            ("market_concentration", "Herfindahl index of customers (0-1)"),
            ("waiting_to_start", "procurement done, no supplier or budget yet (count)"),
            ("fou_capacity_used", "share of this year's FoU support capacity used (0-1)"),
            ("barrier_in_force", "share of municipalities where a legal barrier holds (0-1)"),
        ),
    ),
    OutputTable(
        name="innovations",
        rows="one row per replication and innovation there: named, or arrived by the run's end",
        build=lambda model: model.innovation_outcomes(),
        columns=(
            *_keys("replication", "innovation"),
            ("arrival_month", "month it arrived (0: named, there from the start)"),
            ("origin", "named; or the pipeline's supplier, fou or municipality"),
            ("kind", "product or method"),
            ("true_ratio", "true benefit / cost at fit 1"),
            ("claimed_ratio", "claimed benefit / cost, where expectations start"),
            ("relevant", "municipalities it is relevant to (count)"),
            ("adopters_end", "municipalities using it at the end (count)"),
            ("value_msek", "adopters' benefit minus running cost over the run (MSEK)"),
        ),
    ),
    OutputTable(
        name="municipalities",
        rows="one row per replication, innovation and municipality",
        build=lambda model: model.municipality_outcomes(),
        columns=(
            *_keys("replication", "innovation", "kommunkod"),
            ("adopted_month", "month of first adoption (scale-up; null if never)"),
            ("final_stage", "stage at the end of the run"),
            ("relevant", "whether the innovation is relevant to the municipality at all"),
            ("trial_month", "month the latest trial started (null if never)"),
            ("scaleup_month", "month of the latest scale-up (null if never)"),
            ("coverage_end", "share of the target group reached at the end (0-1)"),
            ("stopped_month", "month an adopter last stopped (null if never)"),
        ),
    ),
    OutputTable(
        name="groups",
        rows="one row per replication, month, innovation and size class or county",
        build=lambda model: model.groups(),
        columns=(
            *_keys("replication", "month", "innovation"),
            ("group_type", "size_class or county"),
            ("group", "the size class (inhabitants) or county code"),
            ("adoption_share", "adopted / municipalities in the group (0-1)"),
        ),
    ),
    OutputTable(
        name="state_money",
        rows="one row per replication and month: the state's policy money",
        build=lambda model: model.state_money(),
        columns=(
            *_keys("replication", "month"),
            ("budget_msek", "lever budgets given this month (MSEK)"),
            ("granted_msek", "trial grants paid (MSEK)"),
            ("administered_msek", "spent on capacity, FoU, centre, administration (MSEK)"),
            ("unspent_msek", "returned unused (MSEK)"),
            ("risk_refunds_msek", "risk sharing, outside any budget (MSEK)"),
            (
                "held_msek",
                "lever money given but not yet paid, in the instruments' pots at month end (MSEK)",
            ),
        ),
    ),
    OutputTable(
        name="barriers",
        rows="one row per replication, barred innovation and change of its legal barrier",
        build=lambda model: model.barrier_changes(),
        columns=(
            *_keys("replication", "innovation"),
            ("month", "month the status took effect (0: at the start)"),
            (
                "status",
                "in_force; suspended_in_zones (trial law); evaluated (favourable verdict, "
                "waiting for the law); repealed (nationally, by trial or ordinary law)",
            ),
        ),
    ),
    OutputTable(
        name="programme_calls",
        rows="one row per replication, lever, year and instrument of a lever that runs calls",
        build=lambda model: model.programme_calls(),
        columns=(
            *_keys("replication"),
            ("lever", "programme or process_fund"),
            ("year", "the lever's year (1 = its first)"),
            ("instrument", "grants, capacity, fou, centre, administration; process_support"),
            (
                "budget_msek",
                "money the instrument had for the year: allocation plus carried over (MSEK)",
            ),
            (
                "applied_msek",
                "asked for by applicants in the year; a standing cost's own budget (MSEK)",
            ),
            ("granted_msek", "paid out in the year (MSEK)"),
            (
                "moved_msek",
                "moved at the year's end: in (+) from, or out (-) to, other instruments (MSEK)",
            ),
            ("rolled_over_msek", "carried into the instrument's next year (MSEK)"),
            ("returned_msek", "returned unspent after the last year (MSEK)"),
        ),
    ),
    OutputTable(
        name="contracts",
        rows="one row per replication and award of a shared procurement consortium's contract",
        build=lambda model: model.contract_awards(),
        columns=(
            *_keys("replication", "innovation"),
            ("consortium", "the county code of a county consortium, or national"),
            ("award_month", "month the contract was awarded"),
            ("end_month", "month the contract ends (or ended early if its winner exited)"),
            ("committed", "members that had decided on, trialled or used the product"),
            ("bidders", "suppliers that bid (each paid its bid cost)"),
            ("price_ratio", "contract price / list price"),
            (
                "individual_price_ratio",
                "lowest price a supplier asked individual buyers that month / list price",
            ),
            ("winner_small_firm", "the winner is a small firm"),
        ),
    ),
    OutputTable(
        name="money_received",
        rows="one row per replication and municipality: policy money it received",
        build=lambda model: model.money_received(),
        columns=(
            *_keys("replication", "kommunkod"),
            ("grants_msek", "trial grants over the run (MSEK)"),
            ("capacity_msek", "capacity building: innovation leads, process support (MSEK)"),
            ("refunds_msek", "risk-sharing refunds of failed trials (MSEK)"),
        ),
    ),
    OutputTable(
        name="events",
        rows=(
            "one row per event: a municipality's changes of stage, the channel it heard "
            "through, trial results, money received, suppliers, full coverage (runs that "
            "record events: model/event_log.py)"
        ),
        build=lambda model: model.event_log.table(),
        columns=EVENT_COLUMNS,
        kept=lambda model: model.event_log.enabled,
    ),
)
TABLE_NAMES: tuple[str, ...] = tuple(table.name for table in OUTPUT_TABLES)


def build_tables(model: DiffusionModel) -> dict[str, pd.DataFrame]:
    """Every output table a model that has run has, by name."""
    return {table.name: table.build(model) for table in OUTPUT_TABLES if table.kept(model)}


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The output tables found in a run folder (older runs may lack newer tables)."""
    return {
        table.name: pd.read_parquet(folder / table.file)
        for table in OUTPUT_TABLES
        if (folder / table.file).exists()
    }


def readme_table() -> str:
    """README's table of the files a run writes."""
    lines = ["| file | one row per | columns |", "|---|---|---|"]
    for table in OUTPUT_TABLES:
        keys = [c for c in table.column_names if c in KEYS]
        described = "; ".join(
            f"`{name}`: {meaning}" for name, meaning in table.columns if name not in KEYS
        )
        lines.append(
            f"| `{table.file}` | {table.rows.removeprefix('one row per ')} (keys "
            f"{', '.join(f'`{k}`' for k in keys)}) | {described} |"
        )
    lines.append(
        "| `manifest.json` | | the scenario as resolved, seeds, package versions, git commit, "
        "run times |"
    )
    return "\n".join(lines)


def replace_readme_table(text: str) -> str:
    start, end = "<!-- outputs:start -->", "<!-- outputs:end -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{README_FILE}: markers for the output table not found")
    return pattern.sub(lambda _: f"{start}\n{readme_table()}\n{end}", text)


if __name__ == "__main__":
    README_FILE.write_text(replace_readme_table(README_FILE.read_text(encoding="utf-8")))
    print(f"updated the output table in {README_FILE}")
