"""Reading a TOML input file (a scenario, an experiment, a calibration target) so that
whatever is wrong with the file itself is a message naming it, never a traceback."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

MAX_BYTES = 1_000_000  # an input file is a page of settings, not data


def read_toml(path: Path, kind: str, error: type[Exception]) -> dict[str, Any]:
    """The parsed file; ``error`` with the file's name and the problem for a missing file,
    a folder, a file too large, not UTF-8, not TOML, or nested too deep to read."""
    if path.is_dir():
        raise error(f"{path}: is a folder; give a {kind} file (.toml)")
    if not path.is_file():
        raise error(f"{path}: {kind} file not found")
    if path.stat().st_size > MAX_BYTES:
        raise error(f"{path}: {path.stat().st_size:,} bytes is not a {kind} file (at most 1 MB)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as problem:
        raise error(
            f"{path}: not a text file in UTF-8 ({problem.reason} at byte "
            f"{problem.start}); a {kind} file is TOML text"
        ) from None
    except OSError as problem:
        raise error(f"{path}: cannot be read: {problem.strerror}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path}: not valid TOML: {problem}") from None
    except RecursionError:
        raise error(
            f"{path}: nested too deeply to read (arrays or tables inside each other)"
        ) from None
