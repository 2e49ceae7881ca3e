"""Random streams: drawing ahead in chunks gives the same numbers as drawing on demand."""

from __future__ import annotations

import numpy as np

from model.streams import NormalsByReplication, stream


def test_normals_drawn_ahead_match_direct_draws() -> None:
    seeds = [11, 12, 13]
    buffered = NormalsByReplication([stream(s, "procurement") for s in seeds], chunk=8)
    direct = [stream(s, "procurement") for s in seeds]
    rng = np.random.default_rng(0)
    for _ in range(60):  # small takes, refills, and takes larger than the chunk
        counts = rng.integers(0, 6, size=len(seeds)) * rng.integers(1, 4)
        if rng.random() < 0.1:
            counts[rng.integers(len(seeds))] += 20
        expected = np.concatenate(
            [d.standard_normal(c) for d, c in zip(direct, counts, strict=True)]
        )
        np.testing.assert_array_equal(buffered.take(counts), expected)
