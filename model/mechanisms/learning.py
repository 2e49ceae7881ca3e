"""Learning: trial results are evidence that updates municipalities' beliefs.

Beliefs about an innovation's benefit/cost ratio are normal; each observed result adds
precision ``weight / observation_sd**2`` (conjugate normal updating). A municipality sees
its own result with ``own_result_weight``; border neighbours', county and size-class
peers' results with their channel weights times the innovation's observability; and
every result pooled by an FoU environment it belongs to in full. This is how early
trials make later decisions easier.

Evidence shared through a group (county, size class, FoU environment) is kept once per
group and added to a municipality's belief when it decides: a month's work grows with
the number of results and decisions, not with the number of municipalities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from model.module import Module
from model.structure import row_entries

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Learning(Module):
    """Owns every cell's belief: the prior (``decision.prior_*``), own and neighbours'
    results in per-cell arrays, results shared through groups in per-group sums. Its step
    adds the results of the trials that finished this month (``events.trial_results``);
    switched off (``mechanisms.learning``), beliefs stay at the prior. The decision reads
    them through ``belief``."""

    parameters = ("learning", "decision")
    switches = ("mechanisms.trial_decision", "mechanisms.learning")

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        p, structure, inn = model.scenario.learning, model.structure, model.innovations
        decision = model.scenario.decision
        shape = model.state.stage.shape
        prior_mean = inn.true_ratio * decision.prior_mean_factor
        self.precision_of_cell = np.full(shape, 1.0 / decision.prior_sd**2)
        self.weighted_sum_of_cell = self.precision_of_cell * prior_mean[:, None]
        self.n = structure.n
        self.precision = 1.0 / p.observation_sd**2
        self.own = p.own_result_weight * self.precision
        self.neighbours = structure.neighbours if p.neighbours else None  # symmetric
        self.neighbour_weight = p.neighbours * inn.observability * self.precision
        members, weights = [], []
        for groups, weight in (
            (structure.counties, p.county),
            (structure.size_classes, p.size_class),
        ):
            if weight:
                members.append(groups.members)
                weights.append(
                    np.repeat((weight * inn.observability)[:, None], groups.counts.size, 1)
                )
        if p.fou:
            members.append(structure.fou_members)
            weights.append(np.full((len(inn), structure.fou_members.shape[0]), p.fou))
        self.groups_of = (  # (N, G): row j lists the groups municipality j belongs to
            sp.csr_array(sp.vstack(members).T) if members else None
        )
        # The same as (N, M) group numbers, padded with an extra group that stays empty and
        # weighs 0, so that reading a few cells is a fixed number of numpy calls.
        groups = self.groups_of.shape[1] if members else 0
        per_row = np.diff(self.groups_of.indptr) if members else np.zeros(structure.n, int)
        self.group_slots = np.full((structure.n, max(int(per_row.max(initial=0)), 1)), groups)
        if members:
            row, g = row_entries(self.groups_of, np.arange(structure.n))
            self.group_slots[row, np.arange(row.size) - self.groups_of.indptr[row]] = g
        self.weights = np.zeros((len(inn), groups + 1))  # (I, G + 1)
        if members:
            self.weights[:, :groups] = np.hstack(weights) * self.precision
        self.counts = np.zeros(self.weights.shape)  # results seen by each group, per innovation
        self.sums = np.zeros(self.weights.shape)  # sum of those results

    def step(self) -> None:
        """Add this month's trial results to the beliefs."""
        k, realised = self.model.events.trial_results
        if k.size:
            self.record(k, realised)

    def record(self, k: np.ndarray, realised: np.ndarray) -> None:
        """Finished trials at flat cells ``k`` (distinct) with results ``realised``."""
        precision, weighted = (
            self.precision_of_cell.reshape(-1),
            self.weighted_sum_of_cell.reshape(-1),
        )
        precision[k] += self.own
        weighted[k] += self.own * realised
        i, j = np.divmod(k, self.n)
        if self.neighbours is not None:
            position, m = row_entries(self.neighbours, j)
            cells = i[position] * self.n + m
            weight = self.neighbour_weight[i[position]]
            np.add.at(precision, cells, weight)
            np.add.at(weighted, cells, weight * realised[position])
        if self.groups_of is not None:
            position, g = row_entries(self.groups_of, j)
            np.add.at(self.counts, (i[position], g), 1.0)
            np.add.at(self.sums, (i[position], g), realised[position])

    def belief(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sd of the beliefs at flat cells ``k`` about the benefit/cost ratio."""
        precision = self.precision_of_cell.reshape(-1)[k]
        weighted = self.weighted_sum_of_cell.reshape(-1)[k]
        i, j = np.divmod(k, self.n)
        cell_groups = i[:, None] * self.weights.shape[1] + self.group_slots[j]  # flat (I, G+1)
        weight = self.weights.ravel().take(cell_groups)
        # Added up strictly in slot order (cumsum), so that the padding a batch needs does
        # not change the rounding: a replication's beliefs do not depend on its batch.
        precision = precision + np.cumsum(weight * self.counts.ravel().take(cell_groups), 1)[:, -1]
        weighted = weighted + np.cumsum(weight * self.sums.ravel().take(cell_groups), 1)[:, -1]
        return weighted / precision, precision**-0.5
