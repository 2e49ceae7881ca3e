"""`spridning validate`: docking, the baseline's patterns, the joint calibration of every
observed series with its posterior predictive check, and an out-of-sample check (the same
fit to the observations up to ``FIT_UNTIL``, predicting the later ones), as a
machine-readable summary (the HTML report is drawn from it by ``viz.validation_report``).

Everything is re-run into the output folder (calibrations resume if the folder already
holds them), so any analyst can repeat it.
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from experiments.abc_smc import Calibration, Settings
from experiments.calibration_problem import build_problem
from experiments.patterns import (
    adoption_months,
    bass_curves,
    is_s_shaped,
    neighbour_vs_random_gap,
    size_correlation,
    yearly_increments,
)
from experiments.posterior import summarise
from experiments.run import run_scenario
from experiments.storage import atomic_write_bytes, write_json
from experiments.targets import TARGETS_DIR
from model.reference import load_municipalities, load_neighbours
from model.scenario import load_scenario

FIT_UNTIL = "2012-12"  # the out-of-sample check: fit up to here, predict the rest


def targets() -> list[str]:
    """Every observed series the project has (experiments/targets/)."""
    return sorted(p.stem for p in TARGETS_DIR.glob("*.toml"))


def docking(replications: int) -> dict[str, Any]:
    table, p, q = bass_curves(replications)
    return {
        "p": p,
        "q": q,
        "replications": replications,
        "max_difference_recursion": float((table["model"] - table["recursion"]).abs().max()),
        "max_difference_closed_form": float((table["model"] - table["closed_form"]).abs().max()),
        "tolerance": 0.02,
        "curve": table,
    }


def baseline_patterns(replications: int = 8, seed: int = 5) -> list[dict[str, Any]]:
    scenario = load_scenario("baseline")
    results = run_scenario(scenario, replications, seed=seed, progress=False, events=False)
    municipalities = load_municipalities()
    neighbours = load_neighbours(municipalities=municipalities)
    rows = []
    for innovation in (i.name for i in scenario.innovations):
        table = adoption_months(results, innovation, scenario.run.months)
        adopted = float(table["month"].notna().mean())
        row: dict[str, Any] = {"innovation": innovation, "ever_adopted_share": adopted}
        if adopted > 0.1:  # too few adopters to judge the patterns otherwise
            rho, p_value = size_correlation(table, municipalities)
            neighbour_gap, random_gap = neighbour_vs_random_gap(table, neighbours)
            row |= {
                "s_shaped": is_s_shaped(yearly_increments(results, innovation)),
                "size_spearman": rho,
                "size_p_value": p_value,
                "larger_adopt_earlier": bool(rho < -0.1 and p_value < 0.001),
                "neighbour_gap_months": neighbour_gap,
                "random_gap_months": random_gap,
                "clustered": bool(neighbour_gap < 0.95 * random_gap),
            }
        rows.append(row)
    return rows


def validate(
    out: Path,
    settings: Settings | None = None,
    draws: int = 100,
    docking_replications: int = 100,
    pattern_replications: int = 8,
    executor: Executor | None = None,
    engine: str = "in process",
) -> dict[str, Any]:
    """Run every check into ``out``; return (and write) the summary."""
    settings = settings or Settings()
    out.mkdir(parents=True, exist_ok=True)
    dock = docking(docking_replications)
    curve = dock.pop("curve")
    atomic_write_bytes(out / "docking.csv", curve.to_csv(index=False).encode("utf-8"))
    summary: dict[str, Any] = {
        "docking": dock,
        "patterns": baseline_patterns(pattern_replications),
        "calibrations": {},
    }
    for key, folder, fit_until in (
        ("joint", "calibration", None),
        (f"joint (fit until {FIT_UNTIL})", f"calibration_until_{FIT_UNTIL}", FIT_UNTIL),
    ):
        calibration = Calibration(
            build_problem(targets(), fit_until=fit_until), out / folder, settings
        )
        calibration.run(executor, engine, progress=None, say=lambda line: None)
        result = summarise(calibration, draws, settings.replications, executor)
        summary["calibrations"][key] = {"folder": folder, **result}
    summary["not_reproduced"] = not_reproduced(summary)
    write_json(summary, out / "summary.json")
    return summary


def not_reproduced(summary: dict[str, Any]) -> list[str]:
    """What the model does not reproduce, stated plainly from the results (and known limits)."""
    notes = []
    dock = summary["docking"]
    if dock["max_difference_recursion"] > dock["tolerance"]:
        notes.append(
            f"Docking: the model's mean departs from the Bass recursion by "
            f"{dock['max_difference_recursion']:.3f} (tolerance {dock['tolerance']})."
        )
    for row in summary["patterns"]:
        name = row["innovation"]
        if row["ever_adopted_share"] <= 0.1:
            notes.append(
                f"{name}: barely spreads in the baseline "
                f"({row['ever_adopted_share']:.0%} ever adopt), so its patterns are not judged."
            )
            continue
        if not row["s_shaped"]:
            notes.append(f"{name}: adoption over time is not S-shaped in the baseline.")
        if not row["larger_adopt_earlier"]:
            notes.append(f"{name}: no clear size effect (Spearman {row['size_spearman']:.2f}).")
        if not row["clustered"]:
            notes.append(f"{name}: adoption does not cluster in space.")
    for key, result in summary["calibrations"].items():
        for row in (r for r in result["fit"] if not r["inside_band"]):
            use = "fitted" if row["used_in_fit"] else "held out"
            notes.append(
                f"{key}: {row['target']} {row['measure']} in {row['date']} ({use}) observed "
                f"{row['observed']:.0f}, posterior predictive band {row['band_low']:.0f}-"
                f"{row['band_high']:.0f} municipalities."
            )
        weak = [r["parameter"] for r in result["posterior"] if not r["identified"]]
        if weak:
            notes.append(f"{key}: weakly identified by these data: {', '.join(weak)}.")
    notes.append(
        "LOV: the register counts municipalities that abandoned LOV, and none had by 2013; the "
        "model's 'discontinued' (adopters that stopped) is not yet a calibration target."
    )
    notes.append(
        "Digital safety alarms: the share of alarms that were digital is matched by the "
        "model's coverage summed over municipalities, each weighing alike; the surveys weigh "
        "municipalities by their alarm users."
    )
    return notes
