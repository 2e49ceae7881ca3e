"""Trials: limited trials whose realised result decides adoption or discontinuation.

A result is drawn around the innovation's true benefit/cost ratio times the
municipality's fit; FoU support removes part of the noise and improves implementation.
Every result becomes evidence for peers (published in ``model.events`` for ``learning``).
Trials start in ``model/transitions.py`` (from decision and procurement).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from model.module import Module
from model.stages import Stage
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Trials(Module):
    """Finishes the trials due this month: a result above 1 (benefit over cost) is adoption,
    below is discontinuation, with a state refund of a failed product trial's own cost
    under risk sharing (``levers.risk_share``)."""

    parameters = ("trials", "fou")
    switches = ("mechanisms.trial_decision",)
    streams = ("monthly",)
    records = (
        "trialling",
        "adopted",
        "trials_failed",
        "risk_refunds_msek",
        "state_spending_msek",
        "refunds_msek",
    )

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        self.noise_sd = model.scenario.trials.noise_sd
        self.fou = model.scenario.fou

    def step(self) -> None:
        """Trials due this month end: adopted above break-even, discontinued below (with refunds)."""
        model, state, month = self.model, self.model.state, self.model.month
        if not model.due.any_trials_due(month):
            return
        k = np.flatnonzero(state.stage == Stage.TRIALLING)
        k = k[state.flat["trial_end"][k] <= month]
        if k.size == 0:
            return
        i = k // state.n_columns
        fou = self.fou
        supported = state.flat["supported"][k]
        noise_sd = self.noise_sd * (1.0 - fou.support_noise_reduction * supported)
        u = model.draws.entry.reshape(-1)[k]
        realised = (
            model.innovations.true_ratio[i]
            * state.flat["fit"][k]
            * (1.0 + noise_sd * ndtri(np.clip(u, 1e-12, 1.0 - 1e-12)))
            * (1.0 + fou.support_success_bonus * supported)
        )
        success = realised > 1.0
        state.flat["supported"][k] = False
        adopted = k[success]
        state.move(adopted, Stage.ADOPTED, month)
        first_adopted = state.flat["first_adopted"]
        first_adopted[adopted[first_adopted[adopted] == NEVER]] = month
        failed = k[~success]
        state.flat["successes"][adopted] += 1
        state.flat["failures"][failed] += 1
        if model.levers.risk_share.any():
            self.refund_failed(failed)
        state.move(failed, Stage.DISCONTINUED, month)
        state.flat["supplier"][failed] = NEVER
        model.accounts.add("trials_failed", model.ledger_rows(failed))
        model.events.trial_results = (k, realised)

    def refund_failed(self, failed: np.ndarray) -> None:
        """State risk sharing: refund a share of failed product trials' own cost."""
        model = self.model
        i, j = np.divmod(failed, model.state.n_columns)
        share = model.levers.risk_share[j] * model.needs_procurement[i]  # products only
        refund = share * model.state.flat["trial_own_cost"][failed]
        if not refund.any():
            return
        model.budgets.refund(j, refund)
        np.add.at(model.received.refunds, j, refund)
        rows = model.ledger_rows(failed)
        model.accounts.add("risk_refunds_msek", rows, refund)
        model.accounts.add("state_spending_msek", rows, refund)
        replication = j // model.structure.block_size
        model.money.risk_refunds += np.bincount(
            replication, weights=refund, minlength=model.replications
        )
