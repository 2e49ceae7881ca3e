"""Trial legislation (försökslagstiftning): a legal barrier is suspended in chosen counties
or municipalities from a start month for some years; then an evaluation repeals it
nationally or restores it, by rule:

- results: repeal if the zones finished at least ``min_trials`` trials of barred
  innovations and at least ``min_success_share`` of them succeeded;
- always / never: repeal, or restore, whatever the results.

Before repeal only zone members can trial a barred innovation. Trials already running
when a barrier is restored run to their end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.module import Module

if TYPE_CHECKING:
    from model.model import DiffusionModel


class TrialLegislation(Module):
    """Lifts the barriers of barred innovations in the zone at the start month; at the
    evaluation repeals them nationally or restores them, per replication, by rule."""

    parameters = ("trial_legislation",)
    switches = ("trial_legislation.enabled",)
    records = ("barrier_in_force",)

    def __init__(self, model: DiffusionModel, settings) -> None:
        super().__init__(model)
        self.settings = s = settings
        self.first_month = s.start_month
        self.evaluation = s.start_month + 12 * s.years
        structure = model.structure
        zone = np.isin(structure.county_codes, s.counties) | np.isin(
            structure.codes, s.municipalities
        )
        self.zone = np.tile(zone, model.replications)
        self.barred = np.flatnonzero(model.innovations.legal_barrier)
        self.repealed = np.zeros(model.replications, dtype=bool)
        self.evaluated = False

    def zone_results(self, model: DiffusionModel) -> tuple[np.ndarray, np.ndarray]:
        """Per replication: finished and successful trials of barred innovations in the zone."""
        state = model.state
        size, replications = model.structure.block_size, model.replications
        successes = (state.successes[self.barred] * self.zone).reshape(
            len(self.barred), replications, size
        )
        failures = (state.failures[self.barred] * self.zone).reshape(
            len(self.barred), replications, size
        )
        succeeded = successes.sum(axis=(0, 2))
        return succeeded + failures.sum(axis=(0, 2)), succeeded

    def step(self) -> None:
        """At the start month lift the barriers in the zone; at the evaluation repeal or restore."""
        model = self.model
        month = model.month
        if self.barred.size == 0 or (month != self.first_month and month != self.evaluation):
            return
        lifted = model.levers.barrier_lifted
        if month == self.first_month:
            self.before = self.zone_results(model)
            lifted[np.ix_(self.barred, np.flatnonzero(self.zone))] = True
            return
        finished, succeeded = (
            now - then for now, then in zip(self.zone_results(model), self.before, strict=True)
        )
        s = self.settings
        if s.repeal_rule == "always":
            repeal = np.ones(model.replications, dtype=bool)
        elif s.repeal_rule == "never":
            repeal = np.zeros(model.replications, dtype=bool)
        else:
            share = np.divide(succeeded, finished, out=np.zeros(finished.shape), where=finished > 0)
            repeal = (finished >= s.min_trials) & (share >= s.min_success_share)
        self.repealed = repeal
        self.evaluated = True
        columns_repealed = np.repeat(repeal, model.structure.block_size)
        lifted[self.barred] = columns_repealed
