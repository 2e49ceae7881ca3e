"""A municipality: one Mesa agent per real (or synthetic) municipality and replication."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from model.stages import STAGE_NAMES, Stage

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Municipality(mesa.Agent):
    """Reads its traits and stages from the model's arrays at column ``index`` (the same
    definitions targeting ranks by, vectorised) and tells its story."""

    model: DiffusionModel

    def __init__(self, model: DiffusionModel, index: int, kommunkod: str, name: str) -> None:
        super().__init__(model)
        self.index = index  # column in the model's arrays
        self.replication = index // model.structure.block_size
        self.kommunkod = kommunkod
        self.name = name

    @property
    def _position(self) -> int:
        """Position within its replication's block (the reference table's row)."""
        return self.index % self.model.structure.block_size

    @property
    def population(self) -> float:
        return float(self.model.traits.population[self.index])

    @property
    def size_class(self) -> str:
        return self.model.structure.size_labels[self._position]

    @property
    def county_code(self) -> str:
        return self.model.structure.county_codes[self._position]

    @property
    def capacities(self) -> int:
        """How many of the four innovation capacities it has now (idea organisation, peer
        study, scanning, trade fairs): levers may add some."""
        traits, j = self.model.traits, self.index
        return (
            int(traits.idea_org[j])
            + int(traits.peer_study[j])
            + int(traits.scanning[j])
            + int(traits.fair_visits[j])
        )

    @property
    def competence(self) -> float:
        """Procurement competence, 0-1."""
        return float(self.model.traits.competence[self.index])

    @property
    def centrality(self) -> float:
        """Eigenvector centrality in the neighbour graph (the same in every replication)."""
        return float(self.model.structure.centrality[self._position])

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
        return None if slot < 0 else self.model.supplier_agent(slot).unique_id

    def story(self) -> pd.DataFrame:
        """Every change of stage, per innovation, over the months run so far: when it heard
        of each innovation, decided, trialled, adopted, gave up or came back."""
        history = self.model.history
        months = history.months
        rows = []
        for i, innovation in enumerate(self.model.innovations.names):
            stages = history.stage[:months, i, self.index]
            changed = np.flatnonzero(np.diff(stages, prepend=Stage.UNAWARE))
            rows += [(innovation, int(t) + 1, STAGE_NAMES[stages[t]]) for t in changed]
        return pd.DataFrame(rows, columns=["innovation", "month", "stage"])

    def __repr__(self) -> str:
        return f"Municipality({self.kommunkod} {self.name})"
