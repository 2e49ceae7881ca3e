"""Where each legal barrier stands, per replication: in force, suspended in trial zones,
evaluated (a favourable verdict, waiting for the law), or repealed nationally. Shared by
the two ways a barrier changes (ordinary legislation, ``model/mechanisms/legislation.py``;
trial legislation, ``model/policies/trial_legislation.py``), which both act on the
cells through ``levers.barrier_lifted``; kept as a log of changes for ``barriers.parquet``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from model.model import DiffusionModel


class BarrierStatus(IntEnum):
    IN_FORCE = 0
    SUSPENDED_IN_ZONES = 1
    EVALUATED = 2  # favourable verdict; zones stay suspended until the law (or its failure)
    REPEALED = 3


STATUS_NAMES: tuple[str, ...] = tuple(status.name.lower() for status in BarrierStatus)


class BarrierRecord:
    """Status per replication and barred innovation, and the log of every change."""

    def __init__(self, model: DiffusionModel) -> None:
        self.model = model
        self.barred = np.flatnonzero(model.innovations.legal_barrier)
        self.status = np.full((model.replications, len(model.innovations)), BarrierStatus.IN_FORCE)
        self.log: list[tuple[int, int, int, int]] = [
            (r, int(i), 0, BarrierStatus.IN_FORCE)
            for r in range(model.replications)
            for i in self.barred
        ]

    def set(self, replications: np.ndarray, i: int, status: BarrierStatus) -> None:
        """``status`` for innovation ``i`` in ``replications`` from this month on."""
        self.status[replications, i] = status
        month = self.model.month
        self.log += [(int(r), i, month, status) for r in replications]

    def repeal(self, replications: np.ndarray, i: int) -> None:
        """National repeal: the barrier is lifted for every municipality of these replications."""
        block = self.model.structure.block_size
        lifted = self.model.levers.barrier_lifted[i].reshape(self.model.replications, block)
        lifted[replications] = True
        self.set(replications, i, BarrierStatus.REPEALED)

    def table(self) -> pd.DataFrame:
        """One row per change: replication, innovation, month it took effect, status."""
        log = sorted(self.log)
        return pd.DataFrame(
            {
                "replication": np.array([r for r, _, _, _ in log], dtype=np.int64),
                "innovation": pd.Categorical.from_codes(
                    np.array([i for _, i, _, _ in log], dtype=np.int64),
                    categories=self.model.innovations.names,
                ),
                "month": np.array([m for _, _, m, _ in log], dtype=np.int64),
                "status": pd.Categorical.from_codes(
                    np.array([s for _, _, _, s in log], dtype=np.int64), categories=STATUS_NAMES
                ),
            }
        )
