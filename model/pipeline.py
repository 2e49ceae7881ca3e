"""The pipeline of new innovations: ideas that arrive over the run besides a scenario's
named innovations.

Three origins bring them at their own yearly rates (``pipeline.*_per_year``): suppliers
(products), FoU environments (methods) and municipalities' own developments (methods).
Each origin has a queue of ideas, drawn once from ``pipeline.queue_seed`` so that every
replication and every scenario run with the same seed meets the same ideas (comparisons
pair). How many of them arrive, and when, is a Poisson process drawn per replication
from its own stream: the n-th arrival of an origin is the n-th idea of its queue. A
queue holds the 99th percentile of the origin's arrivals over the run; a replication
that draws more leaves the rest out (a 1 % chance per origin).

An idea's true benefit/cost ratio is lognormal with median ``ratio_median`` (most are
below 1: weak ideas); its promoters claim the true benefit times
``decision.claim_optimism`` times a lognormal factor; its running cost is lognormal
around ``cost_median_sek``; its relevance share is beta distributed with mean
``relevance_mean``. Everything else takes the register's defaults for an innovation;
a new product starts with one small-firm supplier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from model.state import NEVER
from model.streams import stream

# origin -> (rate parameter, kind, name prefix)
ORIGINS: dict[str, tuple[str, str, str]] = {
    "supplier": ("products_per_year", "product", "new_product"),
    "fou": ("fou_methods_per_year", "method", "new_fou_method"),
    "municipality": ("own_developments_per_year", "method", "new_own_method"),
}
# Words of the generated innovations' Swedish labels.
KIND_SV = {"product": "produkt", "method": "metod"}
ORIGIN_SV = {
    "supplier": "leverantör",
    "fou": "FoU",
    "municipality": "kommun",
    "development": "utveckling",
}
NAMED = "named"

# Products developed with the programme's development instrument (Demand Acceleration):
# their queue's ideas arrive when a funded challenge succeeds, not at a rate.
DEVELOPED = "development"
DEVELOPED_PREFIX = "new_developed_product"


def generated_label(origin: str, kind: str, number: int, lang: str) -> str:
    """A generated innovation's name in a report: "New product 3 (supplier)"."""
    if lang == "sv":
        return f"Ny {KIND_SV[kind]} {number} ({ORIGIN_SV[origin]})"
    return f"New {kind} {number} ({origin})"


def label_of_generated(name: str, lang: str) -> str | None:
    """The label ``generated_label`` gave the pipeline's innovation ``name`` (None if the
    name is not one the pipeline makes): reports can name them from the identifier alone."""
    kinds = {prefix: (origin, kind) for origin, (_, kind, prefix) in ORIGINS.items()}
    kinds[DEVELOPED_PREFIX] = (DEVELOPED, "product")
    prefix, _, number = name.rpartition("_")
    if prefix not in kinds or not number.isdigit():
        return None
    return generated_label(*kinds[prefix], int(number), lang)


DEVELOPMENT_ROOM = 3.0  # the development queue's room, in multiples of its own allocation
QUEUE_QUANTILE = 0.99
COST_LOG_SD = 0.5
RELEVANCE_CONCENTRATION = 4.0  # beta(a, b) with a + b = 4: a wide spread of shares


def queue_lengths(settings, months: int) -> dict[str, int]:
    """Ideas per origin's queue: the 99th percentile of its Poisson arrivals over the run."""
    years = months / 12.0
    lengths = {}
    for origin, (rate, _, _) in ORIGINS.items():
        mean = getattr(settings, rate) * years
        lengths[origin] = int(stats.poisson.ppf(QUEUE_QUANTILE, mean)) if mean > 0 else 0
    return lengths


def developed_queue_length(programme) -> int:
    """Ideas in the development instrument's queue: the 99th percentile of the successes
    of the challenges three times its own allocation buys (room for money moved in from
    instruments nobody applies to; successes beyond the queue are counted in the
    instrument's ``dropped``, not added)."""
    if not programme.enabled or programme.share_development <= 0:
        return 0
    allocation = programme.annual_budget_msek * programme.share_development * programme.years
    money = DEVELOPMENT_ROOM * allocation
    challenges = int(money / programme.development_cost_msek + 1e-9)
    success = programme.development_success
    return int(stats.binom.ppf(QUEUE_QUANTILE, challenges, success)) if challenges else 0


def queue_specs(scenario, innovation_model) -> tuple[list, list[str]]:
    """The queued ideas as innovation specs (validated like a scenario's own), and the
    origin of each."""
    settings = scenario.pipeline
    rng = stream(settings.queue_seed, "pipeline_queue")
    specs, origins = [], []
    lengths = queue_lengths(settings, scenario.run.months)
    lengths[DEVELOPED] = developed_queue_length(scenario.programme)
    kinds = {o: (kind, prefix) for o, (_, kind, prefix) in ORIGINS.items()}
    kinds[DEVELOPED] = ("product", DEVELOPED_PREFIX)
    for origin, length in lengths.items():
        kind, prefix = kinds[origin]
        for n in range(length):
            cost = settings.cost_median_sek * np.exp(COST_LOG_SD * rng.standard_normal())
            ratio = settings.ratio_median * np.exp(settings.ratio_log_sd * rng.standard_normal())
            claim = scenario.decision.claim_optimism * np.exp(
                settings.claim_log_sd * rng.standard_normal()
            )
            a = settings.relevance_mean * RELEVANCE_CONCENTRATION
            relevance = rng.beta(a, RELEVANCE_CONCENTRATION - a)
            spec = {
                "name": f"{prefix}_{n + 1:02d}",
                "label_en": generated_label(origin, kind, n + 1, "en"),
                "label_sv": generated_label(origin, kind, n + 1, "sv"),
                "kind": kind,
                "cost_sek_per_capita_year": float(cost),
                "benefit_sek_per_capita_year": float(cost * ratio),
                "claimed_benefit_sek_per_capita_year": float(cost * ratio * claim),
                "relevance_share": float(np.clip(relevance, 0.01, 1.0)),
            }
            if kind == "product":
                spec |= {"initial_suppliers": 1, "small_firm_supplier": True}
            specs.append(innovation_model(**spec))
            origins.append(origin)
    return specs, origins


@dataclass
class Arrivals:
    """When each innovation arrives in each replication: month per ledger row
    (replication x I + innovation); 0 for named innovations, NEVER if it never does."""

    month: np.ndarray  # (R * I,)
    origins: list[str]  # per innovation: named, supplier, fou or municipality

    @classmethod
    def draw(
        cls, origins: list[str], settings, months: int, rngs: list[np.random.Generator]
    ) -> Arrivals:
        """Per replication, from its own stream (``rngs``): each origin's number of
        arrivals (Poisson, at most its queue) and their months (uniform over the run, in
        order)."""
        month = np.where(np.array(origins) == NAMED, 0, NEVER)[None, :].repeat(len(rngs), axis=0)
        positions = {o: np.flatnonzero(np.array(origins) == o) for o in ORIGINS}
        for r, rng in enumerate(rngs):
            for origin, (rate, _, _) in ORIGINS.items():
                rows = positions[origin]
                count = rng.poisson(getattr(settings, rate) * months / 12.0)
                when = np.sort(rng.integers(1, months + 1, size=count))[: rows.size]
                month[r, rows[: when.size]] = when
        return cls(month.reshape(-1), origins)

    @classmethod
    def named_only(cls, n: int, replications: int) -> Arrivals:
        return cls(np.zeros(n * replications, dtype=np.int64), [NAMED] * n)

    def schedule(self, replication: int, rows: np.ndarray, count: int, month: int) -> int:
        """Let the next ``count`` ideas not yet scheduled among innovations ``rows`` (a
        queue, in order) arrive in ``replication`` at ``month``; returns how many the queue
        could still take."""
        ledger = replication * len(self.origins) + rows
        free = ledger[self.month[ledger] == NEVER][:count]
        self.month[free] = month
        return free.size

    def arrived(self, month: int) -> np.ndarray:
        """Bool per ledger row: the innovation is there by ``month``."""
        return (self.month != NEVER) & (self.month <= month)
