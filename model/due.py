"""Months in which scheduled events fall due, so modules skip months with nothing to do.

Counts may go stale (a trial cut short by a supplier's exit still counts): a stale count
only costs a look that finds nothing, never a missed event.
"""

from __future__ import annotations

import numpy as np


class DueDates:
    def __init__(self, months: int) -> None:
        self.trials = np.zeros(months + 1, dtype=np.int64)
        self.procurements = np.zeros(months + 1, dtype=np.int64)

    @staticmethod
    def _add(counts: np.ndarray, months: np.ndarray) -> None:
        inside = months[months < counts.size]
        np.add.at(counts, inside, 1)

    def trials_due(self, months: np.ndarray) -> None:
        self._add(self.trials, months)

    def procurements_due(self, months: np.ndarray) -> None:
        self._add(self.procurements, months)

    def any_trials_due(self, month: int) -> bool:
        return bool(self.trials[month])

    def any_procurements_due(self, month: int) -> bool:
        return bool(self.procurements[month])
