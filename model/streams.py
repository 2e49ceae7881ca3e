"""Named random streams derived from one seed.

Each mechanism draws from its own stream, and the main streams draw arrays of a fixed
shape every month whatever the state, so two scenarios run with the same seed share
their random numbers wherever their mechanisms agree (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator for ``name`` under ``seed``: independent of every other name."""
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Seeds for replications 0..n-1, derived from one scenario seed (stable, recorded)."""
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> 1) for child in children]
