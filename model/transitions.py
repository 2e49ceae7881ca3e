"""Moves through the trial pipeline that several modules make, with the money each costs.

A procurement starts when a municipality decides on a product (``decision``) or re-procures
after its supplier left (``market``); a trial starts when a method is decided on
(``decision``) or a procurement finds a supplier (``procurement``). The rules for what these
cost, who pays and what the state's grants cover live here once, as operations on the
shared state (stages, budgets, grant pot, accounts), so the modules never call each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.budgets import SLACK_MSEK
from model.stages import Stage
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel


def procurement_terms(model: DiffusionModel, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lead time (months) and cost (MSEK) of a procurement at municipalities ``j``:
    shorter and cheaper with more competence, and as the levers set for consortia."""
    p, levers = model.scenario.procurement, model.levers
    competence_factor = 1.5 - model.traits.competence[j]
    lead = np.rint(p.lead_months * competence_factor * levers.procurement_lead_factor[j])
    cost = p.cost_msek * competence_factor * levers.procurement_cost_factor[j]
    return lead.astype(np.int32), cost


def start_procurements(model: DiffusionModel, k: np.ndarray) -> np.ndarray:
    """Start procurements at flat cells ``k`` that the budget allows, one per municipality.

    Returns the bool mask of those started.
    """
    started = np.zeros(k.size, dtype=bool)
    if k.size == 0:
        return started
    j = k % model.state.n_columns
    _, first = np.unique(j, return_index=True)
    started[first] = True
    lead, cost = procurement_terms(model, j)
    started &= model.budgets.affordable(j, cost, SLACK_MSEK)
    model.budgets.spend(j[started], cost[started])
    k, lead, cost = k[started], lead[started], cost[started]
    state, month = model.state, model.month
    state.move(k, Stage.DECIDED, month)
    state.flat["decided_at"][k] = month
    state.flat["procure_end"][k] = month + lead
    # Due: the procurement's end, and the month a municipality still waiting gives up.
    model.due.procurements_due(month + lead)
    model.due.procurements_due(np.full(k.size, month + model.scenario.decision.max_wait_months))
    model.accounts.add("municipal_spending_msek", model.ledger_rows(k), cost)
    return started


def start_trials(
    model: DiffusionModel, k: np.ndarray, suppliers: np.ndarray | None = None
) -> np.ndarray:
    """Start trials at flat cells ``k`` (one per municipality) that the budget allows, with
    the state's grant paying its share while the pot lasts. ``suppliers``: the supplier
    slot of each product trial. Returns the bool mask of those started."""
    if k.size == 0:
        return np.zeros(0, dtype=bool)
    inn, state, month = model.innovations, model.state, model.month
    i, j = np.divmod(k, state.n_columns)
    wanted = inn.trial_cost[i] * model.levers.grant_share[j]
    grant = grants_available(model, j, wanted)
    own_cost = inn.trial_cost[i] - grant
    started = model.budgets.affordable(j, own_cost, SLACK_MSEK)
    if wanted.any():  # asked for at the start, whether or not the pot still had money
        replication = j[started] // model.structure.block_size
        model.levers.grant_requested += np.bincount(
            replication, weights=wanted[started], minlength=model.replications
        )
    model.budgets.spend(j[started], own_cost[started])
    k, i, j = k[started], i[started], j[started]
    state.flat["trial_own_cost"][k] = own_cost[started]
    state.move(k, Stage.TRIALLING, month)
    ends = month + inn.trial_months[i]
    state.flat["trial_end"][k] = ends
    state.flat["trial_month"][k] = month
    model.due.trials_due(ends)
    chosen = None if suppliers is None else suppliers[started]
    if chosen is not None:
        state.flat["supplier"][k] = chosen
    accounts, rows = model.accounts, model.ledger_rows(k)
    accounts.add("trials_started", rows)
    accounts.add("municipal_spending_msek", rows, own_cost[started])
    if grant.any():
        pay_grants(model, j, rows, grant[started])
    model.events.trial_starts.append((k, chosen))
    return started


def grants_available(model: DiffusionModel, j: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """MSEK of grant for trials at municipalities ``j``: first come first served while each
    replication's grant pot lasts (0 where it does not)."""
    if not wanted.any():
        return wanted
    replication = j // model.structure.block_size
    order = np.argsort(replication, kind="stable")
    ordered = replication[order]
    cumulative = np.cumsum(wanted[order])
    starts = np.searchsorted(ordered, ordered, side="left")
    before_block = np.where(starts > 0, cumulative[starts - 1], 0.0)
    within = np.empty(j.size)
    within[order] = cumulative - before_block
    pot = model.levers.grant_pot[replication]
    return np.where(within <= pot + 1e-9, wanted, 0.0)


def pay_grants(model: DiffusionModel, j: np.ndarray, rows: np.ndarray, amounts: np.ndarray) -> None:
    """Pay trial grants out of each replication's pot: the state's spending, the
    municipality's receipt."""
    replication = j // model.structure.block_size
    paid = np.bincount(replication, weights=amounts, minlength=model.replications)
    model.levers.grant_pot -= paid
    model.levers.grant_paid += paid
    model.money.granted += paid
    np.add.at(model.received.grants, j, amounts)
    model.accounts.add("state_spending_msek", rows, amounts)
    if model.event_log.enabled:
        paid_here = amounts > 0
        innovation = rows[paid_here] % len(model.innovations)
        model.event_log.book("grant", innovation, j[paid_here], amount=amounts[paid_here])


def stop_adopters(model: DiffusionModel, k: np.ndarray) -> None:
    """Adopters at flat cells ``k`` stop now (their own decision, a contract not renewed,
    a supplier's exit): discontinued, without supplier, coverage or contract."""
    state, month = model.state, model.month
    state.move(k, Stage.DISCONTINUED, month)
    state.flat["supplier"][k] = NEVER
    state.flat["coverage"][k] = 0.0
    state.flat["stopped_month"][k] = month
    state.flat["contract_end"][k] = NEVER
    model.accounts.add("stopped", model.ledger_rows(k))
