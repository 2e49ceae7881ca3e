"""Invariants that hold in every month of every run, checked on random stressful settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.model import DiffusionModel
from model.scenario import Scenario
from model.stages import Stage
from model.state import NEVER

STRESS = st.fixed_dictionaries(
    {
        "suppliers.incumbent_fixed_msek_month": st.floats(0.05, 3.0),
        "suppliers.incumbent_cash_msek": st.floats(0.0, 20.0),
        "suppliers.entrant_cash_msek": st.floats(0.0, 5.0),
        "suppliers.incumbent_capacity": st.integers(1, 30),
        "suppliers.entrant_capacity": st.integers(1, 10),
        "suppliers.entry_rate": st.floats(0.0, 1.0),
        "adoption.stop_rate": st.floats(0.0, 0.05),
        "adoption.dissatisfaction_rate": st.floats(0.0, 0.2),
        "learning.half_life_months": st.floats(6.0, 240.0),
        "decision.claim_optimism": st.floats(0.5, 3.0),
        "mechanisms.contract_renewal": st.booleans(),
        "adoption.reprocure_probability": st.floats(0.0, 1.0),
        "municipalities.budget_sek_per_capita": st.floats(0.0, 100.0),
        "municipalities.budget_base_msek": st.floats(0.0, 1.0),
        "decision.hurdle": st.floats(0.0, 0.3),
        "decision.max_wait_months": st.integers(1, 30),
        "trials.retry_delay_months": st.integers(0, 24),
        "trials.retry_rate": st.floats(0.0, 0.5),
        "fou.capacity_trials_per_year": st.integers(0, 5),
    }
)


def check_month(model: DiffusionModel) -> None:
    state, market, n = model.state, model.market, model.structure.n
    stage = state.stage
    assert stage.min() >= Stage.UNAWARE and stage.max() <= Stage.DISCONTINUED
    counts = np.stack([(stage == s).sum(axis=1) for s in Stage], axis=1)
    assert (counts.sum(axis=1) == n).all()
    assert (model.traits.budget_left >= -1e-9).all(), "negative budget"
    assert (market.cash >= 0.0).all(), "negative supplier cash"
    has_supplier = state.supplier != NEVER
    assert market.alive[state.supplier[has_supplier]].all(), "customer on an exited supplier"
    assert np.isin(stage[has_supplier], [Stage.TRIALLING, Stage.ADOPTED]).all()
    running_product = (
        np.isin(stage, [Stage.TRIALLING, Stage.ADOPTED]) & model.needs_procurement[:, None]
    )
    # an adopter whose supplier exited keeps running until next month's re-procurement
    renewing = (stage == Stage.ADOPTED) & (state.contract_end == model.month + 1)
    stranded = (stage == Stage.ADOPTED) & model.needs_procurement[:, None] & ~has_supplier
    assert (state.contract_end[stranded] == model.month + 1).all(), (
        "a product adopter without a supplier and no re-procurement due"
    )
    assert (running_product <= has_supplier | renewing).all(), "product running without a supplier"
    assert (market.customers <= market.capacity).all(), "supplier over capacity"
    assert (model.fou.used <= model.fou.capacity).all(), "FoU environment over capacity"
    adopted = stage == Stage.ADOPTED
    assert (state.first_adopted[adopted] != NEVER).all()
    # only municipalities that need an innovation ever consider it
    assert (stage[~state.relevant] <= Stage.AWARE).all(), "irrelevant innovation taken up"
    # coverage: within [0, 1], and only adopters cover anyone
    assert ((state.coverage >= 0.0) & (state.coverage <= 1.0 + 1e-12)).all()
    assert (state.coverage[~adopted] == 0.0).all(), "coverage outside adoption"
    if model.scenario.mechanisms.trial_decision:
        assert (state.scaleup_month[adopted] != NEVER).all(), "adopted without a scale-up"
    stopped = stage == Stage.DISCONTINUED
    assert (state.stopped_month[stopped] != NEVER).all(), "discontinued without a month"
    assert (state.first_adopted <= model.month).all()
    for name in (
        "trials_started",
        "trials_failed",
        "municipal_spending_msek",
        "state_spending_msek",
    ):
        assert (getattr(model.accounts, name) >= 0).all(), name


def check_first_adoption(model: DiffusionModel, before: np.ndarray) -> np.ndarray:
    """The month of first adoption is set once, to the month it happens, and never moves
    (a municipality that leaves and adopts again keeps its first month); returns a copy."""
    now = model.state.first_adopted
    kept = before != NEVER
    assert (now[kept] == before[kept]).all(), "a first adoption month moved"
    assert (now[~kept & (now != NEVER)] == model.month).all()
    return now.copy()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), stress=STRESS)
def test_invariants_hold_every_month(
    baseline: Scenario,
    municipalities: pd.DataFrame,
    neighbours: pd.DataFrame,
    seed: int,
    stress: dict,
) -> None:
    scenario = baseline.with_overrides(stress | {"run.months": 72})
    model = DiffusionModel(
        scenario, seed=seed, municipalities=municipalities, neighbours=neighbours
    )
    first = model.state.first_adopted.copy()
    for _ in range(scenario.run.months):
        model.step()
        check_month(model)
        first = check_first_adoption(model, first)
    table = model.timeseries()
    assert table["fou_capacity_used"].between(0, 1).all()
    assert (table["ever_adopted_share"] >= table["adoption_share"] - 1e-12).all()
    # The reported last month is the state the run ended in.
    last = table[table["month"] == scenario.run.months]
    adopted = (model.state.stage == Stage.ADOPTED).mean(axis=1)
    ever = (model.state.first_adopted != NEVER).mean(axis=1)
    np.testing.assert_allclose(last["adoption_share"], adopted, rtol=0, atol=1e-12)
    np.testing.assert_allclose(last["ever_adopted_share"], ever, rtol=0, atol=1e-12)


def test_a_supplier_exit_strands_its_customers(
    baseline: Scenario, municipalities, neighbours
) -> None:
    """With costly suppliers and little cash, exits happen, and no customer stays on one."""
    scenario = baseline.with_overrides(
        {
            "suppliers.incumbent_fixed_msek_month": 2.0,
            "suppliers.incumbent_cash_msek": 5.0,
            "run.months": 120,
        }
    )
    model = DiffusionModel(scenario, seed=3, municipalities=municipalities, neighbours=neighbours)
    first = model.state.first_adopted.copy()
    for _ in range(scenario.run.months):
        model.step()
        check_month(model)
        first = check_first_adoption(model, first)
    assert model.market.exits > 0


def test_a_renewing_municipality_can_take_its_own_seat_back(
    baseline: Scenario, municipalities, neighbours
) -> None:
    """At renewal a buyer's current seat counts as room: with its supplier full and no other
    room in the market it still gets a supplier (its own), where a new buyer would not."""
    scenario = baseline.with_overrides(
        {"suppliers.incumbent_capacity": 4, "suppliers.entry_rate": 0.0, "run.months": 96}
    )
    model = DiffusionModel(scenario, seed=3, municipalities=municipalities, neighbours=neighbours)
    market, state = model.market, model.state
    for _ in range(scenario.run.months):
        model.step()
    spare = np.where(market.alive, market.capacity - market.customers, 0)
    per_market = market.params.max_per_innovation
    full_markets = np.flatnonzero(
        (spare.reshape(-1, per_market).sum(axis=1) == 0)
        & (market.customers.reshape(-1, per_market).sum(axis=1) > 0)
    )
    assert full_markets.size, "the set-up should fill a market"
    slot = int(
        full_markets[0] * per_market
        + np.argmax(market.customers.reshape(-1, per_market)[full_markets[0]])
    )
    cell = int(np.flatnonzero((state.supplier == slot) & (state.stage == Stage.ADOPTED))[0])
    own = np.bincount([slot], minlength=market.alive.size)
    assert model.procurement.tender(np.array([cell]))[0] == NEVER
    assert model.procurement.tender(np.array([cell]), extra_room=own)[0] == slot
