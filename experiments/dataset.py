"""A sweep's result folder: Parquet parts written atomically, a manifest, and a lock.

Layout of DIR:
  manifest.json    the experiment as resolved, its fingerprint, code and package versions
  runs/part-*.parquet   one row per run and innovation; each part is complete or absent
  .lock            held while a sweep writes (a second sweep into DIR is refused)

A part is written to a hidden temporary name and renamed into place, so a sweep killed
at any moment (even ``kill -9``) leaves only whole parts; leftover temporary files are
removed by the next sweep. DuckDB reads the parts directly; nothing keeps a database
file open, so readers never wait for a writer.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

RUNS = "runs"
MANIFEST = "manifest.json"


class SweepFolderError(RuntimeError):
    """The result folder cannot be used as asked (another experiment, another writer)."""


def parts(folder: Path) -> list[Path]:
    return sorted((folder / RUNS).glob("part-*.parquet"))


def parquet_glob(folder: Path) -> str:
    return str(folder / RUNS / "part-*.parquet")


def remove_leftovers(folder: Path) -> int:
    """Delete temporary files an interrupted sweep left behind; return how many."""
    leftovers = list((folder / RUNS).glob(".part-*.tmp"))
    for path in leftovers:
        path.unlink(missing_ok=True)
    return len(leftovers)


def write_part(table: pa.Table, folder: Path) -> Path:
    """Write ``table`` as a new part: temporary file, fsync, rename (atomic)."""
    directory = folder / RUNS
    directory.mkdir(parents=True, exist_ok=True)
    name = f"part-{uuid.uuid4().hex}.parquet"
    temporary = directory / f".{name}.tmp"
    pq.write_table(table, temporary)
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, directory / name)
    return directory / name


def done_run_ids(folder: Path) -> set[str]:
    """Run ids already stored (finished or failed), read from the parts' id column only."""
    if not parts(folder):
        return set()
    query = f"SELECT DISTINCT run_id FROM read_parquet('{parquet_glob(folder)}')"
    with duckdb.connect() as connection:
        return {row[0] for row in connection.execute(query).fetchall()}


def connect(folder: Path | str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view ``runs`` over the sweep's parts."""
    folder = Path(folder)
    if not parts(folder):
        raise SweepFolderError(f"{folder}: no results yet (no {RUNS}/part-*.parquet)")
    connection = duckdb.connect()
    connection.execute(
        f"CREATE VIEW runs AS SELECT * FROM read_parquet('{parquet_glob(folder)}', "
        "union_by_name = true)"
    )
    return connection


def load_results(folder: Path | str, status: str | None = "ok") -> pd.DataFrame:
    """All rows of a sweep as one DataFrame, in a stable order (``status=None``: failed too)."""
    with connect(folder) as connection:
        where = "" if status is None else f"WHERE status = '{status}'"
        return connection.execute(
            f"SELECT * FROM runs {where} ORDER BY point, replication, innovation"
        ).df()


@contextmanager
def writer_lock(folder: Path) -> Iterator[None]:
    """Hold DIR/.lock for the sweep's lifetime; refuse if another process holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SweepFolderError(
                f"{folder}: another sweep is writing here; wait for it or use another --out"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
