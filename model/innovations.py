"""Innovations as model inputs: the scenario's list turned into arrays (one column each)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class InnovationTable:
    names: list[str]
    is_product: np.ndarray  # bool (I,)
    legal_barrier: np.ndarray  # bool (I,)
    small_firm_supplier: np.ndarray  # bool (I,)
    external_rate: np.ndarray  # per month (I,)
    benefit: np.ndarray  # SEK per capita per year (I,)
    cost: np.ndarray  # SEK per capita per year (I,): list price for products
    true_ratio: np.ndarray  # benefit / cost (I,)
    observability: np.ndarray  # (I,)
    trial_months: np.ndarray  # int (I,)
    trial_cost: np.ndarray  # MSEK (I,)
    compatibility: np.ndarray  # (I, size classes)
    initial_suppliers: np.ndarray  # int (I,)

    @classmethod
    def from_specs(cls, specs) -> InnovationTable:
        def column(field: str, dtype=float) -> np.ndarray:
            return np.array([getattr(spec, field) for spec in specs], dtype=dtype)

        benefit = column("benefit_sek_per_capita_year")
        cost = column("cost_sek_per_capita_year")
        return cls(
            names=[spec.name for spec in specs],
            is_product=np.array([spec.kind == "product" for spec in specs]),
            legal_barrier=column("legal_barrier", bool),
            small_firm_supplier=column("small_firm_supplier", bool),
            external_rate=column("external_rate"),
            benefit=benefit,
            cost=cost,
            true_ratio=benefit / cost,
            observability=column("observability"),
            trial_months=column("trial_months", np.int64),
            trial_cost=column("trial_cost_msek"),
            compatibility=np.array([spec.compatibility for spec in specs], dtype=float),
            initial_suppliers=np.where(
                [spec.kind == "product" for spec in specs], column("initial_suppliers", np.int64), 0
            ),
        )

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"unknown innovation {name!r}; this scenario has {self.names}") from None
