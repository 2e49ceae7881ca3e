"""Implementation: after scale-up, coverage of the target group grows from the trial's
share to full over the innovation's rollout months; value and running costs follow it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module
from model.stages import Stage

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Implementation(Module):
    """Each month every adopter still below full coverage moves along a straight line from
    the trial's coverage at scale-up to 1 at scale-up + rollout months. Owns the list of
    cells still implementing (``events.scaled_up`` adds to it; reaching full coverage or
    leaving adoption takes a cell off)."""

    parameters = ("innovation",)
    switches = ("mechanisms.trial_decision",)
    records = ("mean_coverage", "coverage_weighted_share", "fully_covered")

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        self.implementing = np.zeros(0, dtype=np.int64)  # flat cells
        self.rollout_months = model.innovation_cells("rollout_months").reshape(-1)  # per cell

    def step(self) -> None:
        """Coverage of adopters still implementing, as of this month."""
        model, state = self.model, self.model.state
        k = self.implementing
        if model.events.scaled_up.size:  # were trialling: not in the list yet
            k = np.concatenate([k, model.events.scaled_up])
        k = k[state.flat["stage"][k] == Stage.ADOPTED]  # stopped ones are done
        if k.size == 0:
            self.implementing = k
            return
        i = k // state.n_columns
        inn = model.innovations
        start = inn.trial_coverage[i]
        elapsed = model.month - state.flat["scaleup_month"][k]
        coverage = np.minimum(1.0, start + (1.0 - start) * elapsed / self.rollout_months[k])
        state.flat["coverage"][k] = coverage
        self.implementing = k[coverage < 1.0]
