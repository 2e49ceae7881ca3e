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

    def fou_share_operator(self) -> sp.csr_array:
        """(N, N): row j averages over j's environments the share of their members."""
        members = self.fou_members
        per_environment = sp.diags_array(1.0 / np.maximum(members.sum(axis=1), 1.0)) @ members
        memberships = np.asarray(members.sum(axis=0)).ravel()
        mean_over = sp.diags_array(1.0 / np.maximum(memberships, 1.0)) @ members.T
        return sp.csr_array(mean_over @ per_environment)

    def fou_pool_operator(self) -> sp.csr_array:
        """(N, N): row j sums over all co-members of all of j's environments."""
        return sp.csr_array(self.fou_members.T @ self.fou_members)


class PeerOperator:
    """A weighted sum of peer channels, applied to (rows, N) arrays in one go.

    Network channels are sparse (N, N) matrices (out_j = sum_k M[j, k] x_k), each with an
    optional weight per input row (innovation); they sit side by side in one sparse
    matrix applied to the weighted inputs stacked. Group channels (county, size class,
    nation) are two thin dense products: sums per group, then weighted back to members.
    Cost grows linearly with the number of municipalities. (Folding everything into
    dense (N, N) matrices was measured slower at N = 290.)
    """

    def __init__(
        self,
        network: list[tuple[sp.csr_array, np.ndarray | None]],
        groups: list[tuple[Groups, float]],
        group_row_weight: np.ndarray | None = None,
        group_mean: bool = True,
    ) -> None:
        """``group_mean``: a group channel gives its weight times the group's mean (True)
        or times the group's sum (False)."""
        network = [(m, w) for m, w in network if m.nnz]
        self.row_weights = [None if w is None else w[:, None] for _, w in network]
        self.network = sp.csr_array(sp.hstack([m for m, _ in network])) if network else None
        used = [(g, w) for g, w in groups if w]
        self.group_in = np.hstack([g.onehot for g, _ in used]) if used else None
        self.group_out = (
            np.hstack([g.onehot * (w / g.counts if group_mean else w) for g, w in used]).T.copy()
            if used
            else None
        )
        self.group_row_weight = None if group_row_weight is None else group_row_weight[:, None]

    def apply(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros(x.shape)
        if self.group_in is not None:
            grouped = x if self.group_row_weight is None else x * self.group_row_weight
            out += (grouped @ self.group_in) @ self.group_out
        if self.network is not None:
            inputs = [x if w is None else x * w for w in self.row_weights]
            stacked = inputs[0] if len(inputs) == 1 else np.hstack(inputs)
            out += (self.network @ np.ascontiguousarray(stacked.T)).T
        return out


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
