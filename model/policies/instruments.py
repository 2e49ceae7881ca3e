"""The instruments a lever's yearly calls fund, each acting where the seeds say it acts.

- ``GrantCall``: co-funded trial grants (SOU 2003:90: the municipality pays at least
  half). Municipalities apply when they start a trial; paid from the pot while it lasts.
  Acts on: the money a municipality puts at risk in a trial.
- ``CapacityCall``: innovation leads, idea organisation and scanning (the programme), or
  process consultancy (the Danish-style fund). A municipality applies when it lacks the
  capacity and no other lever pays for it; funded in targeting order for whole years.
  Acts on: idea organisation (trial slots, consideration) and scanning (external channel).
- ``FouCall``: FoI environments and test beds. An environment applies for as many extra
  supported trials as it turned away in the last twelve months. Acts on: FoU support
  capacity (method support for trials).
- ``CentreFunding``: a national competence centre that collects, packages and spreads
  experience, a standing cost. Acts on: the weight of results pooled nationally in
  learning, and awareness of innovations with documented results.
- ``DevelopmentCall``: development of new solutions (Demand Acceleration: concept work
  bought from firms, about 18 months to a product). A municipality with an idea-handling
  organisation applies for one challenge a year; funded while the money lasts. Acts on:
  the pipeline (a succeeding challenge's product arrives in it).
- ``Administration``: running the lever, a standing cost. Acts on nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from model.policies.capacity import CapacityBuilding

if TYPE_CHECKING:
    from model.model import DiffusionModel


def _per_replication(model: DiffusionModel, values: np.ndarray) -> np.ndarray:
    return values.reshape(model.replications, -1).sum(axis=1)


class _Budgeted:
    """What every instrument keeps: its pot and this year's applications and grants."""

    def __init__(self, model: DiffusionModel, name: str, share: float) -> None:
        self.model = model
        self.name = name
        self.share = share
        self.pot = np.zeros(model.replications)
        self.applied = np.zeros(model.replications)
        self.granted = np.zeros(model.replications)

    def _start_year(self) -> None:
        self.applied = np.zeros(self.model.replications)
        self.granted = np.zeros(self.model.replications)

    def _pay_out(self, paid: np.ndarray) -> None:
        self.pot -= paid
        self.granted += paid
        self.model.money.administered += paid

    def close(self) -> None:
        """Nothing lasts beyond the funding by default."""


class GrantCall(_Budgeted):
    """Trial grants: the pot is ``levers.grant_pot``, which starting trials draw on
    (``transitions.start_trials``); they count what was asked for and paid."""

    def __init__(
        self, model: DiffusionModel, share: float, offer: Callable[[], np.ndarray]
    ) -> None:
        super().__init__(model, "grants", share)
        self.offer = (
            offer  # the grant share of a trial's cost per municipality, from the first call
        )

    @property
    def pot(self) -> np.ndarray:
        return self.model.levers.grant_pot

    @pot.setter
    def pot(self, value: np.ndarray) -> None:
        self.model.levers.grant_pot[:] = value

    @property
    def applied(self) -> np.ndarray:
        return self.model.levers.grant_requested

    @applied.setter
    def applied(self, value: np.ndarray) -> None:
        self.model.levers.grant_requested[:] = value

    @property
    def granted(self) -> np.ndarray:
        return self.model.levers.grant_paid

    @granted.setter
    def granted(self, value: np.ndarray) -> None:
        self.model.levers.grant_paid[:] = value

    def call(self, year_money: np.ndarray) -> None:
        self._start_year()
        self.model.levers.grant_share[:] = self.offer()

    def pay(self) -> None:
        """Grants are paid where trials start, later in the month."""

    def close(self) -> None:
        self.model.levers.grant_share[:] = 0.0


class CapacityCall(_Budgeted):
    """Whole municipality-years of capacity for applicants in ``rank`` order while the
    year's money lasts; at the lever's end each keeps it with ``retention``."""

    def __init__(
        self,
        model: DiffusionModel,
        name: str,
        share: float,
        cost_msek_year: float,
        capacity: CapacityBuilding,
        source: str,
        rank: Callable[[], np.ndarray],
        retention: float,
        retention_draws: Callable[[], np.ndarray],
    ) -> None:
        super().__init__(model, name, share)
        self.cost = cost_msek_year
        self.capacity = capacity
        self.source = source
        self.rank = rank
        self.retention = retention
        self.retention_draws = retention_draws
        self.funded = np.zeros(model.replications)  # municipalities funded this year

    def call(self, year_money: np.ndarray) -> None:
        self._start_year()
        applicants = self.capacity.applicants(self.source)
        self.applied = _per_replication(self.model, applicants) * self.cost
        places = np.floor(year_money / self.cost + 1e-9).astype(np.int64)
        self.funded = self.capacity.fund(self.source, self.rank(), places)

    def pay(self) -> None:
        self._pay_out(self.funded * self.cost / 12.0)
        self.capacity.pay(self.source, self.cost / 12.0)

    def close(self) -> None:
        self.capacity.end(self.source, self.retention, self.retention_draws())
        self.funded = np.zeros(self.model.replications)


class FouCall(_Budgeted):
    """Extra supported trials for the year, for the environments that asked: all of them
    when the money suffices, otherwise each the same share of its request (rounded down)."""

    def __init__(self, model: DiffusionModel, share: float, cost_per_trial_msek: float) -> None:
        super().__init__(model, "fou", share)
        self.cost = cost_per_trial_msek
        self.extra = np.zeros(model.structure.fou_members.shape[0], dtype=np.int64)

    def call(self, year_money: np.ndarray) -> None:
        self._start_year()
        model = self.model
        requests = model.fou.turned_away_last_year().reshape(model.replications, -1)
        asked = requests.sum(axis=1)
        self.applied = asked * self.cost
        affordable = np.floor(year_money / self.cost + 1e-9)
        share = np.minimum(
            1.0, np.divide(affordable, asked, out=np.ones(asked.size), where=asked > 0)
        )
        extra = np.floor(requests * share[:, None] + 1e-9).astype(np.int64).ravel()
        model.fou.capacity += extra - self.extra
        self.extra = extra

    def pay(self) -> None:
        trials = _per_replication(self.model, self.extra)
        self._pay_out(trials * self.cost / 12.0)

    def close(self) -> None:
        self.model.fou.capacity -= self.extra
        self.extra[:] = 0


class CentreFunding(_Budgeted):
    """A standing cost whose effect saturates with money: strength m / (m + half) for m
    MSEK a year. While funded, results pooled nationally weigh ``evidence_weight`` x
    strength in learning, and an innovation with d documented trial results in the
    replication gets an awareness hazard ``awareness`` x strength x d / (d + trials_half)."""

    def __init__(
        self,
        model: DiffusionModel,
        share: float,
        half_msek: float,
        evidence_weight: float,
        awareness: float,
        trials_half: float,
    ) -> None:
        super().__init__(model, "centre", share)
        self.half_msek = half_msek
        self.evidence_weight = evidence_weight
        self.awareness = awareness
        self.trials_half = trials_half
        self.monthly = np.zeros(model.replications)
        self.strength = np.zeros(model.replications)

    def call(self, year_money: np.ndarray) -> None:
        self._start_year()
        self.applied = year_money.copy()  # a standing cost: it uses what it is given
        self.monthly = year_money / 12.0
        self.strength = np.divide(
            year_money,
            year_money + self.half_msek,
            out=np.zeros_like(year_money),
            where=year_money > 0,
        )
        self.model.levers.documented_weight[:] = self.evidence_weight * self.strength

    def pay(self) -> None:
        self._pay_out(np.minimum(self.monthly, self.pot))
        documented = self.model.learning.finished  # (I, R) trial results so far
        self.model.levers.documented_awareness[:] = (
            self.awareness * self.strength * documented / (documented + self.trials_half)
        )

    def close(self) -> None:
        levers = self.model.levers
        levers.documented_weight[:] = 0.0
        levers.documented_awareness[:] = 0.0


class DevelopmentCall(_Budgeted):
    """Challenges funded for the year (one per applicant while the money lasts), paid
    monthly; each succeeds with ``success`` (drawn when funded, from
    ``rngs``), and its product arrives ``months`` later as the next idea of the
    development queue (``rows``). Successes the queue cannot take are counted in
    ``dropped``."""

    def __init__(
        self,
        model: DiffusionModel,
        share: float,
        cost_msek: float,
        success: float,
        months: int,
        rows: np.ndarray,
        rngs: list[np.random.Generator],
    ) -> None:
        super().__init__(model, "development", share)
        self.cost = cost_msek
        self.success = success
        self.months = months
        self.rows = rows  # the development queue's innovations, in order
        self.rngs = rngs
        self.funded = np.zeros(model.replications, dtype=np.int64)
        self.developed = np.zeros(model.replications, dtype=np.int64)
        self.dropped = np.zeros(model.replications, dtype=np.int64)

    def call(self, year_money: np.ndarray) -> None:
        self._start_year()
        model = self.model
        size = model.structure.block_size
        applying = model.traits.idea_org.reshape(-1, size)
        self.applied = applying.sum(axis=1) * self.cost
        places = np.floor(year_money / self.cost + 1e-9).astype(np.int64)
        self.funded = np.minimum(applying.sum(axis=1), places)
        arrival = model.month + self.months
        for replication, funded in enumerate(self.funded):
            if funded == 0:
                continue
            won = int((self.rngs[replication].random(funded) < self.success).sum())
            taken = model.pipeline.arrivals.schedule(replication, self.rows, won, arrival)
            self.developed[replication] += taken
            self.dropped[replication] += won - taken

    def pay(self) -> None:
        self._pay_out(self.funded * self.cost / 12.0)

    def close(self) -> None:
        self.funded = np.zeros(self.model.replications, dtype=np.int64)


class Administration(_Budgeted):
    """Running the lever: a standing cost that uses what it is given."""

    def __init__(self, model: DiffusionModel, share: float) -> None:
        super().__init__(model, "administration", share)
        self.monthly = np.zeros(model.replications)

    def call(self, year_money: np.ndarray) -> None:
        self._start_year()
        self.applied = year_money.copy()
        self.monthly = year_money / 12.0

    def pay(self) -> None:
        self._pay_out(np.minimum(self.monthly, self.pot))
