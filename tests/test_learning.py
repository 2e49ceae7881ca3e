"""Evidence kept per group and read when a municipality decides gives the beliefs that
spreading every result to every member at once gives (written here as plain loops)."""

from __future__ import annotations

import numpy as np

from model.model import DiffusionModel


def expected_beliefs(model: DiffusionModel, prior, results: list[tuple[int, int, float]]):
    """Precision and weighted sum of every cell, by the ODD's rules, one result at a time."""
    p, s, inn = model.scenario.learning, model.structure, model.innovations
    unit = 1.0 / p.observation_sd**2
    adjacency = s.neighbours.toarray() > 0
    fou = s.fou_members.toarray() > 0
    precision, weighted = (a.copy() for a in prior)
    for i, j, value in results:
        for m in range(s.n):
            peer = 0.0
            if adjacency[m, j]:
                peer += p.neighbours
            if s.counties.index[m] == s.counties.index[j]:
                peer += p.county
            if s.size_classes.index[m] == s.size_classes.index[j]:
                peer += p.size_class
            weight = (p.own_result_weight if m == j else 0.0) + peer * inn.observability[i]
            weight += p.fou * np.sum(fou[:, m] & fou[:, j])  # once per shared environment
            precision[i, m] += unit * weight
            weighted[i, m] += unit * weight * value
    return precision, weighted


def test_group_evidence_matches_spreading_each_result(baseline, municipalities, neighbours):
    model = DiffusionModel(
        baseline, seed=[3, 4], municipalities=municipalities, neighbours=neighbours
    )
    prior = (model.learning.precision_of_cell.copy(), model.learning.weighted_sum_of_cell.copy())
    rng = np.random.default_rng(0)
    cells, n = model.state.stage.size, model.structure.n
    results = []
    for _month in range(3):  # each month's results come from distinct cells
        k = rng.choice(cells, size=40, replace=False)
        realised = rng.lognormal(0.0, 0.5, size=k.size)
        model.learning.record(k, realised)
        results += [(int(c // n), int(c % n), float(v)) for c, v in zip(k, realised, strict=True)]
    precision, weighted = expected_beliefs(model, prior, results)

    mean, sd = model.learning.belief(np.arange(cells))
    np.testing.assert_allclose(mean, (weighted / precision).ravel(), rtol=1e-12)
    np.testing.assert_allclose(sd, (precision**-0.5).ravel(), rtol=1e-12)
    assert (sd < (prior[0] ** -0.5).ravel()).sum() > cells // 4  # the results did reach peers


def test_results_stay_in_their_replication_and_innovation(baseline, municipalities, neighbours):
    model = DiffusionModel(
        baseline, seed=[3, 4], municipalities=municipalities, neighbours=neighbours
    )
    n, shape = model.structure.block_size, model.state.stage.shape
    everyone = np.arange(model.state.stage.size)
    prior_mean, prior_sd = (a.reshape(shape) for a in model.learning.belief(everyone))
    model.learning.record(np.array([5, 17]), np.array([3.0, 3.0]))  # block 0, innovation 0
    mean, sd = (a.reshape(shape) for a in model.learning.belief(everyone))
    np.testing.assert_array_equal(mean[:, n:], prior_mean[:, n:])
    np.testing.assert_array_equal(mean[1:], prior_mean[1:])
    assert (sd[0, [5, 17]] < prior_sd[0, [5, 17]]).all()
    assert (mean[0, [5, 17]] > prior_mean[0, [5, 17]]).all()


def test_a_replication_s_beliefs_do_not_depend_on_its_batch(baseline, municipalities, neighbours):
    # Many national FoU environments: the batch's widest municipality has more group slots
    # than the lone replication's, which must not change how the slots are added up.
    scenario = baseline.with_overrides(
        {"fou.national_count": 6, "fou.national_membership_probability": 0.3}
    )
    alone = DiffusionModel(scenario, seed=[5], municipalities=municipalities, neighbours=neighbours)
    batch = DiffusionModel(
        scenario, seed=[5, 105], municipalities=municipalities, neighbours=neighbours
    )
    n, innovations = alone.structure.n, len(alone.innovations)
    rng = np.random.default_rng(3)
    for _month in range(40):
        cell = rng.choice(innovations * n, size=25, replace=False)
        realised = rng.lognormal(0.0, 0.5, size=cell.size)
        i, j = np.divmod(cell, n)
        alone.learning.record(cell, realised)
        batch.learning.record(i * batch.structure.n + j, realised)
    everyone = np.arange(innovations * n)
    i, j = np.divmod(everyone, n)
    for got, expected in zip(
        batch.learning.belief(i * batch.structure.n + j),
        alone.learning.belief(everyone),
        strict=True,
    ):
        np.testing.assert_array_equal(got, expected)
