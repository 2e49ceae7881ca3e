"""What the model records: a cheap snapshot of the state every month, and named reporter
functions that turn the whole history into tidy tables at the end of a run.

Recording a month costs a few array copies; the reporters then work on all months at
once (one bincount, a few matrix products) instead of a dozen small reductions a month.
Every reporter returns an array (months, replications, innovations).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model import prices
from model.accounts import MonthlyAccounts
from model.levers import StateMoney
from model.module import Module
from model.stages import STAGE_NAMES, Stage
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel

ACCOUNT_NAMES = tuple(f.name for f in fields(MonthlyAccounts))
MONEY_NAMES = (*(f.name for f in fields(StateMoney)), "held")


class History(Module):
    """Monthly snapshots of one model (all its replications), preallocated: the last module
    of every month. Modules switched off leave their snapshots at zero."""

    records = ("unaware", "adoption_share", "ever_adopted_share")

    def __init__(self, model: DiffusionModel, months: int) -> None:
        super().__init__(model)
        n_innovations, n = model.state.stage.shape
        slots = model.market.alive.size
        rows = model.replications * n_innovations
        self.cache: dict[str, np.ndarray] = {}  # tables derived from the history, per months
        self.stage = np.zeros((months, n_innovations, n), dtype=np.int8)
        self.accounts = np.zeros((months, len(ACCOUNT_NAMES), rows))
        self.supplier_alive = np.zeros((months, slots), dtype=bool)
        self.supplier_price = np.zeros((months, slots))
        self.supplier_customers = np.zeros((months, slots))
        self.waiting = np.zeros((months, rows))
        self.fou_used = np.zeros((months, model.replications))
        self.money = np.zeros((months, len(MONEY_NAMES), model.replications))
        self.barrier_in_force = np.zeros((months, rows))
        self.coverage = np.zeros((months, rows))  # adopters' coverage summed per ledger row
        self.fully_covered = np.zeros((months, rows))  # adopters at full coverage per row
        self.price_paid = np.zeros((months, rows))  # prices customers pay, summed per row
        self.paying = np.zeros((months, rows))  # customers (trialling or adopted) per row
        self.barred_rows = np.flatnonzero(model.innovations.legal_barrier)
        self.months = 0

    def step(self) -> None:
        """Snapshot the month (see ``record``)."""
        self.record()

    def record(self) -> None:
        """Copy the stages, the month's accounts, the market, FoU use, money and barriers."""
        model = self.model
        t = model.month - 1
        self.stage[t] = model.state.stage
        accounts = model.accounts
        for row, name in enumerate(ACCOUNT_NAMES):
            self.accounts[t, row] = getattr(accounts, name)
        market = model.market
        self.supplier_alive[t] = market.alive
        self.supplier_price[t] = market.price
        self.supplier_customers[t] = market.customers
        self.waiting[t] = model.procurement.waiting
        k = np.flatnonzero(model.state.supplier != NEVER)  # customers of product suppliers
        if k.size:
            rows = model.ledger_rows(k)
            paid = prices.paid(model, k, k // model.state.n_columns)
            size = self.paying.shape[1]
            self.price_paid[t] = np.bincount(rows, weights=paid, minlength=size)
            self.paying[t] = np.bincount(rows, minlength=size)
        self.fou_used[t] = model.fou.used_share()
        # coverage is 0 outside adoption, so summing every municipality's is the adopters'
        coverage = model.state.coverage.reshape(len(model.innovations), model.replications, -1)
        self.coverage[t] = coverage.sum(axis=2).T.ravel()  # ledger row r * I + i
        self.fully_covered[t] = (coverage >= 1.0).sum(axis=2).T.ravel()
        money = model.money
        for row, name in enumerate(MONEY_NAMES[:-1]):
            self.money[t, row] = getattr(money, name)
        self.money[t, -1] = model.money_held()
        barred = self.barred_rows
        if barred.size:  # share of municipalities where the innovation's barrier is in force
            lifted = model.levers.barrier_lifted[barred].reshape(
                barred.size, model.replications, -1
            )
            size = model.structure.block_size
            share = (size - lifted.sum(axis=2)) / size
            self.barrier_in_force[t].reshape(model.replications, -1)[:, barred] = share.T
        self.months = model.month

    @property
    def shape(self) -> tuple[int, int, int]:
        """(months, replications, innovations) of every reporter's output."""
        return self.months, self.model.replications, len(self.model.innovations)

    def by_row(self, values: np.ndarray) -> np.ndarray:
        """(months, R * I) ledger-row values as (months, R, I)."""
        return values[: self.months].reshape(self.shape)


# --- reporters ----------------------------------------------------------------------------


def stage_counts(history: History) -> np.ndarray:
    """(months, R, I, stages) municipalities in each stage (computed once per history)."""
    cached = history.cache.get("stage_counts")
    if cached is not None and cached.shape[0] == history.shape[0]:
        return cached
    history.cache["stage_counts"] = counts = _count_stages(history)
    return counts


def _count_stages(history: History) -> np.ndarray:
    """Counted stage by stage on the int8 history (no wide temporary arrays)."""
    months, replications, n_innovations = history.shape
    size = history.model.structure.block_size
    stage = history.stage[:months].reshape(months, n_innovations, replications, size)
    counts = np.stack([np.count_nonzero(stage == s, axis=3) for s in Stage], axis=-1)
    return counts.transpose(0, 2, 1, 3)  # (months, R, I, stages)


def adoption_share(history: History) -> np.ndarray:
    return stage_counts(history)[..., Stage.ADOPTED] / history.model.structure.block_size


def mean_coverage(history: History) -> np.ndarray:
    """Mean share of the target group reached, over adopters (NaN without adopters)."""
    adopters = stage_counts(history)[..., Stage.ADOPTED]
    total = history.by_row(history.coverage)
    return np.divide(total, adopters, out=np.full(total.shape, np.nan), where=adopters > 0)


def coverage_weighted_share(history: History) -> np.ndarray:
    """Adopters' coverage summed over municipalities, per municipality: how much of the
    whole country's target group the innovation reaches."""
    return history.by_row(history.coverage) / history.model.structure.block_size


def fully_covered(history: History) -> np.ndarray:
    """Adopters whose coverage reached the whole target group: those that finished the
    switch (a survey's "fully switched", as against "begun")."""
    return history.by_row(history.fully_covered)


def ever_adopted_share(history: History) -> np.ndarray:
    """Share that has adopted at some point up to each month (adopters who left count)."""
    months, replications, n_innovations = history.shape
    size = history.model.structure.block_size
    first = history.model.state.first_adopted.reshape(n_innovations, replications, size)
    out = np.zeros((months, replications, n_innovations))
    for i in range(n_innovations):
        for r in range(replications):
            row = first[i, r]
            out[:, r, i] = np.bincount(row[row > 0], minlength=months + 1)[1 : months + 1].cumsum()
    return out / size


def _account(name: str) -> Callable[[History], np.ndarray]:
    position = ACCOUNT_NAMES.index(name)

    def reporter(history: History) -> np.ndarray:
        return history.by_row(history.accounts[:, position])

    reporter.__name__ = name
    return reporter


def _per_market(history: History, values: np.ndarray) -> np.ndarray:
    """(months, slots) supplier values as (months, markets, slots per market)."""
    markets = len(history.model.market.ever)
    return values[: history.months].reshape(history.months, markets, -1)


def _sum_by_market(history: History, values: np.ndarray) -> np.ndarray:
    """Sum (months, slots) supplier values into (months, R, I); a market's slots are contiguous."""
    return history.by_row(_per_market(history, values).sum(axis=2))


def suppliers_active(history: History) -> np.ndarray:
    return _sum_by_market(history, history.supplier_alive.astype(float))


def mean_price(history: History) -> np.ndarray:
    """SEK per inhabitant per year: the mean price customers pay (a consortium contract's
    or their supplier's own); with no customers yet, the active suppliers' mean asking
    price; NaN for methods."""
    alive = history.supplier_alive.astype(float)
    asked = _sum_by_market(history, alive * history.supplier_price)
    trading = _sum_by_market(history, alive)
    asking = np.divide(asked, trading, out=np.full(asked.shape, np.nan), where=trading > 0)
    paid, paying = history.by_row(history.price_paid), history.by_row(history.paying)
    return np.where(paying > 0, paid / np.maximum(paying, 1.0), asking)


def market_concentration(history: History) -> np.ndarray:
    """Herfindahl index of customers across a product's suppliers (1 = one supplier has all)."""
    customers = _per_market(history, history.supplier_customers)
    totals = customers.sum(axis=2)
    hhi = ((customers / np.maximum(totals, 1.0)[:, :, None]) ** 2).sum(axis=2)
    return history.by_row(np.where(totals > 0, hhi, np.nan))


def waiting_to_start(history: History) -> np.ndarray:
    """Decided, procurement done, but no trial yet (no supplier with room, or no budget)."""
    return history.by_row(history.waiting)


def fou_capacity_used(history: History) -> np.ndarray:
    """Share of the FoU environments' support capacity used so far this year."""
    months, replications, n_innovations = history.shape
    return np.repeat(history.fou_used[:months, :, None], n_innovations, axis=2)


def barrier_in_force(history: History) -> np.ndarray:
    """Share of municipalities where the innovation's legal barrier is in force (0 if none)."""
    return history.by_row(history.barrier_in_force)


REPORTERS: dict[str, Callable[[History], np.ndarray]] = {
    "adoption_share": adoption_share,
    "ever_adopted_share": ever_adopted_share,
    "mean_coverage": mean_coverage,
    "coverage_weighted_share": coverage_weighted_share,
    "fully_covered": fully_covered,
    **{name: _account(name) for name in ACCOUNT_NAMES},
    "suppliers_active": suppliers_active,
    "mean_price": mean_price,
    "market_concentration": market_concentration,
    "waiting_to_start": waiting_to_start,
    "fou_capacity_used": fou_capacity_used,
    "barrier_in_force": barrier_in_force,
}


def _tidy(values: np.ndarray) -> np.ndarray:
    """(months, R, I) to the table's row order: replication, month, innovation."""
    return values.transpose(1, 0, 2).ravel()


def timeseries_table(history: History) -> pd.DataFrame:
    """One row per replication, month and innovation: stage counts and every reporter."""
    months, replications, n_innovations = history.shape
    frame = pd.DataFrame(
        {
            "replication": np.repeat(np.arange(replications), months * n_innovations),
            "month": np.tile(np.repeat(np.arange(1, months + 1), n_innovations), replications),
            "innovation": pd.Categorical.from_codes(
                np.tile(np.arange(n_innovations), months * replications),
                categories=history.model.innovations.names,
            ),
        }
    )
    counts = stage_counts(history)
    for k, stage in enumerate(STAGE_NAMES):
        frame[stage] = _tidy(counts[..., k])
    for name, reporter in REPORTERS.items():
        frame[name] = _tidy(reporter(history))
    return frame


def groups_table(history: History) -> pd.DataFrame:
    """Adoption share per size class and per county, per replication, month and innovation."""
    structure = history.model.structure
    months, replications, n_innovations = history.shape
    kinds = (("size_class", structure.size_classes), ("county", structure.counties))
    # Every block has the same groups: count adopters per group with one dense product of
    # the 0/1 history and one block's membership matrix (counts are exact in float32).
    n = structure.block_size
    members = np.hstack(
        [groups.members[: len(groups.labels), :n].toarray().T for _, groups in kinds]
    )
    sizes = np.concatenate([groups.counts[: len(groups.labels)] for _, groups in kinds])
    adopted = (history.stage[:months] == Stage.ADOPTED).reshape(-1, n).astype(np.float32)
    counts = (adopted @ members.astype(np.float32)).astype(float)  # (months * I * R, groups)
    shares = counts.reshape(months, n_innovations, replications, -1) / sizes
    values = shares.transpose(2, 0, 1, 3)  # (R, months, I, groups)
    labels = [label for _, groups in kinds for label in groups.labels]
    types = [name for name, groups in kinds for _ in groups.labels]
    per_cell = len(labels)
    return pd.DataFrame(
        {
            "replication": np.repeat(np.arange(replications), months * n_innovations * per_cell),
            "month": np.tile(
                np.repeat(np.arange(1, months + 1), n_innovations * per_cell), replications
            ),
            "innovation": pd.Categorical.from_codes(
                np.tile(np.repeat(np.arange(n_innovations), per_cell), months * replications),
                categories=history.model.innovations.names,
            ),
            "group_type": pd.Categorical.from_codes(
                np.tile(
                    [0 if t == "size_class" else 1 for t in types],
                    months * n_innovations * replications,
                ),
                categories=["size_class", "county"],
            ),
            "group": pd.Categorical.from_codes(
                np.tile(np.arange(per_cell), months * n_innovations * replications),
                categories=pd.Index(labels),
            ),
            "adoption_share": values.ravel(),
        }
    )


def state_money_table(history: History) -> pd.DataFrame:
    """The state's policy money per replication and month (MSEK): budget, granted,
    administered, unspent, risk refunds, and the grant pot at the end of the month."""
    months, replications = history.months, history.model.replications
    frame = pd.DataFrame(
        {
            "replication": np.repeat(np.arange(replications), months),
            "month": np.tile(np.arange(1, months + 1), replications),
        }
    )
    for row, name in enumerate(MONEY_NAMES):
        frame[f"{name}_msek"] = history.money[:months, row].T.ravel()
    return frame
