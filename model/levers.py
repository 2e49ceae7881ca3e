"""Where policy levers act on the model.

The mechanisms read these arrays; with their neutral defaults nothing changes. A policy
is any object with ``apply(model)``, called at the start of every month before the
mechanisms run, that sets them (the policy levers live in ``model/policies/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Policy(Protocol):
    def apply(self, model: DiffusionModel) -> None: ...


@dataclass
class LeverState:
    grant_share: np.ndarray  # share of a trial's cost the state pays (I, N)
    barrier_lifted: np.ndarray  # bool: legal barrier suspended or repealed here (I, N)
    procurement_lead_factor: np.ndarray  # x individual lead time (N,)
    procurement_cost_factor: np.ndarray  # x individual procurement cost (N,)
    external_boost: np.ndarray  # extra external awareness hazard per month (I,)

    @classmethod
    def neutral(cls, i: int, n: int) -> LeverState:
        return cls(
            grant_share=np.zeros((i, n)),
            barrier_lifted=np.zeros((i, n), dtype=bool),
            procurement_lead_factor=np.ones(n),
            procurement_cost_factor=np.ones(n),
            external_boost=np.zeros(i),
        )
