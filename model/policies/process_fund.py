"""A Danish-style one-off fund for process and consultancy support (as accompanied
Denmark's 2007 reform): spent over a few years on capacity building in municipalities,
in the order of a targeting rule; what cannot buy a whole municipality-year is unspent,
and so is money for places that would go to municipalities with nothing to build."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from model.module import Module
from model.policies.capacity import CapacityBuilding
from model.policies.targeting import priority
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel


class ProcessFund(Module):
    """Funds process support for whole municipality-years in targeting order while the
    fund lasts; at its end each keeps the capacity with ``capacity_retention``."""

    parameters = ("process_fund",)
    switches = ("process_fund.enabled",)
    streams = ("policy:process_fund",)
    records = ("budget_msek", "administered_msek", "unspent_msek", "capacity_msek")
    source = "process_fund"

    def __init__(self, model: DiffusionModel, settings, capacity: CapacityBuilding) -> None:
        super().__init__(model)
        self.settings = s = settings
        self.capacity = capacity
        self.first_month = s.start_month
        self.end = s.start_month + 12 * s.years
        self.monthly = s.total_msek / (12.0 * s.years)
        self.rngs = [stream(seed, "policy:process_fund") for seed in model.seeds]
        per_year = s.total_msek / s.years
        self.places = min(
            model.structure.block_size, math.floor(per_year / s.support_cost_msek_year + 1e-9)
        )
        self.supported = np.zeros(model.replications)  # per replication, from the start

    def step(self) -> None:
        """While the fund runs: fund places in targeting order and pay them; at its end, retention."""
        model = self.model
        month = model.month
        if month < self.first_month or month > self.end:
            return
        if month == self.end:
            u = np.concatenate([rng.random(model.structure.block_size) for rng in self.rngs])
            self.capacity.end(self.source, self.settings.capacity_retention, u)
            return
        if month == self.first_month:  # rank municipalities as they are now (other levers included)
            rank = priority(model, self.settings.targeting, self.rngs)
            self.supported = self.capacity.fund(self.source, rank, self.places)
        spent = self.supported * self.settings.support_cost_msek_year / 12.0
        self.capacity.pay(self.source, self.settings.support_cost_msek_year / 12.0)
        model.money.budget += self.monthly
        model.money.administered += spent
        model.money.unspent += self.monthly - spent
