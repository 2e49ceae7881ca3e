"""Who sees whom: neighbours, counties, size classes and FoU memberships as matrices.

Arrays are laid out innovations x municipalities (I, N). Every peer channel is linear in
what peers do, so all channels of one kind are folded into one operator: a sparse
matrix for the network channels (neighbours, FoU environments) and two small dense
products for the group channels (county, size class). A month then costs a few matrix
products whether there are 290 municipalities or 10,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from model.reference import SIZE_CLASS_LABELS, neighbour_matrix


@dataclass
class Groups:
    """A partition of municipalities (counties, size classes)."""

    index: np.ndarray  # group of each municipality (N,)
    labels: list[str]
    onehot: np.ndarray  # (N, K) float
    counts: np.ndarray  # (K,) at least 1

    @classmethod
    def from_labels(cls, values: pd.Series | list[str], labels: list[str]) -> Groups:
        position = {label: k for k, label in enumerate(labels)}
        index = np.array([position[v] for v in values], dtype=np.int64)
        onehot = np.zeros((len(index), len(labels)))
        onehot[np.arange(len(index)), index] = 1.0
        return cls(index, labels, onehot, np.maximum(onehot.sum(axis=0), 1.0))


@dataclass
class PeerStructure:
    codes: list[str]
    names: list[str]
    size_labels: list[str]
    county_codes: list[str]
    counties: Groups
    size_classes: Groups
    neighbours: sp.csr_array  # (N, N) 0/1
    neighbour_degree: np.ndarray  # (N,) at least 1
    fou_names: list[str]
    fou_members: sp.csr_array  # (F, N) 0/1, rows are environments
    fou_primary: np.ndarray  # first environment of each municipality, -1 if none (N,)

    @property
    def n(self) -> int:
        return len(self.codes)

    def fou_share_channel(self, weight: float) -> tuple[np.ndarray, np.ndarray]:
        """(in, out): ``weight`` times the adopter share among co-members, averaged over a
        municipality's environments (0 for non-members)."""
        members = self.fou_members.toarray()  # (F, N)
        per_environment = members.T / np.maximum(members.sum(axis=1), 1.0)
        mean_over_own = members / np.maximum(members.sum(axis=0), 1.0)
        return per_environment, weight * mean_over_own

    def fou_pool_channel(self, weight: float) -> tuple[np.ndarray, np.ndarray]:
        """(in, out): ``weight`` times the sum over all co-members of all own environments."""
        members = self.fou_members.toarray()
        return members.T.copy(), weight * members


class PeerOperator:
    """A weighted sum of peer channels, applied to (rows, N) arrays in one go.

    Two kinds of channel, both linear in what peers do:
    - network: a sparse (N, N) matrix (out_j = sum_k M[j, k] x_k), e.g. border neighbours;
    - membership: a thin pair ``in`` (N, K) and ``out`` (K, N) through K groups (counties,
      size classes, the nation, FoU environments), so out = (x @ in) @ out.
    Each channel may weight the input rows (innovations) first. Channels with the same row
    weights are folded together (one sparse product, two thin dense products), so a month
    costs a few products and grows linearly with the number of municipalities.
    """

    def __init__(
        self,
        network: list[tuple[sp.csr_array, np.ndarray | None]],
        memberships: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    ) -> None:
        self.terms: list[
            tuple[np.ndarray | None, sp.csr_array | None, np.ndarray | None, np.ndarray | None]
        ] = []
        weights = _distinct([w for _, w in network] + [w for _, _, w in memberships])
        for weight in weights:
            nets = [m for m, w in network if _same(w, weight) and m.nnz]
            ins = [a for a, _, w in memberships if _same(w, weight)]
            outs = [b for _, b, w in memberships if _same(w, weight)]
            matrix = sp.csr_array(sum(nets[1:], nets[0])) if nets else None
            self.terms.append(
                (
                    None if weight is None else weight[:, None],
                    matrix,
                    np.hstack(ins) if ins else None,
                    np.vstack(outs) if outs else None,
                )
            )

    def apply(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros(x.shape)
        for weight, matrix, group_in, group_out in self.terms:
            weighted = x if weight is None else x * weight
            if group_in is not None:
                out += (weighted @ group_in) @ group_out
            if matrix is not None:
                out += (matrix @ np.ascontiguousarray(weighted.T)).T
        return out


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _distinct(weights: list[np.ndarray | None]) -> list[np.ndarray | None]:
    distinct: list[np.ndarray | None] = []
    for weight in weights:
        if not any(_same(weight, seen) for seen in distinct):
            distinct.append(weight)
    return distinct


def group_channel(
    groups: Groups, weight: float, mean: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(in, out) for ``weight`` times the group's mean (or sum) of x, given to every member."""
    scale = weight / groups.counts if mean else np.full(groups.counts.shape, weight)
    return groups.onehot, (groups.onehot * scale).T.copy()


def national_group(n: int) -> Groups:
    """All municipalities as one group: the fully mixed channel."""
    return Groups.from_labels(["all"] * n, ["all"])


def draw_fou_members(
    county_index: np.ndarray, n_counties: int, params, rng: np.random.Generator
) -> np.ndarray:
    """(F, N) bool: one environment per county, plus ``national_count`` national ones."""
    n = len(county_index)
    u = rng.random((1 + params.national_count, n))
    regional = np.zeros((n_counties, n), dtype=bool)
    joins = u[0] < params.membership_probability
    regional[county_index[joins], np.flatnonzero(joins)] = True
    national = u[1:] < params.national_membership_probability
    return np.vstack([regional, national])


def build_structure(
    municipalities: pd.DataFrame, neighbours: pd.DataFrame, fou_params, rng: np.random.Generator
) -> PeerStructure:
    county_table = municipalities.drop_duplicates("county_code").sort_values("county_code")
    counties = Groups.from_labels(municipalities["county_code"], list(county_table["county_code"]))
    size_classes = Groups.from_labels(
        municipalities["size_class"].astype(str), list(SIZE_CLASS_LABELS)
    )
    adjacency = neighbour_matrix(municipalities, neighbours)
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    member = draw_fou_members(counties.index, len(counties.labels), fou_params, rng)
    fou_names = [f"FoU {name}" for name in county_table["county"]] + [
        f"national FoU {k + 1}" for k in range(fou_params.national_count)
    ]
    memberships = member.sum(axis=0)
    return PeerStructure(
        codes=list(municipalities["kommunkod"]),
        names=list(municipalities["name"]),
        size_labels=list(municipalities["size_class"].astype(str)),
        county_codes=list(municipalities["county_code"]),
        counties=counties,
        size_classes=size_classes,
        neighbours=adjacency,
        neighbour_degree=np.maximum(degree, 1.0),
        fou_names=fou_names,
        fou_members=sp.csr_array(member.astype(float)),
        fou_primary=np.where(memberships > 0, member.argmax(axis=0), -1),
    )
