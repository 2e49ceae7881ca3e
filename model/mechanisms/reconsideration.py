"""Reconsideration: after a delay, a municipality whose trial failed, or that stopped using
an innovation, may become open to it again."""

from __future__ import annotations

import numpy as np

from model.module import Module
from model.stages import Stage


class Reconsideration(Module):
    """Each month a trial-failed or discontinued cell past ``retry_delay_months`` turns aware
    (and open to a new decision) with ``retry_rate``."""

    parameters = ("trials",)
    switches = ("mechanisms.trial_decision",)
    streams = ("monthly",)
    records = ("aware",)

    def step(self) -> None:
        """Discontinued cells past the delay whose draw falls under the rate turn aware."""
        model = self.model
        p, state = model.scenario.trials, model.state
        if p.retry_rate <= 0.0:
            return
        k = np.flatnonzero(model.draws.entry < p.retry_rate)  # few cells: test their stage after
        stage = state.flat["stage"][k]
        ready = ((stage == Stage.TRIAL_FAILED) | (stage == Stage.DISCONTINUED)) & (
            state.flat["since"][k] <= model.month - p.retry_delay_months
        )
        state.move(k[ready], Stage.AWARE, model.month)
