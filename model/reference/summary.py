"""A short text summary of the reference tables, for `spridning municipalities`."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from model.reference.loader import ReferenceDataError, neighbour_graph


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def select_county(municipalities: pd.DataFrame, county: str) -> pd.DataFrame:
    """Rows of one county, chosen by code ("01") or name ("Stockholms län", any case)."""
    wanted = county.strip().casefold()
    chosen = municipalities[
        (municipalities["county_code"] == county.strip())
        | (municipalities["county"].str.casefold() == wanted)
    ]
    if chosen.empty:
        counties = municipalities.drop_duplicates("county_code")
        allowed = ", ".join(
            f"{c} {n}" for c, n in zip(counties["county_code"], counties["county"], strict=True)
        )
        raise ReferenceDataError(
            f"unknown county {county!r}; choose a code or name from: {allowed}"
        )
    return chosen


def summary_text(
    municipalities: pd.DataFrame, neighbours: pd.DataFrame, county: str | None = None
) -> str:
    graph = neighbour_graph(municipalities, neighbours)
    chosen = municipalities if county is None else select_county(municipalities, county)
    degrees = np.array([graph.degree(code) for code in chosen["kommunkod"]])
    date = chosen["population_date"].iloc[0]
    lines = [
        f"{_count(len(chosen), 'municipality', 'municipalities')} in "
        f"{_count(chosen['county_code'].nunique(), 'county', 'counties')}, "
        f"population {chosen['population'].sum():,} ({date}, SCB)",
        "",
        "Size classes (population bands derived by the project; not SKR's kommungrupp):",
    ]
    by_class = chosen.groupby("size_class", observed=False)["population"].agg(["count", "sum"])
    for label, row in by_class.iterrows():
        lines.append(
            f"  {label:>8}  {row['count']:4d} municipalities  population {row['sum']:>12,}"
        )
    inside = neighbours[
        neighbours["code_a"].isin(chosen["kommunkod"])
        | neighbours["code_b"].isin(chosen["kommunkod"])
    ]
    kinds = ", ".join(f"{k} {n}" for k, n in inside["kind"].value_counts().items())
    lines += [
        "",
        f"Neighbour pairs touching these municipalities: {len(inside)} ({kinds})",
        f"Neighbours per municipality: median {np.median(degrees):g}, "
        f"min {degrees.min()}, max {degrees.max()}; "
        f"whole graph connected: {'yes' if nx.is_connected(graph) else 'NO'}",
        "",
    ]
    if county is None:
        lines.append("Counties:")
        per_county = chosen.groupby(["county_code", "county"])["population"].agg(["count", "sum"])
        for (code, name), row in per_county.iterrows():
            lines.append(
                f"  {code} {name:<24} {row['count']:3d} municipalities  population {row['sum']:>10,}"
            )
    else:
        lines.append("Municipalities:")
        for row, degree in zip(chosen.itertuples(), degrees, strict=True):
            lines.append(
                f"  {row.kommunkod} {row.name:<20} population {row.population:>9,}  "
                f"size class {row.size_class:>8}  neighbours {degree}"
            )
    return "\n".join(lines)
