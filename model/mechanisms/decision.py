"""Decision to trial, on money at risk: an aware municipality for which the innovation is
relevant and that considers it goes ahead when what the trial reveals is worth more than
what the trial costs *it*, plus a risk premium on that money (``model/valuation.py``;
docs/ODD.md derives the rule). Grants, risk sharing and joint procurement act only through
that money and the budget. Its budget, capacity and the law must allow it. Products then
go to procurement; methods start their trial at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module
from model.stages import Stage
from model.transitions import procurement_terms, start_procurements, start_trials
from model.valuation import ScaleUpTerms, trial_value

if TYPE_CHECKING:
    from model.model import DiffusionModel


def keep(mask: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays' entries where ``mask`` holds (the cells still in the running)."""
    return tuple(a[mask] for a in arrays)


class Decision(Module):
    """Each month an aware, relevant cell is considered with the consideration rate (higher
    with an idea-handling organisation); considered cells whose trial is worth more than
    their money at risk times (1 + risk aversion), and that pass the constraints
    (``mechanisms.legal_barriers``, ``capacity_constraint``, ``budget_constraint``), decide:
    at most one innovation per municipality a month, the best margin first."""

    parameters = ("decision", "procurement")
    switches = ("mechanisms.trial_decision",)
    options = ("mechanisms.legal_barriers", "mechanisms.capacity_constraint")
    streams = ("monthly",)
    records = ("decided", "trials_started")

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        s = model.scenario
        self.params = s.decision
        self.legal_barriers = s.mechanisms.legal_barriers and model.innovations.legal_barrier.any()
        self.capacity_constraint = s.mechanisms.capacity_constraint
        self.terms = ScaleUpTerms.of(model)
        self.risk_aversion = self.terms.risk_aversion
        self._refresh()

    def _refresh(self) -> None:
        """The consideration rate depends on capacities, which levers may change."""
        traits = self.model.traits
        self.consideration_rate = self.params.consideration_rate * (
            1.0 + self.params.idea_org_effect * traits.idea_org
        )
        self._revision = traits.revision

    def grant_on_offer(self, j: np.ndarray) -> np.ndarray:
        """Grant share open to municipalities ``j`` now (0 once their replication's pot is empty)."""
        levers = self.model.levers
        return levers.grant_share[j] * (levers.grant_pot[j // self.model.structure.block_size] > 0)

    def margin(self, k: np.ndarray, procurement_cost: np.ndarray | None = None) -> np.ndarray:
        """MSEK by which a trial at flat cells ``k`` is worth more than the municipality's
        own money at risk with its risk premium (positive: it trials).
        ``procurement_cost``: the cells' procurement cost when already known."""
        model = self.model
        i, j = np.divmod(k, model.state.n_columns)
        if procurement_cost is None:
            _, procurement_cost = procurement_terms(model, j)
        running, _, m_star = self.terms.at(k)
        mean, sd = model.learning.belief(k)
        value, no_scale_up = trial_value(
            mean, sd, model.learning.own_result_sd, m_star, running, self.terms.annuity_factor
        )
        product = model.needs_procurement[i]
        own_trial = model.innovations.trial_cost[i] * (1.0 - self.grant_on_offer(j))
        refund = model.levers.risk_share[j] * product * own_trial * no_scale_up
        at_risk = own_trial + np.where(product, procurement_cost, 0.0) - refund
        return value - at_risk * (1.0 + self.risk_aversion[j])

    def upfront_cost(
        self, i: np.ndarray, j: np.ndarray, procurement_cost: np.ndarray
    ) -> np.ndarray:
        """MSEK the municipality pays on deciding: the procurement, or its share of the trial."""
        model = self.model
        trial_share = model.innovations.trial_cost[i] * (1.0 - self.grant_on_offer(j))
        return np.where(model.needs_procurement[i], procurement_cost, trial_share)

    def barred(self, k: np.ndarray, i: np.ndarray) -> np.ndarray:
        """At flat cells ``k`` (innovation ``i``): a legal barrier in force blocks trials."""
        model = self.model
        return model.innovations.legal_barrier[i] & ~model.levers.barrier_lifted.reshape(-1)[k]

    def busy(self, j: np.ndarray) -> np.ndarray:
        """Trials running or being prepared (decided) at municipalities ``j``."""
        stage = self.model.state.stage[:, j]
        return ((stage == Stage.DECIDED) | (stage == Stage.TRIALLING)).sum(axis=0)

    def step(self) -> None:
        """Considered, relevant aware cells whose trial is worth its money at risk and that
        pass the constraints decide: products start procurement, methods a trial."""
        model, state = self.model, self.model.state
        if self._revision != model.traits.revision:
            self._refresh()
        k = np.flatnonzero(model.draws.choice < self.consideration_rate)  # few: stage after
        k = k[(state.flat["stage"][k] == Stage.AWARE) & state.flat["relevant"][k]]
        if k.size == 0:
            return
        i, j = np.divmod(k, state.n_columns)
        # The constraints first (they are cheap), the valuation on the cells they leave.
        if self.legal_barriers:
            k, i, j = keep(~self.barred(k, i), k, i, j)
        if k.size and self.capacity_constraint:
            k, i, j = keep(self.busy(j) < model.traits.trial_slots[j], k, i, j)
        _, procurement_cost = procurement_terms(model, j)
        if k.size:
            allowed = model.budgets.affordable(j, self.upfront_cost(i, j, procurement_cost))
            k, i, j, procurement_cost = keep(allowed, k, i, j, procurement_cost)
        if k.size == 0:
            return
        score = self.margin(k, procurement_cost)
        k, i, j, score = keep(score > 0.0, k, i, j, score)
        if k.size == 0:
            return
        # At most one new decision per municipality a month: its most promising innovation.
        order = np.lexsort((-score, j))
        ordered = j[order]
        first = np.ones(order.size, dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        chosen = order[first]
        k, i = k[chosen], i[chosen]
        procure = model.needs_procurement[i]
        start_procurements(model, k[procure])
        start_trials(model, k[~procure])
