"""Procurement: a decided municipality's procurement completes after its lead time; the
trial starts when a supplier with spare capacity wins the tender and the budget allows.
Without a supplier it stays decided-but-not-running, and gives up after ``max_wait_months``
(back to aware: it never trialled). When a product's contract ends, the municipality
re-procures (and may switch supplier) if it still believes in it, or stops."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.grouping import first_come_first_served, rank_within
from model.module import Module
from model.stages import Stage
from model.state import NEVER
from model.streams import NormalsByReplication, stream
from model.transitions import procurement_terms, start_trials, stop_adopters

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Procurement(Module):
    """Completes due procurements, longest-waiting first, one start per municipality a
    month. Owns ``waiting`` (per market: procurements done but no trial started), which
    the supplier market reads to see demand, and the tender's bid noise."""

    parameters = ("procurement", "decision", "suppliers")
    switches = ("mechanisms.trial_decision", "mechanisms.supplier_market")
    options = ("mechanisms.contract_renewal",)
    streams = ("procurement",)
    records = ("waiting_to_start", "discontinued", "stopped")

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        self.waiting = np.zeros(model.replications * len(model.innovations), dtype=np.int64)
        self.bid_normals = NormalsByReplication([stream(s, "procurement") for s in model.seeds])
        self.renewals = model.scenario.mechanisms.contract_renewal
        self.hurdle = model.blocks.columns("decision.hurdle")  # (N,)

    def step(self) -> None:
        """Contracts that end are renewed or stopped; due procurements take a supplier and
        start their trial, or wait, or give up. Renewals are tendered first (they hold a
        contract, and a renewing buyer's own seat is room in its tender), then the
        longest-waiting new buyers with the seats that are left."""
        model, state = self.model, self.model.state
        ending, going_on = self.ending_contracts()
        if ending.size:  # renewals first: they hold a contract, and their own seat is room
            seats = state.flat["supplier"][going_on]
            own = np.bincount(seats[seats != NEVER], minlength=model.market.alive.size)
            self.renew(ending, going_on, self.tender(going_on, extra_room=own))
            model.market.count_customers()  # the new buyers' tender sees the seats as now
        due = self.due_procurements()
        if due is not None:
            candidates = due[self.candidates(due)]
            self.complete(due, self.tender(candidates))

    def ending_contracts(self) -> tuple[np.ndarray, np.ndarray]:
        """Cells whose contract ends this month (with contract renewal off, only adopters
        a supplier's exit stranded: the others run on), and those of them that re-procure
        because they still believe in the product."""
        model, state = self.model, self.model.state
        ending = np.flatnonzero(state.contract_end == model.month)
        if not self.renewals:
            ending = ending[state.flat["supplier"][ending] == NEVER]
        if ending.size == 0:
            return ending, ending
        mean, _ = model.learning.belief(ending)
        return ending, ending[mean > 1.0 + self.hurdle[ending % state.n_columns]]

    def renew(self, ending: np.ndarray, going_on: np.ndarray, won: np.ndarray) -> None:
        """Products whose contract ends now (``ending``): those that still believe in it
        (``going_on``) renewed with the supplier the tender gave them (``won``; another
        may win), or with the current one if none had room and it is still in the market;
        the others stop."""
        model, state, month = self.model, self.model.state, self.model.month
        k = going_on
        current = state.flat["supplier"][k]
        found = won != NEVER
        still_there = (current != NEVER) & model.market.alive[np.maximum(current, 0)]
        lost = ~found & ~still_there
        switched = found & (won != current)
        state.flat["supplier"][k[found]] = won[found]
        model.events.switches.append((k[switched], won[switched]))
        renewed = k[~lost]
        i, j = np.divmod(renewed, state.n_columns)
        state.flat["contract_end"][renewed] = month + model.innovations.contract_months[i]
        _, cost = procurement_terms(model, j)  # paid from operations, not the development budget
        model.accounts.add("municipal_spending_msek", model.ledger_rows(renewed), cost)
        stop = np.concatenate([np.setdiff1d(ending, going_on, assume_unique=True), k[lost]])
        stop_adopters(model, stop)

    def due_procurements(self) -> np.ndarray | None:
        """Decided cells whose procurement is done, longest-waiting first (None when the
        month has nothing to do: none due, no room for those waiting, no new budgets)."""
        model, market = self.model, self.model.market
        state, month = model.state, model.month
        new_year = month % 12 == 1  # budgets were just renewed
        room_for_waiting = (self.waiting > 0) & (market.spare_by_row() > 0)
        if not (
            model.due.any_procurements_due(month)
            or room_for_waiting.any()
            or (new_year and self.waiting.any())
        ):
            return None
        k = np.flatnonzero(state.stage == Stage.DECIDED)
        k = k[state.flat["procure_end"][k] <= month]
        # Longest-waiting first (k is already in flat order).
        return k[np.argsort(state.flat["decided_at"][k], kind="stable")]

    def candidates(self, k: np.ndarray) -> np.ndarray:
        """Of due procurements ``k`` (longest-waiting first), the first of each municipality:
        one start per municipality a month."""
        return rank_within(k % self.model.state.n_columns) == 0

    def complete(self, k: np.ndarray, suppliers: np.ndarray) -> None:
        """Due procurements ``k`` (longest-waiting first): the candidates (one per
        municipality) start their trial with the supplier the tender gave them; the rest
        wait, or give up after ``max_wait_months``."""
        model, state, month = self.model, self.model.state, self.model.month
        if k.size == 0:
            self.waiting[:] = 0
            return
        candidate = self.candidates(k)
        trying = np.flatnonzero(candidate)[suppliers != NEVER]
        started = start_trials(model, k[trying], suppliers[suppliers != NEVER])
        waiting = np.ones(k.size, dtype=bool)
        waiting[trying[started]] = False
        k = k[waiting]
        gave_up = month - state.flat["decided_at"][k] >= model.scenario.decision.max_wait_months
        state.move(k[gave_up], Stage.AWARE, month)
        self.waiting[:] = np.bincount(model.ledger_rows(k[~gave_up]), minlength=self.waiting.size)

    def tender(self, k: np.ndarray, extra_room: np.ndarray | None = None) -> np.ndarray:
        """A supplier slot for each procurement at flat cells ``k``; NEVER where none is free.
        ``extra_room``: seats per slot counted as free besides the spare capacity (the seats
        of this tender's renewing buyers). Members of a consortium with a live contract
        call it off; the others tender on their own (``_own_tender``).
        """
        slots = np.full(k.size, NEVER, dtype=np.int64)
        if k.size == 0:
            return slots
        called, price, until = self.call_offs(k)
        self.model.state.flat["contract_price"][k] = price
        self.model.state.flat["contract_until"][k] = until
        own = called == NEVER
        slots[~own] = called[~own]
        if own.any():
            new_seats = ~own & (self.model.state.flat["supplier"][k] != called)
            slots[own] = self._own_tender(k[own], extra_room, called[new_seats])
        return slots

    def call_offs(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For procurements at flat cells ``k``: the winner of the consortium contract each
        calls off (NEVER: it tenders on its own), the contract price it pays (NaN: none)
        and the month the contract ends. A winner's capacity grows to seat the call-offs
        that are not its customers already (a renewing customer keeps its seat)."""
        contracts = self.model.levers.contracts
        none = np.full(k.size, NEVER, dtype=np.int64)
        if contracts is None:
            return none, np.full(k.size, np.nan), none
        slots, price, until = contracts.call_off(k)
        market = self.model.market
        new_seat = (slots != NEVER) & (self.model.state.flat["supplier"][k] != slots)
        taken = np.bincount(slots[new_seat], minlength=market.alive.size)
        np.maximum(market.capacity, market.customers + taken, out=market.capacity)
        return slots, price, until

    def _own_tender(
        self, k: np.ndarray, extra_room: np.ndarray | None, called: np.ndarray
    ) -> np.ndarray:
        """The individual tender for procurements at ``k``, after the seats ``called`` off
        consortium contracts.

        Each buyer takes the supplier with the best price times a lognormal bid factor
        (quality, fit: ``bid_noise_sd``), among those with spare capacity, first come first
        served; all markets at once. The bid factors are drawn market by market, in market
        order, from each replication's procurement stream.
        """
        market = self.model.market
        slots = np.full(k.size, NEVER, dtype=np.int64)
        per_market = market.params.max_per_innovation  # a market's slots are contiguous
        spare = np.where(market.alive, market.capacity - market.customers, 0)
        if extra_room is not None:
            spare = spare + np.where(market.alive, extra_room, 0)
        if called.size:
            spare = np.maximum(spare - np.bincount(called, minlength=spare.size), 0)
        market_of = self.model.ledger_rows(k)
        order = np.argsort(market_of, kind="stable")
        buyers_per_market = np.bincount(market_of)
        rows = np.flatnonzero(buyers_per_market)
        buyer_counts = buyers_per_market[rows]
        is_open = spare.reshape(-1, per_market)[rows] > 0
        offered_counts = is_open.sum(axis=1)
        served = offered_counts > 0
        if not served.any():
            return slots
        buyers = order[np.repeat(served, buyer_counts)]  # grouped by market, in k order
        rows, buyer_counts, offered_counts = (
            rows[served],
            buyer_counts[served],
            offered_counts[served],
        )
        offered = (rows[:, None] * per_market + np.arange(per_market))[is_open[served]]
        noise = self._bid_noise(rows, buyer_counts * offered_counts)
        # One segment of candidate pairs per buyer: its market's offered slots.
        per_buyer = np.repeat(offered_counts, buyer_counts)
        segment = np.cumsum(per_buyer) - per_buyer
        first_offered = np.repeat(np.cumsum(offered_counts) - offered_counts, buyer_counts)
        within = np.arange(per_buyer.sum()) - np.repeat(segment, per_buyer)
        candidate = offered[np.repeat(first_offered, per_buyer) + within]
        score = market.price[candidate] * np.exp(market.params.bid_noise_sd * noise)
        owner = np.repeat(np.arange(buyers.size), per_buyer)
        # First come, first served in every market at once: open buyers take their best
        # supplier with room; those beyond a supplier's room try again; a market whose
        # suppliers are full leaves its remaining buyers without one.
        room = spare.copy()
        waiting = np.ones(buyers.size, dtype=bool)
        while waiting.any():
            bids = np.where(room[candidate] > 0, score, np.inf)
            best = np.minimum.reduceat(bids, segment)
            waiting &= np.isfinite(best)
            if not waiting.any():
                break
            hits = np.flatnonzero(bids == np.repeat(best, per_buyer))
            hit_owner = owner[hits]  # ascending: keep each buyer's first best offer
            first_hit = np.ones(hits.size, dtype=bool)
            first_hit[1:] = hit_owner[1:] != hit_owner[:-1]
            choice = candidate[hits[first_hit]]
            trying = np.flatnonzero(waiting)
            accepted = trying[first_come_first_served(choice[trying], room)]
            slots[buyers[accepted]] = choice[accepted]
            room -= np.bincount(choice[accepted], minlength=room.size)
            waiting[accepted] = False
        return slots

    def _bid_noise(self, rows: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """Standard normal draws for each market's (buyers x offered) bids, market after
        market, each replication's from its own procurement stream."""
        blocks = rows // len(self.model.innovations)
        counts = np.bincount(blocks, weights=sizes, minlength=self.model.replications)
        return self.bid_normals.take(counts.astype(np.int64))
