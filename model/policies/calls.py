"""Yearly calls: how a lever with a budget per instrument spends it, and what it could not.

A lever that runs calls (the programme, the process fund) gives each instrument its
allocation in twelfths; applicants ask at the call (or, for trial grants, when they
start a trial) and the instrument pays what it granted month by month out of its own pot.
At the end of each lever year the money an instrument did not use is settled by one rule:

- an instrument with unmet demand (applied > granted) keeps what it has left and, if the
  same demand next year would exceed its next allocation plus what it keeps, may
  receive the difference;
- money left in an instrument without unmet demand moves to those, pro rata to their
  shortfall and never more than it; the rest rolls over to the same instrument;
- after the last year everything left is returned unspent (nothing moves).

So money is conserved in every month (given = paid + held in the pots + returned), and
how much a lever could absorb is an outcome: ``programme_calls.parquet``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from model.module import Module
from model.policies.targeting import priority

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Instrument(Protocol):
    """One budget line of a lever. ``pot``, ``applied`` and ``granted`` are per replication
    (MSEK); ``applied`` and ``granted`` count the current lever year."""

    name: str
    share: float  # of the lever's yearly money
    pot: np.ndarray
    applied: np.ndarray
    granted: np.ndarray

    def call(self, year_money: np.ndarray) -> None:
        """The year's call: ``applied`` and ``granted`` start again from zero; applications
        and awards with ``year_money`` available (the pot now plus this year's allocation)."""

    def pay(self) -> None:
        """This month's payments out of the pot, added to ``granted`` and booked in
        ``model.money`` (and their effect on the model)."""

    def close(self) -> None:
        """The lever has ended: undo what only lasts while funded."""


@dataclass(frozen=True)
class Settlement:
    """Per instrument and replication (K, R), MSEK: signed money moved at the year's end
    (positive in), rolled over into the next year, returned unspent."""

    moved: np.ndarray
    rolled_over: np.ndarray
    returned: np.ndarray


def settle(
    left: np.ndarray,
    applied: np.ndarray,
    granted: np.ndarray,
    allocation: np.ndarray,
    last_year: bool,
) -> Settlement:
    """The year-end rule. Per instrument and replication (K, R), MSEK: the money ``left``
    in its pot, what was ``applied`` for and ``granted`` this year; ``allocation`` (K, 1)
    is its next year's share of the lever's money. An instrument with unmet demand
    (applied > granted) keeps its money and, assuming the demand recurs, may receive what
    next year's own money would not cover (applied - left - allocation); every other
    instrument's leftover moves there as far as needed, pro rata, the rest rolls over."""
    if last_year:
        zero = np.zeros_like(left)
        return Settlement(moved=zero, rolled_over=zero, returned=left.copy())
    wanting = applied > granted + 1e-9
    free = np.where(wanting, 0.0, left)
    need = np.where(wanting, np.maximum(applied - left - allocation, 0.0), 0.0)
    movable = np.minimum(free.sum(axis=0), need.sum(axis=0))  # (R,)
    give = np.divide(free, free.sum(axis=0), out=np.zeros_like(left), where=free > 0) * movable
    take = np.divide(need, need.sum(axis=0), out=np.zeros_like(left), where=need > 0) * movable
    moved = take - give
    return Settlement(moved=moved, rolled_over=left + moved, returned=np.zeros_like(left))


COLUMNS = (
    "replication",
    "lever",
    "year",
    "instrument",
    "budget_msek",
    "applied_msek",
    "granted_msek",
    "moved_msek",
    "rolled_over_msek",
    "returned_msek",
)


class CallBook:
    """Every lever year's account per instrument and replication, for ``programme_calls``."""

    def __init__(self, model: DiffusionModel) -> None:
        self.replications = model.replications
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        lever: str,
        year: int,
        names: list[str],
        budget: np.ndarray,
        applied: np.ndarray,
        granted: np.ndarray,
        settled: Settlement,
    ) -> None:
        k, r = budget.shape
        self.parts.append(
            pd.DataFrame(
                {
                    "replication": np.tile(np.arange(r), k),
                    "lever": lever,
                    "year": year,
                    "instrument": np.repeat(names, r),
                    "budget_msek": budget.ravel(),
                    "applied_msek": applied.ravel(),
                    "granted_msek": granted.ravel(),
                    "moved_msek": settled.moved.ravel(),
                    "rolled_over_msek": settled.rolled_over.ravel(),
                    "returned_msek": settled.returned.ravel(),
                }
            )
        )

    def table(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({name: pd.Series(dtype=_dtype(name)) for name in COLUMNS})
        table = pd.concat(self.parts, ignore_index=True)
        return table.sort_values(["replication", "lever", "year"], kind="stable").reset_index(
            drop=True
        )


def _dtype(column: str) -> str:
    if column in ("replication", "year"):
        return "int64"
    return "object" if column in ("lever", "instrument") else "float64"


class CallLever(Module):
    """A lever that runs yearly calls for ``years`` from ``start_month``: the month's
    allocation into each instrument's pot, the instruments' payments, and at each year's
    end the settlement and its row in the call book. Subclasses build ``instruments``
    and give the lever's random streams (ranking ties, retention draws)."""

    lever: str = ""

    def __init__(
        self,
        model: DiffusionModel,
        start_month: int,
        years: int,
        yearly_msek: float,
        targeting: str,
        rngs: list[np.random.Generator],
    ) -> None:
        super().__init__(model)
        self.targeting = targeting
        self.rngs = rngs  # the lever's own stream, one per replication
        self._rank: np.ndarray | None = None
        self.first_month = start_month
        self.years = years
        self.end = start_month + 12 * years  # first month without the lever
        self.yearly = yearly_msek
        self.instruments: list[Instrument] = []
        self.year_budget = np.zeros(0)

    def rank(self) -> np.ndarray:
        """Each municipality's place in line under the lever's targeting rule, ranked at
        the first call as things are then (other levers included)."""
        if self._rank is None:
            self._rank = priority(self.model, self.targeting, self.rngs)
        return self._rank

    def uniforms(self) -> np.ndarray:
        """One uniform draw per municipality from the lever's own stream."""
        size = self.model.structure.block_size
        return np.concatenate([rng.random(size) for rng in self.rngs])

    def held(self) -> np.ndarray:
        """Money given to the lever and not yet paid or returned, per replication (MSEK)."""
        held = np.zeros(self.model.replications)
        for instrument in self.instruments:
            held += instrument.pot
        return held

    def step(self) -> None:
        month = self.model.month
        if month < self.first_month or month > self.end:
            return
        since = month - self.first_month
        if since % 12 == 0 and since > 0:
            self._settle(year=since // 12, last=month == self.end)
        if month == self.end:
            for instrument in self.instruments:
                instrument.close()
            self.ended()
            return
        if since % 12 == 0:
            self._call()
        money = self.model.money
        for instrument in self.instruments:
            monthly = self.yearly * instrument.share / 12.0
            instrument.pot += monthly
            money.budget += monthly
            instrument.pay()

    def ended(self) -> None:
        """After the last year's settlement (nothing by default)."""

    def _call(self) -> None:
        self.year_budget = np.stack(
            [instrument.pot + self.yearly * instrument.share for instrument in self.instruments]
        )
        for instrument, money in zip(self.instruments, self.year_budget, strict=True):
            instrument.call(money)

    def _settle(self, year: int, last: bool) -> None:
        left = np.stack([instrument.pot for instrument in self.instruments])
        applied = np.stack([instrument.applied for instrument in self.instruments])
        granted = np.stack([instrument.granted for instrument in self.instruments])
        allocation = np.array([[self.yearly * i.share] for i in self.instruments])
        settled = settle(left, applied, granted, allocation, last)
        for instrument, carried in zip(self.instruments, settled.rolled_over, strict=True):
            instrument.pot = carried.copy()
        self.model.money.unspent += settled.returned.sum(axis=0)
        names = [instrument.name for instrument in self.instruments]
        self.model.calls.add(self.lever, year, names, self.year_budget, applied, granted, settled)
