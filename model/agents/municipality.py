"""A municipality: one Mesa agent per real (or synthetic) municipality."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from model.stages import Stage

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Municipality(mesa.Agent):
    """Reads its traits and stages from the model's arrays at ``index``."""

    model: DiffusionModel

    def __init__(self, model: DiffusionModel, index: int, kommunkod: str, name: str) -> None:
        super().__init__(model)
        self.index = index  # column in the model's arrays
        self.replication = index // model.structure.block_size
        self.kommunkod = kommunkod
        self.name = name

    @property
    def population(self) -> int:
        return int(self.model.traits.population[self.index])

    @property
    def size_class(self) -> str:
        return self.model.structure.size_labels[self.index % self.model.structure.block_size]

    @property
    def county_code(self) -> str:
        return self.model.structure.county_codes[self.index % self.model.structure.block_size]

    @property
    def budget_left_msek(self) -> float:
        return float(self.model.traits.budget_left[self.index])

    @property
    def risk_tolerance(self) -> float:
        return float(self.model.traits.risk_tolerance[self.index])

    def stage(self, innovation: str) -> Stage:
        row = self.model.innovations.index(innovation)
        return Stage(int(self.model.state.stage[row, self.index]))

    def supplier(self, innovation: str) -> int | None:
        """unique_id of the supplier this municipality runs the product on, if any."""
        row = self.model.innovations.index(innovation)
        slot = int(self.model.state.supplier[row, self.index])
        return None if slot < 0 else self.model.market.agents[slot].unique_id

    def __repr__(self) -> str:
        return f"Municipality({self.kommunkod} {self.name})"
