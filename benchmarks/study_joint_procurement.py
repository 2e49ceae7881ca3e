"""Does pooled volume lower prices and supplier exits? Shared procurement (county consortia,
a national body) against the baseline, paired by seed, per product.

Run: ``.venv/bin/python benchmarks/study_joint_procurement.py [--replications N]``.

Prints, per scenario and product (means over replications, with the paired difference
from the baseline and its 95 % interval for exits and adoption): suppliers that exited
over the run, suppliers trading at the end, the customer-weighted price at years 5 and
20 (share of list), the share of municipalities that adopted by year 20; and for the
consortia's awards the contract price against the lowest price offered to individual
buyers in the same month (first awards, and all).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy import stats

from model.model import DiffusionModel
from model.outputs import build_tables
from model.scenario import load_scenario

SCENARIOS = ("baseline", "shared_procurement", "shared_procurement_national")


def run(name: str, replications: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per replication and product: exits, suppliers at the end, prices, adoption; and
    the awards table."""
    scenario = load_scenario(name)
    seeds = list(range(seed, seed + replications))
    model = DiffusionModel(scenario, seed=seeds).run()
    market, names = model.market, model.innovations.names
    n_innovations = len(names)
    replication, innovation = np.divmod(market.row, n_innovations)
    exited = market.opened & ~market.alive
    per_market = (
        pd.DataFrame(
            {"replication": replication, "i": innovation, "exited": exited, "alive": market.alive}
        )
        .groupby(["replication", "i"])
        .sum()
        .reset_index()
    )
    per_market["innovation"] = [names[i] for i in per_market["i"]]
    tables = build_tables(model)
    ts = tables["timeseries"]
    list_price = dict(zip(names, model.innovations.cost, strict=True))

    def at(month: int, column: str) -> pd.Series:
        rows = ts[ts["month"] == month].set_index(["replication", "innovation"])[column]
        return rows.rename(f"{column}_{month // 12}y")

    frame = per_market.set_index(["replication", "innovation"])[["exited", "alive"]]
    frame = frame.join(at(60, "mean_price")).join(at(240, "mean_price"))
    frame = frame.join(at(240, "ever_adopted_share"))
    for column in ("mean_price_5y", "mean_price_20y"):
        ratio = [list_price[i] for i in frame.index.get_level_values("innovation")]
        frame[column] = frame[column] / ratio
    products = [
        n for n, product in zip(names, model.innovations.is_product, strict=True) if product
    ]
    frame = frame[frame.index.get_level_values("innovation").isin(products)]
    return frame, tables["contracts"]


def paired(a: pd.Series, b: pd.Series) -> str:
    diff = (b - a).to_numpy()
    if np.ptp(diff) == 0:
        return f"{diff.mean():+.3f}"
    low, high = stats.ttest_rel(b.to_numpy(), a.to_numpy()).confidence_interval(0.95)
    return f"{diff.mean():+.3f} [{low:+.3f}, {high:+.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = {name: run(name, args.replications, args.seed) for name in SCENARIOS}
    base, _ = results["baseline"]
    for name, (frame, awards) in results.items():
        print(f"\n{name} ({args.replications} replications, seed {args.seed})")
        means = frame.groupby(level="innovation").mean()
        for innovation, row in means.iterrows():
            line = (
                f"  {innovation:<26} exits {row['exited']:.2f}  trading {row['alive']:.2f}  "
                f"price/list y5 {row['mean_price_5y']:.3f} y20 {row['mean_price_20y']:.3f}  "
                f"adopted y20 {row['ever_adopted_share_20y']:.3f}"
            )
            if name != "baseline":
                a = base.xs(innovation, level="innovation")
                b = frame.xs(innovation, level="innovation")
                line += (
                    f"\n  {'':<26} vs baseline: exits {paired(a['exited'], b['exited'])}, "
                    f"adopted {paired(a['ever_adopted_share_20y'], b['ever_adopted_share_20y'])}"
                )
            print(line)
        if len(awards):
            first = (
                awards.sort_values("award_month")
                .groupby(["replication", "innovation", "consortium"], observed=True)
                .head(1)
            )
            for label, rows in (("first awards", first), ("all awards", awards)):
                print(
                    f"  {label}: {len(rows) / args.replications:.1f} per replication, "
                    f"committed {rows['committed'].mean():.1f}, bidders {rows['bidders'].mean():.2f}, "
                    f"contract/list {rows['price_ratio'].mean():.3f} vs individual/list "
                    f"{rows['individual_price_ratio'].mean():.3f}, "
                    f"small-firm winners {rows['winner_small_firm'].mean():.2f}"
                )


if __name__ == "__main__":
    main()
