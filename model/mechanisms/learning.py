"""Learning: a municipality's beliefs about an innovation, and how evidence updates them.

Beliefs about one's own benefit/cost ratio are normal. Before any evidence a
municipality's expectation starts from the innovation's *claimed* ratio, spread between
municipalities (lognormal, ``decision.prior_spread_sd``) with sd ``decision.prior_sd``:
nobody knows the truth. Each observed result adds precision ``weight /
observation_sd**2`` (conjugate normal updating): an own trial with
``own_result_weight``; border neighbours', county and size-class peers' results with their
channel weights times the innovation's observability; every result pooled by an FoU
environment it belongs to in full; with a competence centre (a lever), every result in
the replication pooled nationally with the centre's weight. A peer's weight shrinks by ``size_similarity`` for
each size class between the two (a large municipality's result says little to a small
one), and every result's weight halves every ``half_life_months``.

Evidence shared through a group (county, size class, FoU environment) is kept once per
group and reader size class (each result weighted by its similarity to every class) and
added to a municipality's belief when it decides: a
month's work grows with the number of results and decisions, not with the number of
municipalities. Ages are handled by scaling each result by 2^(month / half-life) when
it arrives and the sums by 2^(-now / half-life) when they are read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from model.module import Module
from model.streams import stream
from model.structure import row_entries

if TYPE_CHECKING:
    from model.model import DiffusionModel


def national_members(replications: int, block_size: int) -> sp.csr_array:
    """(R, N): one national pool per replication holding all its municipalities."""
    columns = np.arange(replications * block_size)
    return sp.csr_array(
        (np.ones(columns.size), (columns // block_size, columns)),
        shape=(replications, columns.size),
    )


class Learning(Module):
    """Owns every cell's belief: its prior, own and neighbours' results in per-cell arrays,
    results shared through groups in per-group sums. Its step adds the results of the
    trials that finished this month (``events.trial_results``): the own result always,
    peers' results when ``mechanisms.learning`` is on. The decision and the scale-up read
    beliefs through ``belief``."""

    parameters = ("learning", "decision")
    switches = ("mechanisms.trial_decision",)
    options = ("mechanisms.learning",)
    streams = ("beliefs",)

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        p, structure, inn = model.scenario.learning, model.structure, model.innovations
        self.peers = model.scenario.mechanisms.learning
        shape = model.state.stage.shape
        spread = model.blocks.columns("decision.prior_spread_sd")
        noise = np.concatenate(
            [
                stream(s, "beliefs").standard_normal((len(inn), structure.block_size))
                for s in model.seeds
            ],
            axis=1,
        )
        prior_mean = model.innovation_cells("claimed_ratio") * np.exp(
            spread * noise - spread * spread / 2.0
        )
        self.prior_precision = 1.0 / model.blocks.columns("decision.prior_sd") ** 2  # (N,)
        self.prior_weighted = self.prior_precision * prior_mean  # (I, N)
        self.cell_precision = np.zeros(shape)  # own and neighbours' evidence, age-scaled
        self.cell_weighted = np.zeros(shape)
        self.n = structure.n
        self.half_life = p.half_life_months
        self.precision = 1.0 / p.observation_sd**2
        self.own = p.own_result_weight * self.precision
        classes = len(structure.size_classes.labels)
        self.size_class = structure.size_classes.index % classes  # (N,) 0 = smallest
        steps = np.abs(np.arange(classes)[:, None] - np.arange(classes)[None, :])
        self.similarity = p.size_similarity**steps  # (C, C)
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
        self.national = np.zeros(0, dtype=np.int64)  # national pools' group numbers
        if model.levers.national_pooling:  # a competence centre may weigh them (levers)
            first = sum(m.shape[0] for m in members)
            self.national = np.arange(first, first + structure.blocks)
            members.append(national_members(structure.blocks, structure.block_size))
            weights.append(np.zeros((len(inn), structure.blocks)))
        self.observability = inn.observability
        self.documented_weight = np.zeros(structure.blocks)
        # trial results so far per innovation and replication (a centre documents them)
        self.finished = np.zeros((len(inn), structure.blocks))
        self.block_size = structure.block_size
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
        # results seen by each group, per innovation, weighted for each reader size class by
        # its similarity to the source's (age-scaled): a read takes one number per group
        self.counts = np.zeros((*self.weights.shape, classes))
        self.sums = np.zeros(self.counts.shape)

    @property
    def own_result_sd(self) -> float:
        """How precisely an own trial shows a municipality its ratio (sd of the result)."""
        return self.own**-0.5

    def _age_scale(self, month: int) -> float:
        return 2.0 ** (month / self.half_life)

    def step(self) -> None:
        """Add this month's trial results: the own result always, peers' when on."""
        if (
            self.national.size
            and (self.model.levers.documented_weight != self.documented_weight).any()
        ):
            self.documented_weight = self.model.levers.documented_weight.copy()
            self.weights[:, self.national] = (
                np.outer(self.observability, self.documented_weight) * self.precision
            )
        k, realised = self.model.events.trial_results
        if k.size:
            self.record(k, realised, self.model.month)

    def record(self, k: np.ndarray, realised: np.ndarray, month: int) -> None:
        """Finished trials at flat cells ``k`` (distinct) with results ``realised``."""
        scale = self._age_scale(month)
        precision, weighted = self.cell_precision.reshape(-1), self.cell_weighted.reshape(-1)
        precision[k] += self.own * scale
        weighted[k] += self.own * scale * realised
        i, j = np.divmod(k, self.n)
        np.add.at(self.finished, (i, j // self.block_size), 1.0)
        if not self.peers:
            return
        source = self.size_class[j]
        if self.neighbours is not None:
            position, m = row_entries(self.neighbours, j)
            cells = i[position] * self.n + m
            alike = self.similarity[self.size_class[m], source[position]]
            weight = self.neighbour_weight[i[position]] * alike * scale
            np.add.at(precision, cells, weight)
            np.add.at(weighted, cells, weight * realised[position])
        if self.groups_of is not None:
            position, g = row_entries(self.groups_of, j)
            classes = self.similarity.shape[0]
            cell = (i[position] * self.weights.shape[1] + g)[:, None] * classes
            at = (cell + np.arange(classes)).ravel()  # every reader class of each group
            alike = self.similarity[:, source[position]].T * scale  # (results, reader class)
            np.add.at(self.counts.reshape(-1), at, alike.ravel())
            np.add.at(self.sums.reshape(-1), at, (alike * realised[position, None]).ravel())

    def belief(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sd of the beliefs at flat cells ``k`` about their benefit/cost ratio."""
        i, j = np.divmod(k, self.n)
        slots = i[:, None] * self.weights.shape[1] + self.group_slots[j]  # flat (I, G+1)
        weight = self.weights.ravel().take(slots)  # (k, M)
        at = slots * self.counts.shape[2] + self.size_class[j][:, None]  # the reader's class
        counts = self.counts.reshape(-1).take(at)  # (k, M)
        sums = self.sums.reshape(-1).take(at)
        # Added up strictly in slot order (cumsum), so that the padding a batch needs does
        # not change the rounding: a replication's beliefs do not depend on its batch.
        group_precision = np.cumsum(weight * counts, 1)[:, -1]
        group_weighted = np.cumsum(weight * sums, 1)[:, -1]
        age = 1.0 / self._age_scale(self.model.month)
        precision = self.prior_precision[j] + age * (
            self.cell_precision.reshape(-1)[k] + group_precision
        )
        weighted = self.prior_weighted.reshape(-1)[k] + age * (
            self.cell_weighted.reshape(-1)[k] + group_weighted
        )
        return weighted / precision, precision**-0.5
