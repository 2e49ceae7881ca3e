"""Size classes derived from population.

SKR's kommungrupp (A1-C9) is not openly available per municipality, so the model uses
population bands of its own. The bands split the 290 municipalities into groups of
76 / 91 / 72 / 31 / 20 (population on 2024-12-31).
"""

from __future__ import annotations

import bisect

# (label, lower bound inclusive); ordered smallest to largest.
SIZE_CLASSES: tuple[tuple[str, int], ...] = (
    ("<10k", 0),
    ("10-20k", 10_000),
    ("20-50k", 20_000),
    ("50-100k", 50_000),
    (">=100k", 100_000),
)
SIZE_CLASS_LABELS: tuple[str, ...] = tuple(label for label, _ in SIZE_CLASSES)
_LOWER_BOUNDS = [lower for _, lower in SIZE_CLASSES]


def size_class_of(population: int) -> str:
    """The label of the band that holds ``population``."""
    if population < 0:
        raise ValueError(f"population must be >= 0, got {population}")
    return SIZE_CLASS_LABELS[bisect.bisect_right(_LOWER_BOUNDS, population) - 1]


def size_class_index(label: str) -> int:
    """0 for the smallest class up to 4 for the largest."""
    return SIZE_CLASS_LABELS.index(label)
