"""A sweep's result folder: Parquet parts written atomically, a manifest, and a lock.

Layout of DIR:
  manifest.json    the experiment as resolved, its fingerprint, code and package versions
  runs/part-*.parquet   one row per run and innovation; each part is complete or absent,
                   and carries the sweep's fingerprint in its Parquet metadata
  .lock            held while a sweep writes (a second sweep into DIR is refused)

A part is written to a hidden temporary name and renamed into place, so a sweep killed
at any moment (even ``kill -9``) leaves only whole parts; leftover temporary files are
removed by the next sweep. Readers check every part first: a damaged part, or one from
another sweep, is refused with a message naming it (never a traceback, never mixed in).
DuckDB queries the parts through a pyarrow dataset built from the list of files: no SQL
is ever built from a path (a quote, a bracket or a star in a folder name is just a name).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs
import pyarrow.parquet as pq

from experiments.storage import DamagedFileError, parquet_schema, read_manifest

RUNS = "runs"
MANIFEST = "manifest.json"
FINGERPRINT_KEY = b"spridning.sweep_fingerprint"
DAMAGED = "delete that file and run `spridning sweep` again: its runs will be run anew"


class SweepFolderError(RuntimeError):
    """The result folder cannot be used as asked (another experiment, another writer)."""


def parts(folder: Path) -> list[Path]:
    return sorted((folder / RUNS).glob("part-*.parquet"))


def remove_leftovers(folder: Path) -> int:
    """Delete temporary files an interrupted sweep left behind; return how many."""
    leftovers = list((folder / RUNS).glob(".part-*.tmp"))
    for path in leftovers:
        path.unlink(missing_ok=True)
    return len(leftovers)


def write_part(table: pa.Table, folder: Path, fingerprint: str | None = None) -> Path:
    """Write ``table`` as a new part: temporary file, fsync, rename (atomic)."""
    directory = folder / RUNS
    directory.mkdir(parents=True, exist_ok=True)
    if fingerprint is not None:
        metadata = {**(table.schema.metadata or {}), FINGERPRINT_KEY: fingerprint.encode()}
        table = table.replace_schema_metadata(metadata)
    name = f"part-{uuid.uuid4().hex}.parquet"
    temporary = directory / f".{name}.tmp"
    pq.write_table(table, temporary)
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, directory / name)
    return directory / name


def read_sweep_manifest(folder: Path) -> dict:
    """The sweep's manifest; SweepFolderError when it is damaged or not a sweep's."""
    advice = "the folder's runs cannot be attributed to an experiment; use another folder"
    try:
        manifest = read_manifest(folder / MANIFEST, advice)
    except DamagedFileError as error:
        raise SweepFolderError(str(error)) from None
    if manifest.get("kind") != "sweep":
        raise SweepFolderError(
            f"{folder / MANIFEST}: kind is {manifest.get('kind')!r}, not a sweep's manifest"
        )
    return manifest


def checked_schema(folder: Path) -> pa.Schema | None:
    """The parts' common schema, once every part is readable and from this sweep.

    None when there are no parts yet. A part without a fingerprint (written before
    parts carried one) is accepted: its rows still join the plan by run id only.
    """
    found = parts(folder)
    if not found:
        return None
    expected = None
    if (folder / MANIFEST).exists():
        expected = read_sweep_manifest(folder).get("fingerprint")
    schemas = []
    for path in found:
        try:
            schema = parquet_schema(path, DAMAGED)
        except DamagedFileError as error:
            raise SweepFolderError(str(error)) from None
        own = (schema.metadata or {}).get(FINGERPRINT_KEY)
        if own is not None and expected is not None and own.decode() != expected:
            raise SweepFolderError(
                f"{path}: from another sweep (fingerprint {own.decode()}, this folder's "
                f"manifest says {expected}); move it out of {folder / RUNS}"
            )
        schemas.append(schema.remove_metadata())
    try:
        return pa.unify_schemas(schemas)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise SweepFolderError(
            f"{folder / RUNS}: the parts disagree on their columns ({error}); "
            "a part from another sweep may have been copied in"
        ) from None


def dataset(folder: Path) -> ds.Dataset | None:
    """The checked parts as one pyarrow dataset (missing columns read as null)."""
    schema = checked_schema(folder)
    if schema is None:
        return None
    return ds.dataset(
        [str(path) for path in parts(folder)],
        schema=schema,
        format="parquet",
        filesystem=pyarrow.fs.LocalFileSystem(),
    )


def done_run_ids(folder: Path) -> set[str]:
    """Run ids already stored (finished or failed), read from the parts' id column only."""
    data = dataset(folder)
    if data is None:
        return set()
    return set(pc.unique(data.to_table(columns=["run_id"])["run_id"]).to_pylist())


def run_counts(folder: Path) -> tuple[int, int]:
    """(runs stored, of which failed), each run counted once."""
    data = dataset(folder)
    if data is None:
        return 0, 0
    table = data.to_table(columns=["run_id", "status"])
    failed = table.filter(pc.equal(table["status"], "failed"))["run_id"]
    return len(pc.unique(table["run_id"])), len(pc.unique(failed))


def parts_signature(folder: Path) -> str:
    """Which parts the folder holds: parts are never changed once written, so this names
    the data exactly (an analysis records it to know whether the sweep changed since)."""
    names = "\n".join(path.name for path in parts(folder))
    return hashlib.sha256(names.encode("utf-8")).hexdigest()[:16]


def connect(folder: Path | str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view ``runs`` over the sweep's parts."""
    folder = Path(folder)
    data = dataset(folder)
    if data is None:
        raise SweepFolderError(f"{folder}: no results yet (no {RUNS}/part-*.parquet)")
    connection = duckdb.connect()
    connection.register("runs", data)
    return connection


def load_results(folder: Path | str, status: str | None = "ok") -> pd.DataFrame:
    """All rows of a sweep as one DataFrame, in a stable order (``status=None``: failed too)."""
    order = "ORDER BY point, replication, innovation"
    with connect(folder) as connection:
        if status is None:
            return connection.execute(f"SELECT * FROM runs {order}").df()
        return connection.execute(f"SELECT * FROM runs WHERE status = ? {order}", [status]).df()


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
