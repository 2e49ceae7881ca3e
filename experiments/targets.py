"""Calibration targets: an observed adoption series and how the model's months map to it.

A target (TOML, in ``experiments/targets/``) names the scenario that represents the
case, the innovation, the calendar month of model month 1, and the observations: each a
date (YYYY-MM), what was counted (a measure), the value, its unit (count of
municipalities or share of them) and its source. Validated on load: a bad file fails
with the file, the key and what is allowed.

Measures, in the model's stages for the target's innovation:
- ``running``: trialling or adopted (a municipality with the system in operation);
- ``decided``: decided, waiting for a procurement or a supplier (provider);
- ``abandoned``: discontinued (adopted, then stopped or stranded);
- ``adopted``: adopted;
- ``ever_adopted``: adopted at some point up to the date;
- ``completed``: adopted with coverage of the whole target group (finished the switch);
- ``coverage``: adopters' coverage summed over municipalities (a share of the country's
  target group when given as a share, each municipality weighing alike).

A target's ``[parameters]`` are fitted by default; ``shared = true`` marks a parameter of
municipal behaviour, which a joint fit of several series gives one value for all of them
(``experiments/abc.py``); the others (innovation attributes) are the series' own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from experiments.experiment import ParameterRange
from experiments.input_files import load_model
from experiments.metrics import SERIES_MEASURES
from experiments.run import municipality_count

TARGETS_DIR = Path(__file__).resolve().parent / "targets"


class TargetError(ValueError):
    """A target file is missing, malformed or asks for what the model cannot count."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def _month_number(text: str) -> int:
    """Months since year 0 of a YYYY-MM date."""
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


class Observation(_Strict):
    date: str = Field(description="YYYY-MM: the month the value describes (its end)")
    measure: Literal[SERIES_MEASURES]
    value: float = Field(ge=0)
    unit: Literal["count", "share"] = "count"
    sd: float | None = Field(
        default=None, gt=0, description="how far off the model may be (default: see distance)"
    )
    source: str = Field(min_length=1)

    @field_validator("date")
    @classmethod
    def _calendar_month(cls, text: str) -> str:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            raise ValueError(f"dates are YYYY-MM (e.g. 2010-12), got {text!r}")
        return text

    def count(self, municipalities: int) -> float:
        """The value as a number of the run's ``municipalities``."""
        return self.value * municipalities if self.unit == "share" else self.value

    def tolerance(self, municipalities: int) -> float:
        """How far off a run of ``municipalities`` may be: ``sd`` (as a count), else 10 %
        of the value and at least 5 municipalities."""
        if self.sd:
            return self.sd * (municipalities if self.unit == "share" else 1)
        return max(0.1 * self.count(municipalities), 5.0)


class TargetParameter(ParameterRange):
    """A parameter to fit, with its range, and whether series share it (municipal
    behaviour) or each has its own (an innovation attribute)."""

    shared: bool = False


class Target(_Strict):
    name: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    description: str = ""
    scenario: str
    innovation: str
    start: str = Field(description="YYYY-MM: the calendar month of model month 1")
    observations: list[Observation] = Field(min_length=2)
    parameters: dict[str, TargetParameter] = Field(
        default={}, description="parameters to fit by default, with ranges ({}: the register's)"
    )

    @field_validator("start")
    @classmethod
    def _start_month(cls, text: str) -> str:
        return Observation._calendar_month(text)

    def month_of(self, date: str) -> int:
        """The model month whose end the date describes (month 1 = ``start``)."""
        return _month_number(date) - _month_number(self.start) + 1

    def outcome(self, observation: Observation) -> str:
        """The sweep outcome column that holds the model's value for an observation."""
        return f"{observation.measure}_m{self.month_of(observation.date)}"


def load_target(name_or_path: str | Path, municipalities: int | None = None) -> tuple[Target, Path]:
    """The target and its file; raises TargetError naming the file and key.

    ``municipalities``: how many the runs that fit it have (default: the reference set).
    """
    target, path = load_model(name_or_path, TARGETS_DIR, Target, "target", TargetError)
    municipalities = municipalities or municipality_count()
    for name, parameter in target.parameters.items():
        if parameter.shared and name.startswith("innovations."):
            raise TargetError(
                f"{path}: parameters.{name}.shared: an innovation's attribute is each "
                "series' own; only parameters of municipal behaviour (decision, awareness, "
                "municipalities, learning, suppliers) can be shared"
            )
    for index, observation in enumerate(target.observations):
        month = target.month_of(observation.date)
        if month < 1:
            raise TargetError(
                f"{path}: observations[{index}].date: {observation.date} is before the start "
                f"({target.start}); the model cannot describe it"
            )
        if observation.count(municipalities) > municipalities:
            raise TargetError(
                f"{path}: observations[{index}].value: {observation.value} {observation.unit} "
                f"is more than the {municipalities} municipalities"
            )
    return target, path
