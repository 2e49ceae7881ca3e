"""A Danish-style one-off fund for process and consultancy support (as accompanied
Denmark's 2007 reform), in the programme's terms: one instrument, process support, that
raises municipalities' capacity, run as yearly calls over the fund's years. A
municipality applies when it lacks the capacity and no other lever pays for it; places
go in targeting order for whole municipality-years; money not applied for rolls over to
the next year and is returned at the end (``calls.settle``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.policies.calls import CallLever
from model.policies.capacity import CapacityBuilding
from model.policies.instruments import CapacityCall
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel


class ProcessFund(CallLever):
    """One capacity instrument funded for ``years``; ranking and retention draws come from
    the stream ``policy:process_fund``."""

    parameters = ("process_fund",)
    switches = ("process_fund.enabled",)
    streams = ("policy:process_fund",)
    records = ("budget_msek", "administered_msek", "unspent_msek", "held_msek", "capacity_msek")
    lever = "process_fund"

    def __init__(self, model: DiffusionModel, settings, capacity: CapacityBuilding) -> None:
        s = settings
        super().__init__(
            model,
            s.start_month,
            s.years,
            s.total_msek / s.years,
            s.targeting,
            [stream(seed, "policy:process_fund") for seed in model.seeds],
        )
        self.settings = s
        self.capacity = capacity
        self.instruments = [
            CapacityCall(
                model,
                "process_support",
                1.0,
                s.support_cost_msek_year,
                capacity,
                self.lever,
                self.rank,
                s.capacity_retention,
                self.uniforms,
            ),
        ]

    @property
    def supported(self) -> np.ndarray:
        """Municipalities with process support paid by the fund this year."""
        return self.instruments[0].funded
