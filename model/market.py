"""The supplier market's state: one slot per supplier that ever existed, as arrays.

Prices follow an experience curve in each supplier's cumulative deployments; cash moves
with margin on revenue minus fixed cost; a supplier with negative cash exits.
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
    def __init__(self, model: DiffusionModel) -> None:
        self.model = model
        self.params = model.spec.suppliers
        n_innovations = len(model.innovations)
        slots = self.params.max_per_innovation * n_innovations
        self.innovation = np.zeros(slots, dtype=np.int64)
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
        self.ever = np.zeros(n_innovations, dtype=np.int64)  # suppliers ever per innovation
        self.waiting = np.zeros(n_innovations, dtype=np.int64)  # decided, no supplier found
        self.agents: list[Supplier | None] = [None] * slots
        self.exits = 0
        self.entries = 0
        self._log2_progress = np.log2(self.params.progress_ratio)
        if model.spec.mechanisms.supplier_market:
            inn = model.innovations
            for i in np.flatnonzero(inn.is_product):
                for _ in range(inn.initial_suppliers[i]):
                    self.add(int(i), small_firm=bool(inn.small_firm_supplier[i]))
        self.update_prices()

    def add(self, innovation: int, small_firm: bool) -> int | None:
        """Open a supplier of ``innovation``; None when its slots are used up."""
        if self.ever[innovation] >= self.params.max_per_innovation:
            return None
        slot = innovation * self.params.max_per_innovation + int(self.ever[innovation])
        self.ever[innovation] += 1
        p = self.params
        self.innovation[slot] = innovation
        self.alive[slot] = True
        self.small_firm[slot] = small_firm
        self.cash[slot] = p.entrant_cash_msek if small_firm else p.incumbent_cash_msek
        self.fixed_cost[slot] = (
            p.entrant_fixed_msek_month if small_firm else p.incumbent_fixed_msek_month
        )
        self.capacity[slot] = p.entrant_capacity if small_firm else p.incumbent_capacity
        self.list_price[slot] = self.model.innovations.cost[innovation]
        name = self.model.innovations.names[innovation]
        self.agents[slot] = Supplier(self.model, slot, name, small_firm)
        return slot

    def update_prices(self) -> None:
        curve = np.power(1.0 + self.experience, self._log2_progress)
        self.price = self.list_price * np.maximum(curve, self.params.min_price_ratio)

    def active_count(self) -> np.ndarray:
        """(I,) suppliers active per innovation."""
        return np.bincount(self.innovation[self.alive], minlength=len(self.ever))

    def spare_by_innovation(self) -> np.ndarray:
        """(I,) customers the active suppliers of each innovation can still take."""
        spare = np.where(self.alive, self.capacity - self.customers, 0)
        return np.bincount(self.innovation, weights=spare, minlength=len(self.ever))

    def assign(self, k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A supplier slot for each procurement at flat cells ``k``; NEVER where none is free.

        Each buyer takes the supplier with the best price times a lognormal bid factor
        (quality, fit: ``bid_noise_sd``), among those with spare capacity.
        """
        slots = np.full(k.size, NEVER, dtype=np.int64)
        if k.size == 0 or not self.model.spec.mechanisms.supplier_market:
            return slots
        innovation_of = k // self.model.state.n_municipalities
        spare = np.where(self.alive, self.capacity - self.customers, 0)
        for innovation in np.unique(innovation_of):
            buyers = np.flatnonzero(innovation_of == innovation)
            offered = np.flatnonzero((self.innovation == innovation) & (spare > 0))
            if offered.size == 0:
                continue
            noise = rng.standard_normal((buyers.size, offered.size))
            score = self.price[offered] * np.exp(self.params.bid_noise_sd * noise)
            room = spare[offered].copy()
            open_buyers = np.arange(buyers.size)
            while open_buyers.size and room.any():
                choice = np.where(room > 0, score[open_buyers], np.inf).argmin(axis=1)
                accepted = first_come_first_served(choice, room)
                slots[buyers[open_buyers[accepted]]] = offered[choice[accepted]]
                room -= np.bincount(choice[accepted], minlength=room.size)
                open_buyers = open_buyers[~accepted]
        return slots

    def take_customers(self, slots: np.ndarray) -> None:
        """New customers move their suppliers down the experience curve."""
        np.add.at(self.customers, slots, 1)
        np.add.at(self.experience, slots, 1.0)

    def book_revenue(self, supplier: np.ndarray, running_msek: np.ndarray) -> None:
        """Revenue per slot this month from flat supplier and running-cost arrays."""
        served = supplier != NEVER
        self.revenue = np.bincount(
            supplier[served], weights=running_msek[served], minlength=self.alive.size
        )

    def count_customers(self, supplier: np.ndarray) -> None:
        """Customers (trialling or adopted) per slot, from the flat supplier array."""
        self.customers = np.bincount(supplier[supplier != NEVER], minlength=self.alive.size)

    def settle_month(self) -> np.ndarray:
        """Book margin minus fixed cost; return the slots that exit this month."""
        alive = self.alive
        self.cash[alive] += self.params.margin * self.revenue[alive] - self.fixed_cost[alive]
        exiting = np.flatnonzero(alive & (self.cash < 0.0))
        self.alive[exiting] = False
        self.cash[exiting] = 0.0  # liquidated: no negative cash carried
        self.exits += exiting.size
        return exiting

    def mean_price(self) -> np.ndarray:
        """(I,) mean price over active suppliers, weighted by customers where there are any."""
        n = len(self.ever)
        weights = np.where(self.alive, self.customers + 1e-9, 0.0)
        total = np.bincount(self.innovation, weights=weights * self.price, minlength=n)
        count = np.bincount(self.innovation, weights=weights, minlength=n)
        return np.divide(total, count, out=np.full(n, np.nan), where=count > 0)

    def concentration(self) -> np.ndarray:
        """(I,) Herfindahl index of customers across suppliers (1 = monopoly), NaN if none."""
        n = len(self.ever)
        total = np.bincount(self.innovation, weights=self.customers, minlength=n)
        share = self.customers / np.maximum(total[self.innovation], 1.0)
        hhi = np.bincount(self.innovation, weights=share**2, minlength=n)
        return np.where(total > 0, hhi, np.nan)
