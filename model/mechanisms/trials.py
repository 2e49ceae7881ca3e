"""Trials: limited trials whose realised result decides adoption or discontinuation.

A result is drawn around the innovation's true benefit/cost ratio times the
municipality's fit; FoU support removes part of the noise and improves implementation.
Every result becomes evidence for peers (``learning``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from model.stages import Stage
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel


def start_trials(
    model: DiffusionModel, k: np.ndarray, suppliers: np.ndarray | None = None
) -> np.ndarray:
    """Start trials at flat cells ``k`` (one per municipality) that the budget allows.

    Returns the bool mask of those started.
    """
    if k.size == 0:
        return np.zeros(0, dtype=bool)
    inn, traits, state, month = model.innovations, model.traits, model.state, model.month
    i, j = np.divmod(k, state.n_municipalities)
    grant = grants_available(model, j, inn.trial_cost[i] * model.levers.grant_share[j])
    own_cost = inn.trial_cost[i] - grant
    started = np.ones(k.size, dtype=bool)
    if model.spec.mechanisms.budget_constraint:
        started = own_cost <= traits.budget_left[j] + 1e-12
        traits.budget_left[j[started]] -= own_cost[started]
    k, i, j = k[started], i[started], j[started]
    state.flat["trial_own_cost"][k] = own_cost[started]
    state.move(k, Stage.TRIALLING, month)
    ends = month + inn.trial_months[i]
    state.flat["trial_end"][k] = ends
    model.schedule.trials_due(ends)
    if suppliers is not None:
        state.flat["supplier"][k] = suppliers[started]
    accounts, rows = model.accounts, model.ledger_rows(k)
    accounts.add("trials_started", rows)
    accounts.add("municipal_spending_msek", rows, own_cost[started])
    if grant.any():
        pay_grants(model, j, rows, grant[started])
    if model.spec.mechanisms.fou_support:
        supported = model.fou.allocate_support(j)
        state.flat["supported"][k] = supported
        accounts.add("fou_supported_trials", rows[supported])
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
    replication = j // model.structure.block_size
    paid = np.bincount(replication, weights=amounts, minlength=model.replications)
    model.levers.grant_pot -= paid
    model.money.granted += paid
    np.add.at(model.received.grants, j, amounts)
    model.accounts.add("state_spending_msek", rows, amounts)


def refund_failed(model: DiffusionModel, failed: np.ndarray) -> None:
    """State risk sharing: refund a share of failed product trials' own cost to the municipality."""
    i, j = np.divmod(failed, model.state.n_municipalities)
    share = model.levers.risk_share[j] * model.needs_procurement[i]  # products only
    refund = share * model.state.flat["trial_own_cost"][failed]
    if not refund.any():
        return
    np.add.at(model.traits.budget_left, j, refund)
    np.add.at(model.received.refunds, j, refund)
    rows = model.ledger_rows(failed)
    model.accounts.add("risk_refunds_msek", rows, refund)
    model.accounts.add("state_spending_msek", rows, refund)
    replication = j // model.structure.block_size
    model.money.risk_refunds += np.bincount(
        replication, weights=refund, minlength=model.replications
    )


def complete_trials(model: DiffusionModel, u: np.ndarray) -> None:
    state, month = model.state, model.month
    if not model.schedule.any_trials_due(month):
        return
    k = np.flatnonzero(state.stage == Stage.TRIALLING)
    k = k[state.flat["trial_end"][k] <= month]
    if k.size == 0:
        return
    i = k // state.n_municipalities
    fou = model.spec.fou
    supported = state.flat["supported"][k]
    noise_sd = model.spec.trials.noise_sd * (1.0 - fou.support_noise_reduction * supported)
    realised = (
        model.innovations.true_ratio[i]
        * state.flat["fit"][k]
        * (1.0 + noise_sd * ndtri(np.clip(u.reshape(-1)[k], 1e-12, 1.0 - 1e-12)))
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
        refund_failed(model, failed)
    state.move(failed, Stage.DISCONTINUED, month)
    state.flat["supplier"][failed] = NEVER
    model.accounts.add("trials_failed", model.ledger_rows(failed))
    if model.spec.mechanisms.learning:
        model.evidence.record(k, realised)


def reconsider(model: DiffusionModel, u: np.ndarray) -> None:
    """After a delay, a municipality that discontinued may become open to it again."""
    p, state = model.spec.trials, model.state
    if p.retry_rate <= 0.0:
        return
    k = np.flatnonzero(u < p.retry_rate)  # few cells: test their stage after
    ready = (state.flat["stage"][k] == Stage.DISCONTINUED) & (
        state.flat["since"][k] <= model.month - p.retry_delay_months
    )
    state.move(k[ready], Stage.AWARE, model.month)
