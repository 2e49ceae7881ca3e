"""Sweden's 290 municipalities and their neighbours: the project's reference tables."""

from model.reference.loader import (
    NEIGHBOUR_KINDS,
    ReferenceDataError,
    load_municipalities,
    load_neighbours,
    neighbour_graph,
    neighbour_matrix,
)
from model.reference.size_classes import SIZE_CLASS_LABELS, size_class_of

__all__ = [
    "NEIGHBOUR_KINDS",
    "SIZE_CLASS_LABELS",
    "ReferenceDataError",
    "load_municipalities",
    "load_neighbours",
    "neighbour_graph",
    "neighbour_matrix",
    "size_class_of",
]
