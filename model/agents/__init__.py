"""Mesa agents: one object per municipality, supplier and FoU environment, over the model's
vectorised state.

The monthly update works on arrays (``model/mechanisms``), so the agents carry no state
of their own: each reads its row of the arrays. They are what code and analysts use to
ask about or select entities by their attributes: ``Municipality.story()`` tells one
municipality's path, ``spridning story`` prints it, and a municipality shows the
attributes targeting rules rank by (which ``model/policies/targeting.py`` reads for a whole
replication at once). They are built on first use of
``model.agents`` / ``agents_by_type`` (``AgentLayer``), so runs that never ask pay nothing.
"""

from model.agents.fou_environment import FouEnvironment
from model.agents.layer import AgentLayer
from model.agents.municipality import Municipality
from model.agents.supplier import Supplier

__all__ = ["AgentLayer", "FouEnvironment", "Municipality", "Supplier"]
