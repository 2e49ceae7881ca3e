"""Policy levers, each a module switched on in a scenario's ``[policies]``.

Like the mechanisms, each lever is a ``model.module.Module`` whose ``step`` runs at the
start of every month, before the mechanisms; it acts only through ``model.levers``
(``model/levers.py``), the municipalities' capacities and FoU support capacity, and books
its money in ``model.money``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.params import PARAMETERS
from model.policies.capacity import CapacityBuilding
from model.policies.process_fund import ProcessFund
from model.policies.programme import InnovationProgramme
from model.policies.shared_procurement import SharedProcurement
from model.policies.trial_legislation import TrialLegislation

if TYPE_CHECKING:
    from model.model import DiffusionModel
    from model.module import Module

LEVERS = (InnovationProgramme, ProcessFund, TrialLegislation, SharedProcurement)  # run order
# The levers' register sections, in register order (how the explorer and reports list them).
LEVER_SECTIONS: tuple[str, ...] = tuple(
    dict.fromkeys(p.section for p in PARAMETERS if p.section in {k.parameters[0] for k in LEVERS})
)


def build_policies(model: DiffusionModel) -> list[Module]:
    """The scenario's enabled levers, in a fixed order."""
    settings = model.scenario
    capacity = CapacityBuilding(model)
    policies: list[Module] = []
    if settings.programme.enabled:
        policies.append(InnovationProgramme(model, settings.programme, capacity))
    if settings.process_fund.enabled:
        policies.append(ProcessFund(model, settings.process_fund, capacity))
    if settings.trial_legislation.enabled:
        policies.append(TrialLegislation(model, settings.trial_legislation))
    if settings.shared_procurement.enabled:
        policies.append(SharedProcurement(model, settings.shared_procurement))
    return policies
