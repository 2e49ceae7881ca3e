"""Targeting rules: in what order municipalities get a policy's limited support.

``priority`` gives each column its place (0 = first) within its own replication.
- all: a random order (each replication its own), so the open call favours nobody;
- low_capacity: fewest innovation capacities first (ties: lower procurement competence);
- small: smallest population first;
- central: most central in the neighbour graph first (eigenvector centrality), the "seed
  the leaders" strategy of the policy-diffusion literature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    from model.model import DiffusionModel


def _rank(keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """Place of each element when sorted by ``keys`` (last key primary)."""
    order = np.lexsort(keys)
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank


def centrality(model: DiffusionModel) -> np.ndarray:
    """Eigenvector centrality of one replication's municipalities in the neighbour graph."""
    size = model.structure.block_size
    block = model.structure.neighbours[:size, :size]
    graph = nx.from_scipy_sparse_array(block)
    values = nx.eigenvector_centrality_numpy(graph)
    return np.array([values[k] for k in range(size)])


def priority(model: DiffusionModel, rule: str, rngs: list[np.random.Generator]) -> np.ndarray:
    size = model.structure.block_size
    traits = model.traits
    ranks = []
    for block, rng in enumerate(rngs):
        columns = slice(block * size, (block + 1) * size)
        tiebreak = rng.permutation(size)
        if rule == "all":
            keys = (tiebreak,)
        elif rule == "low_capacity":
            capacities = (
                traits.idea_org[columns].astype(int)
                + traits.peer_study[columns]
                + traits.scanning[columns]
                + traits.fair_visits[columns]
            )
            keys = (tiebreak, traits.competence[columns], capacities)
        elif rule == "small":
            keys = (tiebreak, traits.population[columns])
        elif rule == "central":
            keys = (tiebreak, -centrality(model))
        else:
            raise ValueError(f"unknown targeting rule {rule!r}")
        ranks.append(_rank(keys))
    return np.concatenate(ranks)
