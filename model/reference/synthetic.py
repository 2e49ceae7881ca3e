"""Synthetic sets of municipalities, for scaling studies beyond Sweden's 290.

Points are scattered over Sweden's extent, neighbours come from a Delaunay triangulation
(about three per municipality, like real borders), populations are lognormal with the
real median and spread, and counties are bands of latitude. The tables have the same
columns as the real ones, so the model takes them unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import Delaunay

from model.reference.size_classes import size_class_of

# Median and log-sd of the real 2024 populations (16,180 and about 1.0).
MEDIAN_POPULATION = 16_180
LOG_SD_POPULATION = 1.0


def synthetic_municipalities(
    n: int, seed: int = 0, counties: int = 21
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(municipalities, neighbours) tables for ``n`` made-up municipalities."""
    if n < 3:
        raise ValueError(f"a synthetic set needs at least 3 municipalities, got {n}")
    rng = np.random.default_rng(seed)
    lat = rng.uniform(55.5, 68.5, n)
    lon = rng.uniform(11.5, 23.5, n)
    population = np.maximum(
        1_000, np.rint(MEDIAN_POPULATION * np.exp(LOG_SD_POPULATION * rng.standard_normal(n)))
    ).astype(np.int64)
    order = np.argsort(lat, kind="stable")
    county_of = np.empty(n, dtype=np.int64)
    county_of[order] = np.arange(n) * counties // n
    width = len(str(n))
    municipalities = pd.DataFrame(
        {
            "kommunkod": [f"S{k:0{width}d}" for k in range(n)],
            "name": [f"Synthetic {k}" for k in range(n)],
            "county_code": [f"{c + 1:02d}" for c in county_of],
            "county": [f"Synthetic county {c + 1}" for c in county_of],
            "population": population,
            "population_date": "synthetic",
            "area_km2_approx": 0.0,
            "lat": lat,
            "lon": lon,
            "size_class": [size_class_of(int(p)) for p in population],
        }
    )
    triangles = Delaunay(np.column_stack([lon * np.cos(np.radians(62.0)), lat])).simplices
    edges = np.vstack([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]])
    edges = np.unique(np.sort(edges, axis=1), axis=0)
    codes = municipalities["kommunkod"].to_numpy()
    neighbours = pd.DataFrame(
        {
            "code_a": codes[edges[:, 0]],
            "code_b": codes[edges[:, 1]],
            "kind": "land",
            "shared_border_km": 0.0,
        }
    )
    return municipalities, neighbours
