"""Procurement: a decided municipality's procurement completes after its lead time; the
trial starts when a supplier with spare capacity exists and the budget allows. Without a
supplier it stays decided-but-not-running, and gives up after ``max_wait_months``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.grouping import rank_within
from model.mechanisms.trials import start_trials
from model.stages import Stage
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel


def complete_procurements(model: DiffusionModel) -> None:
    state, month, market = model.state, model.month, model.market
    new_year = month % 12 == 1  # budgets were just renewed
    room_for_waiting = (market.waiting > 0) & (market.spare_by_row() > 0)
    if not (
        model.schedule.any_procurements_due(month)
        or room_for_waiting.any()
        or (new_year and market.waiting.any())
    ):
        return
    n = state.n_municipalities
    k = np.flatnonzero(state.stage == Stage.DECIDED)
    k = k[state.flat["procure_end"][k] <= month]
    if k.size == 0:
        market.waiting[:] = 0
        return
    # Longest-waiting first (k is already in flat order); one start per municipality a month.
    k = k[np.argsort(state.flat["decided_at"][k], kind="stable")]
    candidate = rank_within(k % n) == 0
    suppliers = market.assign(k[candidate])
    trying = np.flatnonzero(candidate)[suppliers != NEVER]
    started = start_trials(model, k[trying], suppliers[suppliers != NEVER])
    market.take_customers(suppliers[suppliers != NEVER][started], k[trying[started]] % n)
    waiting = np.ones(k.size, dtype=bool)
    waiting[trying[started]] = False
    k = k[waiting]
    gave_up = month - state.flat["decided_at"][k] >= model.spec.decision.max_wait_months
    state.move(k[gave_up], Stage.DISCONTINUED, month)
    market.waiting[:] = np.bincount(model.ledger_rows(k[~gave_up]), minlength=market.waiting.size)
