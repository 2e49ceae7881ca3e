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
    benefit: np.ndarray  # true benefit, SEK per capita per year (I,)
    cost: np.ndarray  # SEK per capita per year (I,): list price for products
    true_ratio: np.ndarray  # benefit / cost (I,)
    claimed_ratio: np.ndarray  # claimed benefit / cost (I,): where expectations start
    observability: np.ndarray  # (I,)
    trial_months: np.ndarray  # int (I,)
    trial_cost: np.ndarray  # MSEK (I,)
    compatibility: np.ndarray  # (I, size classes)
    initial_suppliers: np.ndarray  # int (I,)
    relevance_share: np.ndarray  # (I,)
    relevance_size_tilt: np.ndarray  # log-odds per size class (I,)
    implementation: np.ndarray  # one-off SEK per capita (I,)
    rollout_months: np.ndarray  # int (I,)
    trial_coverage: np.ndarray  # share of the target group (I,)
    contract_months: np.ndarray  # int (I,): products' contract length

    @classmethod
    def from_specs(cls, specs, claim_optimism: float = 1.0) -> InnovationTable:
        """The scenario's innovations; an innovation that states no claimed benefit is
        claimed at its true benefit times ``claim_optimism``."""

        def column(field: str, dtype=float) -> np.ndarray:
            return np.array([getattr(spec, field) for spec in specs], dtype=dtype)

        benefit = column("benefit_sek_per_capita_year")
        cost = column("cost_sek_per_capita_year")
        stated = column("claimed_benefit_sek_per_capita_year")
        claimed = np.where(stated > 0.0, stated, benefit * claim_optimism)
        is_product = np.array([spec.kind == "product" for spec in specs])
        return cls(
            names=[spec.name for spec in specs],
            is_product=is_product,
            legal_barrier=column("legal_barrier", bool),
            small_firm_supplier=column("small_firm_supplier", bool),
            external_rate=column("external_rate"),
            benefit=benefit,
            cost=cost,
            true_ratio=benefit / cost,
            claimed_ratio=claimed / cost,
            observability=column("observability"),
            trial_months=column("trial_months", np.int64),
            trial_cost=column("trial_cost_msek"),
            compatibility=np.array([spec.compatibility for spec in specs], dtype=float),
            initial_suppliers=np.where(is_product, column("initial_suppliers", np.int64), 0),
            relevance_share=column("relevance_share"),
            relevance_size_tilt=column("relevance_size_tilt"),
            implementation=column("implementation_sek_per_capita"),
            rollout_months=column("rollout_months", np.int64),
            trial_coverage=column("trial_coverage"),
            contract_months=12 * column("contract_years", np.int64),
        )

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"unknown innovation {name!r}; this scenario has {self.names}") from None
