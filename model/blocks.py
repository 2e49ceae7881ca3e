"""Parameter values per block: replications of one model that run with different values.

A model holds replications side by side as blocks (``model/structure.py``). Blocks may
also differ in the parameters listed in ``PER_BLOCK``, so that a calibration generation's
particles, a posterior's draws or a sweep's points run in one model: each block gets the
scenario with its own overrides, and every mechanism that reads one of these parameters
reads it per block (as a value per block, column or cell) through ``BlockValues``.
Anything else must be the same in every block (a different innovation list, switch or
lever would change the model's shape), and is refused. A block's results are identical
to running it alone with its overrides (tests/test_blocks.py).

Names are register names; ``innovation.<field>`` means that field of any innovation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from model.innovations import InnovationTable
from model.scenario import Scenario

MUNICIPALITY_TRAITS = tuple(
    f"municipalities.{field}"
    for field in (
        "share_idea_org",
        "share_peer_study",
        "share_scanning",
        "share_fair_visits",
        "size_gradient",
        "budget_sek_per_capita",
        "budget_base_msek",
        "budget_sd",
        "risk_tolerance_mean",
        "risk_tolerance_concentration",
        "competence_mean",
        "competence_sd",
        "base_trial_slots",
        "large_extra_slots",
    )
)
PER_BLOCK: frozenset[str] = frozenset(
    (
        *MUNICIPALITY_TRAITS,
        "decision.hurdle",
        "decision.prior_sd",
        "decision.prior_spread_sd",
        "awareness.scanning_effect",
        "awareness.fair_visit_effect",
        "awareness.peer_study_effect",
        "awareness.neighbours",
        "awareness.county",
        "awareness.size_class",
        "awareness.national",
        "suppliers.entry_rate",
        "suppliers.entrant_capacity",
        "suppliers.incumbent_capacity",
        "innovation.external_rate",
        "innovation.benefit_sek_per_capita_year",
        "innovation.relevance_share",
        "innovation.relevance_size_tilt",
        "innovation.rollout_months",
    )
)


class BlockParameterError(ValueError):
    """Blocks differ in a parameter that must be the same in every block of a model."""


def _leaves(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted path -> value of every leaf of a scenario's dump (lists of scalars are leaves)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_leaves(value, f"{prefix}{key}."))
        return out
    if isinstance(data, list) and data and isinstance(data[0], dict):
        out = {}
        for position, value in enumerate(data):
            out.update(_leaves(value, f"{prefix}{position}."))
        return out
    return {prefix[:-1]: data}


def register_name(path: str) -> str:
    """``innovations.3.external_rate`` -> ``innovation.external_rate``; others unchanged."""
    parts = path.split(".")
    if parts[0] == "innovations" and len(parts) == 3:
        return f"innovation.{parts[2]}"
    return path


def differing(base: Scenario, other: Scenario) -> list[str]:
    """Dotted paths where ``other`` differs from ``base`` (the name and description aside)."""
    a, b = _leaves(base.model_dump()), _leaves(other.model_dump())
    if a.keys() != b.keys():
        return sorted(set(a) ^ set(b))
    return [path for path in a if a[path] != b[path] and path not in ("name", "description")]


class BlockValues:
    """Each block's scenario, and the per-block parameters as arrays a mechanism can use."""

    def __init__(
        self,
        scenario: Scenario,
        blocks: int,
        block_size: int,
        overrides: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        if overrides is not None and len(overrides) != blocks:
            raise BlockParameterError(
                f"{len(overrides)} sets of block overrides for {blocks} blocks (one per seed)"
            )
        self.blocks, self.block_size = blocks, block_size
        self.scenarios = (
            [scenario] * blocks
            if overrides is None
            else [scenario.with_overrides(dict(o)) if o else scenario for o in overrides]
        )
        varying: set[str] = set()
        for index, block in enumerate(self.scenarios):
            if block is scenario:
                continue
            for path in differing(scenario, block):
                name = register_name(path)
                if name not in PER_BLOCK:
                    raise BlockParameterError(
                        f"block {index}: {path} differs from the model's scenario, but only "
                        f"these may differ between the blocks of one model: "
                        f"{', '.join(sorted(PER_BLOCK))}"
                    )
                varying.add(name)
        self.varying = frozenset(varying)
        self.tables = (
            [
                InnovationTable.from_specs(s.innovations, s.decision.claim_optimism)
                for s in self.scenarios
            ]
            if any(name.startswith("innovation.") for name in varying)
            else None
        )

    def value(self, name: str) -> np.ndarray:
        """(blocks,) a section parameter's value in each block (``decision.hurdle``)."""
        section, field = name.split(".", 1)
        return np.array([getattr(getattr(s, section), field) for s in self.scenarios], dtype=float)

    def columns(self, name: str) -> np.ndarray:
        """(N,) a section parameter's value in each municipality column's block."""
        return np.repeat(self.value(name), self.block_size)

    def innovation_values(self, base: InnovationTable, field: str, named: int) -> np.ndarray:
        """(I, blocks) an innovation attribute (``InnovationTable`` field) in each block.

        ``base``: the model's table, whose rows past the ``named`` innovations (pipeline
        arrivals) keep their values in every block."""
        values = np.repeat(getattr(base, field)[:, None], self.blocks, axis=1)
        if self.tables is not None:
            for b, table in enumerate(self.tables):
                values[:named, b] = getattr(table, field)[:named]
        return values
