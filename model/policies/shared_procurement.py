"""Shared procurement: municipalities procure products jointly in consortia (one per
county, or one national purchasing body like Adda) instead of one by one.

Members get a shorter and cheaper procurement, their deployments count more on the
supplier's experience curve (pooled volume: lower unit costs and prices; whether that
leaves suppliers more margin, and so fewer exits, depends on
``suppliers.price_pass_through``: at the default 1 every saving goes to the buyers),
and with state risk sharing the state refunds part of a failed trial's cost, which
also lowers members' penalty for uncertainty in proportion. A county consortium needs at
least two members; a lone joiner procures alone. Individual procurement stays the path
for everyone else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel


class SharedProcurement(Module):
    """From its start month, members procure through their consortium: the levers'
    lead-time, cost, volume and risk-share factors are set for them."""

    parameters = ("shared_procurement",)
    switches = ("shared_procurement.enabled",)
    streams = ("policy:shared_procurement",)

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
        if s.consortia == "county":
            county = model.structure.counties.index
            members_per_county = np.bincount(county[joins], minlength=county.max() + 1)
            joins &= members_per_county[county] >= 2
        self.members = joins

    def step(self) -> None:
        """At the start month, members get the consortium's procurement terms."""
        model = self.model
        if model.month != self.settings.start_month:
            return
        s, levers, members = self.settings, model.levers, self.members
        levers.procurement_lead_factor[members] = s.lead_factor
        levers.procurement_cost_factor[members] = s.cost_factor
        levers.experience_factor[members] = s.volume_factor
        levers.risk_share[members] = s.risk_share
