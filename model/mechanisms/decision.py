"""Decision to trial: an aware municipality that considers an innovation goes ahead when
its expected net benefit, penalised for uncertainty by its risk aversion, clears the
hurdle, and its budget, capacity and the law allow it. Products then go to procurement;
methods start their trial at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module
from model.stages import Stage
from model.transitions import procurement_terms, start_procurements, start_trials

if TYPE_CHECKING:
    from model.model import DiffusionModel


def keep(mask: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays' entries where ``mask`` holds (the cells still in the running)."""
    return tuple(a[mask] for a in arrays)


class Decision(Module):
    """Each month an aware cell is considered with the consideration rate (higher with an
    idea-handling organisation); considered cells that pass the score and the
    constraints (``mechanisms.legal_barriers``, ``capacity_constraint``,
    ``budget_constraint``) decide, at most one innovation per municipality a month."""

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
        self.risk_aversion = s.decision.risk_aversion_scale * (1.0 - model.traits.risk_tolerance)
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

    def upfront_cost(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """MSEK the municipality pays on deciding: the procurement, or its share of the trial."""
        model = self.model
        trial_share = model.innovations.trial_cost[i] * (1.0 - self.grant_on_offer(j))
        _, procurement_cost = procurement_terms(model, j)
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
        """Considered aware cells that pass the score and the constraints decide: products start procurement, methods a trial."""
        model, state = self.model, self.model.state
        if self._revision != model.traits.revision:
            self._refresh()
        k = np.flatnonzero(model.draws.choice < self.consideration_rate)  # few: stage after
        k = k[state.flat["stage"][k] == Stage.AWARE]
        if k.size == 0:
            return
        i, j = np.divmod(k, state.n_columns)
        mean, sd = model.learning.belief(k)
        # The penalty for uncertainty scales with the municipality's own share of what a failed
        # trial costs: a state grant and state risk sharing (products) both lower it.
        shared = model.levers.risk_share[j] * model.needs_procurement[i]
        penalty = self.risk_aversion[j] * (1.0 - self.grant_on_offer(j)) * (1.0 - shared)
        score = mean - 1.0 - penalty * sd - self.params.hurdle
        k, i, j, score = keep(score > 0.0, k, i, j, score)  # the constraints, on fewer cells
        if k.size and self.legal_barriers:
            k, i, j, score = keep(~self.barred(k, i), k, i, j, score)
        if k.size and self.capacity_constraint:
            k, i, j, score = keep(self.busy(j) < model.traits.trial_slots[j], k, i, j, score)
        if k.size:
            allowed = model.budgets.affordable(j, self.upfront_cost(i, j))
            k, i, j, score = keep(allowed, k, i, j, score)
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
