"""Writing and reading results: Parquet tables and a JSON manifest, each written to a
temporary file and renamed into place, so an interrupted run never leaves a half-written
file; read back with a message (not a traceback) when a file is damaged anyway."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

PACKAGES = (
    "spridning",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "pydantic",
    "salib",
    "duckdb",
    "distributed",
    "ema_workbench",
)
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class DamagedFileError(ValueError):
    """A result file that cannot be read (truncated, empty, not what it should be)."""


def write_parquet(
    table: pd.DataFrame, path: Path, metadata: dict[bytes, bytes] | None = None
) -> None:
    """``table`` as Parquet, with ``metadata`` added to the file's schema metadata."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    if metadata:
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **metadata})
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(arrow, temporary)
    os.replace(temporary, path)


def parquet_schema(path: Path, advice: str) -> pa.Schema:
    """The schema (with metadata) of a Parquet file; DamagedFileError if it cannot be read."""
    try:
        return pq.read_schema(path)
    except (OSError, pa.ArrowException) as error:
        size = path.stat().st_size if path.exists() else 0
        reason = str(error).split(". ")[0]  # pyarrow's first sentence says enough
        problem = "empty (0 bytes)" if size == 0 else f"not a readable Parquet file ({reason})"
        raise DamagedFileError(f"{path}: {problem}; {advice}") from None


def read_manifest(path: Path, advice: str) -> dict[str, Any]:
    """A manifest as a dict; DamagedFileError naming the file and the problem otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedFileError(f"{path}: missing; {advice}") from None
    except UnicodeDecodeError:
        raise DamagedFileError(f"{path}: not UTF-8 text; {advice}") from None
    except json.JSONDecodeError as error:
        raise DamagedFileError(f"{path}: not valid JSON ({error}); {advice}") from None
    except OSError as error:
        raise DamagedFileError(f"{path}: cannot be read ({error.strerror}); {advice}") from None
    if not isinstance(data, dict):
        raise DamagedFileError(
            f"{path}: a JSON {type(data).__name__}, not the object a manifest is; {advice}"
        )
    return data


def write_json(data: dict[str, Any], path: Path) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str:
    """The project's commit, with '+dirty' when the work tree has changes; 'unknown' outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
