"""A Danish-style one-off fund for process and consultancy support (as accompanied
Denmark's 2007 reform): spent over a few years on capacity building in municipalities,
in the order of a targeting rule; what cannot buy a whole municipality-year is unspent."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from model.policies.capacity import CapacityBuilding
from model.policies.targeting import priority
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel


class ProcessFund:
    source = "process_fund"

    def __init__(self, model: DiffusionModel, settings, capacity: CapacityBuilding) -> None:
        self.settings = s = settings
        self.capacity = capacity
        self.start = s.start_month
        self.end = s.start_month + 12 * s.years
        self.monthly = s.total_msek / (12.0 * s.years)
        self.rngs = [stream(seed, "policy:process_fund") for seed in model.seeds]
        self.rank = priority(model, s.targeting, self.rngs)
        per_year = s.total_msek / s.years
        self.supported = min(
            model.structure.block_size, math.floor(per_year / s.support_cost_msek_year + 1e-9)
        )

    def apply(self, model: DiffusionModel) -> None:
        month = model.month
        if month < self.start or month > self.end:
            return
        if month == self.end:
            u = np.concatenate([rng.random(model.structure.block_size) for rng in self.rngs])
            self.capacity.end(self.source, model.spec.policies.programme.capacity_retention, u)
            return
        if month == self.start:
            self.capacity.fund(self.source, self.rank < self.supported)
        spent = self.supported * self.settings.support_cost_msek_year / 12.0
        model.money.budget += self.monthly
        model.money.administered += spent
        model.money.unspent += self.monthly - spent
