"""Model runs behind the explorer, remembered so that the page stays quick.

The baseline is the same for every comparison with the same replications and seed, so
it is run once per (replications, seed) and kept; the last few scenario runs are kept by
a key of the resolved scenario and settings, so redrawing a figure (another innovation
on the map) never re-runs the model. Dash serves requests on several threads: a lock per
key makes each run happen once even when two requests ask for it together.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from experiments.run import RunResults, run_scenario
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


def run_key(scenario: Scenario, replications: int, seed: int) -> str:
    """Same scenario, replications and seed give the same results, so the same key."""
    digest = hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()[:16]
    return f"{digest}-{replications}-{seed}"


class RunCache:
    """Runs scenarios and keeps the results: baselines always, other runs the last ``keep``."""

    def __init__(self, keep: int = 8) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._runs: OrderedDict[str, RunResults] = OrderedDict()
        self._pinned: set[str] = set()
        self._comparisons: OrderedDict[str, Comparison] = OrderedDict()

    def _remember(self, key: str, results: RunResults, pinned: bool) -> None:
        with self._lock:
            self._runs[key] = results
            if pinned:
                self._pinned.add(key)
            loose = [k for k in self._runs if k not in self._pinned]
            for old in loose[: max(0, len(loose) - self._keep)]:
                del self._runs[old]

    def run(
        self, scenario: Scenario, replications: int, seed: int, pinned: bool = False
    ) -> tuple[RunResults, bool]:
        """The results of ``scenario`` and whether the model had to run for them."""
        key = run_key(scenario, replications, seed)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                cached = self._runs.get(key)
                if cached is not None:
                    self._runs.move_to_end(key)
                    if pinned:
                        self._pinned.add(key)
            if cached is not None:
                return cached, False
            results = run_scenario(scenario, replications, seed, progress=False)
            self._remember(key, results, pinned)
            return results, True

    def baseline(self, replications: int, seed: int) -> tuple[RunResults, bool]:
        """The baseline run for (replications, seed), computed once and kept."""
        return self.run(library_scenario(BASELINE), replications, seed, pinned=True)

    def compare(self, scenario: Scenario, name: str, replications: int, seed: int) -> Comparison:
        """Run ``scenario`` and the baseline (each only if not cached) and keep the pair."""
        started = time.perf_counter()
        baseline, baseline_ran = self.baseline(replications, seed)
        results, scenario_ran = self.run(scenario, replications, seed)
        seconds = time.perf_counter() - started if scenario_ran or baseline_ran else 0.0
        ran = RAN[(baseline_ran, scenario_ran)]
        key = run_key(scenario, replications, seed)
        comparison = Comparison(key, name, scenario, results, baseline, seconds, ran)
        with self._lock:
            self._comparisons[key] = comparison
            self._comparisons.move_to_end(key)
            while len(self._comparisons) > self._keep:
                self._comparisons.popitem(last=False)
        return comparison

    def get(self, key: str | None) -> Comparison | None:
        """A comparison made earlier, or None if unknown or dropped."""
        if key is None:
            return None
        with self._lock:
            return self._comparisons.get(key)
