"""The pipeline of new innovations: ideas arrive per origin as a Poisson process drawn per
replication, from one queue of ideas shared by every replication and scenario; most are
weak and claimed better than they are; before it arrives nobody hears of an innovation;
innovations.parquet and the pipeline's metrics say what became of them."""

from __future__ import annotations

import numpy as np
import pytest
from batching import assert_same_alone_as_in_batch
from scipy import stats

from experiments.metrics import per_replication
from experiments.run import run_scenario
from model.model import DiffusionModel
from model.outputs import build_tables
from model.pipeline import ORIGINS, queue_lengths
from model.scenario import load_scenario
from model.stages import Stage
from model.state import NEVER

MONTHS = 120


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("pipeline").with_overrides({"run.months": MONTHS})


@pytest.fixture(scope="module")
def model(scenario) -> DiffusionModel:
    return DiffusionModel(scenario, seed=[21, 22, 23, 24]).run()


def arrivals(model: DiffusionModel) -> np.ndarray:
    return model.pipeline.arrivals.month.reshape(model.replications, -1)


def test_arrivals_are_drawn_per_replication_in_queue_order(model, scenario) -> None:
    month = arrivals(model)
    named = len(scenario.innovations)
    assert (month[:, :named] == 0).all()
    origins = np.array(model.origins)
    counts = []
    for origin, length in queue_lengths(scenario.pipeline, MONTHS).items():
        rows = np.flatnonzero(origins == origin)
        assert rows.size == length
        for months in month[:, rows]:
            came = months[months != NEVER]
            # the n-th arrival is the n-th idea of the queue: arrived ones first, in order
            assert (months[: came.size] == came).all() and (np.diff(came) >= 0).all()
            assert ((came >= 1) & (came <= MONTHS)).all()
        counts.append((month[:, rows] != NEVER).sum(axis=1))
    assert len({tuple(c) for c in np.array(counts).T}) > 1  # replications differ


def test_the_queue_is_shared_and_its_ideas_are_mostly_weak_and_overclaimed() -> None:
    many = load_scenario("pipeline").with_overrides(
        {"pipeline.products_per_year": 10.0, "pipeline.fou_methods_per_year": 10.0}
    )
    a = DiffusionModel(many, seed=[1]).innovations
    b = DiffusionModel(many, seed=[2]).innovations
    np.testing.assert_array_equal(a.true_ratio, b.true_ratio)  # one queue for every seed
    other = DiffusionModel(many.with_overrides({"pipeline.queue_seed": 2}), seed=[1]).innovations
    assert not np.array_equal(a.true_ratio, other.true_ratio)
    new = slice(len(many.innovations), None)
    ratio = a.true_ratio[new]
    assert ratio.size > 400
    p = many.pipeline
    weak_share = stats.norm.cdf(np.log(1.0 / p.ratio_median) / p.ratio_log_sd)  # 0.645
    assert abs((ratio < 1.0).mean() - weak_share) < 0.05
    claim = a.claimed_ratio[new] / ratio
    assert abs(np.median(claim) / many.decision.claim_optimism - 1.0) < 0.05
    assert (claim > 1.0).mean() > 0.75  # claimed above the truth, as in the belief mechanism
    kinds = {origin: kind for origin, (_, kind, _) in ORIGINS.items()}
    origins = DiffusionModel(many, seed=[1]).origins[len(many.innovations) :]
    np.testing.assert_array_equal(
        a.is_product[new], [kinds[origin] == "product" for origin in origins]
    )


def test_nobody_hears_of_an_innovation_before_it_arrives(scenario) -> None:
    model = DiffusionModel(scenario, seed=[21, 22])
    month = arrivals(model)
    block = model.structure.block_size
    seen_before = 0
    opened_before = 0
    while model.month < MONTHS:
        model.step()
        stage = model.state.stage.reshape(len(model.innovations), model.replications, block)
        not_there = (month.T == NEVER) | (model.month < month.T)  # (I, R)
        seen_before += int((stage[not_there] != Stage.UNAWARE).sum())
        rows = np.flatnonzero(not_there.T.reshape(-1))
        opened_before += int(
            model.market.opened.reshape(-1, model.market.params.max_per_innovation)[rows].sum()
        )
    assert seen_before == 0 and opened_before == 0
    # ... and once there, municipalities do hear of it (external channels).
    there = (month.T != NEVER) & (month.T <= MONTHS - 24)
    aware = (
        model.state.stage.reshape(len(model.innovations), model.replications, block)
        != Stage.UNAWARE
    )
    assert aware[there].any(axis=1).all()


def test_innovations_table_says_what_became_of_each_innovation(model) -> None:
    tables = build_tables(model)
    table = tables["innovations"]
    month = arrivals(model)
    assert len(table) == int((month != NEVER).sum())
    ends = tables["municipalities"]
    adopted = (
        ends[ends["final_stage"] == "adopted"]
        .groupby(["replication", "innovation"], observed=True)
        .size()
    )
    keyed = table.set_index(["replication", "innovation"])
    np.testing.assert_array_equal(
        keyed["adopters_end"].to_numpy(), adopted.reindex(keyed.index, fill_value=0).to_numpy()
    )
    value = (
        tables["timeseries"]
        .groupby(["replication", "innovation"], observed=True)["value_msek"]
        .sum()
    )
    np.testing.assert_allclose(keyed["value_msek"], value.reindex(keyed.index), rtol=1e-9)
    assert set(table["origin"]) <= {"named", *ORIGINS}
    assert (table.loc[table["origin"] == "named", "arrival_month"] == 0).all()


def test_pipeline_metrics_count_reach_and_weak_adopters() -> None:
    scenario = load_scenario("pipeline").with_overrides({"run.months": MONTHS})
    results = run_scenario(scenario, 3, seed=8, progress=False)
    metrics = per_replication(results).xs("all", level="innovation")
    table = results.tables["innovations"]
    weak = table[table["true_ratio"] < 1.0].groupby("replication")["adopters_end"].sum()
    np.testing.assert_array_equal(
        metrics["weak_adopters_end"].to_numpy(), weak.reindex(range(3), fill_value=0).to_numpy()
    )
    share = table["adopters_end"] / table["relevant"]
    for level, column in ((0.1, "innovations_reaching_10pct"), (0.5, "innovations_reaching_50pct")):
        reached = (share >= level).groupby(table["replication"]).sum()
        np.testing.assert_array_equal(metrics[column].to_numpy(), reached.to_numpy())
    assert (metrics["weak_adopters_end"] > 0).any()  # weak ideas do get adopted
    # The "all" adoption shares average the named innovations only.
    shares = per_replication(results)["adoption_share_10y"]
    named = [i.name for i in scenario.innovations]
    rows = shares[shares.index.get_level_values("innovation").isin(named)]
    np.testing.assert_allclose(
        shares.xs("all", level="innovation").to_numpy(),
        rows.groupby(level="replication").mean().to_numpy(),
    )


def test_a_replication_meets_the_same_pipeline_alone_or_in_a_batch(scenario) -> None:
    assert_same_alone_as_in_batch(scenario, [31, 32, 33], 1, ("timeseries", "innovations"))
