"""Where policy levers act on the model.

The mechanisms read these arrays; with their neutral defaults nothing changes. The
policy modules (``model/policies/``) set them at the start of every month, before the
mechanisms run, and book the state's money here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.accounts import Flows

if TYPE_CHECKING:
    from model.policies.joint_award import ConsortiumContracts


@dataclass
class LeverState:
    grant_share: np.ndarray  # share of a trial's cost a state grant pays, per municipality (N,)
    grant_pot: np.ndarray  # MSEK of grant money available now, per replication (R,)
    grant_requested: np.ndarray  # MSEK of grants asked for at trial starts this call year (R,)
    grant_paid: np.ndarray  # MSEK of grants paid this call year (R,)
    barrier_lifted: np.ndarray  # bool: legal barrier suspended or repealed here (I, N)
    procurement_lead_factor: np.ndarray  # x individual lead time (N,)
    procurement_cost_factor: np.ndarray  # x individual procurement cost (N,)
    documented_awareness: np.ndarray  # awareness hazard per month from a competence centre (I, R)
    documented_weight: np.ndarray  # weight of results pooled nationally by a centre (R,)
    risk_share: np.ndarray  # share of a failed trial's own cost the state refunds (N,)
    national_pooling: bool = (
        False  # a lever may weigh results pooled nationally (learning keeps them)
    )
    contracts: ConsortiumContracts | None = None  # consortia's live contracts to call off

    @classmethod
    def neutral(cls, i: int, n: int, replications: int) -> LeverState:
        return cls(
            grant_share=np.zeros(n),
            grant_pot=np.zeros(replications),
            grant_requested=np.zeros(replications),
            grant_paid=np.zeros(replications),
            barrier_lifted=np.zeros((i, n), dtype=bool),
            procurement_lead_factor=np.ones(n),
            procurement_cost_factor=np.ones(n),
            documented_awareness=np.zeros((i, replications)),
            documented_weight=np.zeros(replications),
            risk_share=np.zeros(n),
        )


@dataclass
class StateMoney(Flows):
    """The state's policy money this month, per replication (MSEK).

    ``budget`` is what the levers were given, ``granted`` paid as trial grants,
    ``administered`` spent on everything else (capacity, FoU, centre, administration,
    process support), ``unspent`` returned unused; the levers' instrument pots hold
    money given but not yet paid (``held_msek`` in the output). In every month: budget so
    far = granted + administered + unspent so far + what the pots hold.
    """

    budget: np.ndarray
    granted: np.ndarray
    administered: np.ndarray
    unspent: np.ndarray
    risk_refunds: np.ndarray


@dataclass
class MoneyReceived:
    """What each municipality has received of the state's policy money so far (MSEK, (N,)):
    who the money reaches, for the split by size class or county. Grants and capacity
    money come out of lever budgets; risk refunds are outside any budget."""

    grants: np.ndarray  # trial grants paid
    capacity: np.ndarray  # capacity building: innovation leads, process support
    refunds: np.ndarray  # state risk sharing on failed trials

    @classmethod
    def zeros(cls, n: int) -> MoneyReceived:
        return cls(grants=np.zeros(n), capacity=np.zeros(n), refunds=np.zeros(n))
