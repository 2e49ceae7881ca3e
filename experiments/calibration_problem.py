"""What a joint calibration fits: several observed series, one parameter space.

Each target (``experiments/targets/``) is a series: a scenario, an innovation and dated
observations. Parameters a target marks ``shared`` (municipal behaviour) are one
dimension for every series; the others (an innovation's attributes, or a section
parameter a target keeps to itself, named ``<target>:<name>``) act on their series only.
A particle is a value per dimension; ``simulate`` runs R replications of every series
with it, the particles of a chunk side by side as blocks of one model per series
(``model/blocks.py``), and returns the series' counts at every observation and on a
curve every three months.

The distance of one replication to the data, over the observations that are fitted:

    distance = sqrt(mean_i ((model_i - observed_i) / tolerance_i)^2)

with the tolerance an observation's ``sd`` (else 10 % of its value and at least 5
municipalities), so each observation counts by how well it is known.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.evaluators import evaluate_spridning, evaluate_spridning_points
from experiments.experiment import ExperimentError, ParameterRange, resolve_parameter
from experiments.run import municipality_count
from experiments.targets import Target, TargetError, _month_number, load_target
from model.blocks import BlockParameterError
from model.scenario import Scenario, load_scenario, resolve_scenario_path

CURVE_STEP = 3  # months between the stored points of the fitted curves
SEPARATOR = ":"  # a series' own section parameter: "<target>:<name>"


@dataclass(frozen=True)
class Dimension:
    """One calibrated number: its prior range and where it goes in each series."""

    name: str
    low: float
    high: float
    integer: bool
    shared: bool
    paths: tuple[tuple[str, str], ...]  # (target name, override path)


@dataclass(frozen=True)
class Series:
    """One target in the fit, with the scenario that runs it and what is compared."""

    target: Target
    file: Path
    scenario: Scenario  # runs to a year past the last observation
    observed: np.ndarray  # counts of municipalities (or municipality-equivalents)
    tolerance: np.ndarray
    fitted: np.ndarray  # bool: enters the distance (the rest is predicted)
    outcomes: tuple[str, ...] = field(default=())  # observation columns, then the curve

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def observation_columns(self) -> list[str]:
        return [self.target.outcome(o) for o in self.target.observations]

    def column(self, outcome: str) -> str:
        """The column of a simulated table that holds one of this series' outcomes."""
        return f"{self.name}{SEPARATOR}{outcome}"


@dataclass(frozen=True)
class Problem:
    series: tuple[Series, ...]
    dimensions: tuple[Dimension, ...]
    fit_until: str | None
    municipalities: int

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    def overrides(self, values: Mapping[str, float], target: str) -> dict[str, Any]:
        """The scenario overrides of one series for a particle's ``values``."""
        out: dict[str, Any] = {}
        for dimension in self.dimensions:
            for name, path in dimension.paths:
                if name == target:
                    value = float(values[dimension.name])
                    out[path] = round(value) if dimension.integer else value
        return out

    def distances(self, table: pd.DataFrame) -> np.ndarray:
        """Per row of a simulated table (one replication of a particle): the distance over
        the fitted observations of every series (inf where a run failed)."""
        scaled = []
        for series in self.series:
            columns = [series.column(c) for c in series.observation_columns]
            values = table[columns].to_numpy(dtype=float)
            scaled.append(((values - series.observed) / series.tolerance)[:, series.fitted])
        squares = np.hstack(scaled) ** 2
        distance = np.sqrt(squares.mean(axis=1))
        return np.where(np.isfinite(distance), distance, np.inf)

    def definition(self) -> dict[str, Any]:
        """What defines the fit (targets with their observations, scenarios, priors)."""
        return {
            "targets": [
                {
                    "name": s.name,
                    "file": str(s.file),
                    "target": s.target.model_dump(),
                    "scenario": s.scenario.model_dump(),
                    "fitted": s.fitted.tolist(),
                }
                for s in self.series
            ],
            "dimensions": [
                {
                    "name": d.name,
                    "low": d.low,
                    "high": d.high,
                    "integer": d.integer,
                    "shared": d.shared,
                    "paths": [list(p) for p in d.paths],
                }
                for d in self.dimensions
            ],
            "fit_until": self.fit_until,
            "municipalities": self.municipalities,
        }

    def fingerprint(self) -> str:
        text = json.dumps(self.definition(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _fitted(target: Target, fit_until: str | None) -> np.ndarray:
    """Which observations enter the distance: all, or those up to ``fit_until``."""
    dates = [o.date for o in target.observations]
    if fit_until is None:
        return np.ones(len(dates), dtype=bool)
    return np.array([_month_number(d) <= _month_number(fit_until) for d in dates])


def _scenario(target: Target, file: Path, scenario: str | None) -> Scenario:
    """The target's scenario (a file beside the target, else a project scenario), run a
    year past the last observation; refused when it lacks the target's innovation."""
    base = scenario or target.scenario
    beside = file.parent / base
    loaded = load_scenario(beside if beside.exists() else resolve_scenario_path(base))
    names = [i.name for i in loaded.innovations]
    if target.innovation not in names:
        raise TargetError(
            f"{file}: innovation {target.innovation!r} is not in scenario {loaded.name} "
            f"(it has {names})"
        )
    months = max(target.month_of(o.date) for o in target.observations) + 12
    if loaded.run.months < months:
        loaded = loaded.with_overrides({"run.months": months})
    return loaded


def _outcomes(target: Target, months: int) -> tuple[str, ...]:
    """The observation outcomes, then each measure's curve every CURVE_STEP months."""
    observed = [target.outcome(o) for o in target.observations]
    measures = dict.fromkeys(o.measure for o in target.observations)
    curve = [
        f"{m}_m{month}" for m in measures for month in range(CURVE_STEP, months + 1, CURVE_STEP)
    ]
    return tuple(dict.fromkeys(observed + curve))


def _resolve(name: str, spec: ParameterRange, scenario: Scenario, file: Path):
    try:
        return resolve_parameter(name, spec, scenario, "spridning")
    except ExperimentError as error:
        raise TargetError(f"{file}: parameters.{error}") from None


def build_problem(
    targets: Sequence[str | Path],
    fit_until: str | None = None,
    parameters: Mapping[str, ParameterRange] | None = None,
    scenario: str | None = None,
) -> Problem:
    """The joint fit of ``targets`` (names or files). ``parameters`` replaces the targets'
    own lists (each is shared when it is not an innovation's attribute); ``scenario``
    replaces the scenario of a single target."""
    if not targets:
        raise TargetError("no targets to fit; name at least one, or use --all")
    if scenario is not None and len(targets) > 1:
        raise TargetError("--scenario replaces one target's scenario; give a single target")
    if fit_until is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", fit_until):
        raise TargetError(f"--fit-until: a date YYYY-MM (e.g. 2011-12), got {fit_until!r}")
    municipalities = municipality_count()
    series: list[Series] = []
    shared: dict[str, tuple[ParameterRange, Path]] = {}
    own: list[tuple[str, str, ParameterRange, Path]] = []  # (target, name, spec, file)
    for given in targets:
        target, file = load_target(given, municipalities)
        if any(s.name == target.name for s in series):
            raise TargetError(f"{file}: target {target.name} is listed twice")
        run = _scenario(target, file, scenario)
        fitted = _fitted(target, fit_until)
        months = run.run.months
        series.append(
            Series(
                target=target,
                file=file,
                scenario=run,
                observed=np.array([o.count(municipalities) for o in target.observations]),
                tolerance=np.array([o.tolerance(municipalities) for o in target.observations]),
                fitted=fitted,
                outcomes=_outcomes(target, months),
            )
        )
        chosen = dict(parameters) if parameters else target.parameters
        for name, spec in chosen.items():
            is_shared = getattr(spec, "shared", not name.startswith("innovations."))
            if is_shared:
                earlier = shared.get(name)
                if earlier is not None and (earlier[0].low, earlier[0].high) != (
                    spec.low,
                    spec.high,
                ):
                    raise TargetError(
                        f"{file}: parameters.{name}: shared, but its range differs from the "
                        f"one in {earlier[1]}; a shared parameter has one prior"
                    )
                shared.setdefault(name, (spec, file))
            else:
                own.append((target.name, name, spec, file))
    if not shared and not own:
        raise TargetError("no parameters to fit; give --params or [parameters] in a target")
    if not any(s.fitted.any() for s in series):
        raise TargetError(f"--fit-until {fit_until}: no observation is that early; nothing to fit")
    if fit_until is not None and all(s.fitted.all() for s in series):
        raise TargetError(f"--fit-until {fit_until}: leaves no observation to predict")
    dimensions = []
    for name, (spec, file) in shared.items():
        paths, resolved = [], None
        for s in series:
            resolved = _resolve(name, spec, s.scenario, file)
            paths.append((s.name, resolved.path))
        dimensions.append(_dimension(name, resolved, True, paths, file))
    for target_name, name, spec, file in own:
        s = next(s for s in series if s.name == target_name)
        resolved = _resolve(name, spec, s.scenario, file)
        label = name if name.startswith("innovations.") else f"{target_name}{SEPARATOR}{name}"
        dimensions.append(_dimension(label, resolved, False, [(target_name, resolved.path)], file))
    return Problem(tuple(series), tuple(dimensions), fit_until, municipalities)


def _dimension(name: str, resolved, shared: bool, paths: list, file: Path) -> Dimension:
    if not resolved.numeric:
        raise TargetError(f"{file}: parameters.{name}: calibration needs a range (low, high)")
    return Dimension(name, resolved.low, resolved.high, resolved.integer, shared, tuple(paths))


def simulate(
    problem: Problem, particles: Sequence[Mapping[str, float]], seeds: Sequence[Sequence[int]]
) -> pd.DataFrame:
    """Every series at each particle with its replications' ``seeds``: one row per
    particle (position) and replication, a column per series outcome (NaN and an
    ``error`` where a particle's run failed)."""
    frames = []
    errors = [""] * len(particles)
    for series in problem.series:
        points = [
            (problem.overrides(values, series.name), list(s))
            for values, s in zip(particles, seeds, strict=True)
        ]
        tables = _evaluate(points, series, errors)
        parts = []
        for position, table in enumerate(tables):
            if table is None:
                table = pd.DataFrame({"replication": range(len(seeds[position]))})
            else:
                table = table[table["innovation"] == series.target.innovation]
            table = table.reindex(columns=["replication", *series.outcomes])
            table.insert(0, "particle", position)
            parts.append(table)
        frame = pd.concat(parts, ignore_index=True).set_index(["particle", "replication"])
        frames.append(frame.rename(columns=series.column))
    out = pd.concat(frames, axis=1).reset_index()
    out["error"] = [errors[p] for p in out["particle"]]
    return out


def _evaluate(points, series: Series, errors: list[str]) -> list[pd.DataFrame | None]:
    """The points as blocks of one model; point by point when they cannot be (a parameter
    that cannot differ between blocks) or the joint run fails (then only the failing
    points are lost, with their error)."""
    try:
        return evaluate_spridning_points(points, series.scenario, None, series.outcomes)
    except Exception:  # noqa: BLE001 - isolate the failing point(s) below
        pass
    tables: list[pd.DataFrame | None] = []
    for position, (overrides, seeds) in enumerate(points):
        try:
            tables.append(
                evaluate_spridning(overrides, seeds, series.scenario, None, series.outcomes)
            )
        except (BlockParameterError, ValueError, RuntimeError) as error:
            errors[position] = f"{series.name}: {type(error).__name__}: {error}"
            tables.append(None)
    return tables
