"""Mesa agents: thin objects over the model's vectorised state, so code can ask an agent
about itself while the monthly update runs over all agents at once."""

from model.agents.fou_environment import FouEnvironment
from model.agents.municipality import Municipality
from model.agents.supplier import Supplier

__all__ = ["FouEnvironment", "Municipality", "Supplier"]
