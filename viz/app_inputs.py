"""The explorer's form: the register's parameters with an ``explorer`` control, and raw form
values -> checked overrides.

Free of Dash so tests can call it directly. Every field is a register parameter and is
spelled by its register name everywhere: the override key, the catalogue key of its
label and its Dash id (``{"section": ..., "field": ...}``: its two parts). Types, choices, the zone and the
register's cross-field rules are checked here, in the page's language; ranges are left
to the scenario schema, so the page refuses exactly what a scenario file would be refused
for, with the schema's errors worded in the page's language (``viz.schema_messages``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from model.params import PARAMETERS, REGISTER, RULES, Parameter
from model.policies import LEVER_SECTIONS
from model.reference import load_municipalities
from model.scenario import SCENARIO_DIR, Scenario, load_scenario
from viz.schema_messages import error_key, schema_message, shown
from viz.words import number, text

ON = "on"  # the value of a ticked on/off checklist
MAX_REPLICATIONS = 16
MAX_SEED = 2**32 - 1
LEVERS = LEVER_SECTIONS


@dataclass(frozen=True)
class FormField:
    """One form control: the register parameter it sets."""

    parameter: Parameter

    @property
    def name(self) -> str:
        """The register name (``programme.years``): override key, label key and id."""
        return self.parameter.name

    @property
    def kind(self) -> str:
        """switch, int, float, choice or codes (the zone's counties)."""
        return self.parameter.kind

    @property
    def choices(self) -> tuple[str, ...]:
        return self.parameter.choices or ()

    @property
    def id(self) -> dict[str, str]:
        """The Dash component id: the register name's two parts."""
        return component_id(self.name)


def component_id(key: str) -> dict[str, str] | str:
    """The Dash id of a form key: a parameter's register name as ``{"section": ...,
    "field": ...}`` (Dash breaks on a dot even inside a dict id: plotly/dash#3480), or the
    key itself for the run settings."""
    if key not in REGISTER:
        return key
    section, field = key.split(".", 1)
    return {"section": section, "field": field}


def dom_id(component: dict[str, str] | str) -> str:
    """The id a component gets in the page (Dash writes a dict id as sorted, compact JSON):
    what a label's ``htmlFor`` and a browser test's selector need."""
    return (
        component
        if isinstance(component, str)
        else json.dumps(component, sort_keys=True, separators=(",", ":"))
    )


FIELDS: tuple[FormField, ...] = tuple(FormField(p) for p in PARAMETERS if p.explorer)
FIELD_BY_NAME: dict[str, FormField] = {f.name: f for f in FIELDS}
RUN_KEYS: tuple[str, ...] = ("replications", "seed", "posterior")
FORM_KEYS: tuple[str, ...] = (*FIELD_BY_NAME, *RUN_KEYS)


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
    posterior: bool = False  # each replication with a draw of the shipped posterior


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


def form_values(scenario: Scenario) -> dict[str, Any]:
    """The form prefilled from ``scenario``: form key -> the value the control shows."""
    values = {}
    for field in FIELDS:
        section, key = field.name.split(".", 1)
        value = getattr(getattr(scenario, section), key)
        values[field.name] = ([ON] if value else []) if field.kind == "switch" else value
    return values


def field_name(key: str, lang: str) -> str:
    """How a message names a field: its label and, for parameters, the register name."""
    return f"{text(key, lang)} [{key}]" if key in FIELD_BY_NAME else text(key, lang)


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or None if it is not a plain number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _switch(value: Any, lang: str) -> bool:
    """An on/off checklist's value (a list holding ON, or empty) as a bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple) and all(v == ON for v in value):
        return bool(value)
    raise ValueError(text("not_onoff", lang, value=shown(value, lang)))


def _coerce(field: FormField, value: Any, lang: str) -> Any:
    """The value the scenario takes for ``field``; raises ValueError with the problem."""
    if field.kind == "switch":
        return _switch(value, lang)
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


def _rule_problems(overrides: dict[str, Any], scenario: Scenario, lang: str) -> list[str]:
    """The register's cross-field rules on the form's values (the scenario's own for
    parameters the form does not show), worded in the page's language."""
    problems = []
    for rule in RULES:
        values = {
            name: overrides[name]
            if name in overrides
            else getattr(getattr(scenario, rule.section), name.split(".", 1)[1])
            for name in rule.fields
        }
        found = rule.problem(values)
        if found is None:
            continue
        shown_fields = [name for name in rule.fields if name in FIELD_BY_NAME]
        if "fields" in found:
            found["fields"] = ", ".join(text(name, lang) for name in shown_fields)
        if "total" in found:
            found["total"] = number(found["total"], lang, 3)
        message = text(f"rule.{rule.name}", lang, **found)
        where = shown_fields[-1] if len(shown_fields) > 1 and "fields" not in found else None
        problems.append(f"{field_name(where, lang)}: {message}" if where else message)
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
            overrides[field.name] = _coerce(field, values.get(field.name), lang)
        except ValueError as error:
            problems.append(f"{field_name(field.name, lang)}: {error}")
    settings: dict[str, int] = {}
    for name, low, high in (("replications", 1, MAX_REPLICATIONS), ("seed", 0, MAX_SEED)):
        try:
            settings[name] = _run_setting(values.get(name), low, high, lang)
        except ValueError as error:
            problems.append(f"{field_name(name, lang)}: {error}")
    with_posterior = False
    try:
        with_posterior = _switch(values.get("posterior", False), lang)
    except ValueError as error:
        problems.append(f"{field_name('posterior', lang)}: {error}")
    if not problems:
        problems = _rule_problems(overrides, library_scenario(scenario), lang)
    if problems:
        raise InputError(problems)
    return RunRequest(
        scenario, overrides, settings["replications"], settings["seed"], with_posterior
    )


def _key_name(key: str, lang: str) -> str:
    """How a schema message names a key: the form field, the lever, or the key itself."""
    if key in FIELD_BY_NAME:
        return field_name(key, lang)
    return f"{text(f'lever_{key}', lang)} [{key}]" if key in LEVERS else key


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
