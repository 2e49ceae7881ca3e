"""Shared procurement: municipalities procure products jointly in consortia (one per
county, or one national purchasing body like Adda) instead of one by one.

Members get a shorter and cheaper procurement (the consortium's, shared), and the
consortium awards one contract per product that members call off
(``model/policies/joint_award.py``): suppliers bid on the committed volume, so pooled
volume reaches the price through the bids and through the price in members' decisions;
whether it leaves suppliers more margin, and so fewer exits, is an outcome. With state
risk sharing the state refunds part of a failed trial's cost, which also lowers
members' money at risk in proportion. A county consortium needs at least two members;
a lone joiner procures alone. Individual procurement stays the path for everyone else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module
from model.policies.joint_award import ConsortiumContracts
from model.state import NEVER
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel


class SharedProcurement(Module):
    """From its start month, members procure through their consortium: the levers'
    lead-time, cost and risk-share factors are set for them, and the consortium tenders
    its contracts when members need a supplier."""

    parameters = ("shared_procurement", "suppliers")
    switches = ("shared_procurement.enabled",)
    streams = ("policy:shared_procurement", "joint_award")

    def __init__(self, model: DiffusionModel, settings) -> None:
        super().__init__(model)
        self.settings = s = settings
        size = model.structure.block_size
        joins = np.concatenate(
            [
                stream(seed, "policy:shared_procurement").random(size) < s.participation
                for seed in model.seeds
            ]
        )
        counties = model.structure.counties
        if s.consortia == "county":
            county = counties.index
            members_per_county = np.bincount(county[joins], minlength=county.max() + 1)
            joins &= members_per_county[county] >= 2
            consortium, names = counties.index % len(counties.labels), list(counties.labels)
        else:
            consortium, names = np.zeros(joins.size, dtype=np.int64), ["national"]
        self.members = joins
        self.consortium = np.where(joins, consortium, NEVER)
        bids = [stream(seed, "joint_award") for seed in model.seeds]
        self.contracts = ConsortiumContracts(model, np.full(joins.size, NEVER), names, bids)

    def step(self) -> None:
        """At the start month, members get the consortium's procurement terms; from then
        on the consortium tenders where a member needs a supplier."""
        model = self.model
        s = self.settings
        if model.month < s.start_month:
            return
        if model.month == s.start_month:
            levers, members = model.levers, self.members
            levers.procurement_lead_factor[members] = s.lead_factor
            levers.procurement_cost_factor[members] = s.cost_factor
            levers.risk_share[members] = s.risk_share
            self.contracts.consortium[:] = self.consortium
            levers.contracts = self.contracts
        self.contracts.tender_where_needed()
