"""Scenario files: TOML, validated against the parameter register when loaded.

A bad file fails at load time with a message naming the file, the key and what is
allowed, never later inside the model. A scenario may ``extends = "other.toml"`` (a path
relative to the file) and override only what differs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from model.params import PARAMETERS, REGISTER, RULES, Parameter, Rule
from model.reference.size_classes import SIZE_CLASS_LABELS
from model.toml_input import read_toml

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"


class ScenarioError(ValueError):
    """A scenario file is missing, malformed or has values outside what is allowed."""


class _Strict(BaseModel):
    """No unknown keys, no conversions (``"24"`` is not a number, ``true`` is not 1, ``"yes"``
    is not on), finite numbers only."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def _field(parameter: Parameter) -> tuple[Any, Any]:
    """The schema type and field of a register parameter (its kind, default and range)."""
    default = {} if parameter.default is None else {"default": parameter.default}
    describe = {"description": parameter.description}
    if parameter.kind == "switch":
        return bool, Field(**default, **describe)
    if parameter.kind == "choice":
        return Literal[parameter.choices], Field(**default, **describe)  # type: ignore[valid-type]
    if parameter.kind == "codes":
        return list[str], Field(default=list(parameter.default or ()), **describe)
    low, high = parameter.allowed if parameter.allowed else (None, None)
    kind: type = int if parameter.kind == "int" else float
    return kind, Field(**default, ge=low, le=high, **describe)


def _known_counties(counties: list[str]) -> list[str]:
    """County codes for the zone's counties, given by code or name."""
    table = _reference_municipalities()
    by_name = dict(zip(table["county"].str.casefold(), table["county_code"], strict=True))
    known = set(table["county_code"])
    codes = []
    for county in counties:
        code = county if county in known else by_name.get(county.casefold())
        if code is None:
            choices = ", ".join(sorted(set(table["county_code"] + " " + table["county"])))
            raise ValueError(f"unknown county {county!r}; choose a code or name from: {choices}")
        codes.append(code)
    return codes


def _known_municipalities(codes: list[str]) -> list[str]:
    known = set(_reference_municipalities()["kommunkod"])
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(
            f"unknown kommunkod {unknown}; use 4-digit codes as in `spridning municipalities`"
        )
    return codes


# Code lists are checked against the reference table (counties may be given by name).
CODE_CHECKS = {
    "trial_legislation.counties": _known_counties,
    "trial_legislation.municipalities": _known_municipalities,
}


def _rule_validator(rule: Rule) -> Any:
    def check(model: BaseModel) -> BaseModel:
        values = {name: getattr(model, name.split(".", 1)[1]) for name in rule.fields}
        problem = rule.check(values)
        if problem:
            raise ValueError(problem)
        return model

    return model_validator(mode="after")(check)


def _section_model(section: str) -> type[BaseModel]:
    """A strict model of one register section, with its code checks and cross-field rules,
    kept as a module attribute under its class name (so that it pickles)."""
    parameters = [p for p in PARAMETERS if p.section == section]
    fields = {p.field: _field(p) for p in parameters}
    validators: dict[str, Any] = {
        f"_check_{p.field}": field_validator(p.field)(CODE_CHECKS[p.name])
        for p in parameters
        if p.name in CODE_CHECKS
    }
    validators.update(
        {f"_rule_{rule.name}": _rule_validator(rule) for rule in RULES if rule.section == section}
    )
    name = "".join(part.title() for part in section.split("_")) + "Section"
    model = create_model(
        name, __base__=_Strict, __module__=__name__, __validators__=validators, **fields
    )
    globals()[name] = model
    return model


# A scenario's sections are the register's, in its order (levers included: each lever is a
# section of its own, off unless ``enabled = true``); innovations are a list of their own.
SECTIONS: tuple[str, ...] = tuple(
    dict.fromkeys(p.section for p in PARAMETERS if p.section != "innovation")
)
SECTION_MODELS: dict[str, type[BaseModel]] = {s: _section_model(s) for s in SECTIONS}


@lru_cache(maxsize=1)
def _reference_municipalities():
    from model.reference import load_municipalities

    return load_municipalities()


class _InnovationBase(_Strict):
    name: str = Field(
        min_length=1, pattern=r"^[a-z0-9_]+$", description="identifier used in outputs"
    )
    label_sv: str = Field(default="", description="name in Swedish reports (identifier if empty)")
    label_en: str = Field(default="", description="name in English reports (identifier if empty)")

    @model_validator(mode="before")
    @classmethod
    def _label_is_english(cls, value: Any) -> Any:
        """``label`` (scenario files before labels had a language) is the English label."""
        if isinstance(value, dict) and "label" in value:
            value = dict(value)
            value.setdefault("label_en", value.pop("label"))
        return value

    @field_validator("compatibility", mode="before", check_fields=False)
    @classmethod
    def _five_classes(cls, value: Any) -> Any:
        if isinstance(value, int | float):
            return [float(value)] * len(SIZE_CLASS_LABELS)
        return value


_compat = REGISTER["innovation.compatibility"]
Innovation = create_model(
    "Innovation",
    __base__=_InnovationBase,
    __module__=__name__,
    compatibility=(
        list[Annotated[float, Field(ge=_compat.allowed[0], le=_compat.allowed[1])]],
        Field(
            default=[_compat.default] * len(SIZE_CLASS_LABELS),
            min_length=len(SIZE_CLASS_LABELS),
            max_length=len(SIZE_CLASS_LABELS),
        ),
    ),
    **{
        p.field: _field(p)
        for p in PARAMETERS
        if p.section == "innovation" and p.field != "compatibility"
    },
)


class _ScenarioBase(_Strict):
    name: str = Field(
        min_length=1,
        max_length=80,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
        description="letters, digits, _ and - (it names result folders)",
    )
    description: str = ""
    innovations: list[Innovation] = Field(min_length=1)  # type: ignore[valid-type]

    @model_validator(mode="before")
    @classmethod
    def _levers_are_sections(cls, data: Any) -> Any:
        if isinstance(data, dict) and "policies" in data:
            levers = data["policies"] if isinstance(data["policies"], dict) else {}
            names = ", ".join(f"[{lever}]" for lever in levers) or "[programme]"
            raise ValueError(
                f"policies: the levers are sections of their own; write {names} instead of "
                "[policies.<lever>] (one spelling: the parameter register's)"
            )
        return data

    @model_validator(mode="after")
    def _months_within_the_run(self) -> Any:
        """A month parameter of a section that is on must fall within the run, or the
        lever would silently never act."""
        months = self.run.months
        for parameter in PARAMETERS:
            if parameter.unit != "month of the run":
                continue
            section = getattr(self, parameter.section)
            if not getattr(section, "enabled", True):
                continue
            value = getattr(section, parameter.field)
            if value > months:
                raise ValueError(
                    f"{parameter.name} = {value} is after the run's last month "
                    f"(run.months = {months}): it would never act"
                )
        return self

    @model_validator(mode="after")
    def _development_needs_the_pipeline(self) -> Any:
        """Developed products arrive through the pipeline; without it the money would buy
        nothing."""
        programme = self.programme
        if programme.enabled and programme.share_development > 0 and not self.pipeline.enabled:
            raise ValueError(
                f"programme.share_development = {programme.share_development:g} funds "
                "development of new products, which arrive in the pipeline of new "
                "innovations: set pipeline.enabled = true, or share_development = 0"
            )
        return self

    @field_validator("innovations")
    @classmethod
    def _unique_names(cls, innovations: list[Any]) -> list[Any]:
        names = [i.name for i in innovations]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"innovation names must be unique; repeated: {duplicated}")
        return innovations

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A copy with dotted keys replaced (``{"awareness.county": 0.05}``), validated again."""
        data = self.model_dump()
        for key, value in overrides.items():
            _set_dotted(data, key, value)
        return parse_scenario(data, source="overrides")


Scenario = create_model(
    "Scenario",
    __base__=_ScenarioBase,
    __module__=__name__,
    **{section: (model, model()) for section, model in SECTION_MODELS.items()},
)


def switch_on(scenario: Scenario, name: str) -> bool:
    """The value of the on/off register parameter ``name`` (``mechanisms.learning``,
    ``programme.enabled``) in ``scenario``."""
    section, field = name.split(".", 1)
    value = getattr(getattr(scenario, section), field)
    if not isinstance(value, bool):
        raise TypeError(f"{name} is not an on/off switch")
    return value


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    target: Any = data
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    target[parts[-1]] = value


def _describe_location(location: tuple[Any, ...], data: dict[str, Any]) -> str:
    parts: list[str] = []
    for i, part in enumerate(location):
        if isinstance(part, int) and i > 0 and location[i - 1] == "innovations":
            innovations = data.get("innovations", [])
            name = (
                innovations[part].get("name")
                if part < len(innovations) and isinstance(innovations[part], dict)
                else None
            )
            parts[-1] = f"innovations[{part}]" + (f" ({name})" if name else "")
        else:
            parts.append(str(part))
    return ".".join(parts)


def _register_entry(location: tuple[Any, ...]) -> Parameter | None:
    names = [str(p) for p in location if not isinstance(p, int)]
    if len(names) >= 2 and names[0] == "innovations":
        return REGISTER.get(f"innovation.{names[1]}")
    if len(names) >= 2:
        return REGISTER.get(f"{names[0]}.{names[1]}")
    return None


def _allowed_text(parameter: Parameter) -> str:
    if parameter.allowed is None:
        return ""
    low, high = parameter.allowed
    low_text = "-inf" if low is None else f"{low:g}"
    high_text = "inf" if high is None else f"{high:g}"
    return f"; allowed {low_text} to {high_text} ({parameter.unit}), default {parameter.default}"


def _format_errors(error: ValidationError, data: dict[str, Any], source: str) -> str:
    lines = [f"{source}: invalid scenario"]
    for item in error.errors():
        location = item["loc"]
        key = _describe_location(location, data)
        if item["type"] == "extra_forbidden":
            section_model = _model_at(location[:-1])
            allowed = sorted(section_model.model_fields) if section_model else []
            lines.append(f"  {key}: unknown key; allowed keys here: {', '.join(allowed)}")
            continue
        if item["type"] == "value_error":  # a rule of ours: its message says it all
            message = str(item["msg"]).removeprefix("Value error, ")
            lines.append(f"  {key}: {message}" if key else f"  {message}")
            continue
        if location == ("name",) and item["type"].startswith("string_"):
            lines.append(
                f"  name: letters, digits, _ and - only, at most 80 (it names result folders); "
                f"got {item.get('input')!r}"
            )
            continue
        entry = _register_entry(location)
        detail = _allowed_text(entry) if entry else ""
        given = item.get("input")
        given_text = "" if isinstance(given, dict | list) else f" (got {given!r})"
        lines.append(f"  {key}: {item['msg']}{given_text}{detail}")
    return "\n".join(lines)


def _model_at(location: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Scenario
    for part in location:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        arguments = getattr(annotation, "__args__", None)
        model = arguments[0] if arguments else annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
    return model


def parse_scenario(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_format_errors(error, data, source)) from None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path in chain:
        raise ScenarioError(f"{path}: 'extends' loops back to itself via {[str(p) for p in chain]}")
    where = f" (extended by {chain[-1]})" if chain else ""
    try:
        data = read_toml(path, "scenario", ScenarioError)
    except ScenarioError as error:
        raise ScenarioError(f"{error}{where}") from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: must be a file name, got {parent!r}")
    return _merge(_read_toml((path.parent / parent).resolve(), (*chain, path)), data)


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """A path as given, or a name from the scenario library (``baseline`` -> scenarios/baseline.toml)."""
    path = Path(name_or_path)
    if path.exists() or path.suffix == ".toml":
        return path.resolve()
    return (SCENARIO_DIR / f"{path.name}.toml").resolve()


def load_scenario(name_or_path: str | Path) -> Scenario:
    path = resolve_scenario_path(name_or_path)
    if not path.exists():
        available = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.toml")))
        raise ScenarioError(f"{path}: scenario file not found; the library has: {available}")
    return parse_scenario(_read_toml(path), source=str(path))
