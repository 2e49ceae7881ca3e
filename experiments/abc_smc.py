"""ABC-SMC: a population of parameter sets moved, generation by generation, towards the data.

The algorithm is population Monte Carlo ABC (Beaumont et al. 2009; Toni et al. 2009), as
pyabc runs it, with pyabc's parts: its multivariate normal transition (covariance twice
the population's weighted covariance, Beaumont's choice) and its weighted statistics. Each particle runs R replications; the
share of them within the tolerance estimates the ABC likelihood (Bornn et al. 2017):

- generation 0: N particles from the prior (uniform over each range), all kept;
- generation t >= 1: the tolerance eps_t is the weighted ``quantile`` of the previous
  population's accepted replications' distances; candidates are drawn from the previous
  population (ancestor by weight, plus the kernel), redrawn until inside the prior's box,
  and run; a candidate is kept when a share a > 0 of its replications is within eps_t,
  with weight a x prior / sum_j w_j K(candidate | particle j). Candidates come in rounds
  until N are kept (the first N, in order);
- it stops after ``generations``, when fewer than ``min_acceptance`` of a generation's
  candidates are kept, or when eps falls by less than ``min_epsilon_drop``.

Why not pyabc's own loop: its samplers call the model once per particle, while here a
round's particles run side by side as blocks of one model per series (``model/blocks.py``,
3-4x cheaper per run; ``make bench``), and every round is a Parquet file written
atomically, so a killed calibration resumes where it stopped with identical results: a
round's candidates depend only on the previous population and (seed, generation, round).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from experiments.calibration_problem import Problem, simulate
from experiments.dataset import SweepFolderError, writer_lock
from experiments.run import DEFAULT_BATCH
from experiments.storage import (
    DamagedFileError,
    git_commit,
    now,
    package_versions,
    read_manifest,
    write_json,
    write_parquet,
)

MANIFEST = "manifest.json"
ROUNDS, POPULATIONS = "rounds", "populations"


@dataclass(frozen=True)
class Settings:
    population: int = 200  # particles kept per generation (N)
    replications: int = 4  # runs per particle (R)
    generations: int = 8  # at most
    quantile: float = 0.5  # eps_t: this weighted quantile of the last generation's distances
    min_acceptance: float = 0.02  # stop when fewer candidates than this are kept
    min_epsilon_drop: float = 0.05  # stop when eps falls by less than this share
    max_candidates: int = 40  # per generation, at most this x population candidates
    seed: int = 1

    def __post_init__(self) -> None:
        problems = []
        if self.population < 10:
            problems.append(f"population: at least 10 particles, got {self.population}")
        if self.replications < 1:
            problems.append(f"replications: at least 1, got {self.replications}")
        if self.generations < 1:
            problems.append(f"generations: at least 1, got {self.generations}")
        if not 0 < self.quantile < 1:
            problems.append(f"quantile: between 0 and 1, got {self.quantile}")
        if problems:
            raise ValueError("; ".join(problems))


def candidate_seeds(seed: int, generation: int, round_: int, count: int, r: int) -> np.ndarray:
    """(count, r) replication seeds of a round's candidates: fresh for every run."""
    return np.array(
        [
            np.random.SeedSequence([seed, generation, round_, k]).generate_state(r)
            for k in range(count)
        ],
        dtype=np.int64,
    )


def prior_draws(problem: Problem, count: int, rng: np.random.Generator) -> pd.DataFrame:
    """``count`` particles, uniform over every dimension's range."""
    low = np.array([d.low for d in problem.dimensions])
    high = np.array([d.high for d in problem.dimensions])
    return pd.DataFrame(low + (high - low) * rng.random((count, low.size)), columns=problem.names)


@dataclass
class Proposal:
    """The previous population as a proposal: ancestors by weight plus pyabc's kernel.

    Works in unit coordinates (each range scaled to 0-1), so that a kernel over rates of
    0.01 and benefits of 100 SEK is well conditioned; densities there differ from the
    parameters' by a constant factor, which the normalised weights do not see."""

    problem: Problem
    particles: pd.DataFrame  # the previous population's parameters
    weights: np.ndarray

    def __post_init__(self) -> None:
        from pyabc.transition import MultivariateNormalTransition  # slow import: on use

        self.low = np.array([d.low for d in self.problem.dimensions])
        self.span = np.array([d.high for d in self.problem.dimensions]) - self.low
        self.unit = (self.particles[self.problem.names].to_numpy() - self.low) / self.span
        # twice the weighted covariance (Beaumont et al. 2009): Silverman's narrower kernel
        # left an effective sample of 20 of 200 after one generation over 14 dimensions
        transition = MultivariateNormalTransition(scaling=2.0, bandwidth_selector=_unit_factor)
        transition.fit(pd.DataFrame(self.unit, columns=self.problem.names), self.weights)
        # a ridge keeps the kernel proper when particles are few for the dimensions
        cov = (transition.cov + transition.cov.T) / 2.0
        self.cov = cov + 1e-6 * np.eye(len(cov))

    def draw(self, count: int, rng: np.random.Generator) -> pd.DataFrame:
        """``count`` candidates inside the prior's box (outside ones are drawn again)."""
        dimensions = self.unit.shape[1]
        out = np.empty((count, dimensions))
        todo = np.arange(count)
        for _ in range(10_000):
            ancestors = rng.choice(len(self.unit), size=todo.size, p=self.weights)
            noise = rng.multivariate_normal(np.zeros(dimensions), self.cov, todo.size)
            out[todo] = self.unit[ancestors] + noise
            todo = todo[((out[todo] < 0.0) | (out[todo] > 1.0)).any(axis=1)]
            if todo.size == 0:
                break
        else:  # pragma: no cover - a kernel far wider than the box
            out[todo] = np.clip(out[todo], 0.0, 1.0)
        return pd.DataFrame(self.low + out * self.span, columns=self.problem.names)

    def log_density(self, candidates: pd.DataFrame) -> np.ndarray:
        """log sum_j w_j K(candidate | particle j), in logs (in many dimensions the
        densities under- and overflow)."""
        from scipy.special import logsumexp
        from scipy.stats import multivariate_normal

        kernel = multivariate_normal(mean=np.zeros(len(self.cov)), cov=self.cov)
        points = (candidates[self.problem.names].to_numpy() - self.low) / self.span
        logs = np.stack([np.atleast_1d(kernel.logpdf(points - x)) for x in self.unit], axis=1)
        return logsumexp(logs + np.log(self.weights)[None, :], axis=1)


def _unit_factor(samples: float, dimensions: int) -> float:
    """No bandwidth shrinkage: the kernel's covariance is ``scaling`` x the population's."""
    return 1.0


def _round_path(folder: Path, generation: int, round_: int) -> Path:
    return folder / ROUNDS / f"g{generation:02d}-r{round_:03d}.parquet"


def _population_path(folder: Path, generation: int) -> Path:
    return folder / POPULATIONS / f"g{generation:02d}.parquet"


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as error:  # noqa: BLE001 - named in the message
        raise DamagedFileError(
            f"{path}: not a readable Parquet file ({error}); delete it and run again "
            "(that round or generation is then recomputed, identically)"
        ) from None


def evaluate_round(
    problem: Problem,
    candidates: pd.DataFrame,
    seeds: np.ndarray,
    executor: Executor | None,
) -> pd.DataFrame:
    """Every candidate's replications: parameters, seed, outcomes, distance, error."""
    per_model = max(1, DEFAULT_BATCH // seeds.shape[1])
    starts = range(0, len(candidates), per_model)
    rows = candidates.to_dict("records")
    jobs = [(problem, rows[s : s + per_model], seeds[s : s + per_model].tolist()) for s in starts]
    results = executor.map(_simulate_job, jobs) if executor else map(_simulate_job, jobs)
    frames = []
    for start, frame in zip(starts, results, strict=True):
        frame["particle"] += start
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table["seed"] = seeds[table["particle"], table["replication"]]
    table = table.join(candidates, on="particle")
    table["distance"] = problem.distances(table)
    return table


def _simulate_job(job: tuple[Problem, list[dict[str, float]], list[list[int]]]) -> pd.DataFrame:
    return simulate(*job)


def _kept(table: pd.DataFrame, epsilon: float) -> pd.DataFrame:
    """Per candidate of a round: the share of its replications within ``epsilon``."""
    distance = table["distance"]
    within = ((distance <= epsilon) & np.isfinite(distance)).groupby(table["particle"]).mean()
    return within.rename("accepted_share").to_frame()


def next_epsilon(population: pd.DataFrame, rows: pd.DataFrame, epsilon: float, q: float) -> float:
    """The weighted ``q`` quantile of the population's replications within ``epsilon``."""
    from pyabc.weighted_statistics import weighted_quantile

    within = rows[rows["distance"] <= epsilon].merge(
        population[["round", "particle", "weight"]], on=["round", "particle"]
    )
    weights = within["weight"].to_numpy()
    return float(weighted_quantile(within["distance"].to_numpy(), weights / weights.sum(), alpha=q))


class Calibration:
    """A calibration folder: its manifest, rounds and populations; runs what is missing."""

    def __init__(self, problem: Problem, folder: Path, settings: Settings) -> None:
        self.problem, self.folder, self.settings = problem, Path(folder), settings
        key = hashlib.sha256(_settings_key(settings).encode("utf-8")).hexdigest()[:8]
        self.fingerprint = f"{problem.fingerprint()}-{key}"

    def _manifest(self) -> dict[str, Any]:
        path = self.folder / MANIFEST
        if path.exists():
            manifest = read_manifest(path, "delete the folder to start the calibration again")
            if manifest.get("fingerprint") != self.fingerprint:
                raise SweepFolderError(
                    f"{self.folder} holds a calibration of other targets, priors or settings "
                    f"(fingerprint {manifest.get('fingerprint')}; this one is "
                    f"{self.fingerprint}): use another --out, or delete the folder"
                )
            return manifest
        return {
            "kind": "abc-smc",
            "fingerprint": self.fingerprint,
            "definition": self.problem.definition(),
            "settings": asdict(self.settings),
            "created": now(),
            "generations": [],
            "stopped": None,
            "sessions": [],
        }

    def run(
        self,
        executor: Executor | None = None,
        engine: str = "in process",
        progress: bool | None = None,
        say: Callable[[str], None] = print,
    ) -> dict[str, Any]:
        """Run (or resume) the generations; returns the manifest."""
        with writer_lock(self.folder):
            for name in (ROUNDS, POPULATIONS):
                (self.folder / name).mkdir(parents=True, exist_ok=True)
            manifest = self._manifest()
            session = {"started": now(), "git_commit": git_commit(), "engine": engine}
            session["package_versions"] = package_versions()
            manifest["sessions"].append(session)
            write_json(manifest, self.folder / MANIFEST)
            try:
                self._generations(manifest, executor, progress, say)
            finally:
                session["finished"] = now()
                write_json(manifest, self.folder / MANIFEST)
        return manifest

    def _generations(self, manifest, executor, progress, say) -> None:
        settings = self.settings
        done = {g["generation"]: g for g in manifest["generations"]}
        previous: pd.DataFrame | None = None
        epsilon = math.inf
        for generation in range(settings.generations):
            if generation in done and _population_path(self.folder, generation).exists():
                previous = _read(_population_path(self.folder, generation))
                epsilon = done[generation]["epsilon"]
                if done[generation]["stop"]:  # a reason other than the number of generations
                    return
                continue
            if previous is not None:
                rows = self.rows(generation - 1)
                epsilon = next_epsilon(previous, rows, epsilon, settings.quantile)
            started = time.perf_counter()
            rate = manifest["generations"][-1]["acceptance_rate"] if previous is not None else 1.0
            population, candidates = self._generation(
                generation, previous, epsilon, rate, executor, progress
            )
            write_parquet(population, _population_path(self.folder, generation))
            record = self._record(generation, epsilon, population, candidates, started)
            record["stop"] = self._stop_reason(record, manifest["generations"])
            last = record["stop"] is not None or generation == settings.generations - 1
            manifest["generations"].append(record)
            manifest["stopped"] = (
                (record["stop"] or f"reached {settings.generations} generations") if last else None
            )
            write_json(manifest, self.folder / MANIFEST)
            say(
                f"generation {generation}: tolerance {epsilon:.3g}, kept {len(population)} of "
                f"{candidates} candidates ({record['acceptance_rate']:.0%}), effective sample "
                f"{record['effective_sample_size']:.0f}, {record['seconds']:.0f} s"
            )
            if last:
                say(f"stopped: {manifest['stopped']}")
                return
            previous = population
        if manifest["stopped"] is None:  # resumed with every generation already done
            manifest["stopped"] = f"reached {settings.generations} generations"

    def _record(self, generation, epsilon, population, candidates, started) -> dict[str, Any]:
        from pyabc.weighted_statistics import effective_sample_size

        return {
            "generation": generation,
            "epsilon": epsilon,
            "candidates": int(candidates),
            "accepted": len(population),
            "acceptance_rate": len(population) / max(candidates, 1),
            "effective_sample_size": float(effective_sample_size(population["weight"])),
            "seconds": time.perf_counter() - started,
            "finished": now(),
        }

    def _stop_reason(self, record: dict[str, Any], earlier: list[dict[str, Any]]) -> str | None:
        settings = self.settings
        if record["accepted"] < settings.population:
            return (
                f"only {record['accepted']} particles within the tolerance after "
                f"{record['candidates']} candidates"
            )
        if record["generation"] > 0 and record["acceptance_rate"] < settings.min_acceptance:
            return f"acceptance rate {record['acceptance_rate']:.1%} below {settings.min_acceptance:.0%}"
        if earlier and math.isfinite(earlier[-1]["epsilon"]):
            drop = 1.0 - record["epsilon"] / earlier[-1]["epsilon"]
            if drop < settings.min_epsilon_drop:
                return f"tolerance fell by {drop:.1%} (< {settings.min_epsilon_drop:.0%})"
        return None

    def _generation(self, generation, previous, epsilon, rate, executor, progress):
        """(the generation's population, how many candidates it took)."""
        settings, problem = self.settings, self.problem
        n, r = settings.population, settings.replications
        proposal = None
        if previous is not None:
            proposal = Proposal(problem, previous, previous["weight"].to_numpy())
        kept: list[pd.DataFrame] = []
        count = candidates = 0
        bar = tqdm(
            total=n,
            desc=f"generation {generation}",
            unit="particle",
            disable=None if progress is None else not progress,
        )
        round_ = 0
        with bar:
            while count < n and candidates < settings.max_candidates * n:
                path = _round_path(self.folder, generation, round_)
                if path.exists():
                    table = _read(path)
                else:
                    size = (
                        n
                        if previous is None
                        else min(4 * n, math.ceil((n - count) / max(rate, 0.01)))
                    )
                    rng = np.random.default_rng([settings.seed, generation, round_, 7])
                    if proposal is None:
                        drawn = prior_draws(problem, size, rng)
                        log_density = np.zeros(size)  # the prior is flat: weights alike
                    else:
                        drawn = proposal.draw(size, rng)
                        log_density = proposal.log_density(drawn)
                    seeds = candidate_seeds(settings.seed, generation, round_, size, r)
                    table = evaluate_round(problem, drawn, seeds, executor)
                    table["log_proposal_density"] = log_density[table["particle"]]
                    table["round"] = round_
                    write_parquet(table, path)
                size = table["particle"].nunique()
                candidates += size
                shares = _kept(table, epsilon)
                first = table.drop_duplicates("particle").set_index("particle")
                chosen = shares[shares["accepted_share"] > 0].join(first)
                chosen = chosen.head(n - count)
                kept.append(chosen.reset_index())
                count += len(chosen)
                bar.update(len(chosen))
                rate = max(len(chosen), 1) / size
                round_ += 1
        population = pd.concat(kept, ignore_index=True)
        # weight = accepted share x prior / proposal; the prior is flat inside its box
        log_weight = np.log(population["accepted_share"]) - population["log_proposal_density"]
        weight = np.exp(log_weight - log_weight.max())
        population["weight"] = weight / weight.sum()
        columns = ["round", "particle", *problem.names, "accepted_share", "weight"]
        population = population[columns].copy()
        return population, candidates

    def rows(self, generation: int) -> pd.DataFrame:
        """Every candidate replication run in a generation (all its rounds)."""
        paths = sorted((self.folder / ROUNDS).glob(f"g{generation:02d}-r*.parquet"))
        return pd.concat([_read(p) for p in paths], ignore_index=True)

    def population(self, generation: int | None = None) -> pd.DataFrame:
        """A generation's particles and weights (default: the last finished one)."""
        if generation is None:
            paths = sorted((self.folder / POPULATIONS).glob("g*.parquet"))
            if not paths:
                raise FileNotFoundError(f"{self.folder}: no finished generation yet")
            return _read(paths[-1])
        return _read(_population_path(self.folder, generation))


def _settings_key(settings: Settings) -> str:
    """The settings that change results (not how far it may run)."""
    key = asdict(settings)
    for name in ("generations", "min_acceptance", "min_epsilon_drop"):
        key.pop(name)
    return repr(sorted(key.items()))
