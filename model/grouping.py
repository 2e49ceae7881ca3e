"""Small vectorised helpers for first-come-first-served allocation within groups."""

from __future__ import annotations

import numpy as np


def rank_within(groups: np.ndarray) -> np.ndarray:
    """Position of each element among the earlier elements of the same group (0, 1, ...)."""
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = np.arange(groups.size) - np.searchsorted(ordered, ordered, side="left")
    return rank


def first_come_first_served(groups: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Bool mask: element gets a place if fewer than ``room[group]`` came before it."""
    return rank_within(groups) < room[groups]
