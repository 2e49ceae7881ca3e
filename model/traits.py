"""Initial municipal heterogeneity: capacities, budgets, risk tolerance, competence.

The four innovation capacities are drawn so that their national shares equal the survey
shares (SOU 2003:90) while larger municipalities are more likely to have them
(``size_gradient`` log-odds per standard deviation of log population).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logit

from model.reference.size_classes import size_class_index


@dataclass
class MunicipalityTraits:
    population: np.ndarray  # inhabitants (N,)
    idea_org: np.ndarray  # bool (N,)
    peer_study: np.ndarray
    scanning: np.ndarray
    fair_visits: np.ndarray
    budget_per_year: np.ndarray  # MSEK (N,)
    budget_left: np.ndarray  # MSEK left this year (N,)
    risk_tolerance: np.ndarray  # 0-1 (N,)
    competence: np.ndarray  # procurement competence 0-1 (N,)
    trial_slots: np.ndarray  # concurrent trials (N,)
    # Raised whenever a lever changes capacities, so modules that derive arrays from them
    # (external hazard, consideration rate) know to recompute.
    revision: int = 0

    def capacity_count(self, j: np.ndarray | int) -> np.ndarray | int:
        """How many of the four innovation capacities columns ``j`` have now (idea
        organisation, peer study, scanning, trade fairs): what targeting ranks by."""
        return (
            self.idea_org[j].astype(int)
            + self.peer_study[j]
            + self.scanning[j]
            + self.fair_visits[j]
        )

    @classmethod
    def concatenate(cls, parts: list[MunicipalityTraits]) -> MunicipalityTraits:
        """Side by side, for replications held in one model."""
        arrays = [f.name for f in fields(cls) if f.name != "revision"]
        return cls(*(np.concatenate([getattr(p, name) for p in parts]) for name in arrays))


def _capacity(share: float, size_score: np.ndarray, gradient: float, u: np.ndarray) -> np.ndarray:
    """Bernoulli draws with mean ``share`` whose log-odds rise with ``size_score``."""
    if share <= 0.0 or share >= 1.0:
        return np.full(size_score.shape, share >= 1.0)
    offset = _log_odds_offset(share, gradient, size_score.tobytes())
    return u < expit(offset + gradient * size_score)


@lru_cache(maxsize=16)
def _log_odds_offset(share: float, gradient: float, size_score_bytes: bytes) -> float:
    """The offset that makes the mean probability ``share`` (the same for every replication
    of a model, so solved once)."""
    size_score = np.frombuffer(size_score_bytes)

    def mean_gap(offset: float) -> float:
        return float(expit(offset + gradient * size_score).mean() - share)

    return brentq(mean_gap, -30.0, 30.0)


def _beta(mean: float, concentration: float, n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=n)


def draw_traits(
    population: np.ndarray, size_labels: list[str], params, rng: np.random.Generator
) -> MunicipalityTraits:
    """Draw every trait from ``rng`` in a fixed order (same seed, same municipalities)."""
    n = len(population)
    log_population = np.log(population.astype(float))
    size_score = (log_population - log_population.mean()) / max(log_population.std(), 1e-9)
    u = rng.random((4, n))
    budget_noise = rng.standard_normal(n)
    risk = _beta(params.risk_tolerance_mean, params.risk_tolerance_concentration, n, rng)
    competence_noise = rng.standard_normal(n)
    large = np.array([size_class_index(label) >= 3 for label in size_labels])

    budget_mean = params.budget_base_msek + params.budget_sek_per_capita * population / 1e6
    if params.homogeneous:
        zeros = np.zeros(n, dtype=bool)
        budget = np.full(n, budget_mean.mean())
        return MunicipalityTraits(
            population=population.astype(float),
            idea_org=zeros,
            peer_study=zeros.copy(),
            scanning=zeros.copy(),
            fair_visits=zeros.copy(),
            budget_per_year=budget,
            budget_left=budget.copy(),
            risk_tolerance=np.full(n, params.risk_tolerance_mean),
            competence=np.full(n, params.competence_mean),
            trial_slots=np.full(n, params.base_trial_slots),
        )
    gradient = params.size_gradient
    idea_org = _capacity(params.share_idea_org, size_score, gradient, u[0])
    # Larger municipalities also have more procurement competence (same size gradient).
    competence = expit(
        logit(params.competence_mean)
        + gradient * size_score
        + params.competence_sd * competence_noise
    )
    sd = params.budget_sd
    budget = budget_mean * np.exp(sd * budget_noise - sd * sd / 2.0)
    return MunicipalityTraits(
        population=population.astype(float),
        idea_org=idea_org,
        peer_study=_capacity(params.share_peer_study, size_score, gradient, u[1]),
        scanning=_capacity(params.share_scanning, size_score, gradient, u[2]),
        fair_visits=_capacity(params.share_fair_visits, size_score, gradient, u[3]),
        budget_per_year=budget,
        budget_left=budget.copy(),
        risk_tolerance=risk,
        competence=competence,
        trial_slots=params.base_trial_slots
        + idea_org.astype(int)
        + params.large_extra_slots * large,
    )
