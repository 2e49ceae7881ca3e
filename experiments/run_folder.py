"""A run folder written and read as a whole, so a report never quotes two runs at once.

Writing: ``staged(out)`` gives a hidden staging folder beside ``out``; the tables and
then the manifest go there, and only a complete folder is swapped in for ``out``. A run
killed at any moment leaves ``out`` as it was (plus a staging folder that the next run
into ``out`` removes). Each table carries the run's id in its Parquet metadata and the
manifest records it; ``verify_run_folder`` refuses a folder whose tables do not all carry
its manifest's id (files copied in from another run, or left by an older writer).

The run id is a hash of the tables' contents, so the same run gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.storage import DamagedFileError, parquet_schema, read_manifest
from model.outputs import OUTPUT_TABLES

RUN_ID_KEY = b"spridning.run_id"
MANIFEST = "manifest.json"
REPORT = "report.html"
BRIEF = "brief.pdf"
STAGING, OLD = "staging", "old"
# What `spridning run` and `compare` write: a folder holding only these (and hidden
# temporaries) may be replaced by a new run; anything else is the user's and stays.
RUN_ENTRIES = frozenset({MANIFEST, REPORT, *(table.file for table in OUTPUT_TABLES)})
# What `compare` writes (with --attribute and --posterior), and the report and brief of it.
COMPARE_ENTRIES = frozenset(
    {
        "a",
        "b",
        "effects.csv",
        "attribution.csv",
        "drivers.csv",
        "posterior_draws.csv",
        REPORT,
        BRIEF,
    }
)
AGAIN = "run it again (`spridning run` or `compare` with the same options) to rewrite the folder"


class RunFolderError(ValueError):
    """A run folder that cannot be written as asked, or whose files do not belong together."""


def run_id(tables: dict[str, pd.DataFrame]) -> str:
    """A hash of the tables' names, columns, types and values (same run, same id)."""
    digest = hashlib.sha256()
    for name in sorted(tables):
        table = tables[name]
        digest.update(name.encode("utf-8"))
        digest.update(repr([(str(c), str(t)) for c, t in table.dtypes.items()]).encode("utf-8"))
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:20]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _writer_gone(tail: str) -> bool:
    """Whether the writer named by ``tail`` (``PID`` or ``PID-token``) no longer runs."""
    pid = tail.split("-", 1)[0]
    return not (pid.isdigit() and _pid_alive(int(pid)))


def remove_stale(out: Path) -> int:
    """Delete what killed writers left: staging folders beside ``out``, temporaries in it."""
    leftovers: list[tuple[Path, str]] = []
    for kind in (STAGING, OLD):
        prefix = f".{out.name}.{kind}-"
        leftovers += [
            (p, p.name[len(prefix) :]) for p in out.parent.glob(f"{glob_escape(prefix)}*")
        ]
    if out.is_dir():
        leftovers += [
            (p, p.name.rsplit(".tmp-", 1)[1]) for p in out.rglob(".*.tmp-*") if p.is_file()
        ]
    removed = 0
    for path, tail in leftovers:
        if not _writer_gone(tail):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed += 1
    return removed


def _foreign(folder: Path, allowed: frozenset[str]) -> list[str]:
    """Entries of ``folder`` that a run or comparison did not write."""
    found = []
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.name not in allowed:
            found.append(entry.name)
        elif entry.name in ("a", "b") and entry.is_dir():
            found += [f"{entry.name}/{name}" for name in _foreign(entry, RUN_ENTRIES)]
    return sorted(found)


def check_target(out: Path, option: str = "--out") -> None:
    """Refuse, before any model runs, an ``out`` that cannot take a run folder.

    ``out`` may be missing, empty, or a folder written by `spridning run` or `compare`
    (it is then replaced whole); never a file, and never a folder holding other files.
    """
    if out.exists() and not out.is_dir():
        raise RunFolderError(f"{option} {out}: is a file, not a folder; choose a folder name")
    if out.is_dir():
        compare = (out / "effects.csv").exists() or (out / "a").is_dir()
        foreign = _foreign(out, COMPARE_ENTRIES if compare else RUN_ENTRIES)
        if foreign:
            shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
            raise RunFolderError(
                f"{option} {out}: holds files that `spridning run` or `compare` did not write "
                f"({shown}); a run replaces its folder whole, so choose a new or empty folder"
            )
    blocking = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise RunFolderError(f"{option} {out}: {blocking} is a file, not a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RunFolderError(
            f"{option} {out}: cannot create {out.parent} ({error.strerror})"
        ) from None
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise RunFolderError(f"{option} {out}: cannot write in {out.parent} (permission denied)")


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A fresh staging folder beside ``out``, swapped in for ``out`` when the block ends.

    An exception (or Ctrl-C) inside the block removes the staging folder and leaves ``out``
    untouched; ``kill -9`` leaves the staging folder for the next run to remove.
    """
    out = Path(out)
    check_target(out)
    remove_stale(out)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging = out.parent / f".{out.name}.{STAGING}-{token}"
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.{OLD}-{token}"
    if out.exists():
        os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def verify_run_folder(folder: Path) -> dict[str, Any]:
    """The run's manifest, once every table in ``folder`` is known to belong to it.

    RunFolderError (naming the file and what to do) for a missing or damaged manifest, a
    table that is missing, unreadable, or carries another run's id.
    """
    manifest = read_manifest(folder / MANIFEST, AGAIN)
    if manifest.get("kind") != "run":
        raise RunFolderError(
            f"{folder / MANIFEST}: kind is {manifest.get('kind')!r}, not a run; {AGAIN}"
        )
    expected = manifest.get("run_id")
    if not isinstance(expected, str):
        raise RunFolderError(
            f"{folder / MANIFEST}: no run id (written before spridning recorded one), so its "
            f"tables cannot be checked to belong together; {AGAIN}"
        )
    listed = manifest.get("tables")
    names = list(listed) if isinstance(listed, dict) else [t.file for t in OUTPUT_TABLES]
    for table in OUTPUT_TABLES:
        path = folder / table.file
        if not path.exists():
            if table.file in names:
                raise RunFolderError(f"{path}: missing (the manifest lists it); {AGAIN}")
            continue
        try:
            metadata = parquet_schema(path, AGAIN).metadata or {}
        except DamagedFileError as error:
            raise RunFolderError(str(error)) from None
        found = metadata.get(RUN_ID_KEY, b"").decode("utf-8", "replace") or None
        if found != expected:
            raise RunFolderError(
                f"{path}: belongs to another run (run id {found or 'none'}, the manifest's is "
                f"{expected}): the folder mixes two runs; {AGAIN}"
            )
    return manifest
