"""Targeting rules: in what order municipalities get a policy's limited support.

``priority`` gives each column its place (0 = first) within its own replication, ranking
the replication's ``Municipality`` agents by the rule's key, with a random order of the
replication's own breaking ties:
- all: the random order alone, so the open call favours nobody;
- low_capacity: fewest innovation capacities first (ties: lower procurement competence);
- small: smallest population first;
- central: most central in the neighbour graph first (eigenvector centrality), the "seed
  the leaders" strategy of the policy-diffusion literature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from model.agents import Municipality

if TYPE_CHECKING:
    from model.model import DiffusionModel

RULES: dict[str, Callable[[Municipality], tuple[float, ...]]] = {
    "all": lambda town: (),
    "low_capacity": lambda town: (town.capacities, town.competence),
    "small": lambda town: (town.population,),
    "central": lambda town: (-town.centrality,),
}


def priority(model: DiffusionModel, rule: str, rngs: list[np.random.Generator]) -> np.ndarray:
    """Each column's place in ``rule``'s order within its replication (taken now, so that
    capacities other levers gave count)."""
    if rule not in RULES:
        raise ValueError(f"unknown targeting rule {rule!r}; choose from {sorted(RULES)}")
    key = RULES[rule]
    size = model.structure.block_size
    towns = model.agents_by_type[Municipality].groupby("replication").groups
    rank = np.empty(model.structure.n, dtype=np.int64)
    for block, rng in enumerate(rngs):
        tiebreak = rng.permutation(size)
        ordered = sorted(towns[block], key=lambda t: (*key(t), tiebreak[t.index - block * size]))
        rank[[town.index for town in ordered]] = np.arange(size)
    return rank
