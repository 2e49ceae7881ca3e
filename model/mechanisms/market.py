"""The supplier market: suppliers of each product book revenue, move down the experience
curve, exit when out of cash (stranding their customers, who re-procure or discontinue)
and enter when procurement demand goes unserved.

One market per ledger row (replication * I + innovation), one slot per supplier that
ever existed, as arrays: a replication's suppliers serve only its own municipalities.
Unit costs follow an experience curve in each supplier's cumulative deployments and
prices follow them (fully by default, see ``price_pass_through``); cash moves with the
margin on revenue minus fixed cost; a supplier with negative cash exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module
from model.stages import Stage
from model.state import NEVER
from model.streams import stream
from model.transitions import start_procurements, stop_adopters

if TYPE_CHECKING:
    from model.model import DiffusionModel


class SupplierMarket(Module):
    """Each month: experience from the month's new customers (trials started, contracts
    renewed with another supplier: ``events``),
    revenue from adopters' payments (``events.supplier_payments``), margin minus fixed
    cost, exits (stranded customers re-procure with ``reprocure_probability`` or
    discontinue), prices, and entry where enough municipalities wait (``procurement``)."""

    parameters = ("suppliers", "adoption")
    switches = ("mechanisms.supplier_market",)
    streams = ("stranding", "monthly")
    records = ("suppliers_active", "mean_price", "market_concentration")

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        self.params = p = model.scenario.suppliers
        n_innovations = len(model.innovations)
        rows = model.replications * n_innovations
        # each market's (ledger row's) replication's entry rate and new suppliers' capacity
        blocks = model.blocks
        self.entry_rate = np.repeat(blocks.value("suppliers.entry_rate"), n_innovations)
        self.entrant_capacity, self.incumbent_capacity = (
            np.repeat(blocks.value(name), n_innovations).astype(np.int64)
            for name in ("suppliers.entrant_capacity", "suppliers.incumbent_capacity")
        )
        slots = p.max_per_innovation * rows
        self.row = np.zeros(slots, dtype=np.int64)  # market (ledger row) of each slot
        self.opened = np.zeros(slots, dtype=bool)  # the slot's supplier has existed
        self.alive = np.zeros(slots, dtype=bool)
        self.small_firm = np.zeros(slots, dtype=bool)
        self.cash = np.zeros(slots)
        self.fixed_cost = np.zeros(slots)
        self.capacity = np.zeros(slots, dtype=np.int64)
        self.list_price = np.ones(slots)
        self.experience = np.zeros(slots)
        self.price = np.ones(slots)
        self.unit_cost = np.zeros(slots)
        self.margin_share = np.full(slots, p.margin)
        self.customers = np.zeros(slots, dtype=np.int64)
        self.revenue = np.zeros(slots)
        self.contribution = np.zeros(slots)  # revenue minus unit costs this month (MSEK)
        self.exit_month = np.full(slots, NEVER, dtype=np.int64)
        self.ever = np.zeros(rows, dtype=np.int64)  # suppliers ever per market
        self.exits = 0
        self.entries = 0
        self._log2_progress = np.log2(p.progress_ratio)
        self.is_product = np.tile(model.innovations.is_product, model.replications)
        self.product_rows = np.flatnonzero(model.innovations.is_product)  # rows with suppliers
        self.stranding_rngs = [stream(s, "stranding") for s in model.seeds]
        self.update_prices()

    def start(self) -> None:
        """Open the initial suppliers of each product there at the start (a product of the
        pipeline gets its own when it arrives)."""
        n_innovations = len(self.model.innovations)
        there = self.model.pipeline.arrivals.month == 0
        for row in np.flatnonzero(self.is_product & there):
            self.open_initial(int(row), int(row) % n_innovations)
        self.update_prices()

    def open_initial(self, row: int, innovation: int) -> None:
        """Open innovation's initial suppliers in market ``row``."""
        inn = self.model.innovations
        for _ in range(inn.initial_suppliers[innovation]):
            self.add(row, small_firm=bool(inn.small_firm_supplier[innovation]))

    def add(self, row: int, small_firm: bool) -> int | None:
        """Open a supplier in market ``row``; None when its slots are used up."""
        if self.ever[row] >= self.params.max_per_innovation:
            return None
        slot = row * self.params.max_per_innovation + int(self.ever[row])
        self.ever[row] += 1
        p = self.params
        innovation = row % len(self.model.innovations)
        self.row[slot] = row
        self.opened[slot] = True
        self.alive[slot] = True
        self.small_firm[slot] = small_firm
        self.cash[slot] = p.entrant_cash_msek if small_firm else p.incumbent_cash_msek
        self.fixed_cost[slot] = (
            p.entrant_fixed_msek_month if small_firm else p.incumbent_fixed_msek_month
        )
        self.capacity[slot] = (
            self.entrant_capacity[row] if small_firm else self.incumbent_capacity[row]
        )
        self.list_price[slot] = self.model.innovations.cost[innovation]
        self.experience[slot] = 0.0
        # Priced at once (no experience yet: list price), not at the next month's update.
        self.price[slot] = self.list_price[slot]
        self.margin_share[slot] = p.margin
        self.unit_cost[slot] = self.list_price[slot] * (1.0 - p.margin)
        return slot

    def step(self) -> None:
        """Experience, revenue, settlement and exits (stranding customers), prices, then entry."""
        model = self.model
        self.gain_experience()
        self.book_revenue()
        self.count_customers()
        exiting = self.settle_month()
        if exiting.size:
            self.strand_customers(exiting)
            self.count_customers()
        self.update_prices()
        p = self.params
        waiting = model.procurement.waiting
        u_entry = model.draws.supplier_entry
        entering = self.is_product & (waiting >= p.entry_demand) & (u_entry < self.entry_rate)
        for row in np.flatnonzero(entering):
            if self.add(int(row), small_firm=True) is not None:
                self.entries += 1

    def gain_experience(self) -> None:
        """This month's new customers move their suppliers down the experience curve."""
        k, slots = self.model.events.new_customers()
        if k.size:
            np.add.at(self.experience, slots, 1.0)

    def book_revenue(self) -> None:
        """Revenue and contribution (revenue minus unit costs, MSEK) per slot this month
        from the adopters' payments: at the supplier's own price the margin share, at a
        contract price what is left of it after the unit cost."""
        supplier, running_msek, price = self.model.events.supplier_payments
        served = supplier != NEVER
        supplier, running_msek, price = supplier[served], running_msek[served], price[served]
        size = self.alive.size
        self.revenue = np.bincount(supplier, weights=running_msek, minlength=size)
        own_price = price == self.price[supplier]
        contribution = np.where(
            own_price,
            self.margin_share[supplier] * running_msek,
            running_msek * (1.0 - self.unit_cost[supplier] / price),
        )
        self.contribution = np.bincount(supplier, weights=contribution, minlength=size)

    def count_customers(self) -> None:
        """Customers (trialling or adopted) per slot, from the suppliers of the product cells."""
        supplier = self.model.state.supplier[self.product_rows]
        self.customers = np.bincount(supplier[supplier != NEVER], minlength=self.alive.size)

    def settle_month(self) -> np.ndarray:
        """Book margin minus fixed cost; return the slots that exit this month."""
        alive = self.alive
        self.cash[alive] += self.contribution[alive] - self.fixed_cost[alive]
        exiting = np.flatnonzero(alive & (self.cash < 0.0))
        self.alive[exiting] = False
        self.exit_month[exiting] = self.model.month
        self.cash[exiting] = 0.0  # liquidated: no negative cash carried
        self.exits += exiting.size
        return exiting

    def strand_customers(self, exiting: np.ndarray) -> None:
        """Customers of exiting suppliers re-procure or give up: a trial is procured anew
        (or has failed); an adopter's contract comes up for renewal next month (or it
        stops)."""
        model, state, month = self.model, self.model.state, self.model.month
        k = np.flatnonzero(np.isin(state.supplier, exiting))
        if k.size == 0:
            return
        state.flat["supplier"][k] = NEVER
        state.flat["supported"][k] = False
        replication = (k % state.n_columns) // model.structure.block_size
        u = np.empty(k.size)
        for block in np.unique(replication):
            here = replication == block
            u[here] = self.stranding_rngs[block].random(int(here.sum()))
        reprocure = u < model.scenario.adoption.reprocure_probability
        adopter = state.flat["stage"][k] == Stage.ADOPTED
        trial = k[~adopter]
        started = np.zeros(trial.size, dtype=bool)
        started[reprocure[~adopter]] = start_procurements(model, trial[reprocure[~adopter]])
        state.move(trial[~started], Stage.TRIAL_FAILED, month)
        renew, stop = k[adopter & reprocure], k[adopter & ~reprocure]
        state.flat["contract_end"][renew] = month + 1
        stop_adopters(model, stop)

    def update_prices(self) -> None:
        """The experience curve lowers unit cost; ``price_pass_through`` of it reaches the
        price, and the rest widens the margin (1: price falls with cost, margin share fixed)."""
        p = self.params
        cost_curve = np.maximum(
            np.power(1.0 + self.experience, self._log2_progress), p.min_price_ratio
        )
        self.price = self.list_price * cost_curve**p.price_pass_through
        self.unit_cost = self.list_price * cost_curve * (1.0 - p.margin)
        self.margin_share = p.margin + (1.0 - p.margin) * (
            1.0 - cost_curve ** (1.0 - p.price_pass_through)
        )

    def spare_by_row(self) -> np.ndarray:
        """Customers the active suppliers of each market can still take."""
        spare = np.where(self.alive, self.capacity - self.customers, 0)
        return np.bincount(self.row, weights=spare, minlength=len(self.ever))
