"""Adoption stages a municipality passes through for each innovation.

Never trialled (unaware, aware), trial failed and discontinued are kept apart: a trial
that did not lead to scale-up is not an adopter who later stopped.
"""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    UNAWARE = 0
    AWARE = 1
    DECIDED = 2  # decided to trial, waiting for a completed procurement or a supplier
    TRIALLING = 3
    ADOPTED = 4  # scaled up: implementing (coverage below 1) or in full use
    TRIAL_FAILED = 5  # the trial ended (or was cut short) without a scale-up
    DISCONTINUED = 6  # an adopter that stopped, or was stranded by its supplier's exit


STAGE_NAMES: tuple[str, ...] = tuple(stage.name.lower() for stage in Stage)
