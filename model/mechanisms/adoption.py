"""Adoption: adopters create value every month, pay running costs (to their supplier for
products) and may abandon the innovation later."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.stages import Stage
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel


def price_matrix(model: DiffusionModel) -> np.ndarray:
    """(I, N) SEK per inhabitant per year each municipality pays (its supplier's price)."""
    supplier = model.state.supplier
    list_price = model.innovations.cost[:, None]
    if not model.spec.mechanisms.supplier_market:
        return np.broadcast_to(list_price, supplier.shape)
    return np.where(supplier != NEVER, model.market.price[supplier], list_price)


def run_adopters(model: DiffusionModel, u: np.ndarray) -> None:
    state = model.state
    adopted = state.stage == Stage.ADOPTED
    if not adopted.any():
        model.market.revenue[:] = 0.0
        return
    running = adopted * price_matrix(model) * model.population_msek_month
    accounts = model.accounts
    running_by_row = model.sum_by_row(running)
    accounts.value_msek += model.sum_by_row(adopted * model.benefit_msek_month) - running_by_row
    accounts.municipal_spending_msek += running_by_row
    model.market.book_revenue(state.flat["supplier"], running.reshape(-1))
    rate = model.spec.adoption.abandon_rate
    if model.spec.mechanisms.abandonment and rate > 0.0:
        leaving = np.flatnonzero(adopted & (u < rate))
        state.move(leaving, Stage.DISCONTINUED, model.month)
        state.flat["supplier"][leaving] = NEVER
