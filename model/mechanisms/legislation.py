"""Ordinary legislation: in every scenario, baseline included, a legal barrier can fall by
a national law without any trial, at a slow hazard (``legislation.repeal_rate_per_year``).
The month it would fall is drawn once per replication and innovation, so that two
scenarios run with one seed share it (common random numbers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.barriers import BarrierStatus
from model.module import Module
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Legislation(Module):
    """Repeals a barrier nationally in the month ordinary legislation gets there (drawn at
    the start from an exponential waiting time), unless it has already fallen."""

    parameters = ("legislation",)
    switches = ("mechanisms.legal_barriers",)
    streams = ("legislation",)
    records = ("barrier_in_force",)

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        rate = model.scenario.legislation.repeal_rate_per_year / 12.0
        innovations = len(model.innovations)
        u = np.stack([stream(s, "legislation").random(innovations) for s in model.seeds])
        later = 10**9  # beyond any run
        months = np.ceil(-np.log1p(-u) / rate) if rate > 0 else np.full(u.shape, later)
        self.falls = np.minimum(months, later).astype(np.int64)  # (R, I): month it would fall

    def step(self) -> None:
        """Barriers whose ordinary law comes this month are repealed nationally."""
        barriers, month = self.model.barriers, self.model.month
        for i in barriers.barred:
            falling = np.flatnonzero(
                (self.falls[:, i] == month) & (barriers.status[:, i] != BarrierStatus.REPEALED)
            )
            if falling.size:
                barriers.repeal(falling, int(i))
