"""Plotly figures of the result tables, labelled in Swedish or English (``lang``)."""

from viz.adoption import adoption_over_time
from viz.effects import effects_forest
from viz.maps import adoption_map
from viz.market import supplier_market
from viz.money import budget_sankey, state_spending_over_time
from viz.sensitivity import morris_plot, response_surface, sobol_indices

__all__ = [
    "adoption_map",
    "adoption_over_time",
    "budget_sankey",
    "effects_forest",
    "morris_plot",
    "response_surface",
    "sobol_indices",
    "state_spending_over_time",
    "supplier_market",
]
