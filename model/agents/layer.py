"""Builds the Mesa agents the first time anyone asks for them, and keeps suppliers current."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.agents.fou_environment import FouEnvironment
from model.agents.municipality import Municipality
from model.agents.supplier import Supplier

if TYPE_CHECKING:
    from model.model import DiffusionModel


class AgentLayer:
    def __init__(self, model: DiffusionModel) -> None:
        self.model = model
        self.built = False
        self.suppliers: dict[int, Supplier] = {}  # by market slot

    def ensure(self) -> None:
        """Municipalities and FoU environments once; suppliers for every slot opened so far."""
        model = self.model
        if not self.built:
            self.built = True
            structure = model.structure
            size = structure.block_size
            for column in range(structure.n):
                Municipality(
                    model, column, structure.codes[column % size], structure.names[column % size]
                )
            environments = len(structure.fou_names)
            for slot in range(model.replications * environments):
                FouEnvironment(model, slot, structure.fou_names[slot % environments])
        for slot in np.flatnonzero(model.market.opened):
            if int(slot) not in self.suppliers:
                self.suppliers[int(slot)] = Supplier(model, int(slot))

    def supplier(self, slot: int) -> Supplier:
        self.ensure()
        return self.suppliers[slot]
