"""What a trial and a scale-up are worth to one municipality, in MSEK (docs/ODD.md,
"Decision to trial").

A municipality believes its own benefit/cost ratio R is normal (mean ``mean``, sd
``sd``). Scaling up is worth V(R) = (R - m*) x running x annuity, where ``running`` is
its yearly running cost (MSEK), ``annuity`` the present value of one MSEK a year over
the horizon, and m* = 1 + hurdle + (1 + risk aversion) x implementation / (running x
annuity) the ratio at which scaling up breaks even, the implementation money carrying
the same risk premium as the trial's. A trial reveals R with the precision of an own result,
so the belief after it, M', is normal around ``mean`` with sd s' = sd^2 / sqrt(sd^2 +
tau^2); the trial is worth E[max(0, V(M'))] = running x annuity x ((mean - m*) Phi(d)
+ s' phi(d)), d = (mean - m*) / s', the value of being able to say no after seeing.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

SQRT_2PI = np.sqrt(2.0 * np.pi)


def annuity(years: float, rate: float) -> float:
    """Present value of 1 a year for ``years`` years at ``rate`` (years when rate is 0)."""
    return years if rate == 0.0 else (1.0 - (1.0 + rate) ** -years) / rate


def break_even_ratio(
    running: np.ndarray,
    implementation: np.ndarray,
    hurdle: float,
    annuity_factor: float,
    risk_aversion: np.ndarray | float = 0.0,
) -> np.ndarray:
    """The benefit/cost ratio m* at which scaling up pays its hurdle and its implementation
    cost with the risk premium on that money."""
    at_risk = (1.0 + risk_aversion) * implementation
    return 1.0 + hurdle + at_risk / np.maximum(running * annuity_factor, 1e-12)


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
