"""Implementation: after scale-up, coverage of the target group grows from the trial's
share to full over the innovation's rollout months; value and running costs follow it."""

from __future__ import annotations

import numpy as np

from model.module import Module
from model.stages import Stage


class Implementation(Module):
    """Each month every adopter still below full coverage moves along a straight line from
    the trial's coverage at scale-up to 1 at scale-up + rollout months."""

    parameters = ("innovation",)
    switches = ("mechanisms.trial_decision",)
    records = ("mean_coverage", "coverage_weighted_share")

    def step(self) -> None:
        """Coverage of adopters still implementing, as of this month."""
        model, state = self.model, self.model.state
        coverage = state.flat["coverage"]
        k = np.flatnonzero((state.stage == Stage.ADOPTED) & (state.coverage < 1.0))
        if k.size == 0:
            return
        i = k // state.n_columns
        inn = model.innovations
        start = inn.trial_coverage[i]
        elapsed = model.month - state.flat["scaleup_month"][k]
        coverage[k] = np.minimum(1.0, start + (1.0 - start) * elapsed / inn.rollout_months[i])
