"""A supplier of one product innovation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Supplier(mesa.Agent):
    """Reads cash, price and customers from the supplier market's arrays at ``slot``."""

    model: DiffusionModel

    def __init__(self, model: DiffusionModel, slot: int) -> None:
        super().__init__(model)
        market = model.market
        n_innovations = len(model.innovations)
        self.slot = slot
        self.innovation = model.innovations.names[market.row[slot] % n_innovations]
        self.small_firm = bool(market.small_firm[slot])
        self.replication = int(market.row[slot] // n_innovations)

    @property
    def cash_msek(self) -> float:
        return float(self.model.market.cash[self.slot])

    @property
    def price_sek_per_capita_year(self) -> float:
        return float(self.model.market.price[self.slot])

    @property
    def active(self) -> bool:
        return bool(self.model.market.alive[self.slot])

    @property
    def customers(self) -> int:
        return int(self.model.market.customers[self.slot])

    def __repr__(self) -> str:
        kind = "small firm" if self.small_firm else "incumbent"
        return f"Supplier({self.innovation}, {kind}, slot {self.slot})"
