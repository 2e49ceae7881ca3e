"""Named random streams derived from one seed.

Each mechanism draws from its own stream, and the main streams draw arrays of a fixed
shape every month whatever the state, so two scenarios run with the same seed share
their random numbers wherever their mechanisms agree (common random numbers).
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import numpy as np

from model.module import Module

if TYPE_CHECKING:
    from model.model import DiffusionModel


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator for ``name`` under ``seed``: independent of every other name."""
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Seeds for replications 0..n-1, derived from one scenario seed (stable, recorded)."""
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> 1) for child in children]


class NormalsByReplication:
    """Standard normals from one stream per replication, drawn ahead in chunks.

    ``take(counts)`` returns the next ``counts[b]`` normals of each replication b's stream,
    concatenated in replication order: the same numbers as calling
    ``streams[b].standard_normal(counts[b])`` in turn (numpy's normals carry no state
    between calls), but with a fixed number of numpy calls whatever the replications.
    """

    def __init__(self, streams: list[np.random.Generator], chunk: int = 256) -> None:
        self.streams = streams
        self.chunk = chunk
        self.buffer = np.empty((len(streams), chunk))
        for block, rng in enumerate(streams):
            rng.standard_normal(out=self.buffer[block])
        self.used = np.zeros(len(streams), dtype=np.int64)

    def take(self, counts: np.ndarray) -> np.ndarray:
        counts = np.asarray(counts, dtype=np.int64)
        for block in np.flatnonzero(self.used + counts > self.chunk):
            self._refill(int(block), int(counts[block]))
        blocks = np.repeat(np.arange(counts.size), counts)
        within = np.arange(blocks.size) - np.repeat(np.cumsum(counts) - counts, counts)
        values = self.buffer[blocks, self.used[blocks] + within]
        self.used += counts
        return values

    def _refill(self, block: int, needed: int) -> None:
        """Move the block's unused draws to the front and draw the rest. A take larger than
        the chunk first grows every row, each continued from its own stream."""
        if needed > self.chunk:
            grown = np.empty((len(self.streams), needed))
            grown[:, : self.chunk] = self.buffer
            for row, rng in enumerate(self.streams):
                rng.standard_normal(out=grown[row, self.chunk :])
            self.buffer, self.chunk = grown, needed
        left = self.buffer[block, self.used[block] :].copy()
        self.buffer[block, : left.size] = left
        self.streams[block].standard_normal(out=self.buffer[block, left.size :])
        self.used[block] = 0


class MonthlyDraws(Module):
    """The uniforms every month draws whatever the state, so that runs of two scenarios under
    one seed share them (common random numbers): two (I, N) layers and one per market.

    A cell is in one stage at a time, so modules acting on different stages share a layer:
    ``entry`` serves unaware cells (awareness), discontinued ones (reconsideration) and
    trialling ones (the trial's result, through the inverse normal); ``choice`` serves aware
    cells (decision) and adopted ones (abandonment); ``supplier_entry`` (one per
    replication and innovation) serves the supplier market's entry.
    """

    streams = ("monthly",)

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        seeds, innovations = model.seeds, len(model.innovations)
        block_size = model.structure.block_size
        self.rngs = [stream(s, "monthly") for s in seeds]
        self._layers = np.empty((len(seeds), 2, innovations, block_size))
        self._per_market = np.empty((len(seeds), innovations))
        self.entry = self.choice = np.empty((innovations, len(seeds) * block_size))
        self.supplier_entry = self._per_market.ravel()

    def step(self) -> None:
        """Draw this month's layers from every replication's stream."""
        for block, rng in enumerate(self.rngs):
            rng.random(out=self._layers[block])
            rng.random(out=self._per_market[block])
        replications, _, innovations, size = self._layers.shape
        layers = self._layers.transpose(1, 2, 0, 3).reshape(2, innovations, replications * size)
        self.entry, self.choice = layers[0], layers[1]
        self.supplier_entry = self._per_market.ravel()
