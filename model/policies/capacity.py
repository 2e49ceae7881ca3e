"""Capacity building: funded municipalities get an idea-handling organisation and
systematic external scanning (an innovation lead, process support) while funded; when
funding ends each keeps them with the lever's retention probability.

One object serves every lever that funds capacity, so two levers never undo each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.model import DiffusionModel


class CapacityBuilding:
    def __init__(self, model: DiffusionModel) -> None:
        self.model = model
        traits = model.traits
        self.original_idea_org = traits.idea_org.copy()
        self.original_scanning = traits.scanning.copy()
        self.base_slots = traits.trial_slots - traits.idea_org.astype(int)
        self.funded: dict[str, np.ndarray] = {}
        self.kept = np.zeros(traits.idea_org.size, dtype=bool)

    def applicants(self, source: str) -> np.ndarray:
        """Municipalities for which ``source``'s capacity money would buy something: they
        lack a capacity of their own and no other lever pays for it (those ``source``
        funds now apply again)."""
        others = self.kept.copy()
        for name, funded in self.funded.items():
            if name != source:
                others |= funded
        return ~(others | (self.original_idea_org & self.original_scanning))

    def fund(self, source: str, rank: np.ndarray, places: np.ndarray | int) -> np.ndarray:
        """Fund up to ``places`` applicants per replication (an int: the same everywhere),
        first in ``rank`` order; returns how many were funded per replication. Money is
        never spent on capacity a municipality already has."""
        size = self.model.structure.block_size
        needs = self.applicants(source)
        order = np.where(needs, rank, rank.max() + 1).reshape(-1, size)
        place = np.argsort(np.argsort(order, axis=1, kind="stable"), axis=1, kind="stable")
        limit = np.broadcast_to(np.asarray(places), (order.shape[0],))[:, None]
        self.funded[source] = funded = (place < limit).reshape(-1) & needs
        self._apply()
        return funded.reshape(-1, size).sum(axis=1)  # funded per replication

    def pay(self, source: str, msek_each: float) -> None:
        """Book a month of ``source``'s capacity money to each municipality it funds."""
        funded = self.funded.get(source)
        if funded is not None:
            self.model.received.capacity[funded] += msek_each
            if self.model.event_log.enabled:
                funded_columns = np.flatnonzero(funded)
                self.model.event_log.book("capacity_money", -1, funded_columns, amount=msek_each)

    def end(self, source: str, retention: float, u: np.ndarray) -> None:
        funded = self.funded.pop(source, None)
        if funded is not None:
            self.kept |= funded & (u < retention)
        self._apply()

    def _apply(self) -> None:
        extra = self.has_support
        traits = self.model.traits
        traits.idea_org = self.original_idea_org | extra
        traits.scanning = self.original_scanning | extra
        traits.trial_slots = self.base_slots + traits.idea_org.astype(int)
        traits.revision += 1  # modules deriving arrays from capacities recompute them

    @property
    def has_support(self) -> np.ndarray:
        """Columns that currently have capacity from a lever (funded or kept)."""
        support = self.kept.copy()
        for funded in self.funded.values():
            support |= funded
        return support
