"""Supplier market: suppliers book revenue, move down the experience curve, exit when out
of cash (stranding their customers, who re-procure or discontinue) and enter when
procurement demand goes unserved."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.mechanisms.decision import start_procurements
from model.stages import Stage
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel


def strand_customers(model: DiffusionModel, exiting: np.ndarray) -> None:
    state = model.state
    k = np.flatnonzero(np.isin(state.supplier, exiting))
    if k.size == 0:
        return
    state.flat["supplier"][k] = NEVER
    state.flat["supported"][k] = False
    replication = (k % state.n_municipalities) // model.structure.block_size
    u = np.empty(k.size)
    for block in np.unique(replication):
        here = replication == block
        u[here] = model.stranding_rngs[block].random(int(here.sum()))
    reprocure = u < model.spec.adoption.reprocure_probability
    started = np.zeros(k.size, dtype=bool)
    started[reprocure] = start_procurements(model, k[reprocure])
    state.move(k[~started], Stage.DISCONTINUED, model.month)


def run_market(model: DiffusionModel, u_entry: np.ndarray) -> None:
    market, state = model.market, model.state
    market.count_customers(state.supplier[model.product_rows])
    exiting = market.settle_month()
    if exiting.size:
        strand_customers(model, exiting)
        market.count_customers(state.supplier[model.product_rows])
    market.update_prices()
    p = model.spec.suppliers
    entering = market.is_product & (market.waiting >= p.entry_demand) & (u_entry < p.entry_rate)
    for row in np.flatnonzero(entering):
        if market.add(int(row), small_firm=True) is not None:
            market.entries += 1
