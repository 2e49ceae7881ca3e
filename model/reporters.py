"""What the model records: a cheap snapshot of the state every month, and named reporter
functions that turn the whole history into tidy tables at the end of a run.

Recording a month costs a few array copies; the reporters then work on all months at
once (one bincount, a few matrix products) instead of a dozen small reductions a month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.accounts import MonthlyAccounts
from model.stages import STAGE_NAMES, Stage

if TYPE_CHECKING:
    from model.model import DiffusionModel

ACCOUNT_NAMES = tuple(f.name for f in fields(MonthlyAccounts))


class History:
    """Monthly snapshots of one run, preallocated."""

    def __init__(self, model: DiffusionModel, months: int) -> None:
        n_innovations, n = model.state.stage.shape
        slots = model.market.alive.size
        self.model = model
        self.stage = np.zeros((months, n_innovations, n), dtype=np.int8)
        self.accounts = np.zeros((months, len(ACCOUNT_NAMES), n_innovations))
        self.supplier_alive = np.zeros((months, slots), dtype=bool)
        self.supplier_price = np.zeros((months, slots))
        self.supplier_customers = np.zeros((months, slots))
        self.waiting = np.zeros((months, n_innovations))
        self.fou_used = np.zeros(months)
        self.months = 0

    def record(self) -> None:
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
        self.waiting[t] = market.waiting
        self.fou_used[t] = model.fou.used_share()
        self.months = model.month


# --- reporters: each takes the history and returns (months, I) ---------------------------


def stage_counts(history: History) -> np.ndarray:
    """(months, I, stages) municipalities in each stage."""
    stage = history.stage[: history.months]
    months, n_innovations, _ = stage.shape
    offsets = (np.arange(months * n_innovations) * len(Stage))[:, None]
    keys = stage.reshape(months * n_innovations, -1).astype(np.int64) + offsets
    counts = np.bincount(keys.ravel(), minlength=months * n_innovations * len(Stage))
    return counts.reshape(months, n_innovations, len(Stage))


def adoption_share(history: History) -> np.ndarray:
    return stage_counts(history)[:, :, Stage.ADOPTED] / history.stage.shape[2]


def ever_adopted_share(history: History) -> np.ndarray:
    """Share that has adopted at some point up to each month (adopters who left count)."""
    first = history.model.state.first_adopted
    months = history.months
    shares = [
        np.bincount(row[row > 0], minlength=months + 1)[1 : months + 1].cumsum() / row.size
        for row in first
    ]
    return np.array(shares).T


def _account(name: str) -> Callable[[History], np.ndarray]:
    row = ACCOUNT_NAMES.index(name)

    def reporter(history: History) -> np.ndarray:
        return history.accounts[: history.months, row]

    reporter.__name__ = name
    return reporter


def _by_innovation(history: History, values: np.ndarray) -> np.ndarray:
    """Sum (months, slots) supplier values into (months, I)."""
    market = history.model.market
    onehot = np.zeros((market.innovation.size, len(market.ever)))
    onehot[np.arange(market.innovation.size), market.innovation] = 1.0
    return values[: history.months] @ onehot


def suppliers_active(history: History) -> np.ndarray:
    return _by_innovation(history, history.supplier_alive.astype(float))


def mean_price(history: History) -> np.ndarray:
    """SEK per inhabitant per year: active suppliers' prices weighted by customers (+ a
    token weight so a market with no customers yet shows its list price); NaN for methods."""
    weight = history.supplier_alive * (history.supplier_customers + 1e-9)
    total = _by_innovation(history, weight * history.supplier_price)
    count = _by_innovation(history, weight)
    return np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)


def market_concentration(history: History) -> np.ndarray:
    """Herfindahl index of customers across a product's suppliers (1 = one supplier has all)."""
    customers = history.supplier_customers
    market = history.model.market
    totals = _by_innovation(history, customers)
    share = customers[: history.months] / np.maximum(totals[:, market.innovation], 1.0)
    hhi = _by_innovation(history, share**2)
    return np.where(totals > 0, hhi, np.nan)


def waiting_to_start(history: History) -> np.ndarray:
    """Decided, procurement done, but no trial yet (no supplier with room, or no budget)."""
    return history.waiting[: history.months]


def fou_capacity_used(history: History) -> np.ndarray:
    """Share of the FoU environments' support capacity used so far this year."""
    n_innovations = history.stage.shape[1]
    return np.repeat(history.fou_used[: history.months, None], n_innovations, axis=1)


REPORTERS: dict[str, Callable[[History], np.ndarray]] = {
    "adoption_share": adoption_share,
    "ever_adopted_share": ever_adopted_share,
    **{name: _account(name) for name in ACCOUNT_NAMES},
    "suppliers_active": suppliers_active,
    "mean_price": mean_price,
    "market_concentration": market_concentration,
    "waiting_to_start": waiting_to_start,
    "fou_capacity_used": fou_capacity_used,
}


def timeseries_table(history: History) -> pd.DataFrame:
    """One row per month and innovation: stage counts and every reporter."""
    months, names = history.months, history.model.innovations.names
    frame = pd.DataFrame(
        {
            "month": np.repeat(np.arange(1, months + 1), len(names)),
            "innovation": np.tile(names, months),
        }
    )
    counts = stage_counts(history)
    for k, stage in enumerate(STAGE_NAMES):
        frame[stage] = counts[:, :, k].ravel()
    for name, reporter in REPORTERS.items():
        frame[name] = reporter(history).ravel()
    return frame


def groups_table(history: History) -> pd.DataFrame:
    """Adoption share per size class and per county, per month and innovation."""
    structure = history.model.structure
    stage = history.stage[: history.months]
    months, n_innovations, n = stage.shape
    adopted = (stage == Stage.ADOPTED).reshape(months * n_innovations, n).astype(float)
    parts = []
    for group_type, groups in (
        ("size_class", structure.size_classes),
        ("county", structure.counties),
    ):
        share = (adopted @ groups.onehot) / groups.counts  # (months * I, K)
        k = len(groups.labels)
        parts.append(
            pd.DataFrame(
                {
                    "month": np.repeat(np.arange(1, months + 1), n_innovations * k),
                    "innovation": np.tile(np.repeat(history.model.innovations.names, k), months),
                    "group_type": group_type,
                    "group": np.tile(groups.labels, months * n_innovations),
                    "adoption_share": share.ravel(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
