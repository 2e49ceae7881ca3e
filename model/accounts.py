"""This month's flows, reset every month: per ledger row (replication and innovation) for
trials, value and money; the state's policy money per replication is ``levers.StateMoney``."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


class Flows:
    """Dataclass fields that are arrays of this month's flows."""

    @classmethod
    def empty(cls, size: int):
        return cls(*(np.zeros(size) for _ in fields(cls)))

    def reset(self) -> None:
        for field in fields(self):
            getattr(self, field.name)[:] = 0.0


@dataclass
class MonthlyAccounts(Flows):
    trials_started: np.ndarray
    trials_failed: np.ndarray
    value_msek: np.ndarray
    municipal_spending_msek: np.ndarray
    state_spending_msek: np.ndarray
    risk_refunds_msek: np.ndarray
    fou_supported_trials: np.ndarray
    scaled_up: np.ndarray
    stopped: np.ndarray

    def add(self, name: str, innovations: np.ndarray, amounts: np.ndarray | None = None) -> None:
        """Add ``amounts`` (default 1 each) to this month's ``name`` for ``innovations``."""
        if innovations.size:
            target = getattr(self, name)
            target += np.bincount(innovations, weights=amounts, minlength=target.size)
