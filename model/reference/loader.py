"""Load and check the project's reference tables.

Every check names the file, the line and the problem, so a damaged or hand-edited table
fails here with a readable message instead of a KeyError deep inside the model.
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from model.reference.size_classes import SIZE_CLASS_LABELS, size_class_of

HERE = Path(__file__).resolve().parent
MUNICIPALITIES_FILE = HERE / "municipalities.csv"
NEIGHBOURS_FILE = HERE / "neighbours.csv"
EXPECTED_MUNICIPALITIES = 290
NEIGHBOUR_KINDS = ("land", "short_border", "across_water", "ferry", "bridge")

MUNICIPALITY_COLUMNS = (
    "kommunkod",
    "name",
    "county_code",
    "county",
    "population",
    "population_date",
    "area_km2_approx",
    "lat",
    "lon",
    "size_class",
)
NEIGHBOUR_COLUMNS = ("code_a", "code_b", "kind", "shared_border_km")
# Sweden's extent with a margin, to catch swapped or mistyped coordinates.
LAT_RANGE = (55.0, 69.5)
LON_RANGE = (10.5, 24.5)


class ReferenceDataError(ValueError):
    """A reference table is missing, malformed or inconsistent."""


def _read_as_text(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        raise ReferenceDataError(f"{path}: file not found")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ReferenceDataError(f"{path}: cannot be read as CSV: {error}") from error
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ReferenceDataError(f"{path}: missing column(s) {missing}; expected {list(columns)}")
    return table


def _line(index: int) -> int:
    """File line of a data row (line 1 is the header)."""
    return index + 2


def _fail(path: Path, index: int, problem: str) -> ReferenceDataError:
    return ReferenceDataError(f"{path}: line {_line(index)}: {problem}")


def _numbers(path: Path, table: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna()
    if bad.any():
        index = int(np.flatnonzero(bad.to_numpy())[0])
        raise _fail(path, index, f"{column} must be a number, got {table[column].iloc[index]!r}")
    return values


def load_municipalities(
    path: Path | str = MUNICIPALITIES_FILE, expected_count: int = EXPECTED_MUNICIPALITIES
) -> pd.DataFrame:
    """The municipality table, one row per municipality sorted by code, checked."""
    path = Path(path)
    table = _read_as_text(path, MUNICIPALITY_COLUMNS)
    for index, code in enumerate(table["kommunkod"]):
        if not re.fullmatch(r"\d{4}", code):
            raise _fail(path, index, f"kommunkod must be 4 digits, got {code!r}")
    duplicated = table["kommunkod"].duplicated()
    if duplicated.any():
        index = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise _fail(path, index, f"kommunkod {table['kommunkod'].iloc[index]} appears twice")
    for column in ("name", "county", "population_date"):
        empty = table[column].str.strip() == ""
        if empty.any():
            raise _fail(path, int(np.flatnonzero(empty.to_numpy())[0]), f"{column} is empty")
    for index, code in enumerate(table["county_code"]):
        if not re.fullmatch(r"\d{2}", code):
            raise _fail(path, index, f"county_code must be 2 digits, got {code!r}")
        if not table["kommunkod"].iloc[index].startswith(code):
            raise _fail(path, index, f"kommunkod does not start with county_code {code}")

    population = _numbers(path, table, "population")
    for index, value in enumerate(population):
        if value < 0 or value != int(value):
            raise _fail(path, index, f"population must be a whole number >= 0, got {value}")
    table["population"] = population.astype("int64")
    table["area_km2_approx"] = _numbers(path, table, "area_km2_approx")
    for column, (low, high) in (("lat", LAT_RANGE), ("lon", LON_RANGE)):
        values = _numbers(path, table, column)
        outside = (values < low) | (values > high)
        if outside.any():
            index = int(np.flatnonzero(outside.to_numpy())[0])
            raise _fail(
                path, index, f"{column} {values.iloc[index]} is outside Sweden [{low}, {high}]"
            )
        table[column] = values
    for index, (label, people) in enumerate(
        zip(table["size_class"], table["population"], strict=True)
    ):
        if label not in SIZE_CLASS_LABELS:
            raise _fail(
                path, index, f"size_class {label!r} is not one of {list(SIZE_CLASS_LABELS)}"
            )
        if label != size_class_of(int(people)):
            raise _fail(
                path,
                index,
                f"size_class {label!r} does not match population {people} "
                f"(expected {size_class_of(int(people))!r})",
            )
    if expected_count is not None and len(table) != expected_count:
        raise ReferenceDataError(f"{path}: {len(table)} municipalities, expected {expected_count}")
    table["size_class"] = pd.Categorical(
        table["size_class"], categories=SIZE_CLASS_LABELS, ordered=True
    )
    return table.sort_values("kommunkod").reset_index(drop=True)


def load_neighbours(
    path: Path | str = NEIGHBOURS_FILE, municipalities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Typed neighbour pairs, each unordered pair once, all referring to known codes."""
    path = Path(path)
    known = set((load_municipalities() if municipalities is None else municipalities)["kommunkod"])
    table = _read_as_text(path, NEIGHBOUR_COLUMNS)
    seen: set[tuple[str, str]] = set()
    for index, (a, b, kind) in enumerate(
        zip(table["code_a"], table["code_b"], table["kind"], strict=True)
    ):
        for code in (a, b):
            if code not in known:
                raise _fail(path, index, f"unknown kommunkod {code!r}")
        if a == b:
            raise _fail(path, index, f"a municipality cannot neighbour itself ({a})")
        if kind not in NEIGHBOUR_KINDS:
            raise _fail(path, index, f"kind {kind!r} is not one of {list(NEIGHBOUR_KINDS)}")
        pair = (min(a, b), max(a, b))
        if pair in seen:
            raise _fail(path, index, f"pair {pair[0]}-{pair[1]} appears twice")
        seen.add(pair)
    table["shared_border_km"] = _numbers(path, table, "shared_border_km")
    return table


def neighbour_matrix(
    municipalities: pd.DataFrame,
    neighbours: pd.DataFrame,
    kinds: tuple[str, ...] = NEIGHBOUR_KINDS,
) -> sp.csr_array:
    """Symmetric 0/1 adjacency in the row order of ``municipalities``."""
    position = {code: i for i, code in enumerate(municipalities["kommunkod"])}
    chosen = neighbours[neighbours["kind"].isin(kinds)]
    a = chosen["code_a"].map(position).to_numpy()
    b = chosen["code_b"].map(position).to_numpy()
    n = len(municipalities)
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    data = np.ones(len(rows), dtype=np.float64)
    adjacency = sp.csr_array((data, (rows, cols)), shape=(n, n))
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0  # a pair listed twice (or both ways) is still one neighbour
    return adjacency


def neighbour_graph(municipalities: pd.DataFrame, neighbours: pd.DataFrame) -> nx.Graph:
    """The neighbour graph with codes as nodes and the pair kind on each edge."""
    graph = nx.Graph()
    graph.add_nodes_from(municipalities["kommunkod"])
    graph.add_edges_from(
        (a, b, {"kind": kind})
        for a, b, kind in zip(
            neighbours["code_a"], neighbours["code_b"], neighbours["kind"], strict=True
        )
    )
    return graph
