"""Trials: limited trials whose realised result is what a municipality learns its own fit
from. The result is drawn around the innovation's true benefit/cost ratio times the
municipality's fit; FoU support removes part of the noise and improves implementation.
Results are published in ``model.events`` for ``learning`` and ``scaleup``; trials start
in ``model/transitions.py`` (from decision and procurement).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from model.module import Module
from model.stages import Stage

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Trials(Module):
    """Ends the trials due this month and publishes their results; what follows (scale-up
    or not) is the scale-up module's decision on the updated belief."""

    parameters = ("trials", "fou")
    switches = ("mechanisms.trial_decision",)
    streams = ("monthly",)
    records = ("trialling",)

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        self.noise_sd = model.scenario.trials.noise_sd
        self.fou = model.scenario.fou
        self.true_ratio = model.innovation_cells("true_ratio").reshape(-1)  # per flat cell

    def step(self) -> None:
        """Trials due this month end with a result: true ratio x fit x noise (less noise and
        a small bonus with FoU support)."""
        model, state, month = self.model, self.model.state, self.model.month
        if not model.due.any_trials_due(month):
            return
        k = np.flatnonzero(state.stage == Stage.TRIALLING)
        k = k[state.flat["trial_end"][k] <= month]
        if k.size == 0:
            return
        fou = self.fou
        supported = state.flat["supported"][k]
        noise_sd = self.noise_sd * (1.0 - fou.support_noise_reduction * supported)
        u = model.draws.entry.reshape(-1)[k]
        realised = (
            self.true_ratio[k]
            * state.flat["fit"][k]
            * (1.0 + noise_sd * ndtri(np.clip(u, 1e-12, 1.0 - 1e-12)))
            * (1.0 + fou.support_success_bonus * supported)
        )
        state.flat["supported"][k] = False
        state.flat["own_result"][k] = realised
        model.events.trial_results = (k, realised)
