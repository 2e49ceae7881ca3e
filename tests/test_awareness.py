"""The peer awareness hazard kept from adopter counts equals the ODD's channel formula
computed afresh (written here with dense arrays), as adopters come and go."""

from __future__ import annotations

import numpy as np

from model.mechanisms.awareness import PeerAwareness
from model.model import DiffusionModel


def expected_hazard(model: DiffusionModel, adopted: np.ndarray) -> np.ndarray:
    p, s, inn = model.scenario.awareness, model.structure, model.innovations
    a = adopted.astype(float)  # (I, N)
    adjacency = s.neighbours.toarray()
    degree = np.maximum(adjacency.sum(axis=1), 1.0)
    peer = p.neighbours * (a @ adjacency.T) / degree
    for groups, weight in (
        (s.counties, p.county),
        (s.size_classes, p.size_class),
        (s.nation, p.national),
    ):
        same = groups.index[:, None] == groups.index[None, :]  # (N, N) same group
        peer += weight * (a @ same.T) / same.sum(axis=1)
    fou = s.fou_members.toarray() > 0  # (F, N)
    share = (a @ fou.T) / np.maximum(fou.sum(axis=1), 1)  # (I, F) share of each environment
    memberships = fou.sum(axis=0)
    mean_share = np.divide(share @ fou, memberships, out=np.zeros_like(a), where=memberships > 0)
    kind = np.where(inn.is_product, p.fou_product_weight, 1.0)[:, None]
    peer += p.fou * kind * mean_share
    study = 1.0 + p.peer_study_effect * model.traits.peer_study
    return peer * inn.observability[:, None] * study


def test_kept_counts_give_the_channel_formula(baseline, municipalities, neighbours) -> None:
    scenario = baseline.with_overrides({"awareness.national": 0.02})
    model = DiffusionModel(
        scenario, seed=[5, 6], municipalities=municipalities, neighbours=neighbours
    )
    peers = PeerAwareness(model)
    rng = np.random.default_rng(1)
    adopted = np.zeros(model.state.stage.shape, dtype=bool)
    for share in (0.05, 0.3, 0.1, 0.0):  # adopters arrive, and leave
        adopted = adopted & (rng.random(adopted.shape) < 0.7) | (rng.random(adopted.shape) < share)
        np.testing.assert_allclose(
            peers.update(adopted), expected_hazard(model, adopted), atol=1e-12
        )
    assert not peers.update(np.zeros_like(adopted)).any()


def test_switched_off_channels_add_nothing(baseline, municipalities, neighbours) -> None:
    off = {
        f"mechanisms.peer_{c}": False
        for c in ("neighbours", "county", "size_class", "fou", "national")
    }
    model = DiffusionModel(
        baseline.with_overrides(off), seed=5, municipalities=municipalities, neighbours=neighbours
    )
    adopted = np.random.default_rng(2).random(model.state.stage.shape) < 0.4
    assert not PeerAwareness(model).update(adopted).any()
