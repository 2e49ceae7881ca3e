"""The shared adoption state: one row per innovation, one column per municipality.

Every array is (I, N) and C-contiguous, where N counts the columns of all replications
held side by side (``n_columns``); ``flat`` views of the same memory take flat indices
``k = i * N + j``, which is how the modules address the few cells that change. Modules
keep their own arrays (beliefs, suppliers' cash, FoU capacity); this is what several of
them read and write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np

from model.stages import Stage

NEVER = -1


@dataclass
class AdoptionState:
    stage: np.ndarray  # int8 Stage
    since: np.ndarray  # month the current stage was entered
    first_adopted: np.ndarray  # month of first adoption, NEVER if none
    decided_at: np.ndarray  # month of the latest decision to trial
    procure_end: np.ndarray  # month a running procurement completes
    trial_end: np.ndarray  # month a running trial completes
    supplier: np.ndarray  # market slot of the supplier, NEVER if none
    supported: np.ndarray  # bool: the running trial has FoU support
    fit: np.ndarray  # how well the innovation suits the municipality (fixed)
    relevant: np.ndarray  # bool: the innovation is relevant here at all (fixed)
    trial_own_cost: np.ndarray  # MSEK the municipality paid for its latest trial
    successes: np.ndarray  # trials that led to scale-up so far
    failures: np.ndarray  # trials that did not so far
    own_result: np.ndarray  # realised benefit/cost ratio of the latest own trial (NaN: none)
    trial_month: np.ndarray  # month the latest trial started
    scaleup_month: np.ndarray  # month of the latest scale-up
    stopped_month: np.ndarray  # month an adopter last stopped
    contract_end: np.ndarray  # month a product's contract ends (renewal)
    contract_price: np.ndarray  # price of a consortium contract called off (NaN: none)
    contract_until: np.ndarray  # month that consortium contract ends (its price holds until then)
    coverage: np.ndarray  # share of the target group reached (adopters; 0 otherwise)
    adopters_changed: bool = True
    flat: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    # called as on_move(cells, stage, month) before cells move (the event table listens)
    on_move: Callable[[np.ndarray, Stage, int], None] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.flat = {
            f.name: getattr(self, f.name).reshape(-1)
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
        }

    @classmethod
    def initial(cls, fit: np.ndarray, relevant: np.ndarray) -> AdoptionState:
        shape = fit.shape
        never = np.full(shape, NEVER, dtype=np.int32)
        return cls(
            stage=np.full(shape, Stage.UNAWARE, dtype=np.int8),
            since=np.zeros(shape, dtype=np.int32),
            first_adopted=never,
            decided_at=never.copy(),
            procure_end=never.copy(),
            trial_end=never.copy(),
            supplier=never.copy(),
            supported=np.zeros(shape, dtype=bool),
            fit=fit,
            relevant=relevant,
            trial_own_cost=np.zeros(shape),
            successes=np.zeros(shape, dtype=np.int32),
            failures=np.zeros(shape, dtype=np.int32),
            own_result=np.full(shape, np.nan),
            trial_month=never.copy(),
            scaleup_month=never.copy(),
            stopped_month=never.copy(),
            contract_end=never.copy(),
            contract_price=np.full(shape, np.nan),
            contract_until=never.copy(),
            coverage=np.zeros(shape),
        )

    @property
    def n_columns(self) -> int:
        """Municipality columns of all replications held side by side."""
        return self.stage.shape[1]

    def move(self, k: np.ndarray, stage: Stage, month: int) -> None:
        """Put the cells at flat indices ``k`` into ``stage`` from ``month``."""
        if k.size == 0:
            return
        if self.on_move is not None:
            self.on_move(k, stage, month)
        stages = self.flat["stage"]
        if stage == Stage.ADOPTED or (stages[k] == Stage.ADOPTED).any():
            self.adopters_changed = True
        stages[k] = stage
        self.flat["since"][k] = month
