"""Where the maps get their shapes, and how they draw with no network.

The project ships its own simplified municipality boundaries
(``model/reference/kommuner.geojson``, built by ``model.reference.boundaries``); a map
draws them by default whenever they cover the table's municipalities, another GeoJSON
file may be given for other geographies, and sets they do not cover (synthetic
municipalities) fall back to points. plotly.js fetches a topojson base map from
cdn.plot.ly for every geo figure and draws nothing when that fails; the maps need no
base layers (the municipalities draw Sweden), so pages preset an empty one
(``OFFLINE_GEO_SCRIPT``) and the explorer serves it.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from shapely.geometry import shape

from model.reference.boundaries import BOUNDARIES

# Property names that usually hold the municipality code, tried first.
CODE_FIELDS = ("kommunkod", "KnKod", "knkod", "kommun_kod", "KOMMUNKOD", "code", "kod", "id")
EMPTY_TOPOLOGY = {
    "type": "Topology",
    "arcs": [],
    "objects": {
        name: {"type": "GeometryCollection", "geometries": []}
        for name in ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
    },
}
# The base maps plotly.js may ask for (scope_resolution), preset empty before it loads.
_TOPOJSON_NAMES = [f"{s}_{r}m" for s in ("world", "europe") for r in (110, 50)]
OFFLINE_GEO_SCRIPT = (
    "<script>window.PlotlyGeoAssets={topojson:"
    + json.dumps(dict.fromkeys(_TOPOJSON_NAMES, EMPTY_TOPOLOGY), separators=(",", ":"))
    + "};</script>"
)


def municipality_code(value: object) -> str:
    """A municipality code as the reference table writes it: 4 digits, leading zero kept."""
    if isinstance(value, (int, np.integer)):
        return f"{int(value):04d}"
    written = str(value).strip()
    return written.zfill(4) if written.isdigit() and len(written) <= 4 else written


def load_boundaries(path: str | Path, codes: set[str]) -> dict:
    """Read a GeoJSON FeatureCollection and set each feature's ``id`` to its 4-digit code.

    The code field is found by its values: the property (or feature id) whose values
    cover every code in ``codes``. Raises ValueError naming the file and what was expected.
    """
    path = Path(path)
    expected = (
        "a GeoJSON FeatureCollection of municipality polygons with a property holding "
        "the 4-digit kommunkod (such as 'kommunkod': '0114')"
    )
    if not path.is_file():
        raise ValueError(f"{path}: boundaries file not found; expected {expected}")
    try:
        geojson = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not valid JSON ({error}); expected {expected}") from error
    features = geojson.get("features") if isinstance(geojson, dict) else None
    if not isinstance(features, list) or not features:
        raise ValueError(f"{path}: no 'features' list; expected {expected}")

    candidates: dict[str, list[str]] = {
        "(feature id)": [municipality_code(f.get("id")) for f in features]
    }
    names = list(dict.fromkeys(k for f in features for k in (f.get("properties") or {})))
    for name in names:
        candidates[name] = [
            municipality_code((f.get("properties") or {}).get(name)) for f in features
        ]
    order = [n for n in CODE_FIELDS if n in candidates] + list(candidates)
    for name in dict.fromkeys(order):
        if codes <= set(candidates[name]):
            kept = [
                {**feature, "id": code}
                for feature, code in zip(features, candidates[name], strict=True)
                if code in codes
            ]
            return {**geojson, "features": kept}
    best = max(candidates, key=lambda n: len(codes & set(candidates[n])))
    missing = sorted(codes - set(candidates[best]))
    raise ValueError(
        f"{path}: no property holds the municipality codes of the table; expected {expected}. "
        f"Properties found: {names}; the closest, {best!r}, lacks {len(missing)} of "
        f"{len(codes)} codes (e.g. {missing[:5]})"
    )


@lru_cache(maxsize=1)
def _project_codes() -> frozenset[str]:
    features = json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
    return frozenset(f["id"] for f in features)


def boundaries_for(codes: set[str], path: str | Path | None = None) -> dict | None:
    """Polygons for ``codes``: from ``path`` if given (an error if it does not cover them),
    else the project's own file when it covers them all, else None (draw points)."""
    if path is not None:
        return load_boundaries(path, codes)
    if BOUNDARIES.is_file() and codes <= _project_codes():
        return load_boundaries(BOUNDARIES, codes)
    return None


def bounds(geojson: dict) -> tuple[float, float, float, float]:
    """(west, south, east, north) of every feature, in degrees."""
    boxes = np.array([shape(f["geometry"]).bounds for f in geojson["features"]])
    return boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()


def geo_layout(geojson: dict, pad_degrees: float = 0.2) -> dict:
    """A geo subplot with no base layers, its ranges the polygons' box: the subplot then
    takes the country's tall shape (``fitbounds`` keeps it square, Sweden a third wide)."""
    west, south, east, north = bounds(geojson)
    return {
        "geo": {
            "visible": False,
            "projection": {"type": "mercator"},
            "lonaxis": {"range": [west - pad_degrees, east + pad_degrees]},
            "lataxis": {"range": [south - pad_degrees, north + pad_degrees]},
        }
    }


def plain_layout() -> dict:
    """Longitude and latitude as plain axes, a degree of latitude ~2.2 degrees of longitude
    tall as at 63 degrees north, axes hidden: the points alone draw the country."""
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    return {
        "xaxis": hidden,
        "yaxis": {**hidden, "scaleanchor": "x", "scaleratio": 1 / math.cos(math.radians(63))},
        "plot_bgcolor": "white",
    }
