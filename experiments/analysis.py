"""Analyses of a finished sweep, by design, written as tidy CSV files into DIR/analysis/.

- every design: ``response.csv`` (per point or grid cell, innovation and outcome: mean
  over replications with a 95 % t interval and n);
- sobol: ``sobol.csv`` (S1, ST and their 95 % intervals; ``sobol_s2.csv`` when asked);
- morris: ``morris.csv`` (mu, mu*, its interval, sigma);
- with ``[discovery]``: ``discovery_box.csv`` and ``discovery_trajectory.csv`` (PRIM).

The analysis regenerates the design from the manifest and joins results by run id, so it
uses exactly the points the sweep ran. A point whose runs failed is left out of the
response table; Sobol and Morris need every point and say which outcome they skipped.
``analysis/source.json`` (written last) records what the analysis was made from: the
experiment's fingerprint and the parts then stored. When the sweep has changed since
(resumed, or parts added), the analysis is stale and ``ensure_current`` makes it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from scipy import stats

from experiments.dataset import MANIFEST, load_results, parts_signature, run_counts
from experiments.discovery import find_boxes
from experiments.experiment import Experiment, LoadedExperiment, ResolvedParameter
from experiments.sampling import salib_problem
from experiments.storage import DamagedFileError, atomic_write_bytes, now, read_manifest, write_json
from experiments.sweep import Plan, make_plan
from model.scenario import Scenario

ANALYSIS = "analysis"
SOURCE = "source.json"


class AnalysisError(ValueError):
    """The folder cannot be analysed (no manifest, no results)."""


@dataclass
class AnalysisReport:
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def loaded_from_manifest(folder: Path) -> LoadedExperiment:
    """The experiment exactly as the sweep resolved it (not as the file reads today)."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise AnalysisError(f"{folder}: no such folder")
    if not path.exists():
        raise AnalysisError(f"{folder}: no {MANIFEST}; is this a sweep folder?")
    try:
        manifest = read_manifest(path, "it is not a sweep's manifest that can be analysed")
    except DamagedFileError as error:
        raise AnalysisError(str(error)) from None
    if manifest.get("kind") != "sweep":
        raise AnalysisError(f"{path}: kind is {manifest.get('kind')!r}, not a sweep")
    try:
        definition = manifest["definition"]
        return LoadedExperiment(
            experiment=Experiment.model_validate(definition["experiment"]),
            source=definition["source"],
            scenario=Scenario.model_validate(definition["scenario"])
            if definition["scenario"]
            else None,
            reference=Scenario.model_validate(definition["reference_scenario"])
            if definition["reference_scenario"]
            else None,
            parameters=tuple(ResolvedParameter(**p) for p in definition["parameters"]),
        )
    except (KeyError, TypeError, ValidationError) as error:
        problem = f"no {error}" if isinstance(error, KeyError) else type(error).__name__
        raise AnalysisError(
            f"{path}: the experiment's definition is incomplete or damaged ({problem}); "
            "the sweep must be run again into a new folder"
        ) from None


def outcome_columns(loaded: LoadedExperiment) -> list[str]:
    names = list(loaded.experiment.outcome_names)
    return names + ([f"effect_{n}" for n in names] if loaded.reference is not None else [])


def per_run(results: pd.DataFrame, plan: Plan, outcomes: list[str]) -> pd.DataFrame:
    """Outcomes of every (point, replication, innovation), duplicated points included."""
    values = results[["run_id", "innovation", *outcomes]]
    return plan.runs[["run_id", "point", "replication"]].merge(values, on="run_id")


def _t_interval(values: pd.Series) -> tuple[float, float]:
    values = values.dropna()
    if len(values) < 2:
        return np.nan, np.nan
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean() - half, values.mean() + half


def response_table(runs: pd.DataFrame, points: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """Mean, 95 % interval and n per design cell (same parameter values), innovation, outcome."""
    names = list(points.columns)
    # Points with the same values (Morris paths, rounding) share their runs: count each once.
    runs = runs.drop_duplicates(["run_id", "innovation"])
    long = runs.merge(points, left_on="point", right_index=True).melt(
        id_vars=[*names, "innovation", "replication"],
        value_vars=outcomes,
        var_name="outcome",
        value_name="value",
    )
    grouped = long.groupby([*names, "innovation", "outcome"], sort=False, dropna=False)["value"]
    table = grouped.agg(mean="mean", n="count").reset_index()
    intervals = grouped.apply(_t_interval)
    table["ci_low"] = [low for low, _ in intervals]
    table["ci_high"] = [high for _, high in intervals]
    return table[[*names, "innovation", "outcome", "mean", "ci_low", "ci_high", "n"]]


def point_means(runs: pd.DataFrame, n_points: int, outcome: str, innovation: str) -> np.ndarray:
    """Mean over replications at each design point (NaN where a point has no result)."""
    chosen = runs[runs["innovation"] == innovation]
    means = chosen.groupby("point")[outcome].mean()
    return means.reindex(range(n_points)).to_numpy(dtype=float)


def sobol_table(
    loaded: LoadedExperiment, runs: pd.DataFrame, plan: Plan, outcomes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    problem = salib_problem(loaded.parameters)
    experiment = loaded.experiment
    first, second, notes = [], [], []
    for innovation in runs["innovation"].unique():
        for outcome in outcomes:
            y = point_means(runs, len(plan.points), outcome, innovation)
            if np.isnan(y).any():
                notes.append(
                    f"sobol: skipped {outcome} / {innovation}: {int(np.isnan(y).sum())} "
                    "points have no value (failed runs, or the outcome is undefined there)"
                )
                continue
            if np.ptp(y) == 0:
                notes.append(f"sobol: skipped {outcome} / {innovation}: the same at every point")
                continue
            result = sobol_analyze.analyze(
                problem,
                y,
                calc_second_order=experiment.second_order,
                conf_level=0.95,
                seed=experiment.seed,
            )
            first.append(
                pd.DataFrame(
                    {
                        "outcome": outcome,
                        "innovation": innovation,
                        "parameter": problem["names"],
                        "S1": result["S1"],
                        "S1_conf": result["S1_conf"],
                        "ST": result["ST"],
                        "ST_conf": result["ST_conf"],
                    }
                )
            )
            if experiment.second_order:
                names = problem["names"]
                for i in range(len(names)):
                    for j in range(i + 1, len(names)):
                        second.append(
                            {
                                "outcome": outcome,
                                "innovation": innovation,
                                "parameter_1": names[i],
                                "parameter_2": names[j],
                                "S2": result["S2"][i, j],
                                "S2_conf": result["S2_conf"][i, j],
                            }
                        )
    table = pd.concat(first, ignore_index=True) if first else pd.DataFrame()
    return table, pd.DataFrame(second), notes


def morris_table(
    loaded: LoadedExperiment, runs: pd.DataFrame, plan: Plan, outcomes: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    problem = salib_problem(loaded.parameters)
    x = plan.points.to_numpy(dtype=float)
    tables, notes = [], []
    for innovation in runs["innovation"].unique():
        for outcome in outcomes:
            y = point_means(runs, len(plan.points), outcome, innovation)
            if np.isnan(y).any():
                notes.append(f"morris: skipped {outcome} / {innovation}: points without value")
                continue
            if np.ptp(y) == 0:
                notes.append(f"morris: skipped {outcome} / {innovation}: the same at every point")
                continue
            result = morris_analyze.analyze(
                problem,
                x,
                y,
                conf_level=0.95,
                num_levels=loaded.experiment.levels,
                seed=loaded.experiment.seed,
            )
            tables.append(
                pd.DataFrame(
                    {
                        "outcome": outcome,
                        "innovation": innovation,
                        "parameter": problem["names"],
                        "mu": result["mu"],
                        "mu_star": result["mu_star"],
                        "mu_star_conf": result["mu_star_conf"],
                        "sigma": result["sigma"],
                    }
                )
            )
    return (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()), notes


def discovery_tables(
    loaded: LoadedExperiment, runs: pd.DataFrame, plan: Plan
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    spec = loaded.experiment.discovery
    assert spec is not None
    effect = point_means(runs, len(plan.points), f"effect_{spec.outcome}", spec.innovation)
    known = ~np.isnan(effect) & ~plan.points.duplicated().to_numpy()  # each point once
    inputs = plan.points[known]
    numeric = [c for c in inputs.columns if pd.api.types.is_numeric_dtype(inputs[c])]
    vanishes = effect[known] < spec.below
    box, trajectory = find_boxes(inputs[numeric], vanishes, spec.threshold)
    note = (
        f"discovery: the effect on {spec.outcome} ({spec.innovation}) is below {spec.below:g} "
        f"at {int(vanishes.sum())} of {int(known.sum())} points"
    )
    return box, trajectory, note


def _write(table: pd.DataFrame, path: Path, report: AnalysisReport) -> None:
    atomic_write_bytes(path, table.to_csv(index=False).encode("utf-8"))
    report.files.append(path)


def source_of(folder: Path, loaded: LoadedExperiment, plan: Plan) -> dict[str, object]:
    """What an analysis of ``folder`` made now is made from (recorded in source.json)."""
    stored, failed = run_counts(folder)
    return {
        "fingerprint": loaded.fingerprint(),
        "parts": parts_signature(folder),
        "runs_total": len(plan.unique_runs),
        "runs_stored": stored,
        "runs_failed": failed,
    }


def stale_reason(folder: Path | str) -> str | None:
    """Why ``folder/analysis`` no longer matches the sweep, or None if it does (or is absent)."""
    folder = Path(folder)
    if not (folder / ANALYSIS).is_dir():
        return None
    try:
        recorded = read_manifest(folder / ANALYSIS / SOURCE, "")
    except DamagedFileError:
        return "it does not record what it was made from"
    if recorded.get("parts") == parts_signature(folder):
        return None
    return (
        f"it was made from {recorded.get('runs_stored', '?')} of "
        f"{recorded.get('runs_total', '?')} runs and the sweep has changed since"
    )


def ensure_current(folder: Path | str) -> str | None:
    """Make the analysis again if the sweep changed since it was made; say so, or None."""
    reason = stale_reason(folder)
    if reason is None:
        return None
    analyse(folder)
    return f"{Path(folder) / ANALYSIS} was out of date ({reason}); made it again"


def analyse(folder: Path | str) -> AnalysisReport:
    """Write the analyses of the sweep in ``folder`` into ``folder/analysis``."""
    folder = Path(folder)
    loaded = loaded_from_manifest(folder)
    plan = make_plan(loaded)
    outcomes = outcome_columns(loaded)
    source = {**source_of(folder, loaded, plan), "made": now()}  # before: never newer
    results = load_results(folder)
    if results.empty:
        raise AnalysisError(f"{folder}: no successful runs to analyse")
    runs = per_run(results, plan, outcomes)
    out = folder / ANALYSIS
    out.mkdir(exist_ok=True)
    (out / SOURCE).unlink(missing_ok=True)  # until this analysis is whole, it is not current
    report = AnalysisReport()
    missing = len(plan.unique_runs) - results["run_id"].nunique()
    if missing:
        report.notes.append(f"{missing} of {len(plan.unique_runs)} runs have no successful result")
    _write(response_table(runs, plan.points, outcomes), out / "response.csv", report)
    design = loaded.experiment.design
    if design == "sobol":
        first, second, notes = sobol_table(loaded, runs, plan, outcomes)
        report.notes += notes
        _write(first, out / "sobol.csv", report)
        if loaded.experiment.second_order:
            _write(second, out / "sobol_s2.csv", report)
    elif design == "morris":
        table, notes = morris_table(loaded, runs, plan, outcomes)
        report.notes += notes
        _write(table, out / "morris.csv", report)
    if loaded.experiment.discovery is not None:
        box, trajectory, note = discovery_tables(loaded, runs, plan)
        report.notes.append(note)
        _write(box, out / "discovery_box.csv", report)
        _write(trajectory, out / "discovery_trajectory.csv", report)
    write_json(source, out / SOURCE)
    report.files.append(out / SOURCE)
    return report
