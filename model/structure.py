"""Who sees whom: neighbours, counties, size classes and FoU memberships as matrices.

Arrays are laid out innovations x municipality columns (I, N). A model may hold several
replications side by side ("blocks"): block b owns columns b*n .. (b+1)*n - 1, and every
matrix here is block-diagonal, so replications never see each other. Every peer channel
is linear in what peers do: the mechanisms keep counts per group and per neighbour
(``awareness``, ``learning``), read with ``row_entries``; the cost of a month grows
linearly with the number of columns, and each sum is taken in the same order whatever
the number of blocks (identical results).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from model.reference import SIZE_CLASS_LABELS, neighbour_matrix


@dataclass
class Groups:
    """A partition of each block's municipalities (counties, size classes, the nation)."""

    index: np.ndarray  # group of each column, block-specific: b * K + label position (N,)
    labels: list[str]  # the K labels of one block
    members: sp.csr_array  # (blocks * K, N) 0/1
    counts: np.ndarray  # (blocks * K,) at least 1

    @classmethod
    def from_labels(cls, values: list[str], labels: list[str], blocks: int) -> Groups:
        """``values`` are one block's labels per municipality; repeated for every block."""
        position = {label: k for k, label in enumerate(labels)}
        base = np.array([position[v] for v in values], dtype=np.int64)
        n, k = base.size, len(labels)
        index = (np.arange(blocks)[:, None] * k + base).ravel()
        members = sp.csr_array(
            (np.ones(index.size), (index, np.arange(index.size))), shape=(blocks * k, n * blocks)
        )
        return cls(index, labels, members, np.maximum(np.asarray(members.sum(axis=1)).ravel(), 1.0))


@dataclass
class PeerStructure:
    blocks: int
    block_size: int  # municipalities per block (replication)
    codes: list[str]  # one block's codes
    names: list[str]
    size_labels: list[str]
    county_codes: list[str]
    counties: Groups
    size_classes: Groups
    nation: Groups
    neighbours: sp.csr_array  # (N, N) 0/1, block-diagonal
    neighbour_degree: np.ndarray  # (N,) at least 1
    fou_names: list[str]  # one block's environment names
    fou_members: sp.csr_array  # (blocks * F, N) 0/1, rows are environments
    fou_primary: np.ndarray  # first environment of each column, -1 if none (N,)

    @property
    def n(self) -> int:
        """Columns: municipalities times blocks."""
        return self.blocks * self.block_size

    @cached_property
    def centrality(self) -> np.ndarray:
        """Eigenvector centrality of one block's municipalities in the neighbour graph."""
        block = self.neighbours[: self.block_size, : self.block_size]
        values = nx.eigenvector_centrality_numpy(nx.from_scipy_sparse_array(block))
        return np.array([values[k] for k in range(self.block_size)])


def row_entries(matrix: sp.csr_array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stored entries of ``rows`` of a CSR matrix, flattened: for each entry, its
    position in ``rows`` and its column. Lets a few rows be read with a handful of numpy
    calls (scipy's row slicing costs more than the work when rows are few)."""
    starts = matrix.indptr[rows]
    lengths = matrix.indptr[rows + 1] - starts
    position = np.repeat(np.arange(rows.size), lengths)
    offsets = np.arange(position.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return position, matrix.indices[np.repeat(starts, lengths) + offsets]


def draw_fou_members(
    county_index: np.ndarray, n_counties: int, params, rng: np.random.Generator
) -> np.ndarray:
    """(F, n) bool for one block: one environment per county, plus national ones."""
    n = len(county_index)
    u = rng.random((1 + params.national_count, n))
    regional = np.zeros((n_counties, n), dtype=bool)
    joins = u[0] < params.membership_probability
    regional[county_index[joins], np.flatnonzero(joins)] = True
    national = u[1:] < params.national_membership_probability
    return np.vstack([regional, national])


def build_structure(
    municipalities: pd.DataFrame,
    neighbours: pd.DataFrame,
    fou_params,
    rngs: list[np.random.Generator],
) -> PeerStructure:
    """The structure for ``len(rngs)`` blocks; each block's FoU memberships use its own rng."""
    blocks = len(rngs)
    county_table = municipalities.drop_duplicates("county_code").sort_values("county_code")
    county_codes = list(municipalities["county_code"])
    size_labels = list(municipalities["size_class"].astype(str))
    counties = Groups.from_labels(county_codes, list(county_table["county_code"]), blocks)
    adjacency = neighbour_matrix(municipalities, neighbours)
    n = len(municipalities)
    base_county = counties.index[:n]
    member_blocks = [
        draw_fou_members(base_county, len(county_table), fou_params, rng) for rng in rngs
    ]
    members = sp.block_diag([sp.csr_array(m.astype(float)) for m in member_blocks], format="csr")
    f = member_blocks[0].shape[0]
    primary = np.concatenate(
        [np.where(m.any(axis=0), m.argmax(axis=0) + b * f, -1) for b, m in enumerate(member_blocks)]
    )
    block_neighbours = sp.csr_array(sp.block_diag([adjacency] * blocks, format="csr"))
    degree = np.asarray(block_neighbours.sum(axis=1)).ravel()
    return PeerStructure(
        blocks=blocks,
        block_size=n,
        codes=list(municipalities["kommunkod"]),
        names=list(municipalities["name"]),
        size_labels=size_labels,
        county_codes=county_codes,
        counties=counties,
        size_classes=Groups.from_labels(size_labels, list(SIZE_CLASS_LABELS), blocks),
        nation=Groups.from_labels(["all"] * n, ["all"], blocks),
        neighbours=block_neighbours,
        neighbour_degree=np.maximum(degree, 1.0),
        fou_names=[f"FoU {name}" for name in county_table["county"]]
        + [f"national FoU {k + 1}" for k in range(fou_params.national_count)],
        fou_members=sp.csr_array(members),
        fou_primary=primary,
    )
