"""Scenario discovery: the combinations of assumptions under which a lever's benefit vanishes.

PRIM (the EMA Workbench's implementation) peels the design space towards the points
where the paired effect is below a threshold; we report the box on its peeling
trajectory with the highest coverage whose density reaches the target, and the whole
trajectory so an analyst can choose another trade-off.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd


def _prim():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional back-ends the workbench does not need here
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


def find_boxes(
    inputs: pd.DataFrame, of_interest: np.ndarray, density_target: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(box limits of the chosen box, peeling trajectory) for cases ``of_interest``.

    Box limits: one row per restricted parameter with low, high and the box's coverage,
    density and mass. Empty when no case is of interest.
    """
    of_interest = np.asarray(of_interest, dtype=bool)
    if not of_interest.any():
        return pd.DataFrame(
            columns=["parameter", "low", "high", "coverage", "density", "mass"]
        ), pd.DataFrame(columns=["box", "coverage", "density", "mass", "restricted"])
    prim = _prim()
    box = prim.Prim(inputs.reset_index(drop=True), of_interest).find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    reaching = trajectory[trajectory["density"] >= density_target]
    # The most coverage among boxes dense enough; the densest when none is.
    candidates = (
        reaching
        if len(reaching)
        else trajectory[trajectory["density"] == trajectory["density"].max()]
    )
    chosen = int(candidates.sort_values(["coverage", "density"], ascending=False).index[0])
    limits = box.box_lims[chosen]
    full = box.box_lims[0]
    rows = []
    for name in inputs.columns:
        low, high = limits[name].iloc[0], limits[name].iloc[1]
        if (low, high) != (full[name].iloc[0], full[name].iloc[1]):
            rows.append({"parameter": name, "low": low, "high": high})
    stats = trajectory.loc[chosen]
    table = pd.DataFrame(rows, columns=["parameter", "low", "high"])
    for key in ("coverage", "density", "mass"):
        table[key] = float(stats[key])
    table.insert(0, "box", chosen)
    out = pd.DataFrame(
        {
            "box": trajectory.index,
            "coverage": trajectory["coverage"],
            "density": trajectory["density"],
            "mass": trajectory["mass"],
            "restricted": trajectory["res_dim"],
        }
    )
    return table, out
