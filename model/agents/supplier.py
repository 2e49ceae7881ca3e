"""A supplier of one product innovation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Supplier(mesa.Agent):
    """Reads cash, price and customers from the market's arrays at ``slot``."""

    model: DiffusionModel

    def __init__(
        self,
        model: DiffusionModel,
        slot: int,
        innovation: str,
        small_firm: bool,
        replication: int = 0,
    ) -> None:
        super().__init__(model)
        self.slot = slot
        self.innovation = innovation
        self.small_firm = small_firm
        self.replication = replication

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
