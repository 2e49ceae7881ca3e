"""Awareness: unaware municipalities hear of an innovation through external and peer channels.

The monthly probability is the sum of the channel rates (capped at 1), the discrete-time
form of the Bass model: external channels play the role of p and peer channels of q.
Peer channels count adopters among border neighbours, in the county, in the size class,
among co-members of FoU environments and (fully mixed) in the whole country.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from model.stages import Stage
from model.structure import PeerOperator, group_channel

if TYPE_CHECKING:
    from model.model import DiffusionModel


def external_base_hazard(model: DiffusionModel) -> np.ndarray:
    """(I, N) hazard from marketing, media and scanning, before any policy boost."""
    p, traits, inn = model.spec.awareness, model.traits, model.innovations
    scanning = 1.0 + p.scanning_effect * traits.scanning
    hazard = np.outer(inn.external_rate, scanning)
    hazard += np.outer(inn.external_rate * inn.is_product, p.fair_visit_effect * traits.fair_visits)
    return hazard


def peer_multiplier(model: DiffusionModel) -> np.ndarray:
    """(I, N) how strongly a municipality reacts to peers, times the innovation's observability."""
    study = 1.0 + model.spec.awareness.peer_study_effect * model.traits.peer_study
    return np.outer(model.innovations.observability, study)


def awareness_operator(model: DiffusionModel) -> PeerOperator:
    """All switched-on peer channels, weighted, as one operator on the adopter matrix."""
    p, switches, structure = model.spec.awareness, model.spec.mechanisms, model.structure
    network = []
    if switches.peer_neighbours and p.neighbours:
        row_normalised = (
            sp.diags_array(p.neighbours / structure.neighbour_degree) @ structure.neighbours
        )
        network.append((sp.csr_array(row_normalised), None))
    memberships = [
        (*group_channel(groups, weight), None)
        for groups, weight in (
            (structure.counties, p.county if switches.peer_county else 0.0),
            (structure.size_classes, p.size_class if switches.peer_size_class else 0.0),
            (structure.nation, p.national if switches.peer_national else 0.0),
        )
        if weight
    ]
    if switches.peer_fou and p.fou:
        kind_weight = np.where(model.innovations.is_product, p.fou_product_weight, 1.0)
        memberships.append((*structure.fou_share_channel(p.fou), kind_weight))
    return PeerOperator(network, memberships)


def spread_awareness(model: DiffusionModel, u: np.ndarray) -> None:
    state = model.state
    unaware = state.stage == Stage.UNAWARE
    if not unaware.any():
        return
    if state.adopters_changed:
        model.peer_hazard = (
            model.awareness_peers.apply(state.adopted_matrix()) * model.peer_multiplier
        )
        state.adopters_changed = False
    hazard = model.peer_hazard
    if model.spec.mechanisms.external_awareness:
        hazard = hazard + model.external_hazard
        if model.levers.external_boost.any():
            hazard = hazard + model.levers.external_boost[:, None]
    newly = np.flatnonzero(unaware & (u < hazard))
    state.move(newly, Stage.AWARE, model.month)
