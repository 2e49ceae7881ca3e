"""Reading the TOML input files (experiments, calibration targets): find the file by path
or by name in its library folder, parse it, validate it with pydantic, and say what is
wrong with the file name, the key and the rule in one message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from model.toml_input import read_toml


def resolve_path(name_or_path: str | Path, library: Path) -> Path:
    """A path as given, or a name from ``library`` (``lov`` -> library/lov.toml)."""
    path = Path(name_or_path)
    if path.exists() or path.suffix == ".toml":
        return path.resolve()
    return (library / f"{path.name}.toml").resolve()


def format_errors(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "(file)"
        given = item.get("input")
        given_text = "" if isinstance(given, dict | list) else f" (got {given!r})"
        lines.append(f"  {key}: {item['msg']}{given_text}")
    return "\n".join(lines)


def load_model[Model: BaseModel](
    name_or_path: str | Path, library: Path, model: type[Model], kind: str, error: type[Exception]
) -> tuple[Model, Path]:
    """The validated file and its path; ``error`` (naming the file) for anything wrong."""
    path = resolve_path(name_or_path, library)
    if not path.exists():
        available = ", ".join(sorted(p.stem for p in library.glob("*.toml")))
        raise error(f"{path}: {kind} file not found; the library has: {available}")
    data: dict[str, Any] = read_toml(path, kind, error)
    try:
        return model.model_validate(data), path
    except ValidationError as problem:
        raise error(f"{path}: invalid {kind}\n{format_errors(problem)}") from None
