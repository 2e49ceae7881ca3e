"""Calibration by approximate Bayesian computation (rejection), through the sweep runner.

The chosen parameters get a uniform prior over their ranges (the register's plausible
range unless given). A Latin hypercube of ``budget / replications`` points runs as an
ordinary sweep (parallel, resumable, any engine) with common random numbers; at each
point the model's mean over replications is compared with every observation, scaled by
a tolerance (the observation's ``sd``, else 10 % of the value and at least 5
municipalities; a share is a share of the municipalities the runs have):

    distance = sqrt(mean_i ((model_i - observed_i) / sd_i)^2)

The posterior sample is every point within the tolerances (distance <= 1), and at
least the ``accept`` fraction of points with the smallest distances.
Reported: each parameter's posterior median and 90 % interval and how much of the prior
range it still covers (near 1: the data do not identify it), the rank correlations
between accepted parameters (strong ones mean they trade off against each other), and
the fit: per observation the best point's mean and the 5-95 % band of the accepted
points' replications. With ``fit_until`` only earlier observations enter the distance,
and the later ones are predicted (an out-of-sample check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis import per_run
from experiments.dataset import load_results
from experiments.experiment import (
    Experiment,
    LoadedExperiment,
    ParameterRange,
    ResolvedParameter,
    resolve_experiment,
)
from experiments.run import municipality_count
from experiments.storage import atomic_write_bytes, write_json
from experiments.sweep import Plan, make_plan, run_sweep
from experiments.targets import Target, TargetError, _month_number
from model.scenario import resolve_scenario_path

CURVE_STEP = 3  # months between the stored points of the fitted curves
SWEEP = "sweep"  # the calibration's runs, inside its output folder


@dataclass
class Calibration:
    target: Target
    loaded: LoadedExperiment
    fit_until: str | None
    accept: float
    municipalities: int  # how many the runs have: observed shares are of these

    def fitted(self) -> list[int]:
        """Indices of the observations that enter the distance."""
        if self.fit_until is None:
            return list(range(len(self.target.observations)))
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", self.fit_until):
            raise TargetError(f"--fit-until: a date YYYY-MM (e.g. 2011-12), got {self.fit_until!r}")
        limit = _month_number(self.fit_until)
        chosen = [
            i for i, o in enumerate(self.target.observations) if _month_number(o.date) <= limit
        ]
        if not chosen or len(chosen) == len(self.target.observations):
            raise TargetError(
                f"--fit-until {self.fit_until}: must leave observations both to fit and to predict"
            )
        return chosen


def tolerance(target: Target, municipalities: int) -> np.ndarray:
    """Each observation's tolerance, as a count of ``municipalities``."""
    return np.array([o.tolerance(municipalities) for o in target.observations])


def curve_outcomes(target: Target, months: int) -> list[str]:
    measures = dict.fromkeys(o.measure for o in target.observations)
    return [
        f"{m}_m{month}" for m in measures for month in range(CURVE_STEP, months + 1, CURVE_STEP)
    ]


def _scenario_file(target_file: Path, base: str) -> Path:
    """The scenario to calibrate: a file beside the target file, else a project scenario."""
    beside = target_file.parent / base
    return beside if beside.exists() else resolve_scenario_path(base)


def _outcomes(target: Target, months: int) -> list[str]:
    """The outcomes the runs record: each observation's, and the curves over ``months``,
    ordered by measure and month."""
    return sorted(
        {target.outcome(o) for o in target.observations} | set(curve_outcomes(target, months)),
        key=lambda n: (n.split("_m")[0], int(n.split("_m")[1])),
    )


def _for_target(
    loaded: LoadedExperiment, target: Target, target_file: Path, months: int
) -> LoadedExperiment:
    """``loaded`` with runs at least ``months`` long; refused when its scenario lacks the
    target's innovation (nothing could be compared)."""
    names = [i.name for i in loaded.scenario.innovations]
    if target.innovation not in names:
        raise TargetError(
            f"{target_file}: innovation {target.innovation!r} is not in scenario "
            f"{loaded.scenario.name} (it has {names})"
        )
    if loaded.scenario.run.months < months:
        loaded = loaded.model_copy(
            update={"scenario": loaded.scenario.with_overrides({"run.months": months})}
        )
    return loaded


def prepare(
    target: Target,
    target_file: Path,
    parameters: dict[str, ParameterRange] | None = None,
    scenario: str | None = None,
    budget: int = 800,
    replications: int = 4,
    seed: int = 1,
    accept: float = 0.1,
    fit_until: str | None = None,
) -> Calibration:
    """The calibration's sweep (an LHS experiment over the parameters' ranges)."""
    chosen = parameters or target.parameters
    if not chosen:
        raise TargetError(f"{target_file}: no parameters to fit; give --params or [parameters]")
    if not 0 < accept < 1:
        raise TargetError(f"--accept must be between 0 and 1, got {accept}")
    # the runs and the stored curves go a year past the last observation
    months = max(target.month_of(o.date) for o in target.observations) + 12
    experiment = Experiment(
        name=f"calibrate_{target.name}",
        scenario=str(_scenario_file(target_file, scenario or target.scenario)),
        design="lhs",
        samples=max(10, budget // replications),
        replications=replications,
        seed=seed,
        outcomes=_outcomes(target, months),
        parameters=chosen,
        chunk_runs=max(replications, 16),
    )
    loaded = resolve_experiment(experiment, source=str(target_file))
    calibration = Calibration(
        target=target,
        loaded=_for_target(loaded, target, target_file, months),
        fit_until=fit_until,
        accept=accept,
        municipalities=municipality_count(),
    )
    calibration.fitted()  # a --fit-until that leaves nothing to fit or predict fails now
    return calibration


def point_table(calibration: Calibration, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, Plan]:
    """(per point: parameters, model means at the observations and distance; the runs)."""
    target, loaded = calibration.target, calibration.loaded
    plan = make_plan(loaded)
    outcomes = list(loaded.experiment.outcome_names)
    runs = per_run(load_results(folder), plan, outcomes)
    runs = runs[runs["innovation"] == target.innovation]
    means = runs.groupby("point")[outcomes].mean()
    municipalities = calibration.municipalities
    observed = np.array([o.count(municipalities) for o in target.observations])
    columns = [target.outcome(o) for o in target.observations]
    fitted = calibration.fitted()
    scaled = (means[columns].to_numpy() - observed) / tolerance(target, municipalities)
    table = plan.points.loc[means.index].copy()
    table["distance"] = np.sqrt(np.nanmean(scaled[:, fitted] ** 2, axis=1))
    return table.join(means), runs, plan


def accept_points(points: pd.DataFrame, accept: float) -> tuple[pd.DataFrame, int, str]:
    """(the accepted points, nearest first; how many were asked for; the rule that decided).

    Every point that fits within the observations' tolerances (distance <= 1) is
    accepted, and at least the best ``accept`` share: with a noisy model many points fit
    equally well, and keeping only the very best would understate the uncertainty.
    """
    at_least = max(5, int(round(accept * len(points))))
    count = max(at_least, int((points["distance"] <= 1.0).sum()))
    rule = (
        "distance <= 1 (within tolerance)" if count > at_least else f"best {accept:.0%} of points"
    )
    return points.nsmallest(count, "distance"), count, rule


def posterior_table(
    parameters: tuple[ResolvedParameter, ...], accepted: pd.DataFrame, best: pd.Series
) -> pd.DataFrame:
    """Per parameter: the best point's value, the posterior median and 90 % interval, and
    whether the data narrowed the prior range enough to call it identified."""
    posterior = pd.DataFrame(
        [
            {
                "parameter": p.name,
                "prior_low": p.low,
                "prior_high": p.high,
                "best": best[p.name],
                "median": accepted[p.name].median(),
                "q05": accepted[p.name].quantile(0.05),
                "q95": accepted[p.name].quantile(0.95),
                # 1 when the 90 % interval is as wide as a flat posterior's (0.9 of the range)
                "share_of_prior_range": (
                    accepted[p.name].quantile(0.95) - accepted[p.name].quantile(0.05)
                )
                / (0.9 * (p.high - p.low)),
            }
            for p in parameters
        ]
    )
    posterior["identified"] = posterior["share_of_prior_range"] < 0.6
    return posterior


def correlation_table(accepted: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Spearman correlation of each pair of parameters over the accepted points: a strong
    one means the two trade off against each other."""
    rho = accepted[names].astype(float).corr(method="spearman").to_numpy()
    return pd.DataFrame(
        [
            {"parameter_1": names[i], "parameter_2": names[j], "spearman": rho[i, j]}
            for i in range(len(names))
            for j in range(i + 1, len(names))
        ],
        columns=["parameter_1", "parameter_2", "spearman"],
    )


def fit_table(
    calibration: Calibration, accepted: pd.DataFrame, accepted_runs: pd.DataFrame
) -> pd.DataFrame:
    """Per observation: the observed value, the best point's and the accepted points'
    median, the 5-95 % band of the accepted points' replications, and whether it was
    fitted or held out."""
    target = calibration.target
    best = accepted.iloc[0]
    fitted = set(calibration.fitted())
    rows = []
    for index, observation in enumerate(target.observations):
        column = target.outcome(observation)
        values = accepted_runs[column].dropna()
        low, high = values.quantile([0.05, 0.95])
        predicted = accepted[column].median()
        observed = observation.count(calibration.municipalities)
        rows.append(
            {
                "date": observation.date,
                "measure": observation.measure,
                "observed": observed,
                "best": best[column],
                "median": predicted,
                "band_low": low,
                "band_high": high,
                "inside_band": bool(low <= observed <= high),
                "used_in_fit": index in fitted,
                "error": predicted - observed,
            }
        )
    return pd.DataFrame(rows)


def out_of_sample(fit: pd.DataFrame) -> dict[str, Any] | None:
    """How well the held-out observations were predicted (None when all were fitted)."""
    held_out = fit[~fit["used_in_fit"]]
    if held_out.empty:
        return None
    return {
        "rmse": float(np.sqrt((held_out["error"] ** 2).mean())),
        "mean_absolute_error": float(held_out["error"].abs().mean()),
        "inside_band": int(held_out["inside_band"].sum()),
        "n": len(held_out),
    }


def summarise(
    calibration: Calibration, folder: Path, sweep_folder: Path | None = None
) -> dict[str, Any]:
    """Posterior, identifiability and fit tables (written to ``folder``), and a summary.
    ``sweep_folder``: the runs to use (default ``folder/sweep``; an out-of-sample check
    reuses the full fit's runs, which are the same)."""
    target, loaded = calibration.target, calibration.loaded
    folder.mkdir(parents=True, exist_ok=True)
    points, runs, _ = point_table(calibration, sweep_folder or folder / SWEEP)
    names = [p.name for p in loaded.parameters]
    accepted, count, rule = accept_points(points, calibration.accept)
    best = accepted.iloc[0]
    accepted_runs = runs[runs["point"].isin(accepted.index)]
    posterior = posterior_table(loaded.parameters, accepted, best)
    correlations = correlation_table(accepted, names)
    fit = fit_table(calibration, accepted, accepted_runs)
    tables = {
        "posterior": posterior,
        "correlations": correlations,
        "fit": fit,
        "curve": curve_table(calibration, accepted_runs),
        "points": points.reset_index(),
    }
    for name, table in tables.items():
        atomic_write_bytes(folder / f"{name}.csv", table.to_csv(index=False).encode("utf-8"))
    summary = {
        "target": target.model_dump(),
        "scenario": loaded.scenario.name,
        "parameters": names,
        "points": len(points),
        "replications": loaded.experiment.replications,
        "accepted": count,
        "acceptance_rule": rule,
        "epsilon": float(accepted["distance"].max()),
        "best_distance": float(best["distance"]),
        "fit_until": calibration.fit_until,
        "posterior": posterior.to_dict("records"),
        "trade_offs": correlations[correlations["spearman"].abs() >= 0.5].to_dict("records"),
        "fit_rmse": float(np.sqrt((fit.loc[fit["used_in_fit"], "error"] ** 2).mean())),
        "observations_inside_band": int(fit["inside_band"].sum()),
        "out_of_sample": out_of_sample(fit),
    }
    write_json(summary, folder / "calibration.json")
    return summary


def curve_table(calibration: Calibration, runs: pd.DataFrame) -> pd.DataFrame:
    """The accepted points' curves: per measure and month, median and 5-95 % band."""
    rows = []
    start = _month_number(calibration.target.start)
    for column in [c for c in runs.columns if "_m" in c and c[0].isalpha()]:
        measure, month = column.rsplit("_m", 1)
        if not month.isdigit():
            continue
        values = runs[column].dropna()
        if values.empty:
            continue
        calendar = start + int(month) - 1
        rows.append(
            {
                "measure": measure,
                "month": int(month),
                "date": f"{calendar // 12:04d}-{calendar % 12 + 1:02d}",
                "median": values.median(),
                "band_low": values.quantile(0.05),
                "band_high": values.quantile(0.95),
            }
        )
    return (
        pd.DataFrame(rows).drop_duplicates(["measure", "month"]).sort_values(["measure", "month"])
    )


def calibrate(
    calibration: Calibration,
    folder: Path,
    executor=None,
    slots: int = 1,
    engine: str = "in process",
    progress: bool | None = None,
) -> dict[str, Any]:
    """Run (or resume) the calibration's sweep in ``folder/sweep`` and summarise it."""
    folder.mkdir(parents=True, exist_ok=True)
    sweep = folder / SWEEP
    run_sweep(calibration.loaded, sweep, executor, slots, engine, progress)
    failed = load_results(sweep, status="failed")  # this session's and earlier ones'
    if len(failed):
        raise TargetError(
            f"{failed['run_id'].nunique()} calibration runs failed (stored in {sweep}): "
            f"{failed['error'].iloc[0]}"
        )
    return summarise(calibration, folder)
