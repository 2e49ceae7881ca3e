"""Sweeps: every design point x replication run once, on any executor, resumable.

A run's id is a hash of the model, the point's parameter values and the replication
seed, so a resumed sweep recognises what is already stored and runs only the rest.
Replication seeds are shared by all points (common random numbers across the design).
Results do not depend on the executor, the number of workers or how runs are chunked:
a task's points run as blocks of one model when every swept parameter may differ between
blocks (``model/blocks.py``), else each point's replications in one model, and a block
is bit-identical to running alone.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from experiments.dataset import (
    MANIFEST,
    SweepFolderError,
    done_run_ids,
    read_sweep_manifest,
    remove_leftovers,
    write_part,
    writer_lock,
)
from experiments.evaluators import EVALUATORS, POINTS_EVALUATORS
from experiments.experiment import LoadedExperiment
from experiments.sampling import design_points
from experiments.storage import git_commit, now, package_versions, write_json
from model.blocks import PER_BLOCK, register_name
from model.scenario import Scenario
from model.streams import replication_seeds

META_COLUMNS = ("run_id", "point", "replication", "seed", "innovation", "status", "error")


def _plain(value: Any) -> Any:
    """numpy scalars as Python values, so ids and overrides are the same whatever made them."""
    return value.item() if isinstance(value, np.generic) else value


def run_id(model: str, values: dict[str, Any], seed: int) -> str:
    text = json.dumps({"model": model, "point": values, "seed": seed}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class Plan:
    points: pd.DataFrame  # index: point; columns: parameter names
    runs: pd.DataFrame  # run_id, point, replication, seed: every point x replication

    @property
    def unique_runs(self) -> pd.DataFrame:
        """Runs to compute: two points with the same values (rounding can make them) share runs."""
        return self.runs.drop_duplicates("run_id")


def make_plan(loaded: LoadedExperiment) -> Plan:
    points = design_points(loaded)
    seeds = replication_seeds(loaded.experiment.seed, loaded.experiment.replications)
    model = loaded.experiment.model
    rows = []
    for point, values in zip(points.index, points.to_dict("records"), strict=True):
        plain = {name: _plain(v) for name, v in values.items()}
        for replication, seed in enumerate(seeds):
            rows.append((run_id(model, plain, seed), int(point), replication, seed))
    return Plan(
        points=points, runs=pd.DataFrame(rows, columns=["run_id", "point", "replication", "seed"])
    )


@dataclass(frozen=True)
class Task:
    """Runs of one or more points, sent to a worker together."""

    model: str
    scenario: Scenario | None
    reference: Scenario | None
    outcomes: tuple[str, ...]
    paths: dict[str, str]  # parameter name -> override path
    points: list[tuple[int, dict[str, Any], list[tuple[str, int, int]]]]


def run_task(task: Task) -> pd.DataFrame:
    """Evaluate a task's points: together, as blocks of one model, when the model can
    (``model/blocks.py``); else, or when that fails, point by point, where a point that
    raises gives failed rows and the rest go on."""
    together = POINTS_EVALUATORS.get(task.model)
    blockable = all(register_name(path) in PER_BLOCK for path in task.paths.values())
    if together is not None and blockable and len(task.points) > 1:
        started = time.perf_counter()
        try:
            tables = together(
                [
                    (_overrides(task, values), [s for _, _, s in runs])
                    for _, values, runs in task.points
                ],
                task.scenario,
                task.reference,
                task.outcomes,
            )
        except Exception:  # noqa: BLE001 - a point that fails: each on its own below
            pass
        else:
            seconds = (time.perf_counter() - started) / sum(len(r) for _, _, r in task.points)
            return pd.concat(
                [
                    _labelled(table, point, values, runs, seconds)
                    for table, (point, values, runs) in zip(tables, task.points, strict=True)
                ],
                ignore_index=True,
            )
    evaluate = EVALUATORS[task.model]
    frames = []
    for point, values, runs in task.points:
        seeds = [seed for _, _, seed in runs]
        started = time.perf_counter()
        try:
            table = evaluate(
                _overrides(task, values), seeds, task.scenario, task.reference, task.outcomes
            )
            table["status"], table["error"] = "ok", None
        except Exception as error:  # noqa: BLE001 - a failed run is recorded, the sweep goes on
            where = traceback.extract_tb(error.__traceback__)[-1]
            message = f"{type(error).__name__}: {error} (at {where.filename}:{where.lineno})"
            table = pd.DataFrame(
                {"replication": range(len(seeds)), "innovation": "all", "status": "failed"}
            )
            table["error"] = message
        seconds = (time.perf_counter() - started) / len(seeds)
        frames.append(_labelled(table, point, values, runs, seconds))
    return pd.concat(frames, ignore_index=True)


def _overrides(task: Task, values: dict[str, Any]) -> dict[str, Any]:
    """A point's values as scenario overrides."""
    return {task.paths[name]: value for name, value in values.items()}


def _labelled(
    table: pd.DataFrame,
    point: int,
    values: dict[str, Any],
    runs: list[tuple[str, int, int]],
    seconds: float,
) -> pd.DataFrame:
    """A point's evaluated rows (``replication``: position in ``runs``) with their run ids,
    seeds, replication numbers, point, parameter values and seconds per run."""
    ids, replications, seeds = zip(*runs, strict=True)
    table = table.copy()
    if "status" not in table:
        table["status"], table["error"] = "ok", None
    position = table["replication"].to_numpy()
    table["run_id"] = np.asarray(ids)[position]
    table["seed"] = np.asarray(seeds, dtype=np.int64)[position]
    table["replication"] = np.asarray(replications, dtype=np.int64)[position]
    table["point"] = point
    table["seconds"] = seconds
    for name, value in values.items():
        table[name] = value
    return table


def result_schema(loaded: LoadedExperiment, points: pd.DataFrame) -> pa.Schema:
    """The parts' columns and types, fixed per experiment so every part agrees."""
    fields = [
        pa.field("run_id", pa.string()),
        pa.field("point", pa.int64()),
        pa.field("replication", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("innovation", pa.string()),
        pa.field("status", pa.string()),
        pa.field("error", pa.string()),
        pa.field("seconds", pa.float64()),
    ]
    for parameter in loaded.parameters:
        column = points[parameter.name]
        if parameter.integer:
            kind = pa.int64()
        elif pd.api.types.is_bool_dtype(column):
            kind = pa.bool_()
        elif pd.api.types.is_numeric_dtype(column):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(parameter.name, kind))
    outcomes = list(loaded.experiment.outcome_names)
    if loaded.reference is not None:
        outcomes += [f"effect_{name}" for name in outcomes]
    fields += [pa.field(name, pa.float64()) for name in outcomes]
    return pa.schema(fields)


def to_arrow(table: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    table = table.reindex(columns=schema.names)
    for column in schema:
        if column.type == pa.string():
            values = table[column.name]
            table[column.name] = values.where(values.isna(), values.astype(str))
    return pa.Table.from_pandas(table, schema=schema, preserve_index=False)


def make_tasks(loaded: LoadedExperiment, plan: Plan, todo: pd.DataFrame) -> Iterator[Task]:
    """Tasks of about ``chunk_runs`` runs; a point's replications stay together when they fit."""
    experiment = loaded.experiment
    size = experiment.chunk_runs
    common = {
        "model": experiment.model,
        "scenario": loaded.scenario,
        "reference": loaded.reference,
        "outcomes": experiment.outcome_names,
        "paths": {p.name: p.path for p in loaded.parameters},
    }
    pending: list[tuple[int, dict[str, Any], list[tuple[str, int, int]]]] = []
    count = 0
    for point, group in todo.groupby("point", sort=True):
        row = plan.points.loc[[point]].to_dict("records")[0]  # keeps each column's type
        values = {k: _plain(v) for k, v in row.items()}
        runs = list(group[["run_id", "replication", "seed"]].itertuples(index=False, name=None))
        for start in range(0, len(runs), size):
            piece = [(r, int(rep), int(s)) for r, rep, s in runs[start : start + size]]
            pending.append((int(point), values, piece))
            count += len(piece)
            if count >= size:
                yield Task(points=pending, **common)
                pending, count = [], 0
    if pending:
        yield Task(points=pending, **common)


@dataclass
class SweepReport:
    total: int
    already_done: int
    ran: int = 0
    failed: int = 0
    parts_written: int = 0
    leftovers_removed: int = 0
    interrupted: bool = False
    errors: list[str] = field(default_factory=list)


class _Buffer:
    """Rows waiting to be written as one part, flushed by size or age."""

    def __init__(
        self, folder: Path, schema: pa.Schema, runs: int, seconds: float, fingerprint: str
    ) -> None:
        self.folder, self.schema, self.fingerprint = folder, schema, fingerprint
        self.limit_runs, self.limit_seconds = runs, seconds
        self.tables: list[pa.Table] = []
        self.runs = 0
        self.since = time.monotonic()
        self.written = 0

    def add(self, table: pd.DataFrame) -> None:
        self.tables.append(to_arrow(table, self.schema))
        self.runs += table["run_id"].nunique()
        if self.runs >= self.limit_runs or time.monotonic() - self.since >= self.limit_seconds:
            self.flush()

    def flush(self) -> None:
        # Taken off the buffer before writing: an interrupt during the write cannot make a
        # later flush store the same rows again.
        tables, self.tables, self.runs, self.since = self.tables, [], 0, time.monotonic()
        if tables:
            write_part(pa.concat_tables(tables), self.folder, self.fingerprint)
            self.written += 1


def _manifest(loaded: LoadedExperiment, folder: Path, plan: Plan) -> dict[str, Any]:
    path = folder / MANIFEST
    # The definition and the design it produces (samplers' versions could change it).
    design = hashlib.sha256("".join(plan.runs["run_id"]).encode("ascii")).hexdigest()[:16]
    fingerprint = f"{loaded.fingerprint()}-{design}"
    if path.exists():
        manifest = read_sweep_manifest(folder)
        if manifest.get("fingerprint") != fingerprint:
            raise SweepFolderError(
                f"{folder} holds results of a different experiment (fingerprint "
                f"{manifest.get('fingerprint')}, from {manifest.get('definition', {}).get('source')}); "
                f"this one is {fingerprint}. The experiment file or its scenario changed: "
                "use another --out, or delete the folder to start again"
            )
        return manifest
    return {
        "kind": "sweep",
        "fingerprint": fingerprint,
        "definition": loaded.definition(),
        "design": loaded.experiment.design,
        "points": len(plan.points),
        "runs_total": len(plan.unique_runs),
        "created": now(),
        "sessions": [],
    }


def _open_session(manifest: dict[str, Any], folder: Path, engine: str) -> dict[str, Any]:
    """This session's entry in the manifest, written before any run so that an interrupted
    sweep still records which code and engine produced its results."""
    session = {
        "started": now(),
        "git_commit": git_commit(),
        "package_versions": package_versions(),
        "engine": engine,
    }
    manifest.setdefault("sessions", []).append(session)
    write_json(manifest, folder / MANIFEST)
    return session


def _close_session(
    manifest: dict[str, Any], session: dict[str, Any], report: SweepReport, folder: Path
) -> None:
    """Record what this session ran and whether the sweep is now complete."""
    session.update(
        finished=now(),
        runs_ran=report.ran,
        runs_failed=report.failed,
        interrupted=report.interrupted,
    )
    manifest["complete"] = report.already_done + report.ran >= report.total
    write_json(manifest, folder / MANIFEST)


def _collector(report: SweepReport, buffer: _Buffer, bar: tqdm) -> Callable[[pd.DataFrame], None]:
    """What to do with each finished task's table: count its runs and failures, buffer its
    rows for writing, advance the progress bar."""

    def collect(table: pd.DataFrame) -> None:
        runs = table.drop_duplicates("run_id")
        failed = runs[runs["status"] == "failed"]
        report.ran += len(runs)
        report.failed += len(failed)
        report.errors.extend(failed["error"].head(3).tolist())
        buffer.add(table)
        bar.update(len(runs))
        bar.set_postfix(failed=report.failed, refresh=False)

    return collect


def run_sweep(
    loaded: LoadedExperiment,
    folder: Path,
    executor: Executor | None = None,
    slots: int = 1,
    engine: str = "in process",
    progress: bool | None = None,
    flush_runs: int = 256,
    flush_seconds: float = 30.0,
) -> SweepReport:
    """Run what ``folder`` lacks of the experiment; ``slots`` tasks in flight per worker slot."""
    folder = Path(folder)
    with writer_lock(folder):
        plan = make_plan(loaded)
        manifest = _manifest(loaded, folder, plan)
        unique = plan.unique_runs
        report = SweepReport(total=len(unique), already_done=0)
        report.leftovers_removed = remove_leftovers(folder)
        done = done_run_ids(folder)  # checks every part before this session is recorded
        session = _open_session(manifest, folder, engine)
        todo = unique[~unique["run_id"].isin(done)]
        report.already_done = len(unique) - len(todo)
        buffer = _Buffer(
            folder,
            result_schema(loaded, plan.points),
            flush_runs,
            flush_seconds,
            manifest["fingerprint"],
        )
        bar = tqdm(
            total=len(unique),
            initial=report.already_done,
            desc=loaded.experiment.name,
            unit="run",
            disable=None if progress is None else not progress,
        )
        collect = _collector(report, buffer, bar)
        try:
            tasks = make_tasks(loaded, plan, todo)
            if executor is None:
                for task in tasks:
                    collect(run_task(task))
            else:
                _drain(executor, tasks, max(2, 2 * slots), collect)
        except KeyboardInterrupt:
            report.interrupted = True
            raise
        finally:
            buffer.flush()
            bar.close()
            report.parts_written = buffer.written
            _close_session(manifest, session, report, folder)
    return report


def _drain(executor: Executor, tasks: Iterator[Task], window: int, collect: Any) -> None:
    """Keep ``window`` tasks in flight; memory stays bounded whatever the sweep's size."""
    in_flight: set[Future[pd.DataFrame]] = set()
    try:
        for task in tasks:
            in_flight.add(executor.submit(run_task, task))
            if len(in_flight) >= window:
                finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    collect(future.result())
        while in_flight:
            finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                collect(future.result())
    finally:
        for future in in_flight:
            future.cancel()
