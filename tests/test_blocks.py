"""Blocks of one model with different parameter values (model/blocks.py): each block's
results are exactly those of running it alone with its values, and only the parameters
that may differ between blocks are accepted."""

from __future__ import annotations

import pandas as pd
import pytest

from model.blocks import PER_BLOCK, BlockParameterError
from model.model import DiffusionModel
from model.outputs import build_tables
from model.params import REGISTER

MONTHS = 72
SEED = 5


def changed_value(name: str):
    """A value of ``name`` other than its default, inside its plausible range."""
    parameter = REGISTER[name]
    low, high = parameter.plausible
    value = low if low != parameter.default else high
    return int(value) if parameter.kind == "int" else float(value)


def overrides_for(scenario, name: str) -> dict:
    """Overrides that set ``name`` (every innovation's, for ``innovation.*``)."""
    value = changed_value(name)
    if name.startswith("innovation."):
        field = name.split(".", 1)[1]
        return {f"innovations.{i}.{field}": value for i in range(len(scenario.innovations))}
    return {name: value}


@pytest.fixture(scope="module")
def world(baseline):
    scenario = baseline.with_overrides({"run.months": MONTHS})
    names = sorted(PER_BLOCK)
    blocks = [{}] + [overrides_for(scenario, name) for name in names]
    batch = build_tables(
        DiffusionModel(scenario, seed=[SEED] * len(blocks), block_overrides=blocks).run()
    )
    return scenario, names, blocks, batch


def block_tables(tables: dict, index: int) -> dict[str, pd.DataFrame]:
    return {
        name: table[table["replication"] == index]
        .drop(columns="replication")
        .reset_index(drop=True)
        for name, table in tables.items()
        if "replication" in table.columns
    }


def test_every_block_is_its_own_run_alone(world):
    """Block b of the batch gives exactly the tables of a run with b's values alone."""
    scenario, _, blocks, batch = world
    for index, overrides in enumerate(blocks):
        alone = build_tables(DiffusionModel(scenario.with_overrides(overrides), seed=SEED).run())
        expected, got = block_tables(alone, 0), block_tables(batch, index)
        for name, table in expected.items():
            pd.testing.assert_frame_equal(
                got[name], table, check_exact=True, obj=f"{overrides} {name}"
            )


def test_every_per_block_parameter_changes_the_run(world):
    """Not vacuous: each parameter, changed alone, changes its block's results."""
    _, names, _, batch = world
    reference = block_tables(batch, 0)
    unchanged = [
        name
        for index, name in enumerate(names, start=1)
        if all(block_tables(batch, index)[t].equals(reference[t]) for t in reference)
    ]
    assert not unchanged


def test_blocks_may_not_differ_in_other_parameters(baseline):
    with pytest.raises(BlockParameterError, match=r"block 1: trials\.noise_sd differs"):
        DiffusionModel(baseline, seed=[1, 2], block_overrides=[{}, {"trials.noise_sd": 0.5}])
    with pytest.raises(BlockParameterError, match="2 sets of block overrides for 3 blocks"):
        DiffusionModel(baseline, seed=[1, 2, 3], block_overrides=[{}, {}])
