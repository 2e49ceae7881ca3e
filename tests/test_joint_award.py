"""Shared procurement's joint award: suppliers bid on a consortium's committed volume (and
pay for bidding), one wins a contract that members call off at its price, the price a
municipality expects enters its decision, and a winner's exit voids the contract."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from batching import assert_same_alone_as_in_batch

from model import prices
from model.model import DiffusionModel
from model.policies.joint_award import bid_prices
from model.scenario import load_scenario
from model.stages import Stage
from model.state import NEVER
from model.valuation import ScaleUpTerms

PRODUCT = "e_service"


def test_bids_fall_with_committed_volume_and_with_the_number_of_bidders() -> None:
    args = dict(progress_ratio=0.9, pass_through=1.0, min_price_ratio=0.5, discount=0.15)
    list_price, experience = np.array([20.0]), np.array([3.0])
    small, large = (bid_prices(list_price, experience, v, 1, **args) for v in (2, 40))
    assert large < small < list_price
    lone, crowded = (bid_prices(list_price, experience, 10, n, **args) for n in (1, 5))
    np.testing.assert_allclose(crowded / lone, 1.0 - 0.15 * (1.0 - 1.0 / 5))
    # A lone bidder asks what its experience curve gives at that volume, no more.
    np.testing.assert_allclose(lone, 20.0 * (1.0 + 3.0 + 10) ** np.log2(0.9))
    floor = bid_prices(list_price, experience, 10**6, 1, **args)
    np.testing.assert_allclose(floor, 20.0 * 0.5)


def _at_start(overrides: dict | None = None, name: str = "shared_procurement_national"):
    scenario = load_scenario(name).with_overrides({"run.months": 60, **(overrides or {})})
    model = DiffusionModel(scenario, seed=[3, 4])
    while model.month < scenario.shared_procurement.start_month:
        model.step()
    return model


def _with_contract() -> DiffusionModel:
    """A national consortium model in the month its first contract for PRODUCT (in the
    first replication) is awarded."""
    model = _at_start()
    i = model.innovations.index(PRODUCT)
    while model.levers.contracts.supplier[i, 0] == NEVER:
        model.step()
        assert model.month < 60
    return model


def _member_cells_needing(model: DiffusionModel, i: int) -> np.ndarray:
    contracts = model.levers.contracts
    state = model.state
    columns = np.flatnonzero(contracts.consortium != NEVER)
    return i * state.n_columns + columns


def test_an_award_charges_every_bidder_and_members_call_off_the_winner() -> None:
    model = _with_contract()
    contracts, market = model.levers.contracts, model.market
    i = model.innovations.index(PRODUCT)
    row = i  # replication 0
    # Tender again (as at a contract's end), watching cash and capacity.
    contracts.supplier[row, 0] = NEVER
    cash, capacity = market.cash.copy(), market.capacity.copy()
    counts, _ = contracts.committed()
    committed = counts[row * len(contracts.names) + 0]
    assert committed > 0
    contracts.award(np.array([row]), np.array([0]))
    winner = contracts.supplier[row, 0]
    assert winner != NEVER and market.alive[winner]
    paid = cash - market.cash
    bidders = np.flatnonzero(paid > 0)
    np.testing.assert_allclose(paid[bidders], model.scenario.suppliers.bid_cost_msek)
    assert winner in bidders and contracts.log[-1][6] == bidders.size
    np.testing.assert_array_equal(capacity, market.capacity)  # seats come with call-offs
    # Members call the contract off at its price until it ends; nobody else does.
    k = _member_cells_needing(model, i)
    k = k[k % model.state.n_columns < model.structure.block_size]  # replication 0
    slots, prices, ends = contracts.call_off(k)
    assert (slots == winner).all()
    np.testing.assert_allclose(prices, contracts.price[row, 0])
    assert (ends == contracts.end[row, 0]).all()
    outsiders = i * model.state.n_columns + np.flatnonzero(contracts.consortium == NEVER)
    slots, prices, _ = contracts.call_off(outsiders)
    assert (slots == NEVER).all() and np.isnan(prices).all()
    # The winner's capacity grows to seat the call-offs that are new customers.
    new = k[model.state.flat["supplier"][k] != winner]
    model.procurement.call_offs(k)
    assert market.capacity[winner] >= market.customers[winner] + new.size


def test_the_contract_price_enters_the_decision_of_members() -> None:
    model = _with_contract()
    contracts = model.levers.contracts
    i = model.innovations.index(PRODUCT)
    k = _member_cells_needing(model, i)
    k = k[model.state.flat["supplier"][k] == NEVER][:20]
    terms = ScaleUpTerms.of(model)
    _, _, m_star = terms.at(k)
    rows = model.ledger_rows(k)
    contracts.price[rows, 0] *= 0.5  # a cheaper contract
    _, _, cheaper = terms.at(k)
    list_price = model.innovations.cost[i]
    np.testing.assert_allclose(m_star - cheaper, contracts.price[rows, 0] / list_price)


def test_a_winners_exit_voids_the_contract_and_members_tender_again() -> None:
    model = _with_contract()
    contracts, market = model.levers.contracts, model.market
    i = model.innovations.index(PRODUCT)
    winner = contracts.supplier[i, 0]
    market.alive[winner] = False
    assert not contracts.live(np.array([i]), np.array([0]))[0]
    k = _member_cells_needing(model, i)[:5]
    slots, _, _ = contracts.call_off(k)
    assert (slots == NEVER).all()
    # The next member that needs a supplier starts a new tender.
    state = model.state
    cell = int(k[0])
    state.flat["stage"][cell] = Stage.DECIDED
    state.flat["procure_end"][cell] = model.month
    awards = len(contracts.log)
    contracts.tender_where_needed()
    assert len(contracts.log) == awards + 1
    assert market.alive[contracts.supplier[i, 0]]  # a trading supplier won the new tender


def test_a_contract_ends_early_in_the_table_when_its_winner_exits() -> None:
    model = _with_contract()
    contracts, market = model.levers.contracts, model.market
    i = model.innovations.index(PRODUCT)
    winner = contracts.supplier[i, 0]
    market.cash[winner] = -1.0  # it cannot pay: it exits at this month's settlement
    market.settle_month()
    table = model.contract_awards()
    row = table[(table["replication"] == 0) & (table["innovation"] == PRODUCT)].iloc[-1]
    assert row["end_month"] == model.month < contracts.end[i, 0]


def test_members_pay_the_contract_price_while_the_contract_runs() -> None:
    model = _at_start()
    for _ in range(36):
        model.step()
    state = model.state
    on_contract = np.flatnonzero(
        ~np.isnan(state.flat["contract_price"]) & (state.flat["supplier"] != NEVER)
    )
    assert on_contract.size > 0
    i = on_contract // state.n_columns
    running = state.flat["contract_until"][on_contract] > model.month
    paid = prices.paid(model, on_contract, i)
    np.testing.assert_array_equal(paid[running], state.flat["contract_price"][on_contract[running]])
    # Once the consortium's contract has ended, the supplier's own price applies.
    state.flat["contract_until"][on_contract] = model.month
    supplier = state.flat["supplier"][on_contract]
    np.testing.assert_array_equal(prices.paid(model, on_contract, i), model.market.price[supplier])


def test_suppliers_book_revenue_minus_unit_cost_at_a_contract_price() -> None:
    model = _with_contract()
    market = model.market
    slot = int(np.flatnonzero(market.alive)[0])
    own_price, unit_cost = market.price[slot], market.unit_cost[slot]
    contract_price = 0.8 * own_price
    supplier = np.array([slot, slot])
    running = np.array([2.0, 3.0])  # MSEK this month: at its own price, at the contract's
    model.events.supplier_payments = (supplier, running, np.array([own_price, contract_price]))
    market.book_revenue()
    expected = 2.0 * market.margin_share[slot] + 3.0 * (1.0 - unit_cost / contract_price)
    np.testing.assert_allclose(market.contribution[slot], expected)
    np.testing.assert_allclose(market.revenue[slot], 5.0)
    cash = market.cash[slot]
    market.settle_month()
    np.testing.assert_allclose(market.cash[slot], cash + expected - market.fixed_cost[slot])


def test_a_replication_gets_the_same_contracts_alone_or_in_a_batch() -> None:
    scenario = load_scenario("shared_procurement").with_overrides({"run.months": 96})
    assert_same_alone_as_in_batch(scenario, [41, 42, 43], 2, ("contracts", "timeseries"))


def test_shared_procurement_acts_only_through_procurement_terms_and_contracts() -> None:
    """In its start month (the lever's step alone) the lever sets members' procurement
    terms and risk share and awards contracts: only bidders' cash changes in the market,
    and no other lever array."""
    base = load_scenario("baseline").with_overrides({"run.months": 60})
    shared = load_scenario("shared_procurement").with_overrides(
        {"run.months": 60, "shared_procurement.risk_share": 0.2}
    )
    start = shared.shared_procurement.start_month
    models = [DiffusionModel(s, seed=[7, 8]) for s in (base, shared)]
    for model in models:
        for _ in range(start - 1):
            model.step()
        model.month += 1
        for module in model.policies:
            module.step()
    a, b = (m.levers for m in models)
    changed = {
        f.name
        for f in dataclasses.fields(a)
        if f.name != "contracts"
        and not np.array_equal(np.asarray(getattr(a, f.name)), np.asarray(getattr(b, f.name)))
    }
    assert changed == {"procurement_lead_factor", "procurement_cost_factor", "risk_share"}
    members = models[1].policies[0].members
    assert (b.procurement_lead_factor[~members] == 1.0).all()
    assert a.contracts is None and b.contracts is not None
    awarded = b.contracts.supplier[b.contracts.supplier != NEVER]
    assert awarded.size > 0
    cash_changed = np.flatnonzero(models[0].market.cash != models[1].market.cash)
    assert (models[1].market.cash[cash_changed] < models[0].market.cash[cash_changed]).all()
    assert set(awarded) <= set(cash_changed)
    np.testing.assert_array_equal(models[0].market.capacity, models[1].market.capacity)
    for name in ("stage", "supplier", "coverage"):
        np.testing.assert_array_equal(
            getattr(models[0].state, name), getattr(models[1].state, name)
        )


@pytest.mark.parametrize("consortia", ["county", "national"])
def test_awards_table_has_one_row_per_award(consortia: str) -> None:
    model = _at_start({"shared_procurement.consortia": consortia}, name="shared_procurement")
    table = model.contract_awards()
    assert len(table) == len(model.levers.contracts.log) > 0
    assert set(table["consortium"]) <= set(
        ["national"] if consortia == "national" else model.structure.counties.labels
    )
