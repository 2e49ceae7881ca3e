"""What happened earlier this month, for the modules that act on it later in the month.

Trials start in two modules (decision, procurement) and are acted on in two others (FoU
support, the supplier market's experience curve); results come from the trials module
and are learnt from by the learning module; adopters pay their suppliers in the
adoption module and the market books it. Passing these through one shared record keeps
the modules from calling each other. Cleared at the start of every month.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NONE = np.zeros(0, dtype=np.int64)


@dataclass
class MonthEvents:
    # (cells, suppliers or None) of each batch of trials started, in the order they started
    trial_starts: list[tuple[np.ndarray, np.ndarray | None]] = field(default_factory=list)
    # finished trials: flat cells and realised benefit/cost ratios
    trial_results: tuple[np.ndarray, np.ndarray] = (NONE, np.zeros(0))
    # (cells, supplier slots) of contracts renewed with another supplier this month
    switches: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    # adopters' running payments: supplier slot (NEVER: none), MSEK this month, and the
    # price paid (SEK per inhabitant and year: a contract's, or the supplier's current)
    supplier_payments: tuple[np.ndarray, np.ndarray, np.ndarray] = (NONE, np.zeros(0), np.zeros(0))
    # cells that scaled up this month (their implementation starts)
    scaled_up: np.ndarray = field(default_factory=lambda: NONE)

    def reset(self) -> None:
        self.trial_starts.clear()
        self.switches.clear()
        self.trial_results = (NONE, np.zeros(0))
        self.supplier_payments = (NONE, np.zeros(0), np.zeros(0))
        self.scaled_up = NONE

    def started_cells(self) -> np.ndarray:
        """Cells whose trials started this month, in start order."""
        if not self.trial_starts:
            return NONE
        return np.concatenate([cells for cells, _ in self.trial_starts])

    def new_customers(self) -> tuple[np.ndarray, np.ndarray]:
        """Cells and supplier slots of this month's new customers: product trials started,
        in start order, then contracts renewed with another supplier."""
        parts = [(c, s) for c, s in self.trial_starts if s is not None] + self.switches
        if not parts:
            return NONE, NONE
        return np.concatenate([c for c, _ in parts]), np.concatenate([s for _, s in parts])
