"""What running parameter sets side by side (blocks of one model, ``model/blocks.py``) saves.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_blocks.py [--repeats N]``).

1. A sweep: P points of a Latin hypercube over per-block parameters, R replications each,
   evaluated point by point (one model of R replications per point, as before) and
   together (the points' replications as blocks of models of up to 32), outcomes and
   all, as a sweep's task evaluates them.
2. A calibration generation: the particles of one ABC-SMC generation over the three
   observed series, each particle R replications of each series' scenario, evaluated one
   particle at a time and as blocks (``experiments/abc.py``).

Figures are medians over repeats, taken interleaved in one process (the machine is
shared and noisy), with the ratio of the two in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from experiments.evaluators import evaluate_spridning, evaluate_spridning_points
from model.params import REGISTER
from model.scenario import load_scenario

SWEPT = ("decision.hurdle", "awareness.county", "municipalities.risk_tolerance_mean")
OUTCOMES = ("adoption_share_5y", "value_created_msek")


def lhs_points(count: int, seed: int) -> list[dict[str, float]]:
    """``count`` points spread over the swept parameters' plausible ranges."""
    rng = np.random.default_rng(seed)
    points = []
    cuts = {name: rng.permutation(count) for name in SWEPT}
    for k in range(count):
        point = {}
        for name in SWEPT:
            low, high = REGISTER[name].plausible
            point[name] = float(low + (high - low) * (cuts[name][k] + rng.random()) / count)
        points.append(point)
    return points


def interleaved(works: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each work, the works taken in turn so noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            started = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def sweep_figures(points: int, replications: int, months: int, repeats: int) -> None:
    scenario = load_scenario("baseline").with_overrides({"run.months": months})
    values = lhs_points(points, seed=1)
    seeds = list(range(1, replications + 1))

    def point_by_point() -> None:
        for point in values:
            evaluate_spridning(point, seeds, scenario, None, OUTCOMES)

    def together() -> None:
        for first in range(0, points, max(1, 32 // replications)):
            chunk = values[first : first + max(1, 32 // replications)]
            evaluate_spridning_points([(p, seeds) for p in chunk], scenario, None, OUTCOMES)

    times = interleaved({"point by point": point_by_point, "together": together}, repeats)
    runs = points * replications
    print(
        f"Sweep: {points} points x {replications} replications of the baseline, {months} months "
        f"({', '.join(SWEPT)}); ms per run (median of {repeats})"
    )
    for name, seconds in times.items():
        print(f"  {name:<16} {seconds / runs * 1e3:7.1f}")
    print(
        f"  speed-up together / point by point: {times['point by point'] / times['together']:.2f}x"
    )


def calibration_figures(particles: int, replications: int, repeats: int) -> None:
    """One round of an ABC-SMC generation over the three observed series."""
    from experiments.abc_smc import candidate_seeds, evaluate_round, prior_draws
    from experiments.calibration_problem import build_problem

    problem = build_problem(["broadband_strategy", "digital_safety_alarms", "lov"])
    candidates = prior_draws(problem, particles, np.random.default_rng(1))
    seeds = candidate_seeds(1, 1, 0, particles, replications)

    def one_at_a_time() -> None:
        for k in range(particles):
            point = candidates.iloc[[k]].reset_index(drop=True)
            evaluate_round(problem, point, seeds[k : k + 1], None)

    def as_blocks() -> None:
        evaluate_round(problem, candidates, seeds, None)

    times = interleaved({"one at a time": one_at_a_time, "as blocks": as_blocks}, repeats)
    runs = particles * replications * len(problem.series)
    print(
        f"Calibration generation: {particles} particles x {replications} replications x "
        f"{len(problem.series)} series ({len(problem.dimensions)} parameters); ms per run "
        f"(median of {repeats})"
    )
    for name, seconds in times.items():
        print(f"  {name:<16} {seconds / runs * 1e3:7.1f}")
    print(
        f"  speed-up as blocks / one at a time: {times['one at a time'] / times['as blocks']:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Blocks with different parameters: speed-up.")
    parser.add_argument("--repeats", type=int, default=3, help="timings per figure (default 3)")
    parser.add_argument("--points", type=int, default=32)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--particles", type=int, default=24, help="particles of a generation")
    args = parser.parse_args()
    sweep_figures(args.points, args.replications, args.months, args.repeats)
    calibration_figures(args.particles, args.replications, args.repeats)


if __name__ == "__main__":
    main()
