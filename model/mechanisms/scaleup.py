"""Scale-up: after its trial a municipality decides, on its belief updated with its own
result (and peers'), whether putting the innovation to use across the organisation is
worth its implementation cost, now known, with a risk premium on that money. If not, the
trial failed: the state refunds a share of a failed product trial's own cost under risk
sharing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module
from model.stages import Stage
from model.state import NEVER
from model.valuation import ScaleUpTerms

if TYPE_CHECKING:
    from model.model import DiffusionModel


class ScaleUp(Module):
    """Cells whose trial ended this month scale up when their updated belief exceeds the
    break-even ratio m* (hurdle, and the implementation cost with its risk premium, over
    the horizon's running costs); they then pay that cost, start at the trial's coverage
    and (products) sign a contract. The others' trials failed."""

    parameters = ("decision", "innovation")
    switches = ("mechanisms.trial_decision",)
    records = ("adopted", "trial_failed", "scaled_up", "trials_failed", "risk_refunds_msek")

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        self.terms = ScaleUpTerms.of(model)

    def worth_it(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether scaling up at flat cells ``k`` pays, and the implementation cost (MSEK)."""
        _, implementation, m_star = self.terms.at(k)
        mean, _ = self.model.learning.belief(k)
        return mean > m_star, implementation

    def step(self) -> None:
        """This month's finished trials: scale up, or the trial failed."""
        model, state, month = self.model, self.model.state, self.model.month
        k, _ = model.events.trial_results
        if k.size == 0:
            return
        scale, implementation = self.worth_it(k)
        adopted, failed = k[scale], k[~scale]
        i = adopted // state.n_columns
        state.move(adopted, Stage.ADOPTED, month)
        first = state.flat["first_adopted"]
        first[adopted[first[adopted] == NEVER]] = month
        state.flat["scaleup_month"][adopted] = month
        model.events.scaled_up = adopted
        state.flat["coverage"][adopted] = model.innovations.trial_coverage[i]
        product = state.flat["supplier"][adopted] != NEVER
        contract = month + model.innovations.contract_months[i]
        state.flat["contract_end"][adopted] = np.where(product, contract, NEVER)
        state.flat["successes"][adopted] += 1
        rows = model.ledger_rows(adopted)
        model.accounts.add("scaled_up", rows)
        model.accounts.add("municipal_spending_msek", rows, implementation[scale])
        state.flat["failures"][failed] += 1
        if model.levers.risk_share.any():
            self.refund_failed(failed)
        state.move(failed, Stage.TRIAL_FAILED, month)
        state.flat["supplier"][failed] = NEVER
        model.accounts.add("trials_failed", model.ledger_rows(failed))

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
        if model.event_log.enabled:
            paid = refund > 0
            model.event_log.book_cells("risk_refund", failed[paid], amount=refund[paid])
        rows = model.ledger_rows(failed)
        model.accounts.add("risk_refunds_msek", rows, refund)
        model.accounts.add("state_spending_msek", rows, refund)
        replication = j // model.structure.block_size
        model.money.risk_refunds += np.bincount(
            replication, weights=refund, minlength=model.replications
        )
