"""What a calibration found: the posterior, its predictive checks, and the shipped sample.

From the last generation of an ABC-SMC calibration (``experiments/abc_smc.py``):

- ``posterior.csv``: per parameter the weighted median and 90 % interval, and how much of
  the prior range the interval still covers (near 1: the data do not identify it);
- ``draws.parquet``: K draws resampled by weight (systematic resampling), the sample
  policy runs take their parameters from;
- ``correlations.csv``: Spearman correlations between parameters over the draws (strong:
  they trade off);
- posterior predictive check (``predictive.parquet``, ``fit.csv``, ``curve.csv``): every
  draw runs R fresh replications of every series; per observation the median and 5-95 %
  band of those runs against the observed value, and whether it lies inside;
- with ``fit_until``, the same for the held-out observations: the out-of-sample check.

A shipped posterior (``model/posteriors/<name>.parquet`` with ``<name>.json``) is the draws
plus a manifest saying which targets, method, settings, code version and date made it.
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.abc_smc import Calibration, candidate_seeds, evaluate_round
from experiments.calibration_problem import CURVE_STEP, Problem
from experiments.storage import (
    atomic_write_bytes,
    git_commit,
    now,
    read_manifest,
    write_json,
    write_parquet,
)
from experiments.targets import _month_number

POSTERIORS = Path(__file__).resolve().parents[1] / "model" / "posteriors"
DEFAULT_POSTERIOR = "default"
PREDICTIVE = 10_000  # the "generation" number of the predictive runs' seeds


class PosteriorError(ValueError):
    """A posterior sample that is missing, damaged or does not fit the scenario."""


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> list[float]:
    from pyabc.weighted_statistics import weighted_quantile

    w = weights / weights.sum()
    return [float(weighted_quantile(values, w, alpha=q)) for q in qs]


def resample(population: pd.DataFrame, names: list[str], count: int, seed: int) -> pd.DataFrame:
    """``count`` draws from a weighted population by systematic resampling (each particle
    appears about weight x count times), in random order so that any first k draws are a
    sample too (``compare --draws k``); reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    weights = population["weight"].to_numpy()
    positions = (rng.random() + np.arange(count)) / count
    chosen = np.searchsorted(np.cumsum(weights / weights.sum()), positions, side="right")
    chosen = rng.permutation(np.minimum(chosen, len(population) - 1))
    draws = population.iloc[chosen][names].reset_index(drop=True)
    draws.insert(0, "draw", np.arange(count))
    return draws


def as_parameters(problem: Problem, draws: pd.DataFrame) -> pd.DataFrame:
    """Draws with whole-number parameters rounded, as the runs take them."""
    draws = draws.copy()
    for d in problem.dimensions:
        if d.integer:
            draws[d.name] = draws[d.name].round().astype(np.int64)
    return draws


def posterior_table(problem: Problem, population: pd.DataFrame) -> pd.DataFrame:
    weights = population["weight"].to_numpy()
    rows = []
    for d in problem.dimensions:
        median, q05, q95 = weighted_quantiles(
            population[d.name].to_numpy(), weights, [0.5, 0.05, 0.95]
        )
        share = (q95 - q05) / (0.9 * (d.high - d.low))
        rows.append(
            {
                "parameter": d.name,
                "shared": d.shared,
                "prior_low": d.low,
                "prior_high": d.high,
                "median": median,
                "q05": q05,
                "q95": q95,
                "share_of_prior_range": share,
                "identified": share < 0.6,
            }
        )
    return pd.DataFrame(rows)


def correlation_table(draws: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    rho = draws[names].astype(float).corr(method="spearman").to_numpy()
    return pd.DataFrame(
        [
            {"parameter_1": names[i], "parameter_2": names[j], "spearman": rho[i, j]}
            for i in range(len(names))
            for j in range(i + 1, len(names))
        ],
        columns=["parameter_1", "parameter_2", "spearman"],
    )


def predictive_runs(
    problem: Problem,
    draws: pd.DataFrame,
    replications: int,
    seed: int,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Every draw's ``replications`` fresh runs of every series (seeds apart from the
    calibration's generations)."""
    seeds = candidate_seeds(seed, PREDICTIVE, 0, len(draws), replications)
    table = evaluate_round(problem, draws[problem.names], seeds, executor)
    return table.rename(columns={"particle": "draw"})


def fit_table(problem: Problem, predictive: pd.DataFrame) -> pd.DataFrame:
    """Per series and observation: observed, the predictive median and 5-95 % band (in
    municipalities), inside or not, fitted or held out, and the median's error."""
    rows = []
    for series in problem.series:
        for index, observation in enumerate(series.target.observations):
            values = predictive[series.column(series.target.outcome(observation))].dropna()
            low, median, high = values.quantile([0.05, 0.5, 0.95])
            observed = float(series.observed[index])
            rows.append(
                {
                    "target": series.name,
                    "date": observation.date,
                    "measure": observation.measure,
                    "observed": observed,
                    "median": float(median),
                    "band_low": float(low),
                    "band_high": float(high),
                    "inside_band": bool(low <= observed <= high),
                    "used_in_fit": bool(series.fitted[index]),
                    "error": float(median) - observed,
                }
            )
    return pd.DataFrame(rows)


def curve_table(problem: Problem, predictive: pd.DataFrame) -> pd.DataFrame:
    """Per series, measure and month of the curve: the predictive median and 5-95 % band."""
    rows = []
    for series in problem.series:
        start = _month_number(series.target.start)
        for outcome in series.outcomes:
            measure, month = outcome.rsplit("_m", 1)
            if int(month) % CURVE_STEP:
                continue
            values = predictive[series.column(outcome)].dropna()
            calendar = start + int(month) - 1
            rows.append(
                {
                    "target": series.name,
                    "measure": measure,
                    "month": int(month),
                    "date": f"{calendar // 12:04d}-{calendar % 12 + 1:02d}",
                    "median": float(values.median()),
                    "band_low": float(values.quantile(0.05)),
                    "band_high": float(values.quantile(0.95)),
                }
            )
    return pd.DataFrame(rows).drop_duplicates(["target", "measure", "month"])


def out_of_sample(fit: pd.DataFrame) -> dict[str, Any] | None:
    """How well the held-out observations were predicted, overall and per series."""
    held = fit[~fit["used_in_fit"]]
    if held.empty:
        return None

    def scores(part: pd.DataFrame) -> dict[str, Any]:
        return {
            "rmse": float(np.sqrt((part["error"] ** 2).mean())),
            "mean_absolute_error": float(part["error"].abs().mean()),
            "inside_band": int(part["inside_band"].sum()),
            "n": len(part),
        }

    return scores(held) | {"per_target": {t: scores(p) for t, p in held.groupby("target")}}


def summarise(
    calibration: Calibration,
    draws: int = 100,
    replications: int = 4,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Posterior, draws, correlations and the predictive check, written into the
    calibration's folder; returns the summary (also ``calibration.json``)."""
    problem, folder = calibration.problem, calibration.folder
    settings = calibration.settings
    manifest = read_manifest(folder / "manifest.json", "run the calibration first")
    # the last generation that kept a whole population (a short one ends the calibration)
    complete = [
        g["generation"] for g in manifest["generations"] if g["accepted"] >= settings.population
    ]
    generation = complete[-1] if complete else None
    population = calibration.population(generation)
    if population.empty:
        raise PosteriorError(
            f"{folder}: the last generation kept no particle; nothing to summarise (run more "
            "candidates, or fewer generations)"
        )
    sample = as_parameters(problem, resample(population, problem.names, draws, settings.seed))
    predictive = predictive_runs(problem, sample, replications, settings.seed, executor)
    posterior = posterior_table(problem, population)
    correlations = correlation_table(sample, problem.names)
    fit = fit_table(problem, predictive)
    write_parquet(sample, folder / "draws.parquet")
    write_parquet(predictive, folder / "predictive.parquet")
    for name, table in (
        ("posterior", posterior),
        ("correlations", correlations),
        ("fit", fit),
        ("curve", curve_table(problem, predictive)),
    ):
        atomic_write_bytes(folder / f"{name}.csv", table.to_csv(index=False).encode("utf-8"))
    fitted = fit[fit["used_in_fit"]]
    summary = {
        "method": "ABC-SMC (population Monte Carlo ABC; pyabc's kernel and statistics)",
        "targets": [s.name for s in problem.series],
        "parameters": problem.names,
        "settings": manifest["settings"],
        "generations": manifest["generations"],
        "stopped": manifest["stopped"],
        "posterior_generation": generation
        if generation is not None
        else len(manifest["generations"]) - 1,
        "fit_until": problem.fit_until,
        "draws": draws,
        "predictive_replications": replications,
        "posterior": posterior.to_dict("records"),
        "trade_offs": correlations[correlations["spearman"].abs() >= 0.5].to_dict("records"),
        "fit": fit.to_dict("records"),
        "fit_rmse": float(np.sqrt((fitted["error"] ** 2).mean())),
        "observations_inside_band": int(fit["inside_band"].sum()),
        "observations": len(fit),
        "out_of_sample": out_of_sample(fit),
    }
    write_json(summary, folder / "calibration.json")
    return summary


def ship(calibration_folder: Path, name: str = DEFAULT_POSTERIOR, into: Path = POSTERIORS) -> Path:
    """Copy a summarised calibration's draws into the project as posterior ``name``, with
    a manifest of what made it."""
    summary = read_manifest(calibration_folder / "calibration.json", "summarise it first")
    manifest = read_manifest(calibration_folder / "manifest.json", "run the calibration first")
    draws = pd.read_parquet(calibration_folder / "draws.parquet")
    into.mkdir(parents=True, exist_ok=True)
    write_parquet(draws, into / f"{name}.parquet")
    definition = manifest["definition"]
    write_json(
        {
            "name": name,
            "draws": len(draws),
            "parameters": [
                {k: d[k] for k in ("name", "low", "high", "integer", "shared", "paths")}
                for d in definition["dimensions"]
            ],
            "targets": [
                {"name": t["name"], "observations": len(t["target"]["observations"])}
                for t in definition["targets"]
            ],
            "method": summary["method"],
            "settings": manifest["settings"],
            "generations": len(manifest["generations"]),
            "final_tolerance": manifest["generations"][-1]["epsilon"],
            "stopped": manifest["stopped"],
            "fit_until": definition["fit_until"],
            "git_commit": git_commit(),
            "created": now(),
            "command": "make posterior",
        },
        into / f"{name}.json",
    )
    return into / f"{name}.parquet"


def posterior_path(name_or_path: str | Path) -> Path:
    """A shipped posterior's name (``default``) or a Parquet file's path."""
    given = Path(name_or_path)
    if given.suffix == ".parquet" or given.exists():
        return given
    return POSTERIORS / f"{name_or_path}.parquet"


def load_posterior(name_or_path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(the draws, the manifest beside them); PosteriorError naming the file otherwise."""
    path = posterior_path(name_or_path)
    if not path.exists():
        shipped = sorted(p.stem for p in POSTERIORS.glob("*.parquet"))
        raise PosteriorError(
            f"{path}: no posterior sample there; shipped ones: {', '.join(shipped) or 'none'} "
            "(make one with `make posterior`)"
        )
    manifest = read_manifest(path.with_suffix(".json"), "a posterior needs its manifest")
    try:
        draws = pd.read_parquet(path)
    except Exception as error:  # noqa: BLE001 - named in the message
        raise PosteriorError(f"{path}: not a readable Parquet file ({error})") from None
    names = [p["name"] for p in manifest.get("parameters", [])]
    missing = [n for n in ["draw", *names] if n not in draws.columns]
    if missing or draws.empty:
        raise PosteriorError(
            f"{path}: {'no draws' if draws.empty else f'columns {missing} missing'}; the "
            "manifest lists " + ", ".join(names)
        )
    bad = [n for n in names if not np.isfinite(draws[n].to_numpy(dtype=float)).all()]
    if bad:
        raise PosteriorError(f"{path}: values that are not finite numbers in {bad}")
    return draws, manifest
