"""The state innovation programme (DESIGN.md section 4): an annual budget for a number of
years, run as yearly calls per instrument (``model/policies/instruments.py``): co-funded
trial grants, capacity building, FoI environments and test beds, a national competence
centre, development of new solutions (off unless given a share), and administration. Each instrument starts with its share of the budget;
municipalities and FoU environments apply when it helps them; what is not applied for
rolls over or moves to oversubscribed instruments by the rule in ``calls.settle``.
Targeting (all, low-capacity, small, central) decides who is eligible for grants and who
is first in line for capacity, ranked once at the first call (other levers included).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from model.pipeline import DEVELOPED
from model.policies.calls import CallLever
from model.policies.capacity import CapacityBuilding
from model.policies.instruments import (
    Administration,
    CapacityCall,
    CentreFunding,
    DevelopmentCall,
    FouCall,
    GrantCall,
)
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel


class InnovationProgramme(CallLever):
    """Yearly calls for six instruments; the ranking and retention draws come from the
    stream ``policy:programme``, development's successes from ``programme_development``."""

    parameters = ("programme",)
    switches = ("programme.enabled",)
    streams = ("policy:programme", "programme_development")
    records = (
        "budget_msek",
        "granted_msek",
        "administered_msek",
        "unspent_msek",
        "held_msek",
        "state_spending_msek",
        "grants_msek",
        "capacity_msek",
    )
    lever = "programme"

    def __init__(self, model: DiffusionModel, settings, capacity: CapacityBuilding) -> None:
        s = settings
        super().__init__(
            model,
            s.start_month,
            s.years,
            s.annual_budget_msek,
            s.targeting,
            [stream(seed, "policy:programme") for seed in model.seeds],
        )
        self.settings = s
        self.capacity = capacity
        size = model.structure.block_size
        self.eligible_count = size if s.targeting == "all" else math.ceil(s.target_share * size)
        model.levers.national_pooling = s.share_centre > 0
        self.instruments = [
            GrantCall(model, s.share_grants, self._grant_offer),
            CapacityCall(
                model,
                "capacity",
                s.share_capacity,
                s.lead_cost_msek_year,
                capacity,
                self.lever,
                self.rank,
                s.capacity_retention,
                self.uniforms,
            ),
            FouCall(model, s.share_fou, s.fou_cost_per_trial_msek),
            CentreFunding(
                model,
                s.share_centre,
                s.centre_half_msek,
                s.centre_evidence_weight,
                s.centre_awareness_per_month,
                s.centre_documented_trials_half,
            ),
            Administration(model, s.share_administration),
        ]
        if s.share_development > 0:  # an instrument a programme may add (DESIGN.md 4)
            self.instruments.insert(
                -1,
                DevelopmentCall(
                    model,
                    s.share_development,
                    s.development_cost_msek,
                    s.development_success,
                    s.development_months,
                    np.flatnonzero(np.array(model.origins) == DEVELOPED),
                    [stream(seed, "programme_development") for seed in model.seeds],
                ),
            )

    def _grant_offer(self) -> np.ndarray:
        eligible = self.rank() < self.eligible_count
        return np.where(eligible, self.settings.grant_share_of_trial, 0.0)

    @property
    def leads_funded(self) -> np.ndarray:
        """Municipalities with an innovation lead paid by the programme this year."""
        return self.instruments[1].funded
