"""Adoption stages a municipality passes through for each innovation."""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    UNAWARE = 0
    AWARE = 1
    DECIDED = 2  # decided to trial, waiting for a completed procurement or a supplier
    TRIALLING = 3
    ADOPTED = 4
    DISCONTINUED = 5


STAGE_NAMES: tuple[str, ...] = tuple(stage.name.lower() for stage in Stage)
