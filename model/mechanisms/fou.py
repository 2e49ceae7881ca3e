"""FoU environments' support: each can support a limited number of members' trials a year
(method support raises trial success, see ``trials``). Dissemination and evidence
pooling are the FoU channels in ``awareness`` and ``learning``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.grouping import first_come_first_served

if TYPE_CHECKING:
    from model.model import DiffusionModel


class FouCapacity:
    def __init__(self, model: DiffusionModel) -> None:
        self.structure = model.structure
        n = model.structure.fou_members.shape[0]
        self.capacity = np.full(n, model.spec.fou.capacity_trials_per_year, dtype=np.int64)
        self.used = np.zeros(n, dtype=np.int64)

    def allocate_support(self, j: np.ndarray) -> np.ndarray:
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
        return supported

    def new_year(self) -> None:
        self.used[:] = 0

    def used_share(self) -> np.ndarray:
        """Per replication: share of this year's support capacity used so far."""
        replications = self.structure.blocks
        used = self.used.reshape(replications, -1).sum(axis=1)
        total = self.capacity.reshape(replications, -1).sum(axis=1)
        return np.divide(used, total, out=np.zeros(replications), where=total > 0)
