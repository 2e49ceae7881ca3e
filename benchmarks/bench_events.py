"""What recording the event table (``model/event_log.py``) costs a run.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_events.py [--repeats N]``).

One batch of 32 replications of SKR's position (20 years monthly), run and its tables
built, with and without the event table; figures are medians over repeats taken
interleaved in one process (the machine is shared and noisy), with their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

from model.model import DiffusionModel
from model.outputs import build_tables
from model.scenario import load_scenario

SEEDS = list(range(1, 33))


def seconds(record_events: bool) -> tuple[float, int]:
    """Seconds for one run and its tables, and the event table's rows."""
    started = time.perf_counter()
    model = DiffusionModel(load_scenario("skr_position"), seed=SEEDS, record_events=record_events)
    tables = build_tables(model.run())
    return time.perf_counter() - started, len(tables.get("events", ()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    plain, recorded, rows = [], [], 0
    seconds(False)  # warm up: imports, reference tables
    for _ in range(repeats):
        plain.append(seconds(False)[0])
        elapsed, rows = seconds(True)
        recorded.append(elapsed)
    off, on = statistics.median(plain), statistics.median(recorded)
    print(f"events: 32 replications of skr_position, 240 months, medians of {repeats}")
    print(f"  without the event table  {off:6.2f} s")
    print(f"  with it ({rows:,} rows)  {on:6.2f} s   ratio {on / off:.2f}")


if __name__ == "__main__":
    main()
