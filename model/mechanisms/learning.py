"""Learning: trial results are evidence that updates municipalities' beliefs.

Beliefs about an innovation's benefit/cost ratio are normal; each observed result adds
precision ``weight / observation_sd**2`` (conjugate normal updating). A municipality sees
its own result with ``own_result_weight``; border neighbours', county and size-class
peers' results with their channel weights times the innovation's observability; and
every result pooled by an FoU environment it belongs to in full. This is how early
trials make later decisions easier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.structure import PeerOperator, group_channel

if TYPE_CHECKING:
    from model.model import DiffusionModel


def learning_operator(model: DiffusionModel) -> PeerOperator:
    """Channels of evidence, applied to counts and results stacked (2I, N)."""
    p, structure = model.spec.learning, model.structure
    observability = np.tile(model.innovations.observability, 2)
    network = [(p.neighbours * structure.neighbours, observability)] if p.neighbours else []
    memberships = [
        (*group_channel(groups, weight, mean=False), observability)
        for groups, weight in (
            (structure.counties, p.county),
            (structure.size_classes, p.size_class),
        )
        if weight
    ]
    if p.fou:
        memberships.append((*structure.fou_pool_channel(p.fou), None))
    return PeerOperator(network, memberships)


def learn_from_results(model: DiffusionModel, k: np.ndarray, realised: np.ndarray) -> None:
    p, state = model.spec.learning, model.state
    cells = state.stage.size
    observed = np.zeros((2 * state.stage.shape[0], state.n_municipalities))
    observed.reshape(-1)[k] = 1.0
    observed.reshape(-1)[cells + k] = realised
    municipalities = np.unique(k % state.n_municipalities)  # results come from these only
    evidence = model.learning_peers.apply(observed, nonzero=municipalities)
    precision = 1.0 / p.observation_sd**2
    n_innovations = state.stage.shape[0]
    state.belief_precision += precision * evidence[:n_innovations]
    state.belief_weighted_sum += precision * evidence[n_innovations:]
    own = p.own_result_weight * precision
    state.flat["belief_precision"][k] += own
    state.flat["belief_weighted_sum"][k] += own * realised
