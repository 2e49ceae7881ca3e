"""Bass docking: with the decision process switched off, becoming aware is adopting."""

from __future__ import annotations

import numpy as np

from model.module import Module
from model.stages import Stage


class BassAdoption(Module):
    """Every aware cell that needs the innovation adopts in the month it became aware, so
    adoption follows the awareness hazard alone: the discrete Bass model the docking test
    compares with (its market potential is the relevant municipalities)."""

    replaces = "mechanisms.trial_decision"
    records = ("adopted",)

    def step(self) -> None:
        """Every aware, relevant cell adopts now, fully (no implementation stage here)."""
        state, month = self.model.state, self.model.month
        k = np.flatnonzero((state.stage == Stage.AWARE) & state.relevant)
        state.move(k, Stage.ADOPTED, month)
        state.flat["first_adopted"][k] = month
        state.flat["coverage"][k] = 1.0
