"""Seeded regression of every library scenario: summary numbers of fixed runs, stored in JSON.

Every scenario in ``scenarios/`` runs 3 replications under seed 1; the summary keeps,
per innovation, stage counts at years 5, 10 and 20, and the sum over the run of every
numeric column of every output table (so any change in any output shows up), rounded
to 10 significant digits. When the model changes on purpose, refresh the stored numbers
and commit them, saying why in the commit:

    make regression-refresh        (= .venv/bin/python tests/baseline_regression.py --refresh)

``python tests/baseline_regression.py --diff`` prints what changed, one line per number.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

STORED = Path(__file__).resolve().parent / "baseline_regression.json"
SEED = 1
REPLICATIONS = 3
CHECKPOINTS = (60, 120, 240)


def _round(value: float) -> float | int | None:
    """``value`` to 10 significant digits (exact for counts); None for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if float(value).is_integer():
        return int(value)
    return float(f"{value:.10g}")


def _column_sums(table, by: str | None) -> dict[str, Any]:
    numeric = [
        c
        for c in table.columns
        if c not in ("replication", "month") and table[c].dtype.kind in "biuf"
    ]
    if by is None:
        return {c: _round(float(table[c].astype(float).sum())) for c in numeric}
    sums = table.assign(**{by: table[by].astype(str)}).groupby(by, sort=False)[numeric].sum()
    return {str(key): {c: _round(float(row[c])) for c in numeric} for key, row in sums.iterrows()}


def summarise_scenario(name: str) -> dict[str, Any]:
    """The stored summary of one library scenario."""
    from experiments.run import run_scenario
    from model.scenario import load_scenario
    from model.stages import STAGE_NAMES

    results = run_scenario(load_scenario(name), REPLICATIONS, seed=SEED, progress=False)
    ts = results.timeseries
    summary: dict[str, Any] = {"seeds": results.seeds, "innovations": {}}
    months = int(ts["month"].max())
    for innovation, group in ts.groupby("innovation", sort=False, observed=True):
        at = group[group["month"].isin([m for m in CHECKPOINTS if m <= months] + [months])]
        summary["innovations"][str(innovation)] = {
            **{f"{stage}_at_checkpoints": at[stage].astype(int).tolist() for stage in STAGE_NAMES},
            "run_sums": _column_sums(group, None),
        }
    municipalities = results.municipalities
    summary["municipalities"] = {
        "final_stage_counts": {
            str(k): int(v)
            for k, v in municipalities.groupby(["innovation", "final_stage"], observed=True)
            .size()
            .items()
            if v
        },
        "adopted_month_sum": _round(float(municipalities["adopted_month"].sum())),
    }
    groups = results.groups
    summary["groups"] = _column_sums(groups.assign(key=groups["group"].astype(str)), "key")
    summary["state_money"] = _column_sums(results.state_money, None)
    summary["money_received"] = _column_sums(results.money_received, None)
    return summary


def library() -> list[str]:
    from model.scenario import SCENARIO_DIR

    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def summarise() -> dict[str, Any]:
    """Every library scenario's summary, keyed by scenario name."""
    return {
        "seed": SEED,
        "replications": REPLICATIONS,
        "scenarios": {name: summarise_scenario(name) for name in library()},
    }


def differences(stored: Any, now: Any, path: str = "") -> list[str]:
    """Readable lines, one per number that differs: ``path: stored X, now Y``."""
    if isinstance(stored, dict) and isinstance(now, dict):
        lines = []
        for key in dict.fromkeys([*stored, *now]):
            where = f"{path}/{key}" if path else str(key)
            if key not in now:
                lines.append(f"{where}: stored, but no longer produced")
            elif key not in stored:
                lines.append(f"{where}: new, not in the stored summary")
            else:
                lines += differences(stored[key], now[key], where)
        return lines
    if isinstance(stored, list) and isinstance(now, list) and len(stored) == len(now):
        return [
            line
            for i, (a, b) in enumerate(zip(stored, now, strict=True))
            for line in differences(a, b, f"{path}[{i}]")
        ]
    return [] if stored == now else [f"{path}: stored {stored!r}, now {now!r}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="overwrite the stored numbers")
    parser.add_argument("--diff", action="store_true", help="print what differs from the stored")
    args = parser.parse_args()
    summary = summarise()
    if args.refresh:
        STORED.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        print(f"stored new summaries of {len(summary['scenarios'])} scenarios in {STORED}")
    elif args.diff:
        stored = json.loads(STORED.read_text(encoding="utf-8"))
        lines = differences(stored, summary)
        print("\n".join(lines) if lines else "no differences")
    else:
        print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
