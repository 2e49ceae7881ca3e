"""Awareness: unaware municipalities hear of an innovation through external and peer channels.

The monthly probability is the sum of the channel rates (capped at 1), the discrete-time
form of the Bass model: external channels play the role of p and peer channels of q.
Peer channels count adopters among border neighbours, in the county, in the size class,
among co-members of FoU environments and (fully mixed) in the whole country.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from model.event_log import CHANNELS
from model.module import Module
from model.stages import Stage
from model.structure import row_entries

if TYPE_CHECKING:
    from model.model import DiffusionModel


def external_base_hazard(model: DiffusionModel) -> np.ndarray:
    """(I, N) hazard from marketing, media and scanning, before any policy boost."""
    traits, blocks = model.traits, model.blocks
    rate = model.innovation_cells("external_rate")
    scanning = 1.0 + blocks.columns("awareness.scanning_effect") * traits.scanning
    fairs = blocks.columns("awareness.fair_visit_effect") * traits.fair_visits
    hazard = rate * scanning
    hazard += (rate * model.innovations.is_product[:, None]) * fairs
    return hazard


def peer_multiplier(model: DiffusionModel) -> np.ndarray:
    """(I, N) how strongly a municipality reacts to peers, times the innovation's observability."""
    effect = model.blocks.columns("awareness.peer_study_effect")
    return np.outer(model.innovations.observability, 1.0 + effect * model.traits.peer_study)


class PeerAwareness:
    """The peer channels' awareness hazard, kept up to date as adopters come and go.

    Adopters per group (county, size class, nation, FoU environment) and per
    municipality's border neighbours change only where adoption changed, so the counts
    are updated from those cells alone; the hazard is then one sparse product from the
    groups' rates plus the neighbour term, whatever the number of adopters.
    """

    def __init__(self, model: DiffusionModel) -> None:
        p, switches, structure = (
            model.scenario.awareness,
            model.scenario.mechanisms,
            model.structure,
        )
        inn = model.innovations
        self.n = structure.n
        self.multiplier = peer_multiplier(model)
        shape = self.multiplier.shape
        self.adopted = np.zeros(shape, dtype=bool)  # as last counted
        self.hazard = np.zeros(shape)
        blocks = model.blocks
        neighbour_weight = blocks.columns("awareness.neighbours")
        use_neighbours = switches.peer_neighbours and neighbour_weight.any()
        self.neighbours = structure.neighbours if use_neighbours else None  # symmetric
        self.neighbour_scale = neighbour_weight / structure.neighbour_degree  # share of neighbours
        self.neighbour_counts = np.zeros(shape)
        members, spreads, row_weights = [], [], []
        self.channel_groups: list[tuple[str, int]] = []  # (channel, groups) in column order
        for groups, name, on in (
            (structure.counties, "awareness.county", switches.peer_county),
            (structure.size_classes, "awareness.size_class", switches.peer_size_class),
            (structure.nation, "awareness.national", switches.peer_national),
        ):
            # each group's weight is its block's (groups are numbered block by block)
            weight = np.repeat(blocks.value(name), groups.counts.size // structure.blocks)
            if on and weight.any():  # the weight times the share of the group that has adopted
                members.append(groups.members)
                spreads.append(groups.members.T @ sp.diags_array(weight / groups.counts))
                row_weights.append(np.ones((len(inn), groups.counts.size)))
                self.channel_groups.append((name.split(".")[1], groups.counts.size))
        if switches.peer_fou and p.fou:
            # The weight times the share among co-members, averaged over own environments.
            fou = structure.fou_members
            size = np.maximum(np.asarray(fou.sum(axis=1)).ravel(), 1.0)
            memberships = np.maximum(np.asarray(fou.sum(axis=0)).ravel(), 1.0)
            members.append(fou)
            spreads.append(sp.diags_array(1.0 / memberships) @ fou.T @ sp.diags_array(p.fou / size))
            kind = np.where(inn.is_product, p.fou_product_weight, 1.0)
            row_weights.append(np.repeat(kind[:, None], size.size, axis=1))
            self.channel_groups.append(("fou", size.size))
        self.groups_of = sp.csr_array(sp.vstack(members).T) if members else None  # (N, G)
        self.spread = sp.csr_array(sp.hstack(spreads)) if members else None  # (N, G)
        self.row_weights = np.hstack(row_weights) if members else None  # (I, G)
        self.group_counts = np.zeros((shape[0], self.spread.shape[1])) if members else None
        self._parts: list | None = None  # channel_hazards' per-channel view of ``spread``

    def channel_hazards(self, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
        """Each peer channel's term of the hazard at cells (i, j): the parts ``hazard``
        sums (for the event table: which channel a municipality heard through)."""
        terms = {}
        multiplier = self.multiplier[i, j]
        if self.neighbours is not None:
            terms["neighbours"] = self.neighbour_counts[i, j] * self.neighbour_scale[j] * multiplier
        for channel, group, spread, rows in self._channel_parts():
            if group is not None:  # one group per municipality: index it directly
                g = group[j]
                terms[channel] = spread[j] * self.group_counts[i, g] * self.row_weights[i, g]
            else:  # several groups per municipality (FoU environments): a sparse product
                weighted = rows[j].multiply(
                    self.group_counts[i][:, spread] * self.row_weights[i][:, spread]
                )
                terms[channel] = np.asarray(weighted.sum(axis=1)).ravel()
            terms[channel] = terms[channel] * multiplier
        return terms

    def _channel_parts(self) -> list[tuple[str, np.ndarray | None, np.ndarray, object]]:
        """Per group channel: (channel, group column of each municipality or None, its
        spread weight, or the columns and sparse rows where a municipality is in several)."""
        if self._parts is None:
            self._parts = []
            start = 0
            for channel, count in self.channel_groups:
                columns = np.arange(start, start + count)
                part = sp.csr_array(self.spread[:, columns])
                per_row = np.diff(part.indptr)
                if (per_row <= 1).all():
                    group = np.zeros(part.shape[0], dtype=np.int64)
                    weight = np.zeros(part.shape[0])
                    has = per_row == 1
                    group[has] = columns[part.indices]
                    weight[has] = part.data
                    self._parts.append((channel, group, weight, None))
                else:
                    self._parts.append((channel, None, columns, part))
                start += count
        return self._parts

    def update(self, adopted: np.ndarray) -> np.ndarray:
        """The (I, N) peer hazard given the adopters now (bool (I, N))."""
        changed = np.flatnonzero(adopted != self.adopted)
        if changed.size == 0:
            return self.hazard
        delta = np.where(adopted.reshape(-1)[changed], 1.0, -1.0)
        self.adopted.reshape(-1)[changed] = adopted.reshape(-1)[changed]
        i, j = np.divmod(changed, self.n)
        if self.groups_of is not None:
            position, g = row_entries(self.groups_of, j)
            np.add.at(self.group_counts, (i[position], g), delta[position])
            peer = np.ascontiguousarray((self.spread @ (self.group_counts * self.row_weights).T).T)
        else:
            peer = np.zeros(adopted.shape)
        if self.neighbours is not None:
            position, m = row_entries(self.neighbours, j)
            np.add.at(self.neighbour_counts.reshape(-1), i[position] * self.n + m, delta[position])
            peer += self.neighbour_counts * self.neighbour_scale
        self.hazard = np.multiply(peer, self.multiplier, out=peer)
        return self.hazard


class Awareness(Module):
    """Each month every unaware cell hears of the innovation with the channels' hazard.

    Owns the peer counts (``peer``) and the external hazard, which it recomputes when a
    lever changes municipalities' capacities (``traits.revision``). The peer channels'
    switches (``mechanisms.peer_*``, ``external_awareness``) remove a channel's term.
    """

    parameters = ("awareness", "innovation")
    options = (
        "mechanisms.external_awareness",
        "mechanisms.peer_neighbours",
        "mechanisms.peer_county",
        "mechanisms.peer_size_class",
        "mechanisms.peer_fou",
        "mechanisms.peer_national",
    )
    streams = ("monthly",)
    records = ("aware",)

    def __init__(self, model: DiffusionModel) -> None:
        super().__init__(model)
        self.peer = PeerAwareness(model)
        self.external = model.scenario.mechanisms.external_awareness
        self._refresh()

    def _refresh(self) -> None:
        """External hazard for the capacities now, and only where the innovation has
        arrived (a pipeline innovation is unheard of before its month)."""
        pipeline = self.model.pipeline
        self.external_hazard = external_base_hazard(self.model) * pipeline.arrived_cells
        self._revision = (self.model.traits.revision, pipeline.revision)

    def step(self) -> None:
        """Unaware cells whose draw falls under the summed channel hazard become aware."""
        model, state = self.model, self.model.state
        if state.adopters_changed:
            self.peer.update(state.stage == Stage.ADOPTED)
            state.adopters_changed = False
        hazard = self.peer.hazard
        if self.external:
            if self._revision != (model.traits.revision, model.pipeline.revision):
                self._refresh()
            hazard = hazard + self.external_hazard
            documented = model.levers.documented_awareness  # (I, R): a centre's reach
            if documented.any():
                hazard = hazard + np.repeat(documented, model.structure.block_size, axis=1)
        hearing = np.flatnonzero(model.draws.entry < hazard)  # few cells: test their stage after
        heard = hearing[state.flat["stage"][hearing] == Stage.UNAWARE]
        state.move(heard, Stage.AWARE, model.month)
        if model.event_log.enabled:
            model.event_log.heard_through(heard, self.channel_hazards(heard))

    def channel_hazards(self, cells: np.ndarray) -> np.ndarray:
        """(cells, CHANNELS) hazards of every channel at ``cells`` this month."""
        model = self.model
        i, j = np.divmod(cells, model.state.n_columns)
        terms = self.peer.channel_hazards(i, j)
        if self.external:
            terms["external"] = self.external_hazard[i, j]
            documented = model.levers.documented_awareness
            terms["centre"] = documented[i, j // model.structure.block_size]
        hazards = np.zeros((cells.size, len(CHANNELS)))
        for c, channel in enumerate(CHANNELS):
            if channel in terms:
                hazards[:, c] = terms[channel]
        return hazards
