"""Model runs behind the explorer, remembered so that the page stays quick, within bounds.

The baseline is the same for every comparison with the same replications and seed, and
redrawing a figure (another innovation on the map) must not re-run the model, so runs
are kept by a key of the resolved scenario and settings: the most recently used ones,
at most ``keep`` runs and ``max_mb`` of tables (a run of 16 replications is about 18 MB),
so memory stops growing however many seeds are tried. A comparison is kept only while
both its runs are. At most ``max_running`` model runs happen at once (each takes a
core); a request that finds them all busy for ``wait_seconds`` gets ``Busy``, which the
page shows as "busy, try again". Dash serves requests on several threads: a lock per
key makes each run happen once even when two requests ask for it together.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd

from experiments.posterior import DEFAULT_POSTERIOR
from experiments.posterior_draws import policy_draws
from experiments.run import RunResults, run_scenario
from model.model import DiffusionModel
from model.outputs import build_tables
from model.scenario import Scenario
from viz.app_inputs import library_scenario

BASELINE = "baseline"
# (baseline ran, scenario ran) -> what this request ran
RAN = {
    (True, True): "both",
    (False, True): "scenario",
    (True, False): "baseline",
    (False, False): "none",
}


@dataclass(frozen=True)
class Comparison:
    """A scenario run and the baseline run with the same replications and seed."""

    key: str
    name: str  # the scenario as legends and the summary name it
    scenario: Scenario
    results: RunResults
    baseline: RunResults
    seconds: float  # wall time of the model runs this request needed (0 if all cached)
    ran: str  # "both", "scenario", "baseline" (the other from cache) or "none" (all cached)
    posterior: tuple[str, ...] = ()  # parameters taken from posterior draws (none: stochastic only)


def run_key(scenario: Scenario, replications: int, seed: int, posterior: bool = False) -> str:
    """Same scenario, replications, seed (and posterior or not) give the same results, so
    the same key."""
    digest = hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()[:16]
    return f"{digest}-{replications}-{seed}" + ("-posterior" if posterior else "")


STORIES_KEPT = 4  # replication-0 runs with events kept for stories on the map


def posterior_overrides(replications: int) -> tuple[list[dict[str, float]], tuple[str, ...]]:
    """One draw of the shipped posterior per replication, and the parameters it sets."""
    plan = policy_draws(DEFAULT_POSTERIOR, replications, 1)
    return plan.overrides(), plan.applied


def release_memory() -> None:
    """Give freed memory back to the system after a model run.

    A run leaves reference cycles and, on glibc, free memory spread over the arenas of
    the server's threads: without this the process's resident memory kept growing for
    dozens of runs (to 670 MB over 30 seeds) although the cache itself stayed bounded.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # glibc only
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Busy(RuntimeError):
    """Every model-run slot is taken: the request should be tried again in a moment."""


def size_mb(results: RunResults) -> float:
    """Memory held by a run's tables (MB)."""
    return sum(t.memory_usage(deep=True).sum() for t in results.tables.values()) / 1e6


class RunCache:
    """Runs scenarios and keeps the most recently used results, within bounds."""

    def __init__(
        self,
        keep: int = 8,
        max_mb: float = 256.0,
        max_running: int = 2,
        wait_seconds: float = 2.0,
    ) -> None:
        self._keep, self._max_mb = keep, max_mb
        self._wait = wait_seconds
        self._slots = threading.BoundedSemaphore(max_running)
        self._lock = threading.Lock()
        self._key_locks: dict[str, tuple[threading.Lock, int]] = {}
        self._runs: OrderedDict[str, tuple[RunResults, float]] = OrderedDict()
        self._comparisons: OrderedDict[str, tuple[Comparison, str]] = OrderedDict()
        self._stories: OrderedDict[str, dict[str, pd.DataFrame]] = OrderedDict()

    @property
    def cached_mb(self) -> float:
        with self._lock:
            return sum(mb for _, mb in self._runs.values())

    @property
    def cached_runs(self) -> int:
        with self._lock:
            return len(self._runs)

    def _remember(self, key: str, results: RunResults) -> None:
        """Keep ``results`` as the newest run; drop the oldest beyond the bounds."""
        with self._lock:
            mb = self._runs[key][1] if key in self._runs else size_mb(results)
            self._runs[key] = (results, mb)
            self._runs.move_to_end(key)
            total = sum(m for _, m in self._runs.values())
            # Two runs always stay: the newest comparison needs both of its runs.
            while len(self._runs) > 2 and (len(self._runs) > self._keep or total > self._max_mb):
                _, (_, dropped) = self._runs.popitem(last=False)
                total -= dropped
            for old in [k for k, (_, b) in self._comparisons.items() if not self._has(k, b)]:
                del self._comparisons[old]

    def _has(self, scenario_key: str, baseline_key: str) -> bool:
        return scenario_key in self._runs and baseline_key in self._runs

    def _key_lock(self, key: str, delta: int) -> threading.Lock:
        """The lock of ``key``, counted in (+1) and out (-1) so idle keys are forgotten."""
        with self._lock:
            lock, users = self._key_locks.get(key, (threading.Lock(), 0))
            users += delta
            if users > 0:
                self._key_locks[key] = (lock, users)
            else:
                self._key_locks.pop(key, None)
            return lock

    def run(
        self, scenario: Scenario, replications: int, seed: int, posterior: bool = False
    ) -> tuple[RunResults, bool]:
        """The results of ``scenario`` and whether the model had to run for them
        (``posterior``: replication i with draw i of the shipped posterior).

        Raises Busy when the model would have to run and no slot frees within the wait.
        """
        key = run_key(scenario, replications, seed, posterior)
        key_lock = self._key_lock(key, +1)
        try:
            with key_lock:
                with self._lock:
                    cached = self._runs.get(key)
                if cached is not None:
                    self._remember(key, cached[0])
                    return cached[0], False
                if not self._slots.acquire(timeout=self._wait):
                    raise Busy("every model-run slot is taken")
                try:
                    overrides = posterior_overrides(replications)[0] if posterior else None
                    results = run_scenario(
                        scenario,
                        replications,
                        seed,
                        progress=False,
                        block_overrides=overrides,
                        events=False,  # kept small; a story reruns replication 0 with events
                    )
                finally:
                    self._slots.release()
                self._remember(key, results)
                release_memory()
                return results, True
        finally:
            self._key_lock(key, -1)

    def story_tables(self, comparison: Comparison) -> dict[str, pd.DataFrame]:
        """The tables, event table included, of replication 0 of the comparison's scenario:
        run again alone when a municipality is clicked (the same numbers as in the batch,
        which the cached runs keep without events, to stay small), the last few kept."""
        with self._lock:
            if comparison.key in self._stories:
                self._stories.move_to_end(comparison.key)
                return self._stories[comparison.key]
        if not self._slots.acquire(timeout=self._wait):
            raise Busy("every model-run slot is taken")
        try:
            overrides = posterior_overrides(1)[0] if comparison.posterior else None
            model = DiffusionModel(
                comparison.scenario,
                seed=comparison.results.seeds[:1],
                block_overrides=overrides,
                record_events=True,
            ).run()
            tables = build_tables(model)
        finally:
            self._slots.release()
        with self._lock:
            self._stories[comparison.key] = tables
            while len(self._stories) > STORIES_KEPT:
                self._stories.popitem(last=False)
        return tables

    def baseline(
        self, replications: int, seed: int, posterior: bool = False
    ) -> tuple[RunResults, bool]:
        """The baseline run for (replications, seed), computed once while it is kept."""
        return self.run(library_scenario(BASELINE), replications, seed, posterior)

    def compare(
        self, scenario: Scenario, name: str, replications: int, seed: int, posterior: bool = False
    ) -> Comparison:
        """Run ``scenario`` and the baseline (each only if not cached) and keep the pair;
        with ``posterior`` both take replication i's parameters from draw i."""
        started = time.perf_counter()
        baseline, baseline_ran = self.baseline(replications, seed, posterior)
        results, scenario_ran = self.run(scenario, replications, seed, posterior)
        seconds = time.perf_counter() - started if scenario_ran or baseline_ran else 0.0
        ran = RAN[(baseline_ran, scenario_ran)]
        key = run_key(scenario, replications, seed, posterior)
        baseline_key = run_key(library_scenario(BASELINE), replications, seed, posterior)
        applied = posterior_overrides(replications)[1] if posterior else ()
        comparison = Comparison(key, name, scenario, results, baseline, seconds, ran, applied)
        with self._lock:
            self._comparisons[key] = (comparison, baseline_key)
            self._comparisons.move_to_end(key)
        # Both runs become the newest (the comparison may only hold cached runs).
        self._remember(baseline_key, baseline)
        self._remember(key, results)
        return comparison

    def get(self, key: str | None) -> Comparison | None:
        """A comparison made earlier, or None if unknown or dropped."""
        if key is None:
            return None
        with self._lock:
            found = self._comparisons.get(key)
            return found[0] if found else None
