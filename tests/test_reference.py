"""The reference tables: facts the model relies on, and the loader's checks on damaged copies."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from model.reference import (
    ReferenceDataError,
    load_municipalities,
    load_neighbours,
    neighbour_graph,
    neighbour_matrix,
)
from model.reference.build import build_municipalities, build_neighbours
from model.reference.loader import MUNICIPALITIES_FILE, NEIGHBOURS_FILE

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_290_municipalities_with_scb_population_total(municipalities: pd.DataFrame) -> None:
    assert len(municipalities) == 290
    assert municipalities["kommunkod"].is_unique
    assert municipalities["population"].sum() == 10_587_710
    assert set(municipalities["population_date"]) == {"2024-12-31"}
    assert municipalities["county_code"].nunique() == 21
    heby = municipalities.set_index("kommunkod").loc["0331"]
    assert heby["name"] == "Heby" and heby["county_code"] == "03"


def test_size_classes_follow_population_bands(municipalities: pd.DataFrame) -> None:
    counts = municipalities["size_class"].value_counts().to_dict()
    assert counts == {"<10k": 76, "10-20k": 91, "20-50k": 72, "50-100k": 31, ">=100k": 20}
    stockholm = municipalities.set_index("kommunkod").loc["0180"]
    assert stockholm["size_class"] == ">=100k"


def test_neighbour_graph_is_connected_and_symmetric(
    municipalities: pd.DataFrame, neighbours: pd.DataFrame
) -> None:
    matrix = neighbour_matrix(municipalities, neighbours)
    assert (matrix != matrix.T).nnz == 0
    assert matrix.diagonal().sum() == 0
    graph = neighbour_graph(municipalities, neighbours)
    assert nx.is_connected(graph)
    assert min(dict(graph.degree()).values()) >= 1


def test_gotland_is_linked_only_by_its_two_labelled_ferries(neighbours: pd.DataFrame) -> None:
    gotland = neighbours[(neighbours["code_a"] == "0980") | (neighbours["code_b"] == "0980")]
    assert set(gotland["kind"]) == {"ferry"}
    assert {frozenset(p) for p in zip(gotland["code_a"], gotland["code_b"], strict=True)} == {
        frozenset({"0192", "0980"}),
        frozenset({"0882", "0980"}),
    }


def test_oland_is_linked_to_the_mainland_by_the_bridge(neighbours: pd.DataFrame) -> None:
    bridge = neighbours[neighbours["kind"] == "bridge"]
    assert list(zip(bridge["code_a"], bridge["code_b"], strict=True)) == [("0840", "0880")]


def test_land_only_graph_isolates_the_islands(
    municipalities: pd.DataFrame, neighbours: pd.DataFrame
) -> None:
    land = neighbour_matrix(municipalities, neighbours, kinds=("land",))
    isolated = set(municipalities["kommunkod"][np.asarray(land.sum(axis=1)).ravel() == 0])
    assert {"0980", "0186"} <= isolated  # Gotland, Lidingö


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="../shared/data not present")
def test_committed_tables_are_what_the_build_script_makes(
    municipalities: pd.DataFrame,
) -> None:
    rebuilt = build_municipalities(SHARED_DATA)
    committed = pd.read_csv(MUNICIPALITIES_FILE, dtype={"kommunkod": str, "county_code": str})
    pd.testing.assert_frame_equal(rebuilt, committed, check_dtype=False)
    rebuilt_pairs = build_neighbours(SHARED_DATA)
    committed_pairs = pd.read_csv(NEIGHBOURS_FILE, dtype={"code_a": str, "code_b": str})
    pd.testing.assert_frame_equal(rebuilt_pairs, committed_pairs, check_dtype=False)


def _broken_copy(tmp_path: Path, source: Path, line: int, old: str, new: str) -> Path:
    """A copy of ``source`` with ``old`` replaced by ``new`` on file line ``line``."""
    lines = source.read_text(encoding="utf-8").splitlines()
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    target = tmp_path / source.name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("50323", "", "line 2: population must be a number"),
        ("50323", "-5", "line 2: population must be a whole number >= 0"),
        ("0114,", "114,", "line 2: kommunkod must be 4 digits"),
        ("0114,", "0115,", "line 3: kommunkod 0115 appears twice"),
        ("59.5208", "5.95208", "line 2: lat 5.95208 is outside Sweden"),
        ("50-100k", "huge", "line 2: size_class 'huge' is not one of"),
        ("50-100k", "<10k", "line 2: size_class '<10k' does not match population 50323"),
    ],
)
def test_damaged_municipality_table_names_file_line_and_problem(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    broken = _broken_copy(tmp_path, MUNICIPALITIES_FILE, 2, old, new)
    with pytest.raises(ReferenceDataError) as caught:
        load_municipalities(broken)
    assert str(broken) in str(caught.value)
    assert message in str(caught.value)


def test_missing_row_and_missing_column_are_reported(tmp_path: Path) -> None:
    lines = MUNICIPALITIES_FILE.read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="289 municipalities, expected 290"):
        load_municipalities(short)
    no_population = tmp_path / "no_population.csv"
    pd.read_csv(MUNICIPALITIES_FILE, dtype=str).drop(columns="population").to_csv(
        no_population, index=False
    )
    with pytest.raises(ReferenceDataError, match=r"missing column\(s\) \['population'\]"):
        load_municipalities(no_population)
    with pytest.raises(ReferenceDataError, match="file not found"):
        load_municipalities(tmp_path / "nowhere.csv")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("0114,0115", "0114,9999", "line 2: unknown kommunkod '9999'"),
        ("0114,0115", "0114,0114", "line 2: a municipality cannot neighbour itself"),
        (",land,", ",tunnel,", "line 2: kind 'tunnel' is not one of"),
        ("0114,0115", "0114,0123", "line 3: pair 0114-0123 appears twice"),
    ],
)
def test_damaged_neighbour_table_names_file_line_and_problem(
    tmp_path: Path, municipalities: pd.DataFrame, old: str, new: str, message: str
) -> None:
    broken = _broken_copy(tmp_path, NEIGHBOURS_FILE, 2, old, new)
    with pytest.raises(ReferenceDataError) as caught:
        load_neighbours(broken, municipalities=municipalities)
    assert str(broken) in str(caught.value)
    assert message in str(caught.value)


def test_cli_summary_and_county_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["municipalities"]) == 0
    out = capsys.readouterr().out
    assert "290 municipalities in 21 counties, population 10,587,710" in out
    assert "whole graph connected: yes" in out
    assert main(["municipalities", "--county", "gotlands län"]) == 0
    out = capsys.readouterr().out
    assert (
        out.startswith("1 municipality in 1 county") and "0980 Gotland" in out and "ferry 2" in out
    )


def test_cli_unknown_county_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["municipalities", "--county", "Atlantis"]) == 2
    err = capsys.readouterr().err
    assert "unknown county 'Atlantis'" in err and "01 Stockholms län" in err


def test_a_pair_listed_twice_is_still_one_neighbour(municipalities, neighbours) -> None:
    doubled = pd.concat([neighbours, neighbours.iloc[:5]], ignore_index=True)
    swapped = neighbours.iloc[5:10].rename(columns={"code_a": "code_b", "code_b": "code_a"})
    matrix = neighbour_matrix(municipalities, pd.concat([doubled, swapped], ignore_index=True))
    assert set(np.unique(matrix.data)) == {1.0}
    assert (matrix != neighbour_matrix(municipalities, neighbours)).nnz == 0
