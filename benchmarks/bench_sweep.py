"""Sweep throughput and memory, printed as medians and ratios measured in this one run.

Run: ``make bench-sweep`` (or ``.venv/bin/python benchmarks/bench_sweep.py [--repeats N]
[--memory-runs N]``).

1. Throughput (runs per second) of a sweep over the baseline scenario (240 months, 5
   innovations) with 1 and with 2 local worker processes, engine start-up included;
   the target is 2 workers >= 1.8 x 1 worker.
2. The same sweep on a Dask ``LocalCluster`` with 2 single-threaded workers against the
   local process pool: the overhead of going through Dask on one machine.
3. Memory: the peak resident size of a whole sweep process for Ishigami sweeps of 10,000
   and of ``--memory-runs`` (default 100,000) runs; bounded memory means the second is
   not ~10x the first (results go to disk in parts as they come).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from experiments.engines import engine
from experiments.experiment import Experiment, resolve_experiment
from experiments.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]


def baseline_experiment(points: int, replications: int) -> Experiment:
    values = [round(0.005 + 0.03 * i / (points - 1), 5) for i in range(points)]
    return Experiment(
        name="bench_throughput",
        scenario="baseline",
        design="grid",
        replications=replications,
        chunk_runs=replications,  # one point per task: little idle time at the end
        parameters={"awareness.county": {"values": values}},
    )


def warm_up() -> None:
    """Import the model and load the reference tables in a worker, then hold it briefly
    so that every worker of the pool gets one of these."""
    from experiments.run import _reference

    _reference()
    time.sleep(0.5)


def timed_sweep(
    experiment: Experiment, workers: int | None, scheduler: str | None
) -> tuple[float, float]:
    """Runs per second with engine start-up included, and with warm workers."""
    loaded = resolve_experiment(experiment)
    rates = []
    for warm in (False, True):
        with tempfile.TemporaryDirectory() as folder, engine(workers, scheduler) as chosen:
            started = time.perf_counter()
            if warm and chosen.executor is not None:
                for future in [chosen.executor.submit(warm_up) for _ in range(chosen.slots)]:
                    future.result()
                started = time.perf_counter()
            report = run_sweep(loaded, Path(folder), chosen.executor, chosen.slots, progress=False)
            rates.append(report.ran / (time.perf_counter() - started))
        assert report.failed == 0
    return rates[0], rates[1]


def throughput(repeats: int, points: int, replications: int) -> None:
    from distributed import LocalCluster

    experiment = baseline_experiment(points, replications)
    runs = points * replications
    print(
        f"Throughput: baseline sweep, {points} points x {replications} replications = {runs} runs"
    )
    names = ("1 worker", "2 workers", "dask 2 workers")
    cold: dict[str, list[float]] = {name: [] for name in names}
    warm: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeats):
        for name, workers in (("1 worker", 1), ("2 workers", 2)):
            rate_cold, rate_warm = timed_sweep(experiment, workers, None)
            cold[name].append(rate_cold)
            warm[name].append(rate_warm)
        with LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=50
        ) as cluster:
            rate_cold, rate_warm = timed_sweep(experiment, None, cluster.scheduler_address)
        cold["dask 2 workers"].append(rate_cold)
        warm["dask 2 workers"].append(rate_warm)
    for title, rates in (("with engine start-up", cold), ("warm workers", warm)):
        medians = {name: statistics.median(values) for name, values in rates.items()}
        print(f"  {title}:")
        for name, value in medians.items():
            spread = ", ".join(f"{v:.2f}" for v in rates[name])
            print(f"    {name:<15} {value:6.2f} runs/s (median of {repeats}: {spread})")
        print(
            f"    2 workers / 1 worker: {medians['2 workers'] / medians['1 worker']:.2f}x "
            "(target >= 1.8)"
        )
        print(
            "    Dask / local pool (2 workers): "
            f"{medians['dask 2 workers'] / medians['2 workers']:.2f}x throughput"
        )
    print("  (Dask: LocalCluster start-up excluded, client connection included)")


MEMORY_SCRIPT = """
import resource, sys, tempfile
from pathlib import Path
from experiments.experiment import load_experiment
from experiments.sweep import run_sweep
loaded = load_experiment("ishigami_check")
n = int(sys.argv[1]) // 5  # Saltelli without second order: N * (D + 2) points, D = 3
loaded = loaded.model_copy(update={"experiment": loaded.experiment.model_copy(
    update={"samples": n, "chunk_runs": 2000})})
with tempfile.TemporaryDirectory() as folder:
    report = run_sweep(loaded, Path(folder), progress=False)
print(report.ran, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def memory(runs: int) -> None:
    print("Memory: peak resident size of a whole in-process Ishigami sweep")
    sizes = {}
    for count in (10_000, runs):
        started = time.perf_counter()
        output = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, str(count)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        ran, megabytes = int(output[0]), int(output[1])
        sizes[count] = megabytes
        print(f"  {ran:>7} runs: peak {megabytes} MB, {time.perf_counter() - started:.0f} s")
    print(f"  ratio of peaks: {sizes[runs] / sizes[10_000]:.2f}x for {runs / 10_000:.0f}x the runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--points", type=int, default=40)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--memory-runs", type=int, default=100_000, help="0: skip memory")
    args = parser.parse_args()
    throughput(args.repeats, args.points, args.replications)
    if args.memory_runs:
        memory(args.memory_runs)


if __name__ == "__main__":
    main()
