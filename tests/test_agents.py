"""The model's entities are Mesa agents that report the vectorised state truthfully."""

from __future__ import annotations

from model.agents import FouEnvironment, Municipality, Supplier
from model.model import DiffusionModel
from model.stages import Stage


def test_agents_mirror_the_state(baseline, municipalities, neighbours) -> None:
    model = DiffusionModel(
        baseline.with_overrides({"run.months": 120}),
        seed=2,
        municipalities=municipalities,
        neighbours=neighbours,
    ).run()
    towns = model.agents_by_type[Municipality]
    assert len(towns) == 290
    stockholm = next(a for a in towns if a.kommunkod == "0180")
    assert stockholm.name == "Stockholm" and stockholm.population == 995_574
    assert stockholm.size_class == ">=100k" and stockholm.county_code == "01"
    for innovation in model.innovations.names:
        counted = sum(a.stage(innovation) == Stage.ADOPTED for a in towns)
        assert (
            counted
            == (model.state.stage[model.innovations.index(innovation)] == Stage.ADOPTED).sum()
        )

    suppliers = model.agents_by_type[Supplier]
    assert len(suppliers) == int(model.market.ever.sum())
    customers = {a.unique_id: a.customers for a in suppliers}
    on_supplier = [a.supplier("digital_night_supervision") for a in towns]
    for unique_id, count in customers.items():
        agent = next(s for s in suppliers if s.unique_id == unique_id)
        if agent.innovation == "digital_night_supervision":
            assert on_supplier.count(unique_id) == count
        assert agent.cash_msek >= 0 and agent.price_sek_per_capita_year > 0

    environments = model.agents_by_type[FouEnvironment]
    assert len(environments) == 21 + baseline.fou.national_count
    members = sum(len(e.member_indices) for e in environments if not e.name.startswith("national"))
    assert 0.6 * 290 < members <= 290  # membership probability 0.85 per county environment


def test_targeting_ranks_by_the_attributes_the_agents_expose(baseline) -> None:
    """Sorting one replication's Municipality agents by a rule's attributes (then the same
    random tie-break) gives the places ``priority`` computes from the arrays."""
    import numpy as np

    from model.policies.targeting import priority
    from model.streams import stream

    model = DiffusionModel(baseline.with_overrides({"run.months": 1}), seed=[7, 8]).run()
    size = model.structure.block_size
    keys = {
        "low_capacity": lambda town: (town.capacities, town.competence),
        "small": lambda town: (town.population,),
        "central": lambda town: (-town.centrality,),
    }
    towns = model.agents_by_type[Municipality].groupby("replication").groups
    for rule, key in keys.items():
        ranks = priority(model, rule, [stream(s, "test") for s in model.seeds])
        for block, seed in enumerate(model.seeds):
            tiebreak = stream(seed, "test").permutation(size)
            ordered = sorted(towns[block], key=lambda t: (*key(t), tiebreak[t.index % size]))
            places = ranks[block * size : (block + 1) * size]
            assert [t.index for t in ordered] == list(np.argsort(places) + block * size), rule
