"""Upper limits on the size of a job, each with the reason a message gives for it.

Without them a typo (``-n 1000000000``, ``replications = 1e9``, an LHS of 2e9 samples)
starts silently and ends minutes later in MemoryError, or runs until killed.
"""

from __future__ import annotations

# `run` and `compare` keep every replication's tables in memory until they are written:
# about 1.2 MB per replication of the baseline (measured, 120 months, 5 innovations).
MAX_RUN_REPLICATIONS = 2_000
RUN_REPLICATIONS_WHY = (
    "a run keeps every replication's tables in memory, about 1.2 MB each; "
    "run several folders with different --seed for more"
)
# A sweep's plan (one row per run) is held in memory and its runs are checked off one
# by one; a million runs is about eight hours of model time on one core.
MAX_SWEEP_RUNS = 1_000_000
MAX_POINT_REPLICATIONS = 10_000
MAX_SAMPLES = 1_000_000
SWEEP_WHY = "a sweep's plan of runs is held in memory; split the experiment into several"
# A calibration holds a generation's candidates (about 40 x the population at most) and
# their replications' outcomes in memory.
MAX_POPULATION = 10_000
MAX_GENERATIONS = 100
CALIBRATION_WHY = "a generation's candidates and their runs are held in memory"
