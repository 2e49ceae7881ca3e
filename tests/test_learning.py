"""Evidence kept per group and read when a municipality decides gives the beliefs that
spreading every result to every member at once gives (written here as plain loops), with
the ODD's similarity and half-life rules; priors start from the claims, not the truth."""

from __future__ import annotations

import numpy as np

from model.model import DiffusionModel


def expected_beliefs(model: DiffusionModel, results: list[tuple[int, int, float, int]], now: int):
    """Precision and weighted sum of every cell, by the ODD's rules, one result at a time."""
    p, s, inn = model.scenario.learning, model.structure, model.innovations
    unit = 1.0 / p.observation_sd**2
    adjacency = s.neighbours.toarray() > 0
    fou = s.fou_members.toarray() > 0
    classes = len(s.size_classes.labels)
    size = s.size_classes.index % classes
    # the prior's precision is per municipality column (its replication's prior sd)
    precision = np.broadcast_to(model.learning.prior_precision, model.state.stage.shape).copy()
    weighted = model.learning.prior_weighted.copy()
    for i, j, value, month in results:
        age = 0.5 ** ((now - month) / p.half_life_months)
        for m in range(s.n):
            peer = 0.0
            if adjacency[m, j]:
                peer += p.neighbours
            if s.counties.index[m] == s.counties.index[j]:
                peer += p.county
            if s.size_classes.index[m] == s.size_classes.index[j]:
                peer += p.size_class
            peer *= inn.observability[i]
            peer += p.fou * np.sum(fou[:, m] & fou[:, j])  # once per shared environment
            peer *= p.size_similarity ** abs(int(size[m]) - int(size[j]))
            weight = (p.own_result_weight if m == j else 0.0) + peer
            precision[i, m] += unit * weight * age
            weighted[i, m] += unit * weight * age * value
    return precision, weighted


def _record_random_results(model, months: int, per_month: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    cells, n = model.state.stage.size, model.structure.n
    results = []
    for month in range(1, months + 1):  # each month's results come from distinct cells
        k = rng.choice(cells, size=per_month, replace=False)
        realised = rng.lognormal(0.0, 0.5, size=k.size)
        model.learning.record(k, realised, month * 12)
        results += [
            (int(c // n), int(c % n), float(v), month * 12)
            for c, v in zip(k, realised, strict=True)
        ]
    return results


def test_group_evidence_matches_spreading_each_result(baseline, municipalities, neighbours):
    model = DiffusionModel(
        baseline, seed=[3, 4], municipalities=municipalities, neighbours=neighbours
    )
    results = _record_random_results(model, months=3, per_month=40)
    model.month = 60  # read two to four years after the results arrived: they have aged
    precision, weighted = expected_beliefs(model, results, now=60)

    cells = model.state.stage.size
    mean, sd = model.learning.belief(np.arange(cells))
    np.testing.assert_allclose(mean, (weighted / precision).ravel(), rtol=1e-10)
    np.testing.assert_allclose(sd, (precision**-0.5).ravel(), rtol=1e-10)
    prior_sd = (
        np.broadcast_to(model.learning.prior_precision, model.state.stage.shape).ravel() ** -0.5
    )
    assert (sd < prior_sd * (1 - 1e-9)).sum() > cells // 4  # the results did reach peers


def test_older_evidence_counts_less(baseline, municipalities, neighbours):
    model = DiffusionModel(baseline, seed=[3], municipalities=municipalities, neighbours=neighbours)
    half_life = baseline.learning.half_life_months
    model.learning.record(np.array([7]), np.array([3.0]), 0)
    model.month = 0
    _, fresh = model.learning.belief(np.array([7]))
    model.month = half_life
    _, aged = model.learning.belief(np.array([7]))
    prior = model.learning.prior_precision[7 % model.state.n_columns]  # cell 7's column
    own = model.learning.own
    assert fresh[0] ** -2 - prior > 0
    # a result one half-life old carries half its precision (own plus the groups it reaches)
    np.testing.assert_allclose(aged[0] ** -2 - prior, (fresh[0] ** -2 - prior) / 2, rtol=1e-12)
    assert fresh[0] ** -2 - prior >= own


def test_without_peer_learning_only_the_own_result_counts(baseline, municipalities, neighbours):
    scenario = baseline.with_overrides({"mechanisms.learning": False})
    model = DiffusionModel(scenario, seed=[3], municipalities=municipalities, neighbours=neighbours)
    everyone = np.arange(model.state.stage.size)
    before = model.learning.belief(everyone)
    model.learning.record(np.array([7]), np.array([3.0]), 0)
    after = model.learning.belief(everyone)
    changed = np.flatnonzero(after[1] != before[1])
    assert changed.tolist() == [7]
    np.testing.assert_allclose(after[1][7] ** -2 - before[1][7] ** -2, model.learning.own)


def test_priors_start_from_the_claims_not_the_truth(baseline, municipalities, neighbours):
    model = DiffusionModel(
        baseline, seed=[3, 4], municipalities=municipalities, neighbours=neighbours
    )
    inn = model.innovations
    prior_mean = model.learning.prior_weighted / model.learning.prior_precision
    # spread between municipalities around the claim (mean-preserving lognormal)
    np.testing.assert_allclose(prior_mean.mean(axis=1), inn.claimed_ratio, rtol=0.05)
    assert (prior_mean.std(axis=1) > 0).all()
    assert (inn.claimed_ratio > inn.true_ratio).all()  # claims are optimistic


def test_results_stay_in_their_replication_and_innovation(baseline, municipalities, neighbours):
    model = DiffusionModel(
        baseline, seed=[3, 4], municipalities=municipalities, neighbours=neighbours
    )
    n, shape = model.structure.block_size, model.state.stage.shape
    everyone = np.arange(model.state.stage.size)
    prior_mean, prior_sd = (a.reshape(shape) for a in model.learning.belief(everyone))
    model.learning.record(np.array([5, 17]), np.array([3.0, 3.0]), 0)  # block 0, innovation 0
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
    for month in range(40):
        cell = rng.choice(innovations * n, size=25, replace=False)
        realised = rng.lognormal(0.0, 0.5, size=cell.size)
        i, j = np.divmod(cell, n)
        alone.learning.record(cell, realised, month)
        batch.learning.record(i * batch.structure.n + j, realised, month)
    alone.month = batch.month = 40
    everyone = np.arange(innovations * n)
    i, j = np.divmod(everyone, n)
    for got, expected in zip(
        batch.learning.belief(i * batch.structure.n + j),
        alone.learning.belief(everyone),
        strict=True,
    ):
        np.testing.assert_array_equal(got, expected)
