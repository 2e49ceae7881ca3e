"""Run a scenario for N replications: the one call behind `spridning run` and notebooks.

Replication seeds are derived from one scenario seed and recorded, so any replication
can be re-run alone. Replications may run on any ``concurrent.futures`` executor; results
are identical whatever the executor or the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from experiments.run_folder import RUN_ID_KEY, run_id, staged
from experiments.storage import git_commit, now, package_versions, write_json, write_parquet
from experiments.workers import die_with
from model.event_log import EVENTS_MAX_REPLICATIONS
from model.model import DiffusionModel
from model.outputs import OUTPUT_TABLES, TABLE_NAMES, build_tables
from model.reference import load_municipalities, load_neighbours
from model.scenario import Scenario
from model.streams import replication_seeds


@dataclass
class RunResults:
    """A run's output tables by name (``model.outputs``), also as attributes
    (``results.timeseries``), with the scenario and seeds that made them."""

    scenario: Scenario
    seed: int
    seeds: list[int]
    tables: dict[str, pd.DataFrame]
    seconds: list[float] = field(default_factory=list)
    posterior: dict[str, Any] | None = None  # where each replication's parameters came from

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"RunResults has no table or attribute {name!r}")


# Replications per model: large enough to share the per-month numpy overhead. Measured
# (benchmarks/bench_model.py, model run per replication): 16 cost about 1.2x what 32
# cost, 64 about 0.85x; but with the output tables (run_scenario, 64 replications) 32 and
# 64 are equally fast (27 ms per replication) and 64 needs about 25% more memory.
DEFAULT_BATCH = 32


def batch_size_for(replications: int, workers: int) -> int:
    """Batches of DEFAULT_BATCH, smaller when that would leave a worker idle."""
    return max(1, min(DEFAULT_BATCH, -(-replications // workers)))


@lru_cache(maxsize=1)
def _reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    municipalities = load_municipalities()
    return municipalities, load_neighbours(municipalities=municipalities)


def municipality_count() -> int:
    """How many municipalities the runs made here have (the reference set they load)."""
    return len(_reference()[0])


def run_batch(
    scenario: Scenario,
    first_replication: int,
    seeds: list[int],
    block_overrides: list[dict[str, Any]] | None = None,
    record_events: bool = False,
) -> tuple[dict[str, pd.DataFrame], float]:
    """Replications ``first_replication``.. with ``seeds``, run side by side in one model
    (each with its own ``block_overrides`` when given: ``model/blocks.py``).

    Returns the output tables (``replication`` numbered from ``first_replication``) and
    the seconds the batch took. A replication's results do not depend on its batch.
    """
    started = time.perf_counter()
    municipalities, neighbours = _reference()
    model = DiffusionModel(
        scenario,
        seed=seeds,
        municipalities=municipalities,
        neighbours=neighbours,
        block_overrides=block_overrides,
        record_events=record_events,
    )
    model.run()
    tables = build_tables(model)
    for table in tables.values():
        table["replication"] += first_replication
    return tables, time.perf_counter() - started


def batches(replications: int, batch_size: int) -> list[tuple[int, int]]:
    """(first, count) of each batch of replications, in order."""
    return [
        (first, min(batch_size, replications - first))
        for first in range(0, replications, batch_size)
    ]


def run_scenario(
    scenario: Scenario,
    replications: int = 10,
    seed: int = 1,
    executor: Executor | None = None,
    progress: bool | None = None,
    batch_size: int = DEFAULT_BATCH,
    block_overrides: list[dict[str, Any]] | None = None,
    events: bool | None = False,
) -> RunResults:
    """Run ``replications`` of ``scenario``; ``progress=None`` shows a bar on a terminal.

    Replications run ``batch_size`` at a time in one model (the numpy work of a month is
    shared by the batch); batches go to ``executor`` when one is given.
    ``block_overrides``: each replication's own parameter values (posterior draws).
    ``events``: record the event table (``model/event_log.py``); None: when the run has
    at most ``EVENTS_MAX_REPLICATIONS`` replications (what ``spridning run`` and
    ``compare`` do by default).
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if block_overrides is not None and len(block_overrides) != replications:
        raise ValueError(f"{len(block_overrides)} block overrides for {replications} replications")
    seeds = replication_seeds(seed, replications)
    plan = batches(replications, batch_size)
    if events is None:
        events = replications <= EVENTS_MAX_REPLICATIONS
    arguments = (
        [scenario] * len(plan),
        [f for f, _ in plan],
        [seeds[f : f + c] for f, c in plan],
        [None if block_overrides is None else block_overrides[f : f + c] for f, c in plan],
        [events] * len(plan),
    )
    results = executor.map(run_batch, *arguments) if executor else map(run_batch, *arguments)
    parts: list[Any] = []
    with tqdm(
        total=replications,
        desc=scenario.name,
        unit="run",
        disable=None if progress is None else not progress,
    ) as bar:
        for part, (_, count) in zip(results, plan, strict=True):
            parts.append(part)
            bar.update(count)
    return combine(scenario, seed, seeds, parts)


def combine(scenario: Scenario, seed: int, seeds: list[int], parts: list[Any]) -> RunResults:
    """One RunResults from the batches' ``run_batch`` outputs, in replication order."""
    tables, seconds = zip(*parts, strict=True)
    return RunResults(
        scenario=scenario,
        seed=seed,
        seeds=seeds,
        tables={
            name: pd.concat([batch[name] for batch in tables], ignore_index=True)
            for name in TABLE_NAMES
            if name in tables[0]
        },
        seconds=list(seconds),
    )


def write_run(
    results: RunResults, out: Path, started: str, scenario_file: str | None = None
) -> None:
    """Write the run into ``out`` as a whole: staged beside it, then swapped in.

    ``out`` may be missing, empty or an earlier run's folder (replaced); see
    ``experiments.run_folder`` for what is refused and what a killed run leaves.
    """
    with staged(Path(out)) as staging:
        write_run_files(results, staging, started, scenario_file)


def write_run_files(
    results: RunResults, folder: Path, started: str, scenario_file: str | None = None
) -> str:
    """The run's tables, then its manifest (last), into the existing ``folder``; its run id.

    Every table carries the run id in its Parquet metadata, and so does the manifest.
    """
    identity = run_id(results.tables)
    written = [table for table in OUTPUT_TABLES if table.name in results.tables]
    for table in written:
        write_parquet(
            results.tables[table.name],
            folder / table.file,
            metadata={RUN_ID_KEY: identity.encode("ascii")},
        )
    manifest = {
        "kind": "run",
        "run_id": identity,
        "scenario_file": scenario_file,
        "scenario": results.scenario.model_dump(),
        "seed": results.seed,
        "replications": len(results.seeds),
        "replication_seeds": results.seeds,
        "package_versions": package_versions(),
        "git_commit": git_commit(),
        "run_times": {
            "started": started,
            "finished": now(),
            "seconds_per_batch": [round(s, 4) for s in results.seconds],
        },
        "tables": {table.file: table.rows for table in written},
    }
    if results.posterior is not None:
        manifest["posterior"] = results.posterior
    write_json(manifest, folder / "manifest.json")
    return identity


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool that starts clean workers (forkserver: safe next to threads); the
    workers end when this process ends, even by ``kill -9`` (``experiments.workers``)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=die_with,
        initargs=(os.getpid(),),
    )
