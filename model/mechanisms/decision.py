"""Decision to trial: an aware municipality that considers an innovation goes ahead when
its expected net benefit, penalised for uncertainty by its risk aversion, clears the
hurdle, and its budget, capacity and the law allow it. Products then go to procurement;
methods start their trial at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.mechanisms.trials import start_trials
from model.stages import Stage

if TYPE_CHECKING:
    from model.model import DiffusionModel


def barred(model: DiffusionModel, k: np.ndarray, i: np.ndarray) -> np.ndarray:
    """At flat cells ``k`` (innovation ``i``): a legal barrier in force blocks trials."""
    return model.innovations.legal_barrier[i] & ~model.levers.barrier_lifted.reshape(-1)[k]


def busy(model: DiffusionModel, j: np.ndarray) -> np.ndarray:
    """Trials running or being prepared (decided) at municipalities ``j``."""
    stage = model.state.stage[:, j]
    return ((stage == Stage.DECIDED) | (stage == Stage.TRIALLING)).sum(axis=0)


def procurement_terms(model: DiffusionModel, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lead time (months) and cost (MSEK) of a procurement at municipalities ``j``."""
    p, levers = model.spec.procurement, model.levers
    competence_factor = 1.5 - model.traits.competence[j]
    lead = np.rint(p.lead_months * competence_factor * levers.procurement_lead_factor[j])
    return lead.astype(np.int32), p.cost_msek * competence_factor * levers.procurement_cost_factor[
        j
    ]


def grant_on_offer(model: DiffusionModel, j: np.ndarray) -> np.ndarray:
    """Grant share open to municipalities ``j`` now (0 once their replication's pot is empty)."""
    levers = model.levers
    return levers.grant_share[j] * (levers.grant_pot[j // model.structure.block_size] > 0)


def upfront_cost(model: DiffusionModel, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """MSEK the municipality pays on deciding: the procurement, or its share of the trial."""
    trial_share = model.innovations.trial_cost[i] * (1.0 - grant_on_offer(model, j))
    _, procurement_cost = procurement_terms(model, j)
    return np.where(model.needs_procurement[i], procurement_cost, trial_share)


def keep(mask: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays' entries where ``mask`` holds (the cells still in the running)."""
    return tuple(a[mask] for a in arrays)


def decide(model: DiffusionModel, u: np.ndarray) -> None:
    state, switches = model.state, model.spec.mechanisms
    k = np.flatnonzero(u < model.consideration_rate)  # few cells: test their stage after
    k = k[state.flat["stage"][k] == Stage.AWARE]
    if k.size == 0:
        return
    i, j = np.divmod(k, state.n_municipalities)
    mean, sd = model.evidence.belief(k)
    # The penalty for uncertainty scales with the municipality's own share of what a failed
    # trial costs: a state grant and state risk sharing (products) both lower it.
    shared = model.levers.risk_share[j] * model.needs_procurement[i]
    penalty = model.risk_aversion[j] * (1.0 - grant_on_offer(model, j)) * (1.0 - shared)
    score = mean - 1.0 - penalty * sd - model.spec.decision.hurdle
    k, i, j, score = keep(score > 0.0, k, i, j, score)  # the constraints, on fewer cells
    if k.size and switches.legal_barriers and model.innovations.legal_barrier.any():
        k, i, j, score = keep(~barred(model, k, i), k, i, j, score)
    if k.size and switches.capacity_constraint:
        k, i, j, score = keep(busy(model, j) < model.traits.trial_slots[j], k, i, j, score)
    if k.size and switches.budget_constraint:
        allowed = upfront_cost(model, i, j) <= model.traits.budget_left[j]
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


def start_procurements(model: DiffusionModel, k: np.ndarray) -> np.ndarray:
    """Start procurements at flat cells ``k`` that the budget allows, one per municipality.

    Returns the bool mask of those started.
    """
    started = np.zeros(k.size, dtype=bool)
    if k.size == 0:
        return started
    j = k % model.state.n_municipalities
    _, first = np.unique(j, return_index=True)
    started[first] = True
    lead, cost = procurement_terms(model, j)
    if model.spec.mechanisms.budget_constraint:
        started &= cost <= model.traits.budget_left[j] + 1e-12
        np.subtract.at(model.traits.budget_left, j[started], cost[started])
    k, lead, cost = k[started], lead[started], cost[started]
    state, month = model.state, model.month
    state.move(k, Stage.DECIDED, month)
    state.flat["decided_at"][k] = month
    state.flat["procure_end"][k] = month + lead
    # Due: the procurement's end, and the month a municipality still waiting gives up.
    model.schedule.procurements_due(month + lead)
    model.schedule.procurements_due(np.full(k.size, month + model.spec.decision.max_wait_months))
    model.accounts.add("municipal_spending_msek", model.ledger_rows(k), cost)
    return started
