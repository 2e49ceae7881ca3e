"""The supplier market's state: one slot per supplier that ever existed, as arrays.

Unit costs follow an experience curve in each supplier's cumulative deployments and
prices follow them (fully by default, see ``price_pass_through``); cash moves with the
margin on revenue minus fixed cost; a supplier with negative cash exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.agents.supplier import Supplier
from model.grouping import first_come_first_served
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel


class SupplierMarket:
    """One market per ledger row (replication * I + innovation): a replication's suppliers
    serve only its own municipalities."""

    def __init__(self, model: DiffusionModel) -> None:
        self.model = model
        self.params = model.spec.suppliers
        n_innovations = len(model.innovations)
        rows = model.replications * n_innovations
        slots = self.params.max_per_innovation * rows
        self.row = np.zeros(slots, dtype=np.int64)  # market (ledger row) of each slot
        self.alive = np.zeros(slots, dtype=bool)
        self.small_firm = np.zeros(slots, dtype=bool)
        self.cash = np.zeros(slots)
        self.fixed_cost = np.zeros(slots)
        self.capacity = np.zeros(slots, dtype=np.int64)
        self.list_price = np.ones(slots)
        self.experience = np.zeros(slots)
        self.price = np.ones(slots)
        self.customers = np.zeros(slots, dtype=np.int64)
        self.revenue = np.zeros(slots)
        self.ever = np.zeros(rows, dtype=np.int64)  # suppliers ever per market
        self.waiting = np.zeros(rows, dtype=np.int64)  # decided, procurement done, not started
        self.agents: list[Supplier | None] = [None] * slots
        self.exits = 0
        self.entries = 0
        self._log2_progress = np.log2(self.params.progress_ratio)
        self.is_product = np.tile(model.innovations.is_product, model.replications)
        if model.spec.mechanisms.supplier_market:
            inn = model.innovations
            for row in np.flatnonzero(self.is_product):
                i = row % n_innovations
                for _ in range(inn.initial_suppliers[i]):
                    self.add(int(row), small_firm=bool(inn.small_firm_supplier[i]))
        self.update_prices()

    def add(self, row: int, small_firm: bool) -> int | None:
        """Open a supplier in market ``row``; None when its slots are used up."""
        if self.ever[row] >= self.params.max_per_innovation:
            return None
        slot = row * self.params.max_per_innovation + int(self.ever[row])
        self.ever[row] += 1
        p = self.params
        innovation = row % len(self.model.innovations)
        self.row[slot] = row
        self.alive[slot] = True
        self.small_firm[slot] = small_firm
        self.cash[slot] = p.entrant_cash_msek if small_firm else p.incumbent_cash_msek
        self.fixed_cost[slot] = (
            p.entrant_fixed_msek_month if small_firm else p.incumbent_fixed_msek_month
        )
        self.capacity[slot] = p.entrant_capacity if small_firm else p.incumbent_capacity
        self.list_price[slot] = self.model.innovations.cost[innovation]
        name = self.model.innovations.names[innovation]
        replication = row // len(self.model.innovations)
        self.agents[slot] = Supplier(self.model, slot, name, small_firm, replication)
        return slot

    def update_prices(self) -> None:
        """The experience curve lowers unit cost; ``price_pass_through`` of it reaches the
        price, and the rest widens the margin (1: price falls with cost, margin share fixed)."""
        p = self.params
        cost_curve = np.maximum(
            np.power(1.0 + self.experience, self._log2_progress), p.min_price_ratio
        )
        self.price = self.list_price * cost_curve**p.price_pass_through
        self.margin_share = p.margin + (1.0 - p.margin) * (
            1.0 - cost_curve ** (1.0 - p.price_pass_through)
        )

    def spare_by_row(self) -> np.ndarray:
        """Customers the active suppliers of each market can still take."""
        spare = np.where(self.alive, self.capacity - self.customers, 0)
        return np.bincount(self.row, weights=spare, minlength=len(self.ever))

    def assign(self, k: np.ndarray) -> np.ndarray:
        """A supplier slot for each procurement at flat cells ``k``; NEVER where none is free.

        Each buyer takes the supplier with the best price times a lognormal bid factor
        (quality, fit: ``bid_noise_sd``), among those with spare capacity, first come first
        served; all markets at once. The bid factors are drawn market by market, in market
        order, from each replication's procurement stream.
        """
        slots = np.full(k.size, NEVER, dtype=np.int64)
        if k.size == 0 or not self.model.spec.mechanisms.supplier_market:
            return slots
        per_market = self.params.max_per_innovation  # a market's slots are contiguous
        spare = np.where(self.alive, self.capacity - self.customers, 0)
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
        score = self.price[candidate] * np.exp(self.params.bid_noise_sd * noise)
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
        return self.model.procurement_normals.take(counts.astype(np.int64))

    def take_customers(self, slots: np.ndarray, j: np.ndarray) -> None:
        """New customers (at municipalities ``j``) move their suppliers down the experience
        curve; a pooled procurement's deployment counts more (levers.experience_factor)."""
        np.add.at(self.customers, slots, 1)
        np.add.at(self.experience, slots, self.model.levers.experience_factor[j])

    def book_revenue(self, supplier: np.ndarray, running_msek: np.ndarray) -> None:
        """Revenue per slot this month from the adopters' suppliers and running costs (MSEK)."""
        served = supplier != NEVER
        self.revenue = np.bincount(
            supplier[served], weights=running_msek[served], minlength=self.alive.size
        )

    def count_customers(self, supplier: np.ndarray) -> None:
        """Customers (trialling or adopted) per slot, from the suppliers of the product cells."""
        self.customers = np.bincount(supplier[supplier != NEVER], minlength=self.alive.size)

    def settle_month(self) -> np.ndarray:
        """Book margin minus fixed cost; return the slots that exit this month."""
        alive = self.alive
        self.cash[alive] += self.margin_share[alive] * self.revenue[alive] - self.fixed_cost[alive]
        exiting = np.flatnonzero(alive & (self.cash < 0.0))
        self.alive[exiting] = False
        self.cash[exiting] = 0.0  # liquidated: no negative cash carried
        self.exits += exiting.size
        return exiting
