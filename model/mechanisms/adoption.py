"""Adoption: adopters create value every month and pay running costs (to their supplier for
products, at its current price or their consortium's contract price: ``model/prices.py``),
both in proportion to the coverage they have reached."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model import prices
from model.module import Module
from model.stages import Stage

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Adoption(Module):
    """Books each adopter's monthly value (benefit times fit) and running cost, times its
    coverage, and publishes what adopters pay their suppliers (``events.supplier_payments``)."""

    parameters = ("innovation",)
    records = ("value_msek", "municipal_spending_msek")

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        population_msek_month = model.traits.population / 12.0 / 1e6
        self.population_msek_month = population_msek_month
        self.benefit_msek_month = (
            model.innovation_cells("benefit") * model.state.fit * population_msek_month
        )

    def step(self) -> None:
        """Book this month's value and running costs of every adopter; publish supplier payments."""
        model, state = self.model, self.model.state
        k = np.flatnonzero(state.stage == Stage.ADOPTED)  # the work below scales with adopters
        if k.size == 0:
            return
        i, j = np.divmod(k, state.n_columns)
        coverage = state.flat["coverage"][k]
        price = prices.paid(model, k, i)
        running = price * self.population_msek_month[j] * coverage
        rows = model.ledger_rows(k)
        ledger_size = model.accounts.value_msek.size
        running_by_row = np.bincount(rows, weights=running, minlength=ledger_size)
        benefit = np.bincount(
            rows, weights=self.benefit_msek_month.reshape(-1)[k] * coverage, minlength=ledger_size
        )
        accounts = model.accounts
        accounts.value_msek += benefit - running_by_row
        accounts.municipal_spending_msek += running_by_row
        model.events.supplier_payments = (state.flat["supplier"][k], running, price)
