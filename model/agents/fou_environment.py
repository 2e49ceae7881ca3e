"""An FoU (R&D) environment: a regional or national unit with member municipalities."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from model.model import DiffusionModel


class FouEnvironment(mesa.Agent):
    """Reads members and capacity from the model's FoU arrays at ``slot``."""

    model: DiffusionModel

    def __init__(self, model: DiffusionModel, slot: int, name: str) -> None:
        super().__init__(model)
        self.slot = slot
        self.name = name

    @property
    def member_indices(self) -> np.ndarray:
        members = self.model.structure.fou_members
        return members.indices[members.indptr[self.slot] : members.indptr[self.slot + 1]]

    @property
    def capacity_left(self) -> int:
        fou = self.model.fou
        return int(fou.capacity[self.slot] - fou.used[self.slot])

    def __repr__(self) -> str:
        return f"FouEnvironment({self.name}, {len(self.member_indices)} members)"
