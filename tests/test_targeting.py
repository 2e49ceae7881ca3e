"""Targeting rules reach the municipalities they promise.

Each rule of the innovation programme is run from its library scenario with two
replications (each has its own capacities and random tie-breaks). What the programme
actually funds is read where the mechanisms see it: the grant share of trial cost per
municipality (``levers.grant_share``) at the start month, the innovation leads it switches
on (idea organisation and scanning), and the grants paid to trials while it runs. The
intended municipalities are computed here independently: population from the reference
table, eigenvector centrality with networkx on the neighbour table, capacities as they
stand the month before selection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from model.model import DiffusionModel
from model.policies.process_fund import ProcessFund
from model.policies.programme import InnovationProgramme
from model.reference import load_municipalities, load_neighbours
from model.scenario import Scenario, load_scenario

SEEDS = [1, 2]
SCENARIOS = {
    "all": "programme",
    "low_capacity": "programme_low_capacity",
    "small": "programme_small",
    "central": "programme_central",
}
TARGETED = ("low_capacity", "small", "central")


@dataclass
class Selection:
    """What a lever funded, per column (replication block by block), and the traits the
    month before it selected."""

    model: DiffusionModel
    lever: InnovationProgramme | ProcessFund
    capacities: np.ndarray  # innovation capacities held the month before selection (0-4)
    competence: np.ndarray  # procurement competence the month before selection
    grant_eligible: np.ndarray  # bool: a grant share is on offer from the start month
    capacity_funded: np.ndarray  # bool: the lever pays capacity building here
    idea_org: np.ndarray  # bool, in the start month
    scanning: np.ndarray  # bool, in the start month
    lacking: np.ndarray  # bool: lacked idea organisation or scanning the month before


def select(scenario: Scenario, kind: type) -> Selection:
    model = DiffusionModel(scenario, seed=SEEDS)
    lever = next(p for p in model.policies if isinstance(p, kind))
    start = lever.first_month
    while model.month < start - 1:
        model.step()
    traits = model.traits
    capacities = (
        traits.idea_org.astype(int) + traits.peer_study + traits.scanning + traits.fair_visits
    )
    competence = traits.competence.copy()
    lacking = ~(traits.idea_org & traits.scanning)
    model.step()
    assert model.month == start
    return Selection(
        model=model,
        lever=lever,
        capacities=capacities,
        competence=competence,
        grant_eligible=model.levers.grant_share > 0.0,
        capacity_funded=lever.capacity.funded[lever.lever].copy(),
        idea_org=model.traits.idea_org.copy(),
        scanning=model.traits.scanning.copy(),
        lacking=lacking,
    )


@cache
def programme(rule: str) -> Selection:
    scenario = load_scenario(SCENARIOS[rule])
    assert scenario.programme.enabled
    assert scenario.programme.targeting == rule
    return select(scenario, InnovationProgramme)


@cache
def granted_municipalities(rule: str) -> np.ndarray:
    """(N,) bool: municipalities whose latest trial, started while the programme ran, got a
    grant (it paid less than the trial's cost). Runs the programme to its last month."""
    selection = programme(rule)
    model = selection.model
    while model.month < selection.lever.end - 1:
        model.step()
    own = model.state.trial_own_cost
    full = model.innovations.trial_cost[:, None]
    return ((own > 0.0) & (own < full - 1e-12)).any(axis=0)


@cache
def reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    municipalities = load_municipalities()
    return municipalities, load_neighbours(municipalities=municipalities)


@cache
def eigenvector_centrality() -> pd.Series:
    """By kommunkod, from the neighbour table (power iteration, not the model's solver)."""
    municipalities, neighbours = reference()
    graph = nx.Graph()
    graph.add_nodes_from(municipalities["kommunkod"])
    graph.add_edges_from(zip(neighbours["code_a"], neighbours["code_b"], strict=True))
    assert nx.is_connected(graph)
    return pd.Series(nx.eigenvector_centrality(graph, max_iter=10_000, tol=1e-12))


def priority_key(rule: str, selection: Selection) -> np.ndarray:
    """(N,) lower = earlier in line under ``rule``, computed independently of the model."""
    model = selection.model
    codes = model.structure.codes
    blocks = model.replications
    if rule == "small":
        population = reference()[0].set_index("kommunkod")["population"]
        return np.tile(population.loc[codes].to_numpy(dtype=float), blocks)
    if rule == "central":
        return -np.tile(eigenvector_centrality().loc[codes].to_numpy(), blocks)
    if rule == "low_capacity":
        # Fewest capacities first; ties by lower procurement competence (0 < competence < 1).
        return selection.capacities + selection.competence
    raise ValueError(rule)


def blocks(model: DiffusionModel) -> list[slice]:
    size = model.structure.block_size
    return [slice(b * size, (b + 1) * size) for b in range(model.replications)]


def assert_first_in_line(
    chosen: np.ndarray, key: np.ndarray, count: int, model: DiffusionModel
) -> None:
    """In every replication exactly ``count`` chosen, all earlier in line than the rest."""
    for columns in blocks(model):
        here, keys = chosen[columns], key[columns]
        assert here.sum() == count
        assert keys[here].max() < keys[~here].min(), (
            f"a chosen municipality ranks after an unchosen one "
            f"({keys[here].max():.6g} >= {keys[~here].min():.6g})"
        )


def assert_first_in_line_among(
    chosen: np.ndarray, key: np.ndarray, count: int, allowed: np.ndarray, model: DiffusionModel
) -> None:
    """Only ``allowed`` chosen: as many as there are places, earlier in line than the rest."""
    assert not (chosen & ~allowed).any(), "money went to a municipality that had the capacity"
    for columns in blocks(model):
        here, keys, open_ = chosen[columns], key[columns], allowed[columns]
        assert here.sum() == min(count, open_.sum())
        assert keys[here].max() < keys[open_ & ~here].min()


def expected_leads(selection: Selection) -> int:
    s = selection.lever.settings
    return math.floor(s.annual_budget_msek * s.share_capacity / s.lead_cost_msek_year + 1e-9)


@pytest.mark.parametrize("rule", TARGETED)
def test_grants_are_offered_to_the_targeted_share_first_in_line(rule: str) -> None:
    selection = programme(rule)
    model, s = selection.model, selection.lever.settings
    eligible = math.ceil(s.target_share * model.structure.block_size)
    assert 0 < eligible < model.structure.block_size
    assert_first_in_line(selection.grant_eligible, priority_key(rule, selection), eligible, model)
    offered = model.levers.grant_share[selection.grant_eligible]
    np.testing.assert_allclose(offered, s.grant_share_of_trial)


@pytest.mark.parametrize("rule", TARGETED)
def test_grants_paid_reach_only_targeted_municipalities(rule: str) -> None:
    selection = programme(rule)
    granted = granted_municipalities(rule)
    assert granted.sum() >= 50  # the rule is exercised, not vacuous
    outside = granted & ~selection.grant_eligible
    assert not outside.any(), f"{outside.sum()} municipalities outside the target got grants"


@pytest.mark.parametrize("rule", TARGETED)
def test_capacity_building_goes_to_those_first_in_line(rule: str) -> None:
    selection = programme(rule)
    leads, size = expected_leads(selection), selection.model.structure.block_size
    assert 0 < leads < math.ceil(selection.lever.settings.target_share * size)
    funded = selection.capacity_funded
    key = priority_key(rule, selection)
    assert_first_in_line_among(funded, key, leads, selection.lacking, selection.model)
    assert not (funded & ~selection.grant_eligible).any()  # the first in line are all eligible
    # Funded municipalities have an idea organisation and external scanning while funded.
    assert selection.idea_org[funded].all() and selection.scanning[funded].all()


def test_open_call_is_not_restricted() -> None:
    selection = programme("all")
    model = selection.model
    assert selection.grant_eligible.all()
    np.testing.assert_allclose(
        model.levers.grant_share, selection.lever.settings.grant_share_of_trial
    )
    # Grants paid reach municipalities that every targeted rule would leave out.
    granted = granted_municipalities("all")
    for rule in TARGETED:
        targeted = programme(rule).grant_eligible
        assert (granted & ~targeted).sum() >= 20, rule
    # Capacity goes to a random set: as many as the money buys, different in each
    # replication, favouring neither the small nor the central.
    funded = selection.capacity_funded
    leads = expected_leads(selection)
    first, second = (funded[columns] for columns in blocks(model))
    assert first.sum() == second.sum() == leads
    assert (first != second).sum() > leads // 2
    for rule in ("small", "central"):
        key = priority_key(rule, selection)
        for columns in blocks(model):
            place = np.argsort(np.argsort(key[columns]))  # 0 = first in line under the rule
            mean_place = place[funded[columns]].mean()
            # A random draw of 75 of 290 has mean place 144.5 with sd about 8.
            assert abs(mean_place - (model.structure.block_size - 1) / 2) < 40, (rule, mean_place)


@pytest.mark.parametrize("rule", TARGETED)
def test_process_fund_supports_municipalities_first_in_line(rule: str) -> None:
    scenario = load_scenario("danish_style").with_overrides({"process_fund.targeting": rule})
    selection = select(scenario, ProcessFund)
    s = selection.lever.settings
    supported = math.floor(s.total_msek / s.years / s.support_cost_msek_year + 1e-9)
    assert 0 < supported < selection.model.structure.block_size
    funded = selection.capacity_funded
    key = priority_key(rule, selection)
    assert_first_in_line_among(funded, key, supported, selection.lacking, selection.model)
    assert selection.idea_org[funded].all() and selection.scanning[funded].all()


def test_low_capacity_ranks_by_capacity_at_the_time_of_selection() -> None:
    scenario = load_scenario("programme_low_capacity").with_overrides(
        {
            "process_fund.enabled": True,
            "process_fund.start_month": 1,
            "process_fund.years": 2,  # still funding when the programme selects
        }
    )
    selection = select(scenario, InnovationProgramme)
    eligible = math.ceil(
        selection.lever.settings.target_share * selection.model.structure.block_size
    )
    key = priority_key("low_capacity", selection)
    assert_first_in_line(selection.grant_eligible, key, eligible, selection.model)


def test_two_levers_never_pay_for_the_same_capacity() -> None:
    scenario = load_scenario("programme").with_overrides(
        {
            "process_fund.enabled": True,
            "process_fund.start_month": 1,
            "process_fund.years": 2,
        }
    )
    selection = select(scenario, InnovationProgramme)
    capacity = selection.lever.capacity
    fund, programme_funded = capacity.funded["process_fund"], capacity.funded["programme"]
    assert fund.any() and programme_funded.any()
    assert not (fund & programme_funded).any()
    # Spending follows the municipalities actually funded, per replication.
    per_replication = programme_funded.reshape(selection.model.replications, -1).sum(axis=1)
    np.testing.assert_array_equal(selection.lever.leads_funded, per_replication)
