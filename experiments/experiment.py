"""Experiment files: what to vary, how to sample it, how often to run it, what to keep.

An experiment (TOML) names a base scenario, the parameters to vary with their ranges
(by default the plausible range in the parameter register), a design, replications,
outcomes and a seed. It is validated when loaded: a bad file fails with a message naming
the file, the key and what is allowed, never part-way through a sweep.

Parameter names are register names (``awareness.county``, ``programme.targeting``) or one
innovation's field (``innovations.vr_training_tool.trial_cost_msek``).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from experiments.input_files import load_model
from experiments.limits import MAX_POINT_REPLICATIONS, MAX_SAMPLES, MAX_SWEEP_RUNS, SWEEP_WHY
from experiments.metrics import RUN_METRICS, SERIES_MEASURES
from model.params import PARAMETERS, REGISTER, Parameter
from model.policies import LEVER_SECTIONS
from model.scenario import SECTIONS, Scenario, ScenarioError, load_scenario, resolve_scenario_path

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"

# The sections whose parameters describe how municipalities, suppliers and FoU behave
# (not the levers, not the switches, not one innovation's attributes, not the run's length).
MECHANISM_SECTIONS = tuple(s for s in SECTIONS if s not in ("run", "mechanisms", *LEVER_SECTIONS))
# Every declared metric one run gives per replication (not the paired cost ratio).
SPRIDNING_OUTCOMES = tuple(m.name for m in RUN_METRICS)
ISHIGAMI_OUTCOMES = ("y",)
MAX_GRID_POINTS = 100_000


class ExperimentError(ValueError):
    """An experiment file is missing, malformed or asks for something not allowed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class ParameterRange(_Strict):
    """A numeric range (``low``/``high``; omitted: the register's plausible range) or ``values``."""

    low: float | None = None
    high: float | None = None
    values: list[float | int | str | bool] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _range_or_values(self) -> ParameterRange:
        if self.values is not None and (self.low is not None or self.high is not None):
            raise ValueError("give either low/high or values, not both")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class Selection(_Strict):
    """Vary every register parameter with this source in these sections (plausible ranges)."""

    source: str = "assumption"
    sections: list[str] = Field(default=list(MECHANISM_SECTIONS), min_length=1)


class Discovery(_Strict):
    """Scenario discovery: where does the lever's effect on ``outcome`` fall below ``below``?"""

    outcome: str
    innovation: str = "all"
    below: float = Field(description="the benefit 'vanishes' when the mean effect is below this")
    threshold: float = Field(default=0.8, gt=0, le=1, description="PRIM's density target")


class Experiment(_Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    model: Literal["spridning", "ishigami"] = "spridning"
    scenario: str = "baseline"
    reference_scenario: str | None = Field(
        default=None,
        description="run each point also under this scenario (same seeds) and keep the effects",
    )
    design: Literal["grid", "lhs", "sobol", "morris"]
    samples: int = Field(
        default=64, ge=1, le=MAX_SAMPLES, description="lhs: points; sobol: N; morris: paths"
    )
    levels: int = Field(default=4, ge=2, description="grid: points per range; morris: levels")
    second_order: bool = False
    replications: int = Field(default=4, ge=1, le=MAX_POINT_REPLICATIONS)
    seed: int = Field(default=1, ge=0)
    outcomes: list[str] = Field(default=[], description="outcomes to keep (default: all)")
    parameters: dict[str, ParameterRange] = {}
    select: Selection | None = None
    discovery: Discovery | None = None
    chunk_runs: int = Field(default=32, ge=1, description="runs per task sent to a worker")

    @property
    def outcome_names(self) -> tuple[str, ...]:
        known = ISHIGAMI_OUTCOMES if self.model == "ishigami" else SPRIDNING_OUTCOMES
        return tuple(self.outcomes) or known


class ResolvedParameter(BaseModel):
    """A varied parameter: where it goes in the scenario and what it may take."""

    model_config = ConfigDict(frozen=True)

    name: str
    path: str  # dotted path for Scenario.with_overrides (list positions as numbers)
    low: float | None
    high: float | None
    values: tuple[Any, ...] | None
    integer: bool

    @property
    def numeric(self) -> bool:
        return self.values is None


def scenario_path(name: str, scenario: Scenario | None) -> tuple[str, Parameter | None]:
    """The override path of a parameter name, and its register entry when it has one."""
    section = name.split(".", 1)[0]
    if name in REGISTER and section == "innovation":
        raise ExperimentError(
            f"{name}: innovation attributes differ per innovation; name one, as "
            f"innovations.<name>.{name.split('.', 1)[1]}"
        )
    if name in REGISTER:
        return name, REGISTER[name]
    parts = name.split(".")
    if parts[0] == "innovations" and len(parts) == 3 and scenario is not None:
        names = [i.name for i in scenario.innovations]
        if parts[1] not in names:
            raise ExperimentError(f"{name}: no innovation {parts[1]!r}; the scenario has {names}")
        return f"innovations.{names.index(parts[1])}.{parts[2]}", REGISTER.get(
            f"innovation.{parts[2]}"
        )
    if parts[0] == "policies" and len(parts) == 3:
        raise ExperimentError(
            f"{name}: levers are named as in the register: write {parts[1]}.{parts[2]}"
        )
    raise ExperimentError(
        f"{name}: unknown parameter; use a register name (see `spridning params`) or "
        "innovations.<innovation>.<field>"
    )


def resolve_parameter(
    name: str, spec: ParameterRange, scenario: Scenario | None, model: str
) -> ResolvedParameter:
    if model == "ishigami":
        if name not in ("x1", "x2", "x3"):
            raise ExperimentError(f"{name}: the ishigami function has parameters x1, x2, x3")
        if spec.values is None and (spec.low is None or spec.high is None):
            raise ExperimentError(f"{name}: give low and high (the test function has no register)")
        return ResolvedParameter(
            name=name,
            path=name,
            low=spec.low,
            high=spec.high,
            values=tuple(spec.values) if spec.values is not None else None,
            integer=False,
        )
    path, entry = scenario_path(name, scenario)
    if spec.values is not None:
        low = high = None
    else:
        plausible = entry.plausible if entry else None
        low = spec.low if spec.low is not None else (plausible[0] if plausible else None)
        high = spec.high if spec.high is not None else (plausible[1] if plausible else None)
        if low is None or high is None:
            raise ExperimentError(
                f"{name}: no plausible range in the register; give low and high, or values"
            )
        if low >= high:
            raise ExperimentError(f"{name}: low ({low:g}) must be below high ({high:g})")
    integer = entry is not None and type(entry.default) is int
    fractional = [v for v in spec.values or () if integer and float(v) != int(float(v))]
    if fractional:
        raise ExperimentError(f"{name}: a whole number ({entry.unit}); got {fractional}")
    resolved = ResolvedParameter(
        name=name,
        path=path,
        low=low,
        high=high,
        values=tuple(spec.values) if spec.values is not None else None,
        integer=integer,
    )
    if scenario is not None:
        for value in resolved.values or (low, high):
            try:
                scenario.with_overrides({path: round(value) if integer else value})
            except ScenarioError as error:
                own = [line.strip() for line in str(error).splitlines() if _about(line, path)]
                if (
                    own
                ):  # errors that involve other fields too (shares summing to 1) wait for the run
                    raise ExperimentError(f"{name} = {value!r} is not allowed: {own[0]}") from None
            except (KeyError, IndexError, TypeError) as error:
                raise ExperimentError(
                    f"{name}: not a parameter of the scenario ({error})"
                ) from None
    return resolved


def _about(line: str, path: str) -> bool:
    """Whether a scenario error line is about the field at ``path`` (innovations by position)."""
    key = line.strip().split(":", 1)[0]
    if path.startswith("innovations."):
        _, position, field_name = path.split(".")
        return key.startswith(f"innovations[{position}]") and key.endswith(f".{field_name}")
    return key == path


def _selected(selection: Selection) -> dict[str, ParameterRange]:
    sections = {p.section for p in PARAMETERS}
    unknown = [s for s in selection.sections if s not in sections]
    if unknown:
        raise ExperimentError(
            f"select.sections: unknown {unknown}; sections are {sorted(sections)}"
        )
    chosen = {
        p.name: ParameterRange()
        for p in PARAMETERS
        if p.source == selection.source
        and p.section in selection.sections
        and p.plausible is not None
        and not isinstance(p.default, bool)
    }
    if not chosen:
        raise ExperimentError(
            f"select: no parameter with source {selection.source!r} in {selection.sections}"
        )
    return chosen


class LoadedExperiment(BaseModel):
    """An experiment with its base scenario(s) and varied parameters resolved."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    experiment: Experiment
    source: str
    scenario: Scenario | None
    reference: Scenario | None
    parameters: tuple[ResolvedParameter, ...]

    def fingerprint(self) -> str:
        """A hash of everything that decides the results (not the description)."""
        content = {
            # Not the description, chunking or scenario file paths: they do not change
            # results (the scenarios' content is below); the resolved ranges do.
            "experiment": self.experiment.model_dump(
                exclude={"description", "chunk_runs", "scenario", "reference_scenario"}
            ),
            "parameters": [p.model_dump() for p in self.parameters],
            "scenario": self.scenario.model_dump() if self.scenario else None,
            "reference": self.reference.model_dump() if self.reference else None,
        }
        text = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def definition(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment.model_dump(),
            "source": self.source,
            "scenario": self.scenario.model_dump() if self.scenario else None,
            "reference_scenario": self.reference.model_dump() if self.reference else None,
            "parameters": [p.model_dump() for p in self.parameters],
        }


def _scenario_relative(name: str, base: Path | None) -> Scenario:
    """A scenario named by library name or by a path relative to the experiment file."""
    if base is not None and (base / name).exists():
        return load_scenario(base / name)
    return load_scenario(resolve_scenario_path(name))


def resolve_experiment(
    experiment: Experiment, source: str = "<experiment>", base: Path | None = None
) -> LoadedExperiment:
    """Check an experiment against its scenario and the register; raise ExperimentError."""
    try:
        scenario = reference = None
        if experiment.model == "spridning":
            scenario = _scenario_relative(experiment.scenario, base)
            if experiment.reference_scenario:
                reference = _scenario_relative(experiment.reference_scenario, base)
        specs = _selected(experiment.select) if experiment.select else {}
        specs.update(experiment.parameters)
        if not specs:
            raise ExperimentError("parameters: nothing to vary; add [parameters] or [select]")
        parameters = tuple(
            resolve_parameter(name, spec, scenario, experiment.model)
            for name, spec in specs.items()
        )
        _check_design(experiment, parameters)
        _check_model(experiment, parameters, scenario)
        _check_outcomes(experiment)
    except (ExperimentError, ScenarioError) as error:
        raise ExperimentError(f"{source}: {error}") from None
    return LoadedExperiment(
        experiment=experiment,
        source=source,
        scenario=scenario,
        reference=reference,
        parameters=parameters,
    )


def _check_design(experiment: Experiment, parameters: tuple[ResolvedParameter, ...]) -> None:
    listed = [p.name for p in parameters if not p.numeric]
    if experiment.design != "grid" and listed:
        raise ExperimentError(
            f"design {experiment.design!r} samples numeric ranges; {listed} give values "
            "(use design = 'grid' for a list of values)"
        )
    if experiment.design == "sobol" and experiment.samples & (experiment.samples - 1):
        raise ExperimentError(
            f"samples: Sobol (Saltelli) needs a power of two, got {experiment.samples}"
        )
    if experiment.discovery and experiment.reference_scenario is None:
        raise ExperimentError("discovery: needs reference_scenario (the effect is against it)")
    points = design_size(experiment, parameters)
    if experiment.design == "grid" and points > MAX_GRID_POINTS:
        raise ExperimentError(
            f"design 'grid': {len(parameters)} parameters make {points:.3g} points (more "
            f"than {MAX_GRID_POINTS:,}); use fewer parameters or levels, or design = 'lhs'"
        )
    runs = points * experiment.replications
    if runs > MAX_SWEEP_RUNS:
        raise ExperimentError(
            f"design {experiment.design!r}: {points:,} points x {experiment.replications:,} "
            f"replications make {runs:,} runs, more than {MAX_SWEEP_RUNS:,} ({SWEEP_WHY}); "
            "use fewer samples, levels or replications"
        )


def design_size(experiment: Experiment, parameters: tuple[ResolvedParameter, ...]) -> int:
    """How many points the design will have, known before anything is sampled."""
    d = len(parameters)
    if experiment.design == "grid":
        points = 1
        for parameter in parameters:
            points *= len(parameter.values) if parameter.values else experiment.levels
        return points
    if experiment.design == "sobol":  # Saltelli: N (2D + 2) with second order, else N (D + 2)
        return experiment.samples * (2 * d + 2 if experiment.second_order else d + 2)
    if experiment.design == "morris":
        return experiment.samples * (d + 1)
    return experiment.samples


def _check_model(
    experiment: Experiment, parameters: tuple[ResolvedParameter, ...], scenario: Scenario | None
) -> None:
    if experiment.model == "ishigami" and sorted(p.name for p in parameters) != ["x1", "x2", "x3"]:
        raise ExperimentError("parameters: the ishigami function needs x1, x2 and x3")
    discovery = experiment.discovery
    if discovery and scenario is not None:
        names = ["all", *(i.name for i in scenario.innovations)]
        if discovery.innovation not in names:
            raise ExperimentError(
                f"discovery.innovation: {discovery.innovation!r} is not one of {names}"
            )


def _check_outcomes(experiment: Experiment) -> None:
    known = ISHIGAMI_OUTCOMES if experiment.model == "ishigami" else SPRIDNING_OUTCOMES
    series = re.compile(rf"^({'|'.join(SERIES_MEASURES)})_m[1-9]\d*$")
    repeated = sorted({o for o in experiment.outcomes if experiment.outcomes.count(o) > 1})
    if repeated:
        raise ExperimentError(f"outcomes: listed more than once: {repeated}")
    unknown = [
        o
        for o in experiment.outcomes
        if o not in known and not (experiment.model == "spridning" and series.match(o))
    ]
    if unknown:
        raise ExperimentError(
            f"outcomes: unknown {unknown}; choose from {', '.join(known)}"
            + (
                f", or <{'|'.join(SERIES_MEASURES)}>_m<month>"
                if experiment.model == "spridning"
                else ""
            )
        )
    if experiment.discovery and experiment.discovery.outcome not in experiment.outcome_names:
        raise ExperimentError(
            f"discovery.outcome: {experiment.discovery.outcome!r} is not among the outcomes "
            f"kept: {', '.join(experiment.outcome_names)}"
        )


def load_experiment(name_or_path: str | Path) -> LoadedExperiment:
    experiment, path = load_model(
        name_or_path, EXAMPLES_DIR, Experiment, "experiment", ExperimentError
    )
    return resolve_experiment(experiment, source=str(path), base=path.parent)
