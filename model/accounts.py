"""This month's flows per innovation: trials, value and money, reset every month."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass
class MonthlyAccounts:
    trials_started: np.ndarray
    trials_failed: np.ndarray
    value_msek: np.ndarray
    municipal_spending_msek: np.ndarray
    state_spending_msek: np.ndarray
    risk_refunds_msek: np.ndarray
    fou_supported_trials: np.ndarray

    @classmethod
    def empty(cls, i: int) -> MonthlyAccounts:
        return cls(*(np.zeros(i) for _ in fields(cls)))

    def reset(self) -> None:
        for field in fields(self):
            getattr(self, field.name)[:] = 0.0

    def add(self, name: str, innovations: np.ndarray, amounts: np.ndarray | None = None) -> None:
        """Add ``amounts`` (default 1 each) to this month's ``name`` for ``innovations``."""
        if innovations.size:
            target = getattr(self, name)
            target += np.bincount(innovations, weights=amounts, minlength=target.size)
