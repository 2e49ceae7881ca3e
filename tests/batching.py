"""A check several tests share: a replication's tables are the same alone or in a batch."""

from __future__ import annotations

import pandas as pd

from model.model import DiffusionModel
from model.outputs import build_tables


def assert_same_alone_as_in_batch(scenario, seeds: list[int], index: int, names: tuple) -> None:
    """Replication ``index`` of a batch of ``seeds`` gives exactly the tables ``names`` it
    gives when run alone (and they are not empty)."""
    batch = build_tables(DiffusionModel(scenario, seed=seeds).run())
    alone = build_tables(DiffusionModel(scenario, seed=[seeds[index]]).run())
    for name in names:
        together = batch[name][batch[name]["replication"] == index].drop(columns="replication")
        by_itself = alone[name].drop(columns="replication")
        assert len(by_itself) > 0, name
        pd.testing.assert_frame_equal(
            together.reset_index(drop=True), by_itself.reset_index(drop=True), check_exact=True
        )
