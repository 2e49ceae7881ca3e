"""The decision to trial is the rule docs/ODD.md derives: a trial is worth the option to
scale up after seeing the own result, against the municipality's own money at risk with
a risk premium. Checked against an independent computation on a handful of cells, and
levers shown to act only through money (a grant) and expected refunds (risk sharing)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from model.model import DiffusionModel
from model.stages import Stage
from model.transitions import procurement_terms


@pytest.fixture(scope="module")
def model(baseline):
    built = DiffusionModel(baseline.with_overrides({"run.months": 36}), seed=[4, 5]).run()
    return built


def cells(model: DiffusionModel) -> np.ndarray:
    """A handful of cells across innovations, sizes and replications."""
    k = np.flatnonzero(model.state.stage.reshape(-1) >= Stage.UNAWARE)
    return np.random.default_rng(0).choice(k, size=12, replace=False)


def expected_price(model: DiffusionModel, k: int) -> float:
    """The ODD's expected price, read off the market one cell at a time: its supplier's
    price; for a product without one the cheapest trading supplier's (list if none)."""
    i, j = divmod(k, model.state.n_columns)
    market = model.market
    supplier = int(model.state.flat["supplier"][k])
    if supplier >= 0:
        return float(market.price[supplier])
    if not model.needs_procurement[i]:
        return float(model.innovations.cost[i])
    row = (j // model.structure.block_size) * len(model.innovations) + i
    trading = [s for s in range(market.alive.size) if market.row[s] == row and market.alive[s]]
    return min((float(market.price[s]) for s in trading), default=float(model.innovations.cost[i]))


def expected_margin(model: DiffusionModel, k: int, grant: float, risk_share: float) -> float:
    """The ODD's rule computed afresh: E[max(0, V(M'))] by numerical integration over the
    belief after the trial (at the price the cell expects), minus own money at risk x
    (1 + risk aversion)."""
    scenario = model.scenario
    d, inn = scenario.decision, model.innovations
    i, j = divmod(int(k), model.state.n_columns)
    population = model.traits.population[j] / 1e6
    running = inn.cost[i] * population
    implementation = inn.implementation[i] * population
    years, rate = d.horizon_years, d.discount_rate
    annuity = sum((1 + rate) ** -t for t in range(1, years + 1))
    aversion = d.risk_aversion_scale * (1 - model.traits.risk_tolerance[j])
    price_ratio = expected_price(model, int(k)) / inn.cost[i]
    m_star = price_ratio + d.hurdle + (1 + aversion) * implementation / (running * annuity)
    mean, sd = (float(x[0]) for x in model.learning.belief(np.array([k])))
    own = 1 / (scenario.learning.own_result_weight / scenario.learning.observation_sd**2)
    spread = sd**2 / np.sqrt(sd**2 + own)  # sd of the belief after seeing the own result
    belief_after = stats.norm(mean, spread)
    value, _ = integrate.quad(
        lambda m: max(0.0, (m - m_star) * running * annuity) * belief_after.pdf(m),
        mean - 12 * spread,
        mean + 12 * spread,
        points=[m_star],
        limit=200,
    )
    no_scale_up = belief_after.cdf(m_star)
    product = bool(model.needs_procurement[i])
    own_trial = inn.trial_cost[i] * (1 - grant)
    _, procurement = procurement_terms(model, np.array([j]))
    at_risk = own_trial + (procurement[0] if product else 0.0)
    at_risk -= risk_share * product * own_trial * no_scale_up
    return value - at_risk * (1 + aversion)


@pytest.mark.parametrize(("grant", "risk_share"), [(0.0, 0.0), (0.5, 0.0), (0.0, 0.4)])
def test_the_margin_is_the_rule_of_the_odd(model, grant: float, risk_share: float) -> None:
    k = cells(model)
    model.levers.grant_share[:] = grant
    model.levers.grant_pot[:] = 100.0
    model.levers.risk_share[:] = risk_share
    try:
        got = model.decision.margin(k)
    finally:
        model.levers.grant_share[:] = 0.0
        model.levers.grant_pot[:] = 0.0
        model.levers.risk_share[:] = 0.0
    expected = [expected_margin(model, cell, grant, risk_share) for cell in k]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)
    assert (np.array(expected) > 0).any() and (np.array(expected) < 0).any()  # both sides


def test_a_grant_changes_the_decision_only_through_the_money_at_risk(model) -> None:
    """With half the trial paid, the margin rises by exactly that half times (1 + risk
    aversion): the value of the trial and the risk attitude do not move."""
    k = cells(model)
    before = model.decision.margin(k)
    model.levers.grant_share[:] = 0.5
    model.levers.grant_pot[:] = 100.0
    try:
        after = model.decision.margin(k)
    finally:
        model.levers.grant_share[:] = 0.0
        model.levers.grant_pot[:] = 0.0
    i, j = np.divmod(k, model.state.n_columns)
    aversion = model.decision.risk_aversion[j]
    saved = 0.5 * model.innovations.trial_cost[i] * (1 + aversion)
    np.testing.assert_allclose(after - before, saved, rtol=1e-12)
    # an empty pot offers nothing: the margin is the one without a grant
    model.levers.grant_share[:] = 0.5
    try:
        np.testing.assert_array_equal(model.decision.margin(k), before)
    finally:
        model.levers.grant_share[:] = 0.0
