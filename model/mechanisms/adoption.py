"""Adoption: adopters create value every month, pay running costs (to their supplier for
products) and may abandon the innovation later."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.stages import Stage
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel


def prices(model: DiffusionModel, k: np.ndarray, i: np.ndarray) -> np.ndarray:
    """SEK per inhabitant per year the adopters at flat cells ``k`` (innovations ``i``) pay:
    their supplier's current price, or the innovation's running cost without one."""
    list_price = model.innovations.cost[i]
    if not model.spec.mechanisms.supplier_market:
        return list_price
    supplier = model.state.flat["supplier"][k]
    return np.where(supplier != NEVER, model.market.price[supplier], list_price)


def run_adopters(model: DiffusionModel, u: np.ndarray) -> None:
    state = model.state
    k = np.flatnonzero(state.stage == Stage.ADOPTED)  # the work below scales with adopters
    if k.size == 0:
        model.market.revenue[:] = 0.0
        return
    i, j = np.divmod(k, state.n_municipalities)
    running = prices(model, k, i) * model.population_msek_month[j]
    rows = model.ledger_rows(k)
    ledger_size = model.accounts.value_msek.size
    running_by_row = np.bincount(rows, weights=running, minlength=ledger_size)
    benefit = np.bincount(
        rows, weights=model.benefit_msek_month.reshape(-1)[k], minlength=ledger_size
    )
    accounts = model.accounts
    accounts.value_msek += benefit - running_by_row
    accounts.municipal_spending_msek += running_by_row
    model.market.book_revenue(state.flat["supplier"][k], running)
    rate = model.spec.adoption.abandon_rate
    if model.spec.mechanisms.abandonment and rate > 0.0:
        leaving = k[u.reshape(-1)[k] < rate]
        state.move(leaving, Stage.DISCONTINUED, model.month)
        state.flat["supplier"][leaving] = NEVER
