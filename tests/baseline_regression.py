"""Seeded baseline regression: summary numbers of a fixed run, stored in a JSON file.

When the model changes on purpose, refresh the stored numbers and commit them:

    make regression-refresh        (= .venv/bin/python tests/baseline_regression.py --refresh)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

STORED = Path(__file__).resolve().parent / "baseline_regression.json"
SEED = 1
REPLICATIONS = 3


def summarise() -> dict[str, Any]:
    from experiments.run import run_scenario
    from model.scenario import load_scenario

    results = run_scenario(load_scenario("baseline"), REPLICATIONS, seed=SEED, progress=False)
    ts = results.timeseries
    summary: dict[str, Any] = {"seed": SEED, "replications": REPLICATIONS, "seeds": results.seeds}
    for innovation, group in ts.groupby("innovation", sort=False):
        checkpoints = group[group["month"].isin([60, 120, 240])]
        summary[innovation] = {
            "adopted_at_60_120_240": checkpoints["adopted"].astype(int).tolist(),
            "discontinued_at_240": group[group["month"] == 240]["discontinued"]
            .astype(int)
            .tolist(),
            "trials_started": int(group["trials_started"].sum()),
            "trials_failed": int(group["trials_failed"].sum()),
            "value_msek": round(float(group["value_msek"].sum()), 6),
            "municipal_spending_msek": round(float(group["municipal_spending_msek"].sum()), 6),
            "suppliers_active_at_240": group[group["month"] == 240]["suppliers_active"]
            .astype(int)
            .tolist(),
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="overwrite the stored numbers")
    args = parser.parse_args()
    summary = summarise()
    if args.refresh:
        STORED.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        print(f"stored new baseline summary in {STORED}")
    else:
        print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
