"""Snapshot every library scenario's output tables, and compare two snapshots by content.

For restructurings that must not change results: take a snapshot before, one after, and
compare. Tables are compared by their data and schema (Parquet key-value metadata such
as the run id is left out), effects tables byte for byte.

    .venv/bin/python tests/snapshot_outputs.py write /tmp/before      # on the old commit
    .venv/bin/python tests/snapshot_outputs.py write /tmp/after       # on the new one
    .venv/bin/python tests/snapshot_outputs.py compare /tmp/before /tmp/after
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPLICATIONS, SEED, BATCH = 8, 7, 4  # two batches each, so batching is exercised too
COMPARED_WITH_BASELINE = ("skr_position", "programme", "trial_legislation", "shared_procurement")


def write(out: Path) -> None:
    import pandas as pd

    from experiments.compare import effects
    from experiments.run import run_scenario
    from experiments.storage import write_parquet
    from model.scenario import SCENARIO_DIR, load_scenario

    results = {}
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        run = run_scenario(
            load_scenario(path), REPLICATIONS, SEED, progress=False, batch_size=BATCH
        )
        results[path.stem] = run
        (out / path.stem).mkdir(parents=True, exist_ok=True)
        # (runs written before RunResults.tables kept each table as an attribute)
        tables = getattr(run, "tables", None) or {
            k: v for k, v in vars(run).items() if isinstance(v, pd.DataFrame)
        }
        for name, table in tables.items():
            write_parquet(table, out / path.stem / f"{name}.parquet")
    for name in COMPARED_WITH_BASELINE:
        effects(results["baseline"], results[name]).to_csv(out / f"effects_{name}.csv", index=False)
    print(f"wrote {len(results)} scenarios' tables to {out}")


def compare(before: Path, after: Path) -> int:
    import pyarrow.parquet as pq

    files = sorted(p.relative_to(before) for p in before.rglob("*") if p.is_file())
    differ = []
    for relative in files:
        old, new = before / relative, after / relative
        if not new.exists():
            differ.append(f"{relative}: missing after")
        elif relative.suffix == ".parquet":
            a, b = pq.read_table(old), pq.read_table(new)
            if a.schema.remove_metadata() != b.schema.remove_metadata() or not a.equals(b):
                differ.append(f"{relative}: different data")
        elif old.read_bytes() != new.read_bytes():
            differ.append(f"{relative}: different bytes")
    print(f"{len(files)} files compared, {len(differ)} differ", *differ, sep="\n  ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("write").add_argument("out", type=Path)
    check = commands.add_parser("compare")
    check.add_argument("before", type=Path)
    check.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        write(args.out)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
