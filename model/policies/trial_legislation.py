"""Trial legislation (försökslagstiftning): a legal barrier is suspended in chosen counties
or municipalities from a start month for some years; then an evaluation gives a verdict,
and a favourable verdict is followed by a national law after a lag of years, which may
fail. Swedish precedents took 7-15 years from trial law to permanent law
(``../shared/data/SOURCES.md``).

- rule 'results': the verdict is favourable with probability s x n / (n + ``min_trials``),
  where n is the zone trials of barred innovations that finished and s the share that
  succeeded (0 below ``min_success_share``): more and better results, a surer verdict;
- 'always' / 'never': favourable (and the law certain), or not, whatever the results.

After a favourable verdict the zones stay suspended while the law is prepared; the law
comes ``law_lag_years_median`` x a lognormal factor (``law_lag_sd``) later, at least a
year, or fails with ``law_failure_probability`` (the zones' suspension then ends). An
unfavourable verdict restores the barrier in the zones. Trials already running when a
barrier is restored run to their end. A barrier already repealed by ordinary legislation
(``model/mechanisms/legislation.py``) stays repealed. Every draw is made per replication
at the start, so two scenarios with one seed share them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.barriers import BarrierStatus
from model.module import Module
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel

MIN_LAG_MONTHS = 12


class TrialLegislation(Module):
    """Suspends the barriers of barred innovations in the zone at the start month; at the
    evaluation draws the verdict per replication; after a favourable one, repeals the
    barrier nationally when the law comes (or restores it if the law fails)."""

    parameters = ("trial_legislation",)
    switches = ("trial_legislation.enabled",)
    streams = ("policy:trial_legislation",)
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
        draws = [stream(seed, "policy:trial_legislation") for seed in model.seeds]
        self.verdict_u = np.array([g.random() for g in draws])  # (R,)
        self.failure_u = np.array([g.random() for g in draws])
        lag_years = s.law_lag_years_median * np.exp(
            s.law_lag_sd * np.array([g.standard_normal() for g in draws])
        )
        self.lag_months = np.maximum(MIN_LAG_MONTHS, np.rint(12 * lag_years)).astype(np.int64)
        self.law_month = np.full(model.replications, -1, dtype=np.int64)  # -1: no law due
        self.favourable = np.zeros(model.replications, dtype=bool)
        self.law_fails = np.zeros(model.replications, dtype=bool)

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

    def favourable_chance(self, finished: np.ndarray, succeeded: np.ndarray) -> np.ndarray:
        """Per replication: the chance the evaluation's verdict is favourable."""
        s = self.settings
        replications = finished.size
        if s.repeal_rule == "always":
            return np.ones(replications)
        if s.repeal_rule == "never":
            return np.zeros(replications)
        share = np.divide(succeeded, finished, out=np.zeros(replications), where=finished > 0)
        evidence = finished / (finished + s.min_trials)
        return np.where(share >= s.min_success_share, share * evidence, 0.0)

    def step(self) -> None:
        """Start month: suspend in the zone. Evaluation: the verdict. Later: the law."""
        model = self.model
        month = model.month
        if self.barred.size == 0:
            return
        if month == self.first_month:
            self.suspend()
        elif month == self.evaluation:
            self.evaluate()
        elif (self.law_month == month).any():
            self.legislate(np.flatnonzero(self.law_month == month))

    def suspend(self) -> None:
        model, barriers = self.model, self.model.barriers
        self.before = self.zone_results(model)
        zone = self.zone.reshape(model.replications, -1)
        lifted = model.levers.barrier_lifted
        for i in self.barred:
            open_ = np.flatnonzero(barriers.status[:, i] != BarrierStatus.REPEALED)
            lifted[i].reshape(model.replications, -1)[open_] |= zone[open_]
            barriers.set(open_, int(i), BarrierStatus.SUSPENDED_IN_ZONES)

    def evaluate(self) -> None:
        model = self.model
        finished, succeeded = (
            now - then for now, then in zip(self.zone_results(model), self.before, strict=True)
        )
        self.favourable = self.verdict_u < self.favourable_chance(finished, succeeded)
        if self.settings.repeal_rule == "always":  # the law is certain too
            self.law_fails = np.zeros(model.replications, dtype=bool)
        else:
            self.law_fails = self.failure_u < self.settings.law_failure_probability
        self.law_month = np.where(self.favourable, model.month + self.lag_months, -1)
        for i in self.barred:
            waiting = self.open_in(self.favourable, i)
            model.barriers.set(waiting, int(i), BarrierStatus.EVALUATED)
        self.restore(np.flatnonzero(~self.favourable))

    def legislate(self, replications: np.ndarray) -> None:
        """The law comes: repeal nationally, or (the bill failed) restore in the zones."""
        passed = replications[~self.law_fails[replications]]
        for i in self.barred:
            repeal = self.open_in(np.isin(np.arange(self.model.replications), passed), i)
            if repeal.size:
                self.model.barriers.repeal(repeal, int(i))
        self.restore(replications[self.law_fails[replications]])

    def open_in(self, chosen: np.ndarray, i: int) -> np.ndarray:
        """Replications (bool mask ``chosen``) where barrier ``i`` has not been repealed."""
        return np.flatnonzero(chosen & (self.model.barriers.status[:, i] != BarrierStatus.REPEALED))

    def restore(self, replications: np.ndarray) -> None:
        """The barrier is back in force in the zones of these replications."""
        model = self.model
        chosen = np.isin(np.arange(model.replications), replications)
        for i in self.barred:
            back = self.open_in(chosen, i)
            if back.size:
                lifted = model.levers.barrier_lifted[i].reshape(model.replications, -1)
                lifted[back] = False
                model.barriers.set(back, int(i), BarrierStatus.IN_FORCE)
