"""Policy levers: off means baseline exactly, on moves outcomes the expected way, money adds up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.run import run_scenario
from model.reference import load_municipalities
from model.scenario import SCENARIO_DIR, ScenarioError, load_scenario

LEVERS = ("programme", "trial_legislation", "shared_procurement", "process_fund")


# The docking set-up and the calibration cases (own innovations), not baseline + levers.
NOT_LEVER_SCENARIOS = ("bass_docking", "lov", "digital_safety_alarms", "broadband_strategy")


def short(name: str, months: int = 96):
    return load_scenario(name).with_overrides({"run.months": months})


def test_every_library_scenario_with_levers_off_is_the_baseline_exactly() -> None:
    """Levers off, a scenario is the baseline (with the scenario's own pipeline switch)."""
    baselines = {
        pipeline: run_scenario(
            short("baseline").with_overrides({"pipeline.enabled": pipeline}),
            2,
            seed=3,
            progress=False,
        ).timeseries
        for pipeline in (False, True)
    }
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        scenario = load_scenario(path)
        if scenario.name in ("baseline", *NOT_LEVER_SCENARIOS):
            continue
        off = scenario.with_overrides(
            {f"{lever}.enabled": False for lever in LEVERS} | {"run.months": 96}
        )
        results = run_scenario(off, 2, seed=3, progress=False).timeseries
        baseline = baselines[scenario.pipeline.enabled]
        pd.testing.assert_frame_equal(baseline, results, check_exact=True, obj=scenario.name)


def final_share(results, innovation: str, month: int) -> float:
    ts = results.timeseries
    return float(
        ts[(ts["month"] == month) & (ts["innovation"] == innovation)]["adoption_share"].mean()
    )


def test_trial_law_opens_the_barrier_in_the_zone_only_before_repeal(municipalities) -> None:
    scenario = short("trial_legislation", 60).with_overrides(  # evaluation at month 61
        {"legislation.repeal_rate_per_year": 0.0}  # no repeal by ordinary law either
    )
    results = run_scenario(scenario, 3, seed=4, progress=False)
    outcome = results.municipalities[
        results.municipalities["innovation"] == "automated_case_handling"
    ]
    zone = set(municipalities[municipalities["county_code"] == "14"]["kommunkod"])
    tried = outcome[outcome["final_stage"].isin(["trialling", "adopted", "discontinued"])]
    assert len(tried) > 0 and set(tried["kommunkod"]) <= zone
    baseline = run_scenario(
        short("baseline", 60).with_overrides({"legislation.repeal_rate_per_year": 0.0}),
        3,
        seed=4,
        progress=False,
    )
    assert final_share(baseline, "automated_case_handling", 60) == 0.0


def test_programme_raises_adoption_and_conserves_money() -> None:
    baseline = run_scenario(short("baseline", 120), 4, seed=5, progress=False)
    programme = run_scenario(short("programme", 120), 4, seed=5, progress=False)
    assert final_share(programme, "digital_night_supervision", 120) > final_share(
        baseline, "digital_night_supervision", 120
    )
    money = programme.state_money
    assert (
        (money[["granted_msek", "administered_msek", "unspent_msek", "held_msek"]] >= -1e-9)
        .all()
        .all()
    )
    by_replication = money.groupby("replication")
    last_pot = by_replication["held_msek"].last()
    totals = by_replication[
        ["budget_msek", "granted_msek", "administered_msek", "unspent_msek"]
    ].sum()
    np.testing.assert_allclose(
        totals["budget_msek"],
        totals["granted_msek"] + totals["administered_msek"] + totals["unspent_msek"] + last_pot,
    )
    assert np.allclose(totals["budget_msek"], 1000.0)  # 200 MSEK a year for 5 years
    # Grants booked by the programme are exactly the grants booked on trials.
    grants = programme.timeseries.groupby("replication")["state_spending_msek"].sum()
    np.testing.assert_allclose(grants.to_numpy(), totals["granted_msek"].to_numpy())


def test_shared_procurement_shortens_lead_times_and_lowers_prices() -> None:
    baseline = run_scenario(short("baseline", 120), 4, seed=6, progress=False).timeseries
    shared = run_scenario(
        short("shared_procurement_national", 120), 4, seed=6, progress=False
    ).timeseries
    product = "e_service"

    def trials(ts):
        return ts[ts["innovation"] == product]["trials_started"].sum()

    assert trials(shared) > trials(baseline)
    price = lambda ts: ts[(ts["innovation"] == product) & (ts["month"] == 120)]["mean_price"].mean()  # noqa: E731
    assert price(shared) < price(baseline)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"programme.annual_budget_msek": -5}, "programme.annual_budget_msek"),
        ({"programme.grant_share_of_trial": 1.5}, "allowed 0 to 1"),
        ({"trial_legislation.counties": ["Atlantis"]}, "unknown county 'Atlantis'"),
        ({"trial_legislation.municipalities": ["9999"]}, "unknown kommunkod ['9999']"),
        ({"trial_legislation.enabled": True}, "needs a zone"),
        ({"programme.share_grants": 0.9}, "must sum to 1"),
        ({"programme.targeting": "richest"}, "programme.targeting"),
        (
            {
                "programme.enabled": True,
                "programme.share_development": 0.1,
                "programme.share_grants": 0.4,
            },
            "set pipeline.enabled = true",
        ),
        ({"pipeline.products_per_year": -1}, "pipeline.products_per_year"),
    ],
)
def test_nonsense_lever_settings_are_rejected_at_load(overrides: dict, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("baseline").with_overrides(overrides)
    assert message in str(caught.value)


@pytest.mark.parametrize("name", ["programme_small", "danish_style", "shared_procurement_national"])
def test_money_received_by_municipalities_adds_up_to_the_state_accounts(name: str) -> None:
    results = run_scenario(short(name, 120), 2, seed=6, progress=False)
    received = results.money_received.groupby("replication")[
        ["grants_msek", "capacity_msek", "refunds_msek"]
    ].sum()
    money = results.state_money.groupby("replication")[
        ["granted_msek", "administered_msek", "risk_refunds_msek"]
    ].sum()
    np.testing.assert_allclose(received["grants_msek"], money["granted_msek"])
    np.testing.assert_allclose(received["refunds_msek"], money["risk_refunds_msek"])
    # Capacity building is part of "administered", never more.
    assert (received["capacity_msek"] <= money["administered_msek"] + 1e-9).all()
    assert (received.sum(axis=1) > 0).all()
    if name == "programme_small":  # grants reach only the smaller half (target_share 0.5)
        table = load_municipalities()
        population = dict(zip(table["kommunkod"], table["population"], strict=True))
        smaller_half = np.sort(table["population"].to_numpy())[144]
        got = results.money_received[results.money_received["grants_msek"] > 0]
        assert len(got) > 10
        assert got["kommunkod"].map(population).max() <= smaller_half
