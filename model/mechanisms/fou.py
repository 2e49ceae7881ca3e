"""FoU support: each FoU environment can support a limited number of its members' trials a
year (method support makes a result less noisy and a little better, see ``trials``).
Dissemination and evidence pooling are the FoU channels of ``awareness`` and ``learning``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.grouping import first_come_first_served
from model.module import Module

if TYPE_CHECKING:
    from model.model import DiffusionModel


class FouSupport(Module):
    """Gives this month's new trials support from their primary environment, first come
    first served while the year's capacity lasts. Owns ``capacity`` (per environment;
    the programme adds to it), ``used`` (this year), renewed every January, and the
    trials it turned away over the last twelve months (what an environment applies for)."""

    parameters = ("fou",)
    switches = ("mechanisms.trial_decision", "mechanisms.fou_support")
    records = ("fou_supported_trials", "fou_capacity_used")

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        self.structure = model.structure
        n = model.structure.fou_members.shape[0]
        self.capacity = np.full(n, model.scenario.fou.capacity_trials_per_year, dtype=np.int64)
        self.used = np.zeros(n, dtype=np.int64)
        # trials each environment had no room for, by month of the year (a rolling year)
        self.turned_away = np.zeros((12, n), dtype=np.int64)

    def step(self) -> None:
        """January renews the year's capacity; this month's new trials get support in start order."""
        model = self.model
        if model.month > 1 and (model.month - 1) % 12 == 0:
            self.used[:] = 0
        self.turned_away[model.month % 12] = 0
        k = model.events.started_cells()
        if k.size == 0:
            return
        supported = self.allocate(k % model.state.n_columns)
        model.state.flat["supported"][k] = supported
        model.accounts.add("fou_supported_trials", model.ledger_rows(k[supported]))

    def allocate(self, j: np.ndarray) -> np.ndarray:
        """Support for trials starting at municipalities ``j``, first come first served."""
        environment = self.structure.fou_primary[j]
        supported = np.zeros(j.size, dtype=bool)
        members = np.flatnonzero(environment >= 0)
        if members.size == 0:
            return supported
        env = environment[members]
        wanted = np.bincount(env, minlength=self.used.size)
        room = self.capacity - self.used
        if (wanted <= room).all():  # room for all: no queue to form
            supported[members] = True
            self.used += wanted
        else:
            granted = first_come_first_served(env, room)
            supported[members] = granted
            self.used += np.bincount(env[granted], minlength=self.used.size)
            self.turned_away[self.model.month % 12] += np.bincount(
                env[~granted], minlength=self.used.size
            )
        return supported

    def turned_away_last_year(self) -> np.ndarray:
        """Per environment: members' trials it had no room to support in the last 12 months."""
        return self.turned_away.sum(axis=0)

    def used_share(self) -> np.ndarray:
        """Per replication: share of this year's support capacity used so far."""
        replications = self.structure.blocks
        used = self.used.reshape(replications, -1).sum(axis=1)
        total = self.capacity.reshape(replications, -1).sum(axis=1)
        return np.divide(used, total, out=np.zeros(replications), where=total > 0)
