"""Municipalities' development money for trials and procurements (MSEK this year).

Shared by every module that starts something (decision, procurement, trials, the supplier
market's re-procurements) and renewed each January by the ``Budgets`` module. With the
budget constraint switched off every cost is affordable and nothing is counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module

if TYPE_CHECKING:
    from model.model import DiffusionModel

# A start exactly at the budget goes ahead despite rounding in earlier subtractions.
SLACK_MSEK = 1e-12


class Budgets(Module):
    """Renews every municipality's development budget at the start of each year."""

    parameters = ("municipalities",)
    switches = ("mechanisms.budget_constraint",)

    def __init__(self, model: DiffusionModel, limited: bool) -> None:
        super().__init__(model)
        self.traits = model.traits
        self.limited = limited

    def step(self) -> None:
        """January: every budget back to its yearly amount."""
        month = self.model.month
        if month > 1 and (month - 1) % 12 == 0:
            self.traits.budget_left[:] = self.traits.budget_per_year

    def affordable(self, j: np.ndarray, cost: np.ndarray, slack: float = 0.0) -> np.ndarray:
        """Whether municipalities ``j`` can pay ``cost`` (MSEK) from what is left this year."""
        if not self.limited:
            return np.ones(j.size, dtype=bool)
        return cost <= self.traits.budget_left[j] + slack

    def spend(self, j: np.ndarray, cost: np.ndarray) -> None:
        """Take ``cost`` from municipalities ``j``'s budgets (``j`` may repeat)."""
        if self.limited:
            np.subtract.at(self.traits.budget_left, j, cost)

    def refund(self, j: np.ndarray, amount: np.ndarray) -> None:
        """Give ``amount`` back to municipalities ``j`` (state risk sharing)."""
        np.add.at(self.traits.budget_left, j, amount)
