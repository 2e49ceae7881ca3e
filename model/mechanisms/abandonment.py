"""Abandonment: adopters may discontinue later (dissatisfaction, politics, reorganisation)."""

from __future__ import annotations

import numpy as np

from model.module import Module
from model.stages import Stage
from model.state import NEVER


class Abandonment(Module):
    """Each month an adopter discontinues with ``adoption.abandon_rate`` and leaves its
    supplier."""

    parameters = ("adoption",)
    switches = ("mechanisms.abandonment",)
    streams = ("monthly",)
    records = ("discontinued",)

    def step(self) -> None:
        """Adopters whose draw falls under the rate discontinue and leave their supplier."""
        model, state = self.model, self.model.state
        rate = model.scenario.adoption.abandon_rate
        if rate <= 0.0:
            return
        k = np.flatnonzero(state.stage == Stage.ADOPTED)
        leaving = k[model.draws.choice.reshape(-1)[k] < rate]
        state.move(leaving, Stage.DISCONTINUED, model.month)
        state.flat["supplier"][leaving] = NEVER
