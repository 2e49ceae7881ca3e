"""The programme as yearly calls per instrument: money is conserved in every month, what is
not applied for moves or rolls over by the stated rule, applications are decisions of the
applicants, and each instrument acts on the model only where it says it does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.run import run_scenario
from model.model import DiffusionModel
from model.policies.calls import settle
from model.policies.programme import InnovationProgramme
from model.scenario import load_scenario

MONEY = ("budget_msek", "granted_msek", "administered_msek", "unspent_msek")


def test_settle_moves_leftovers_to_shortfalls_and_returns_all_after_the_last_year() -> None:
    # Three instruments, one replication: A has 30 left and no unmet demand, B asked 100
    # more than it got (it keeps its 2 left), C has 10 left and no unmet demand.
    left = np.array([[30.0], [2.0], [10.0]])
    applied = np.array([[5.0], [160.0], [0.0]])
    granted = np.array([[5.0], [60.0], [0.0]])
    allocation = np.array([[50.0], [60.0], [10.0]])
    settled = settle(left, applied, granted, allocation, last_year=False)
    # B's shortfall next year: 160 - 2 - 60 = 98 > 40 free, so all free money moves, pro rata.
    np.testing.assert_allclose(settled.moved[:, 0], [-30.0, 40.0, -10.0])
    np.testing.assert_allclose(settled.rolled_over, left + settled.moved)
    np.testing.assert_allclose(settled.returned, 0.0)
    # A small shortfall takes only what it needs; the donors give pro rata to their leftover.
    small = settle(left, np.array([[5.0], [72.0], [0.0]]), granted, allocation, False)
    np.testing.assert_allclose(small.moved[:, 0], [-7.5, 10.0, -2.5])
    # Nothing moves without unmet demand; everything is returned after the last year.
    none = settle(left, granted, granted, allocation, last_year=False)
    np.testing.assert_allclose(none.rolled_over, left)
    last = settle(left, applied, granted, allocation, last_year=True)
    np.testing.assert_allclose(last.returned, left)
    np.testing.assert_allclose(last.rolled_over, 0.0)


@pytest.fixture(scope="module")
def skr() -> object:
    scenario = load_scenario("skr_position").with_overrides({"run.months": 84})
    return run_scenario(scenario, 4, seed=11, progress=False)


def test_money_is_conserved_in_every_month(skr) -> None:
    money = skr.state_money.sort_values(["replication", "month"])
    assert (money[[*MONEY, "held_msek"]] >= -1e-9).all().all()
    so_far = money.groupby("replication")[list(MONEY)].cumsum()
    np.testing.assert_allclose(
        so_far["budget_msek"],
        so_far["granted_msek"]
        + so_far["administered_msek"]
        + so_far["unspent_msek"]
        + money["held_msek"],
        atol=1e-6,
    )
    totals = money.groupby("replication")[list(MONEY)].sum()
    np.testing.assert_allclose(totals["budget_msek"], 1000.0)  # 200 MSEK a year for 5 years
    assert (money.groupby("replication")["held_msek"].last().abs() < 1e-6).all()


def test_call_accounts_add_up_per_instrument_and_year(skr) -> None:
    calls = skr.programme_calls
    assert set(calls["instrument"]) == {"grants", "capacity", "fou", "centre", "administration"}
    assert sorted(calls["year"].unique()) == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(
        calls["budget_msek"] - calls["granted_msek"],
        calls["rolled_over_msek"] - calls["moved_msek"] + calls["returned_msek"],
        atol=1e-6,
    )
    assert (calls[["budget_msek", "applied_msek", "granted_msek"]] >= -1e-9).all().all()
    assert (calls["granted_msek"] <= calls["budget_msek"] + 1e-6).all()
    moved = calls.groupby(["replication", "year"])["moved_msek"].sum()
    np.testing.assert_allclose(moved, 0.0, atol=1e-6)  # moves only between instruments
    # Next year's money = this year's allocation share + what rolled over.
    share = {"grants": 0.5, "capacity": 0.3, "fou": 0.1, "centre": 0.05, "administration": 0.05}
    ordered = calls.sort_values(["replication", "instrument", "year"])
    carried = ordered.groupby(["replication", "instrument"])["rolled_over_msek"].shift(
        fill_value=0.0
    )
    np.testing.assert_allclose(
        ordered["budget_msek"], ordered["instrument"].map(share) * 200.0 + carried, atol=1e-6
    )
    # Money is returned only after the last year, and that is the state's unspent money;
    # paid grants are the grants trials received.
    assert (calls.loc[calls["year"] < 5, "returned_msek"] == 0).all()
    money = skr.state_money.groupby("replication")
    np.testing.assert_allclose(
        calls.groupby("replication")["returned_msek"].sum(), money["unspent_msek"].sum()
    )
    grants = calls[calls["instrument"] == "grants"].groupby("replication")["granted_msek"].sum()
    np.testing.assert_allclose(grants, money["granted_msek"].sum())


def test_money_moves_only_from_instruments_without_unmet_demand(skr) -> None:
    calls = skr.programme_calls
    unmet = calls["applied_msek"] > calls["granted_msek"] + 1e-6
    assert (calls.loc[unmet, "moved_msek"] >= -1e-9).all()
    assert (calls.loc[~unmet, "moved_msek"] <= 1e-9).all()
    assert calls.loc[unmet, "moved_msek"].sum() > 0  # the rule is exercised


def _first_call(overrides: dict, name: str = "programme") -> DiffusionModel:
    scenario = load_scenario(name).with_overrides({"run.months": 48, **overrides})
    model = DiffusionModel(scenario, seed=[5, 6])
    while model.month < scenario.programme.start_month:
        model.step()
    return model


def test_municipalities_apply_for_capacity_when_they_lack_it() -> None:
    model = _first_call({})
    lever = next(p for p in model.policies if isinstance(p, InnovationProgramme))
    capacity = lever.instruments[1]
    lacking = ~(capacity.capacity.original_idea_org & capacity.capacity.original_scanning)
    per_replication = lacking.reshape(model.replications, -1).sum(axis=1)
    np.testing.assert_allclose(capacity.applied, per_replication * capacity.cost)
    # With every municipality already holding both capacities nobody applies: the money
    # is not spent on capacity and moves at the year's end.
    model = _first_call(
        {"municipalities.share_idea_org": 1.0, "municipalities.share_scanning": 1.0}
    )
    lever = next(p for p in model.policies if isinstance(p, InnovationProgramme))
    assert (lever.instruments[1].applied == 0).all()
    assert (lever.instruments[1].funded == 0).all()


def test_fou_environments_apply_for_the_trials_they_turned_away() -> None:
    scenario = load_scenario("programme").with_overrides(
        {"run.months": 24, "fou.capacity_trials_per_year": 0}  # every member trial turned away
    )
    tight = DiffusionModel(scenario, seed=[5, 6])
    while tight.month < scenario.programme.start_month - 1:
        tight.step()
    turned_away = tight.fou.turned_away_last_year().reshape(tight.replications, -1).sum(axis=1)
    assert (turned_away > 0).all()
    tight.step()  # the first call
    lever = next(p for p in tight.policies if isinstance(p, InnovationProgramme))
    fou = lever.instruments[2]
    np.testing.assert_allclose(fou.applied, turned_away * fou.cost)
    # Extra supported trials: all that were asked for while 20 MSEK buys them.
    affordable = np.floor(20.0 / fou.cost + 1e-9)
    extra = tight.fou.capacity.reshape(tight.replications, -1).sum(axis=1)
    np.testing.assert_array_equal(
        extra[turned_away <= affordable], turned_away[turned_away <= affordable]
    )
    assert (extra <= affordable).all()
    roomy = _first_call({"fou.capacity_trials_per_year": 10000})
    lever = next(p for p in roomy.policies if isinstance(p, InnovationProgramme))
    assert (lever.instruments[2].applied == 0).all()  # no queue, nothing to apply for


def _snapshot(model: DiffusionModel) -> dict[str, np.ndarray]:
    """Everything a lever may act on, after a month: lever arrays, capacities, FoU
    support capacity and learning's evidence weights."""
    levers = model.levers
    arrays = {
        name: np.asarray(getattr(levers, name)).copy()
        for name in levers.__dataclass_fields__
        if name not in ("grant_requested", "grant_paid")  # the calls' own bookkeeping
    }
    arrays |= {
        "idea_org": model.traits.idea_org.copy(),
        "scanning": model.traits.scanning.copy(),
        "trial_slots": model.traits.trial_slots.copy(),
        "fou_capacity": model.fou.capacity.copy(),
        "evidence_weights": model.learning.weights.copy(),
    }
    return arrays


# Raising one instrument's money (taken from administration, which acts on nothing)
# changes, in the programme's first month, only what that instrument names.
INSTRUMENT_CASES = {
    "centre": (
        {"programme.share_centre": 0.1},
        {"documented_awareness", "documented_weight", "evidence_weights"},
        {},
    ),
    "capacity": ({"programme.share_capacity": 0.35}, {"idea_org", "scanning", "trial_slots"}, {}),
    "fou": (  # scarce support and dear trials, so that more money buys more of them
        {"programme.share_fou": 0.15},
        {"fou_capacity"},
        {"fou.capacity_trials_per_year": 0, "programme.fou_cost_per_trial_msek": 2.0},
    ),
    "grants": ({"programme.share_grants": 0.55}, {"grant_pot"}, {}),
}


@pytest.mark.parametrize("instrument", sorted(INSTRUMENT_CASES))
def test_each_instrument_acts_only_through_its_mechanism(instrument: str) -> None:
    raised, expected, setting = INSTRUMENT_CASES[instrument]
    base = {**setting, "programme.start_month": 37}  # trial results to document exist by then
    before = _first_call(base)
    after = _first_call({**base, **raised, "programme.share_administration": 0.0})
    before.step()
    after.step()
    first, second = _snapshot(before), _snapshot(after)
    changed = {name for name in first if not np.array_equal(first[name], second[name])}
    assert changed == expected


def test_calls_table_is_empty_without_a_calling_lever() -> None:
    result = run_scenario(
        load_scenario("baseline").with_overrides({"run.months": 24}), 1, seed=1, progress=False
    )
    calls = result.programme_calls
    assert calls.empty and list(calls.columns)[:4] == ["replication", "lever", "year", "instrument"]
    assert isinstance(calls, pd.DataFrame)


def test_development_funds_challenges_whose_products_arrive_later() -> None:
    model = _first_call({}, "programme_development")
    lever = next(p for p in model.policies if isinstance(p, InnovationProgramme))
    development = next(i for i in lever.instruments if i.name == "development")
    s = model.scenario.programme
    applying = model.traits.idea_org.reshape(model.replications, -1).sum(axis=1)
    np.testing.assert_allclose(development.applied, applying * s.development_cost_msek)
    money = s.annual_budget_msek * s.share_development
    places = np.floor(money / s.development_cost_msek + 1e-9)
    np.testing.assert_array_equal(development.funded, np.minimum(applying, places))
    # Each success takes the next idea of the development queue, arriving 18 months on.
    arrival = model.pipeline.arrivals.month.reshape(model.replications, -1)
    queue = arrival[:, development.rows]
    for replication, developed in enumerate(development.developed):
        assert (queue[replication, :developed] == model.month + s.development_months).all()
        assert (queue[replication, developed:] == -1).all()
    assert development.developed.sum() > 0
    # A full queue counts what it cannot take.
    taken = model.pipeline.arrivals.schedule(0, development.rows, 10**6, model.month + 1)
    assert taken == development.rows.size - development.developed[0]


def test_development_acts_only_on_the_pipeline() -> None:
    """Development money (in the other model given to administration, which acts on
    nothing) changes, in the programme's first month, only when new products arrive."""
    scenario = load_scenario("programme_development").with_overrides({"run.months": 48})
    models = [DiffusionModel(scenario, seed=[5, 6]) for _ in range(2)]
    for model in models:
        while model.month < scenario.programme.start_month - 1:
            model.step()
    lever = next(p for p in models[0].policies if isinstance(p, InnovationProgramme))
    development = next(i for i in lever.instruments if i.name == "development")
    administration = next(i for i in lever.instruments if i.name == "administration")
    administration.share += development.share
    development.share = 0.0
    snapshots = []
    for model in models:
        model.step()  # the first call
        snapshot = _snapshot(model)
        snapshot["arrivals"] = model.pipeline.arrivals.month.copy()
        snapshots.append(snapshot)
    first, second = snapshots
    changed = {name for name in first if not np.array_equal(first[name], second[name])}
    assert changed == {"arrivals"}


def test_the_process_fund_acts_only_on_capacity() -> None:
    """In its first month the Danish-style fund changes idea organisation, scanning and
    trial slots (process support), nothing else a lever may act on."""
    fund = load_scenario("danish_style").with_overrides({"run.months": 48})
    off = fund.with_overrides({"process_fund.enabled": False})
    start = fund.process_fund.start_month
    models = [DiffusionModel(s, seed=[5, 6]) for s in (off, fund)]
    for model in models:
        while model.month < start:
            model.step()
    first, second = (_snapshot(m) for m in models)
    changed = {name for name in first if not np.array_equal(first[name], second[name])}
    assert changed == {"idea_org", "scanning", "trial_slots"}
