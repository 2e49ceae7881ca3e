"""Design points of an experiment, drawn by SALib and scipy.stats.qmc (never by hand).

The points depend only on the experiment (its seed included), so a resumed sweep and
the analysis regenerate exactly the points the sweep ran.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy.stats import qmc

from experiments.experiment import LoadedExperiment, ResolvedParameter


def salib_problem(parameters: tuple[ResolvedParameter, ...]) -> dict[str, Any]:
    """SALib's problem dict for numeric parameters."""
    return {
        "num_vars": len(parameters),
        "names": [p.name for p in parameters],
        "bounds": [[p.low, p.high] for p in parameters],
    }


def _grid_values(parameter: ResolvedParameter, levels: int) -> list[Any]:
    if parameter.values is not None:
        return list(parameter.values)
    points = np.linspace(parameter.low, parameter.high, levels)
    if parameter.integer:
        return sorted({int(round(v)) for v in points})
    return [float(v) for v in points]


def unit_matrix(loaded: LoadedExperiment) -> np.ndarray:
    """The sampler's raw matrix (rows: points; columns: parameters) before rounding."""
    experiment, parameters = loaded.experiment, loaded.parameters
    problem = salib_problem(parameters)
    if experiment.design == "lhs":
        sampler = qmc.LatinHypercube(d=len(parameters), rng=np.random.default_rng(experiment.seed))
        return qmc.scale(
            sampler.random(experiment.samples),
            [p.low for p in parameters],
            [p.high for p in parameters],
        )
    if experiment.design == "sobol":
        return sobol_sample.sample(
            problem,
            experiment.samples,
            calc_second_order=experiment.second_order,
            seed=experiment.seed,
        )
    if experiment.design == "morris":
        return morris_sample.sample(
            problem, experiment.samples, num_levels=experiment.levels, seed=experiment.seed
        )
    raise ValueError(f"design {experiment.design!r} has no sampling matrix")


def design_points(loaded: LoadedExperiment) -> pd.DataFrame:
    """One row per design point (index ``point``), one column per varied parameter.

    Integer parameters are rounded; the analysis uses the rounded values it ran.
    """
    parameters = loaded.parameters
    names = [p.name for p in parameters]
    if loaded.experiment.design == "grid":
        rows = itertools.product(*(_grid_values(p, loaded.experiment.levels) for p in parameters))
        table = pd.DataFrame(list(rows), columns=names)
    else:
        table = pd.DataFrame(unit_matrix(loaded), columns=names)
    for parameter in parameters:
        if parameter.integer:
            table[parameter.name] = table[parameter.name].round().astype("int64")
    table.index.name = "point"
    return table
