"""What a trial and a scale-up are worth to one municipality, in MSEK (docs/ODD.md,
"Decision to trial").

A municipality believes its own benefit/cost ratio R is normal (mean ``mean``, sd
``sd``). Scaling up is worth V(R) = (R - m*) x running x annuity, where ``running`` is
its yearly running cost (MSEK), ``annuity`` the present value of one MSEK a year over
the horizon, and m* = 1 + hurdle + (1 + risk aversion) x implementation / (running x
annuity) the ratio at which scaling up breaks even, the implementation money carrying
the same risk premium as the trial's. Benefit/cost ratios are against the innovation's
list running cost; a municipality that expects to pay another price (``model/prices.py``)
needs that much more or less: the 1 in m* is its price over list. A trial reveals R with the precision of an own result,
so the belief after it, M', is normal around ``mean`` with sd s' = sd^2 / sqrt(sd^2 +
tau^2); the trial is worth E[max(0, V(M'))] = running x annuity x ((mean - m*) Phi(d)
+ s' phi(d)), d = (mean - m*) / s', the value of being able to say no after seeing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr

from model import prices

if TYPE_CHECKING:
    from model.model import DiffusionModel

SQRT_2PI = np.sqrt(2.0 * np.pi)


def annuity(years: float, rate: float) -> float:
    """Present value of 1 a year for ``years`` years at ``rate`` (years when rate is 0)."""
    return years if rate == 0.0 else (1.0 - (1.0 + rate) ** -years) / rate


def break_even_ratio(
    running: np.ndarray,
    implementation: np.ndarray,
    hurdle: np.ndarray | float,
    annuity_factor: float,
    risk_aversion: np.ndarray | float = 0.0,
    price_ratio: np.ndarray | float = 1.0,
) -> np.ndarray:
    """The benefit/cost ratio m* at which scaling up pays the price (``price_ratio`` x
    list), its hurdle and its implementation cost with the risk premium on that money."""
    at_risk = (1.0 + risk_aversion) * implementation
    return price_ratio + hurdle + at_risk / np.maximum(running * annuity_factor, 1e-12)


def trial_value(
    mean: np.ndarray,
    sd: np.ndarray,
    own_result_sd: float,
    m_star: np.ndarray,
    running: np.ndarray,
    annuity_factor: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected value (MSEK) of trialling: the option to scale up after seeing the own
    result; and the chance the trial ends without a scale-up (P(M' < m*))."""
    spread = sd**2 / np.sqrt(sd**2 + own_result_sd**2)
    d = (mean - m_star) / spread
    density = np.exp(-0.5 * d * d) / SQRT_2PI
    value = running * annuity_factor * ((mean - m_star) * ndtr(d) + spread * density)
    return value, ndtr(-d)


@dataclass(frozen=True)
class ScaleUpTerms:
    """What scaling up means in money for the cells of one model: the decision to trial
    values it before the trial, the scale-up decides on it after; one rule for both."""

    model: DiffusionModel
    hurdle: np.ndarray  # (N,) each column's block's hurdle
    annuity_factor: float
    risk_aversion: np.ndarray  # premium per MSEK of own money at risk (N,)

    @classmethod
    def of(cls, model: DiffusionModel) -> ScaleUpTerms:
        decision = model.scenario.decision
        return cls(
            model=model,
            hurdle=model.blocks.columns("decision.hurdle"),
            annuity_factor=annuity(decision.horizon_years, decision.discount_rate),
            risk_aversion=decision.risk_aversion_scale * (1.0 - model.traits.risk_tolerance),
        )

    def at(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Yearly running cost C at list price, implementation cost I (both MSEK) and
        break-even ratio m* at flat cells ``k`` (at the price each expects to pay)."""
        model = self.model
        inn = model.innovations
        i, j = np.divmod(k, model.state.n_columns)
        population = model.traits.population[j] / 1e6
        running = inn.cost[i] * population
        implementation = inn.implementation[i] * population
        price_ratio = prices.expected(model, k) / inn.cost[i]
        m_star = break_even_ratio(
            running,
            implementation,
            self.hurdle[j],
            self.annuity_factor,
            self.risk_aversion[j],
            price_ratio,
        )
        return running, implementation, m_star
