"""Stopping: adopters may stop later, for reasons of their own (political change,
reorganisation) or because their own result disappointed."""

from __future__ import annotations

import numpy as np

from model.module import Module
from model.stages import Stage
from model.transitions import stop_adopters


class Stopping(Module):
    """Each month an adopter stops with ``stop_rate``, plus ``dissatisfaction_rate`` while its
    own trial's result is below break-even; it leaves its supplier and its coverage."""

    parameters = ("adoption",)
    switches = ("mechanisms.stopping",)
    streams = ("monthly",)
    records = ("discontinued", "stopped")

    def step(self) -> None:
        """Adopters whose draw falls under their stopping hazard stop now."""
        model, state = self.model, self.model.state
        p = model.scenario.adoption
        if p.stop_rate <= 0.0 and p.dissatisfaction_rate <= 0.0:
            return
        # rare: the cells whose draw is under the largest hazard first, their stage after
        u = model.draws.choice.reshape(-1)
        k = np.flatnonzero(u < p.stop_rate + p.dissatisfaction_rate)
        k = k[state.flat["stage"][k] == Stage.ADOPTED]
        disappointed = state.flat["own_result"][k] < 1.0  # NaN (no trial): not
        hazard = p.stop_rate + p.dissatisfaction_rate * disappointed
        leaving = k[u[k] < hazard]
        stop_adopters(model, leaving)
