"""The state innovation programme: an annual budget for a number of years, allocated to
co-funded trial grants, capacity building, FoU environments and test beds, a national
competence centre and administration, with a targeting rule.

Money per replication and month: the budget comes in twelfths; administration, centre
and FoU money are spent as they come; capacity money buys whole municipality-years of
innovation leads for municipalities that lack a capacity (the rest is unspent); grant
money fills a pot that trials draw on (first come, first served) and that is emptied
into "unspent" at the end of each programme year. Budget = granted + administered + unspent + what is in the pot.
"""

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


class InnovationProgramme(Module):
    """Pays out the year's budget by allocation; grants fill a pot trials draw on, capacity
    money funds innovation leads in targeting order, FoU money adds support capacity, the
    centre raises external awareness."""

    parameters = ("programme",)
    switches = ("programme.enabled",)
    streams = ("policy:programme",)
    records = (
        "budget_msek",
        "granted_msek",
        "administered_msek",
        "unspent_msek",
        "grant_pot_msek",
        "state_spending_msek",
        "grants_msek",
        "capacity_msek",
    )
    source = "programme"

    def __init__(self, model: DiffusionModel, settings, capacity: CapacityBuilding) -> None:
        super().__init__(model)
        self.settings = s = settings
        self.capacity = capacity
        self.first_month = s.start_month
        self.end = s.start_month + 12 * s.years  # first month without the programme
        self.monthly = s.annual_budget_msek / 12.0
        self.rngs = [stream(seed, "policy:programme") for seed in model.seeds]
        size = model.structure.block_size
        self.eligible_count = size if s.targeting == "all" else math.ceil(s.target_share * size)
        self.leads = min(
            size, math.floor(s.annual_budget_msek * s.share_capacity / s.lead_cost_msek_year + 1e-9)
        )
        self.leads_funded = np.zeros(model.replications)  # per replication, from the start
        environments = model.structure.fou_members.shape[0] // model.replications
        regional = len(model.structure.counties.labels)
        extra = math.floor(s.annual_budget_msek * s.share_fou / s.fou_cost_per_trial_msek + 1e-9)
        per_environment = np.zeros(environments, dtype=np.int64)
        per_environment[:regional] = extra // regional
        per_environment[: extra % regional] += 1
        self.fou_extra = np.tile(per_environment, model.replications)
        self.fou_spend = extra * s.fou_cost_per_trial_msek / 12.0  # per replication and month
        self.boost = s.centre_boost_per_100msek * s.annual_budget_msek * s.share_centre / 100.0

    def step(self) -> None:
        """While the programme runs: the month's budget by allocation; yearly renewals; the end."""
        model = self.model
        month, s = model.month, self.settings
        if month < self.first_month or month > self.end:
            return
        levers, money = model.levers, model.money
        if month == self.end:
            self._finish(model)
            return
        if (month - self.first_month) % 12 == 0:
            self._new_programme_year(model)
        money.budget += self.monthly
        levers.grant_pot += self.monthly * s.share_grants
        spent_leads = self.leads_funded * s.lead_cost_msek_year / 12.0
        self.capacity.pay(self.source, s.lead_cost_msek_year / 12.0)
        spent = (
            self.monthly * (s.share_administration + s.share_centre) + spent_leads + self.fou_spend
        )
        money.administered += spent
        money.unspent += (
            self.monthly * (s.share_capacity + s.share_fou) - spent_leads - self.fou_spend
        )

    def _new_programme_year(self, model: DiffusionModel) -> None:
        levers = model.levers
        if model.month > self.first_month:  # last year's grant money that no trial used
            model.money.unspent += levers.grant_pot
            levers.grant_pot[:] = 0.0
        else:  # the start: rank municipalities as they are now (other levers included)
            rank = priority(model, self.settings.targeting, self.rngs)
            eligible = rank < self.eligible_count
            levers.grant_share[:] = np.where(eligible, self.settings.grant_share_of_trial, 0.0)
            levers.external_boost += self.boost
            model.fou.capacity += self.fou_extra
            self.leads_funded = self.capacity.fund(self.source, rank, self.leads)

    def _finish(self, model: DiffusionModel) -> None:
        levers = model.levers
        model.money.unspent += levers.grant_pot
        levers.grant_pot[:] = 0.0
        levers.grant_share[:] = 0.0
        levers.external_boost -= self.boost
        model.fou.capacity -= self.fou_extra
        u = np.concatenate([rng.random(model.structure.block_size) for rng in self.rngs])
        self.capacity.end(self.source, self.settings.capacity_retention, u)
