"""Run a scenario for N replications: the one call behind `spridning run` and notebooks.

Replication seeds are derived from one scenario seed and recorded, so any replication
can be re-run alone. Replications may run on any ``concurrent.futures`` executor; results
are identical whatever the executor or the number of workers.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from experiments.storage import git_commit, now, package_versions, write_json, write_parquet
from model.model import DiffusionModel
from model.reference import load_municipalities, load_neighbours
from model.scenario import Scenario
from model.streams import replication_seeds


@dataclass
class RunResults:
    scenario: Scenario
    seed: int
    seeds: list[int]
    timeseries: pd.DataFrame
    municipalities: pd.DataFrame
    groups: pd.DataFrame
    seconds: list[float] = field(default_factory=list)


@lru_cache(maxsize=1)
def _reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    municipalities = load_municipalities()
    return municipalities, load_neighbours(municipalities=municipalities)


def run_replication(
    scenario: Scenario, replication: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, float]:
    """One replication's tables, each with ``replication`` as first column, and its seconds."""
    started = time.perf_counter()
    municipalities, neighbours = _reference()
    model = DiffusionModel(
        scenario, seed=seed, municipalities=municipalities, neighbours=neighbours
    )
    model.run()
    tables = [model.timeseries(), model.municipality_outcomes(), model.groups()]
    for table in tables:
        table.insert(0, "replication", replication)
    return (*tables, time.perf_counter() - started)


def _results(
    scenario: Scenario, seeds: list[int], executor: Executor | None
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, float]]:
    if executor is None:
        for replication, seed in enumerate(seeds):
            yield run_replication(scenario, replication, seed)
    else:
        yield from executor.map(run_replication, [scenario] * len(seeds), range(len(seeds)), seeds)


def run_scenario(
    scenario: Scenario,
    replications: int = 10,
    seed: int = 1,
    executor: Executor | None = None,
    progress: bool | None = None,
) -> RunResults:
    """Run ``replications`` of ``scenario``; ``progress=None`` shows a bar on a terminal."""
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    seeds = replication_seeds(seed, replications)
    parts: list[Any] = []
    bar = tqdm(
        _results(scenario, seeds, executor),
        total=replications,
        desc=f"{scenario.name}",
        unit="run",
        disable=None if progress is None else not progress,
    )
    for part in bar:
        parts.append(part)
    timeseries, municipalities, groups, seconds = zip(*parts, strict=True)
    return RunResults(
        scenario=scenario,
        seed=seed,
        seeds=seeds,
        timeseries=pd.concat(timeseries, ignore_index=True),
        municipalities=pd.concat(municipalities, ignore_index=True),
        groups=pd.concat(groups, ignore_index=True),
        seconds=list(seconds),
    )


def write_run(
    results: RunResults, out: Path, started: str, scenario_file: str | None = None
) -> None:
    """Write the run's tables and manifest into ``out`` (created if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    write_parquet(results.timeseries, out / "timeseries.parquet")
    write_parquet(results.municipalities, out / "municipalities.parquet")
    write_parquet(results.groups, out / "groups.parquet")
    manifest = {
        "kind": "run",
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
            "seconds_per_replication": [round(s, 4) for s in results.seconds],
        },
        "tables": {
            "timeseries.parquet": "one row per replication, month and innovation",
            "municipalities.parquet": "one row per replication, innovation and municipality",
            "groups.parquet": "adoption share per replication, month, innovation, size class or county",
        },
    }
    write_json(manifest, out / "manifest.json")


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool that starts clean workers (forkserver): safe next to threads."""
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("forkserver")
    )
