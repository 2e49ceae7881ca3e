"""New innovations arrive: in the month an innovation of the pipeline arrives in a
replication (``model/pipeline.py`` draws when), municipalities can start to hear of it
and, for a product, its first supplier opens. Before that its cells stay unaware."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module
from model.pipeline import Arrivals
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Pipeline(Module):
    """Owns when each innovation arrives in each replication (``arrivals``) and which
    cells may hear of it now (``arrived_cells``, read by awareness)."""

    parameters = ("pipeline",)
    switches = ("pipeline.enabled",)
    streams = ("pipeline",)
    records = ()

    def __init__(self, model: DiffusionModel, origins: list[str]) -> None:
        super().__init__(model)
        settings = model.scenario.pipeline
        if settings.enabled:
            rngs = [stream(seed, "pipeline") for seed in model.seeds]
            self.arrivals = Arrivals.draw(origins, settings, model.scenario.run.months, rngs)
        else:
            self.arrivals = Arrivals.named_only(len(origins), model.replications)
        self.revision = 0  # rises whenever something arrives
        self.arrived_cells = self._cells(0)

    def _cells(self, month: int) -> np.ndarray:
        """(I, N) bool: the cell's innovation has arrived in its replication by ``month``."""
        model = self.model
        arrived = self.arrivals.arrived(month).reshape(model.replications, -1)  # (R, I)
        return np.repeat(arrived.T, model.structure.block_size, axis=1)

    def step(self) -> None:
        """This month's arrivals: their cells open to awareness; products get suppliers."""
        model = self.model
        rows = np.flatnonzero(self.arrivals.month == model.month)
        if rows.size == 0:
            return
        self.arrived_cells = self._cells(model.month)
        self.revision += 1
        market = model.market
        n_innovations = len(model.innovations)
        for row in rows[market.is_product[rows]]:
            market.open_initial(int(row), int(row) % n_innovations)
