"""Legal barriers: ordinary legislation may repeal one in any scenario at a slow hazard;
trial legislation suspends it in zones, and after a favourable verdict national law
follows after a lag of years (at least 12 months, different between replications), or
fails. Each acts only on ``levers.barrier_lifted``."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from experiments.run import run_scenario
from model.barriers import BarrierStatus
from model.model import DiffusionModel
from model.policies.trial_legislation import TrialLegislation
from model.scenario import load_scenario

BARRED = "automated_case_handling"


def changes(results, status: str):
    table = results.barriers
    return table[(table["innovation"] == BARRED) & (table["status"] == status)]


def test_ordinary_legislation_repeals_at_its_hazard(municipalities, neighbours) -> None:
    """The fall months are exponential with the register's rate: over 400 replications the
    share falling within 20 years is 1 - exp(-20 rate) within sampling error."""
    baseline = load_scenario("baseline")
    rate = baseline.legislation.repeal_rate_per_year
    model = DiffusionModel(
        baseline, seed=list(range(400)), municipalities=municipalities, neighbours=neighbours
    )
    i = model.innovations.index(BARRED)
    share = float((model.legislation.falls[:, i] <= 240).mean())
    expected = 1 - np.exp(-20 * rate)
    assert abs(share - expected) < 3 * np.sqrt(expected * (1 - expected) / 400)


def test_in_the_baseline_a_barrier_falls_in_some_replications_only() -> None:
    results = run_scenario(load_scenario("baseline"), 24, seed=2, progress=False)
    repealed = changes(results, "repealed")
    assert 0 < repealed["replication"].nunique() < 24
    ts = results.timeseries
    adopted = ts[(ts["innovation"] == BARRED) & (ts["month"] == 240)]
    fallen = set(repealed["replication"])
    # adoption of the barred innovation only where its barrier fell
    assert (adopted[~adopted["replication"].isin(fallen)]["ever_adopted_share"] == 0).all()
    assert (adopted[adopted["replication"].isin(fallen)]["barrier_in_force"] == 0).all()
    none = run_scenario(
        load_scenario("baseline").with_overrides({"legislation.repeal_rate_per_year": 0.0}),
        4,
        seed=2,
        progress=False,
    )
    assert changes(none, "repealed").empty


def test_law_follows_a_favourable_verdict_after_years_that_differ() -> None:
    scenario = load_scenario("trial_legislation").with_overrides(
        {
            "trial_legislation.repeal_rule": "always",
            "legislation.repeal_rate_per_year": 0.0,
            "run.months": 480,  # long enough for the slowest law
        }
    )
    results = run_scenario(scenario, 16, seed=3, progress=False)
    evaluated = changes(results, "evaluated").set_index("replication")["month"]
    repealed = changes(results, "repealed").set_index("replication")["month"]
    evaluation = scenario.trial_legislation.start_month + 12 * scenario.trial_legislation.years
    assert (evaluated == evaluation).all() and len(evaluated) == 16
    lag = (repealed - evaluated).dropna()
    assert len(lag) == 16  # 'always': the verdict is favourable and the law certain
    assert (lag >= 12).all() and lag.nunique() > 8
    median_years = float(np.median(lag)) / 12
    assert 3 < median_years < 10  # the register's median of six years, 16 draws


def test_verdict_chance_grows_with_the_number_and_success_of_zone_trials() -> None:
    settings = load_scenario("trial_legislation").trial_legislation
    law = TrialLegislation.__new__(TrialLegislation)
    law.settings = settings  # min_trials 5, min_success_share 0.6
    finished = np.array([0, 5, 5, 20, 20])
    succeeded = np.array([0, 5, 2, 20, 15])
    chance = law.favourable_chance(finished, succeeded)
    np.testing.assert_allclose(chance, [0.0, 0.5, 0.0, 0.8, 0.75 * 0.8])
    for rule, expected in (("always", 1.0), ("never", 0.0)):
        law.settings = settings.model_copy(update={"repeal_rule": rule})
        assert (law.favourable_chance(finished, succeeded) == expected).all()


@pytest.mark.parametrize("rule", ["never", "results"])
def test_an_unfavourable_verdict_or_a_failed_law_restores_the_barrier(rule) -> None:
    scenario = load_scenario("trial_legislation").with_overrides(
        {
            "trial_legislation.repeal_rule": rule,
            "trial_legislation.law_failure_probability": 1.0,
            "legislation.repeal_rate_per_year": 0.0,
        }
    )
    results = run_scenario(scenario, 6, seed=3, progress=False)
    assert changes(results, "repealed").empty
    last = results.barriers.sort_values("month").groupby("replication").last()
    assert (last["status"] == "in_force").all()
    ts = results.timeseries
    final = ts[(ts["innovation"] == BARRED) & (ts["month"] == 240)]
    assert (final["barrier_in_force"] == 1.0).all()


def test_trial_law_acts_only_on_the_barrier_in_its_zone(municipalities, neighbours) -> None:
    """In its start month the lever changes the barrier in the zone's cells of barred
    innovations and no other lever array."""
    base = load_scenario("baseline")
    law = load_scenario("trial_legislation")
    start = law.trial_legislation.start_month
    models = [
        DiffusionModel(s, seed=[7, 8], municipalities=municipalities, neighbours=neighbours)
        for s in (base, law)
    ]
    for model in models:
        for _ in range(start - 1):
            model.step()
        model.month += 1  # the start month's lever step alone
        for module in model.policies:
            module.step()
        model.legislation.step()
    a, b = (m.levers for m in models)
    for field in dataclasses.fields(a):
        if field.name != "barrier_lifted":
            np.testing.assert_array_equal(getattr(a, field.name), getattr(b, field.name))
    changed = np.argwhere(a.barrier_lifted != b.barrier_lifted)
    i = models[1].innovations.index(BARRED)
    zone = np.tile(np.isin(models[1].structure.county_codes, ["14"]), 2)
    assert set(changed[:, 0]) == {i}
    assert (np.sort(changed[:, 1]) == np.flatnonzero(zone)).all()
    assert (models[1].barriers.status[:, i] == BarrierStatus.SUSPENDED_IN_ZONES).all()
