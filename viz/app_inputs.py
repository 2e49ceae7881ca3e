"""The explorer's form: which scenario keys it edits, and raw form values -> checked overrides.

Free of Dash so tests can call it directly. Types, the sum of the allocation shares, the
trial zone and the run settings are checked here, in the page's language; ranges are
left to the scenario schema, so the page refuses exactly what a scenario file would be
refused for, with the schema's errors worded in the page's language
(``viz.schema_messages``). A field's label is looked up by its register name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from model.reference import load_municipalities
from model.scenario import ALLOCATION, SCENARIO_DIR, Scenario, load_scenario
from viz.schema_messages import error_key, schema_message, shown
from viz.words import number, text

ON = "on"  # the value of a ticked on/off checklist
MAX_REPLICATIONS = 16
MAX_SEED = 2**32 - 1
TARGETING = ("all", "low_capacity", "small", "central")
CONSORTIA = ("county", "national")
SHARE_TOLERANCE = 1e-6  # as the scenario schema
LEVERS = ("programme", "trial_legislation", "shared_procurement", "process_fund")


@dataclass(frozen=True)
class FormField:
    """One form control and the dotted scenario key it sets."""

    key: str
    kind: str  # "onoff", "int", "float", "choice" or "counties"
    choices: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The register name (``programme.years``): the catalogue key of the field's label."""
        return self.key.removeprefix("policies.")

    @property
    def id(self) -> str:
        """The component id: Dash ids may not contain dots."""
        return self.name.replace(".", "-")


def _fields(lever: str, *specs: tuple[str, str] | tuple[str, str, tuple[str, ...]]) -> list:
    return [FormField(f"policies.{lever}.{spec[0]}", *spec[1:]) for spec in specs]


FIELDS: tuple[FormField, ...] = (
    *_fields(
        "programme",
        ("enabled", "onoff"),
        ("annual_budget_msek", "float"),
        ("years", "int"),
        ("start_month", "int"),
        *((f"share_{name}", "float") for name in ALLOCATION),
        ("targeting", "choice", TARGETING),
        ("grant_share_of_trial", "float"),
    ),
    *_fields(
        "trial_legislation",
        ("enabled", "onoff"),
        ("counties", "counties"),
        ("start_month", "int"),
        ("years", "int"),
    ),
    *_fields(
        "shared_procurement",
        ("enabled", "onoff"),
        ("consortia", "choice", CONSORTIA),
        ("risk_share", "float"),
    ),
    *_fields(
        "process_fund",
        ("enabled", "onoff"),
        ("total_msek", "float"),
        ("years", "int"),
    ),
)
FIELD_BY_ID: dict[str, FormField] = {f.id: f for f in FIELDS}
FIELD_BY_KEY: dict[str, FormField] = {f.key: f for f in FIELDS}
SHARE_IDS: tuple[str, ...] = tuple(f"programme-share_{name}" for name in ALLOCATION)
RUN_IDS: tuple[str, ...] = ("replications", "seed")
FORM_IDS: tuple[str, ...] = (*FIELD_BY_ID, *RUN_IDS)


class InputError(ValueError):
    """Form values the model cannot take; each problem names its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RunRequest:
    """What the Run button asks for, checked: a library scenario, overrides, run settings."""

    scenario: str
    overrides: dict[str, Any]
    replications: int
    seed: int


def library() -> list[str]:
    """Names of the scenario files in scenarios/."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


@lru_cache(maxsize=32)
def library_scenario(name: str) -> Scenario:
    """A library scenario, parsed once (scenarios are frozen, so sharing is safe)."""
    return load_scenario(name)


@lru_cache(maxsize=1)
def counties() -> dict[str, str]:
    """County code -> "code name", from the reference table, in code order."""
    table = load_municipalities()[["county_code", "county"]].drop_duplicates()
    pairs = sorted(zip(table["county_code"].astype(str), table["county"], strict=True))
    return {code: f"{code} {name}" for code, name in pairs}


def _get(data: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        data = data[part]
    return data


def form_values(scenario: Scenario) -> dict[str, Any]:
    """The form prefilled from ``scenario``: component id -> the value the control shows."""
    data = scenario.model_dump()
    values = {}
    for field in FIELDS:
        value = _get(data, field.key)
        values[field.id] = ([ON] if value else []) if field.kind == "onoff" else value
    return values


def field_name(field_id: str, lang: str) -> str:
    """How a message names a field: its label and, for scenario keys, the dotted key."""
    field = FIELD_BY_ID.get(field_id)
    return f"{text(field.name, lang)} [{field.key}]" if field else text(field_id, lang)


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or None if it is not a plain number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _coerce(field: FormField, value: Any, lang: str) -> Any:
    """The value the scenario takes for ``field``; raises ValueError with the problem."""
    if field.kind == "onoff":
        if isinstance(value, bool):
            return value
        if isinstance(value, list | tuple) and all(v == ON for v in value):
            return bool(value)
        raise ValueError(text("not_onoff", lang, value=shown(value, lang)))
    if field.kind in ("int", "float"):
        number = _number(value)
        if number is None:
            raise ValueError(text("not_number", lang, value=shown(value, lang)))
        if field.kind == "float":
            return number
        if not number.is_integer():
            raise ValueError(text("not_whole", lang, value=shown(value, lang)))
        return int(number)
    if field.kind == "choice":
        if value not in field.choices:
            choices = ", ".join(field.choices)
            raise ValueError(text("not_choice", lang, choices=choices, value=shown(value, lang)))
        return value
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(text("not_counties", lang, value=shown(value, lang)))
    unknown = [v for v in value if v not in counties()]
    if unknown:
        choices = ", ".join(counties())
        raise ValueError(text("unknown_counties", lang, unknown=unknown, choices=choices))
    return list(value)


def _run_setting(value: Any, low: int, high: int, lang: str) -> int:
    number = _number(value)
    if number is None or not number.is_integer():
        raise ValueError(text("not_whole", lang, value=shown(value, lang)))
    if not low <= number <= high:
        raise ValueError(text("out_of_range", lang, low=low, high=high, value=int(number)))
    return int(number)


def _combined_problems(overrides: dict[str, Any], zone: list[str], lang: str) -> list[str]:
    """Checks across fields: the shares' sum, and a zone for an enabled trial law."""
    problems = []
    shares = [overrides[FIELD_BY_ID[i].key] for i in SHARE_IDS]
    if abs(sum(shares) - 1.0) > SHARE_TOLERANCE:
        fields = ", ".join(text(FIELD_BY_ID[i].name, lang) for i in SHARE_IDS)
        total = number(sum(shares), lang, 3)
        problems.append(text("shares_sum", lang, fields=fields, total=total))
    enabled = overrides["policies.trial_legislation.enabled"]
    if enabled and not overrides["policies.trial_legislation.counties"] and not zone:
        problems.append(
            f"{field_name('trial_legislation-counties', lang)}: {text('no_zone', lang)}"
        )
    return problems


def parse_form(scenario: Any, values: Mapping[str, Any], lang: str = "sv") -> RunRequest:
    """Raw form values (component id -> value) -> a checked run request.

    Raises InputError listing every field with a wrong type or value; range checks of
    scenario keys happen in ``build_scenario``.
    """
    names = library()
    if scenario not in names:
        choices = ", ".join(names)
        problem = text("unknown_scenario", lang, value=shown(scenario, lang), choices=choices)
        raise InputError([f"{text('scenario', lang)}: {problem}"])
    problems: list[str] = []
    overrides: dict[str, Any] = {}
    for field in FIELDS:
        try:
            overrides[field.key] = _coerce(field, values.get(field.id), lang)
        except ValueError as error:
            problems.append(f"{field_name(field.id, lang)}: {error}")
    settings: dict[str, int] = {}
    for name, low, high in (("replications", 1, MAX_REPLICATIONS), ("seed", 0, MAX_SEED)):
        try:
            settings[name] = _run_setting(values.get(name), low, high, lang)
        except ValueError as error:
            problems.append(f"{field_name(name, lang)}: {error}")
    if not problems:
        zone = library_scenario(scenario).policies.trial_legislation.municipalities
        problems = _combined_problems(overrides, zone, lang)
    if problems:
        raise InputError(problems)
    return RunRequest(scenario, overrides, settings["replications"], settings["seed"])


def _key_name(key: str, lang: str) -> str:
    """How a schema message names a key: the form field, the lever, or the key itself."""
    field = FIELD_BY_KEY.get(key)
    if field:
        return field_name(field.id, lang)
    lever = key.removeprefix("policies.")
    return f"{text(f'lever_{lever}', lang)} [{key}]" if lever in LEVERS else key


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    *path, last = key.split(".")
    for part in path:
        data = data[part]
    data[last] = value


def build_scenario(request: RunRequest, lang: str = "sv") -> Scenario:
    """The library scenario with the request's overrides, validated by the scenario schema.

    Validated here (not through ``Scenario.with_overrides``) to get pydantic's errors as
    data, so each refusal is worded in the page's language.
    """
    data = library_scenario(request.scenario).model_dump()
    for key, value in request.overrides.items():
        _set(data, key, value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{_key_name(error_key(item), lang)}: {schema_message(item, lang)}"
            for item in error.errors()
        ]
        raise InputError(problems) from None


def is_modified(scenario: Scenario, name: str) -> bool:
    """Whether ``scenario`` differs from the library file ``name`` it was built from."""
    return scenario != library_scenario(name)
