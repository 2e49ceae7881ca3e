"""Maps of the model's answer: the project's own boundaries, probabilities of adoption by
year, the difference between scenarios and the money per inhabitant, each checked
against the tables they are drawn from; labels and translated headers in reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from shapely.geometry import shape

from model.reference.boundaries import BOUNDARIES, DEFAULT_SOURCE, LICENCE, build_boundaries
from model.reference.synthetic import synthetic_municipalities
from viz.choropleths import (
    SHOWN_YEAR,
    difference_map,
    money_map,
    probability_map,
)
from viz.headline import headline_effects
from viz.labels import innovation_labels, innovation_namer, readable_table

SHARED = DEFAULT_SOURCE / "kommuner_scb_simplified.geojson"


def _table(months: dict[str, list[float]], replications: int) -> pd.DataFrame:
    """A municipalities table: kommunkod -> adoption month per replication (nan: never)."""
    rows = [
        {"replication": r, "innovation": "x", "kommunkod": code, "adopted_month": m[r]}
        for code, m in months.items()
        for r in range(replications)
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def runs(municipalities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two made-up scenarios' tables over the 290 municipalities, 4 replications each."""
    rng = np.random.default_rng(3)
    codes = municipalities["kommunkod"].tolist()

    def months(shift: float) -> dict[str, list[float]]:
        drawn = rng.exponential(60 + shift, size=(len(codes), 4)).round() + 1
        drawn[drawn > 120] = np.nan
        return {c: list(row) for c, row in zip(codes, drawn, strict=True)}

    return _table(months(40), 4), _table(months(0), 4)


# --- the project's own boundaries ---------------------------------------------------------


def test_project_boundaries_are_small_valid_and_cover_the_reference(
    municipalities: pd.DataFrame,
) -> None:
    assert BOUNDARIES.stat().st_size < 500_000, "well under 1 MB"
    collection = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    features = collection["features"]
    assert sorted(f["id"] for f in features) == sorted(municipalities["kommunkod"])
    names = dict(zip(municipalities["kommunkod"], municipalities["name"], strict=True))
    for feature in features:
        assert feature["properties"] == {"kommunkod": feature["id"], "name": names[feature["id"]]}
        polygon = shape(feature["geometry"])
        assert polygon.is_valid and polygon.area > 0, feature["id"]
        # Plotly fills the outside of a ring wound anticlockwise: exteriors must be clockwise
        parts = getattr(polygon, "geoms", [polygon])
        assert all(not p.exterior.is_ccw for p in parts), feature["id"]
    assert "SCB" in collection["attribution"] and "MIT" in collection["attribution"]
    assert "Stefan Furne" in LICENCE.read_text(encoding="utf-8")


@pytest.mark.skipif(not SHARED.exists(), reason="the shared source boundaries are not present")
def test_boundaries_file_is_what_the_script_builds_from_the_source() -> None:
    built = build_boundaries(DEFAULT_SOURCE)
    stored = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(built)) == stored
    source = json.loads(SHARED.read_text(encoding="utf-8"))["features"]
    areas = {f["properties"]["kommunkod"]: shape(f["geometry"]).area for f in source}
    for feature in stored["features"]:  # simplified, not distorted: areas within 10 %
        assert shape(feature["geometry"]).area == pytest.approx(areas[feature["id"]], rel=0.1)


# --- probabilities, differences, money ----------------------------------------------------


def _oracle(table: pd.DataFrame, month: int) -> pd.Series:
    """Share of replications in which each municipality had adopted by ``month``."""
    adopted = table["adopted_month"].fillna(np.inf) <= month
    return adopted.groupby(table["kommunkod"]).mean()


def test_probability_map_is_the_share_of_runs_adopted_by_each_year(
    runs, municipalities: pd.DataFrame
) -> None:
    table = runs[1]
    fig = probability_map(table, municipalities, months=120, start_year=2027, lang="en")
    trace = fig.data[0]
    assert isinstance(trace, go.Choropleth) and len(trace.locations) == 290
    assert len(trace.geojson["features"]) == 290  # drawn from the project's own file
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == [str(2027 + k) for k in range(10)]
    assert fig.layout.sliders[0].active == SHOWN_YEAR - 1
    for year, frame in enumerate(fig.frames, start=1):
        expected = _oracle(table, 12 * year).loc[list(trace.locations)]
        assert np.allclose(np.asarray(frame.data[0].z, float), expected.to_numpy())
    assert np.allclose(np.asarray(trace.z, float), _oracle(table, 120).loc[list(trace.locations)])
    assert "4 runs" in fig.layout.title.text and (trace.zmin, trace.zmax) == (0, 1)


def test_difference_map_is_b_minus_a_and_centred_on_zero(
    runs, municipalities: pd.DataFrame
) -> None:
    a, b = runs
    fig = difference_map(a, b, municipalities, months=60, innovation="x", names=("A", "B"))
    trace = fig.data[0]
    codes = list(trace.locations)
    for year, frame in enumerate(fig.frames, start=1):
        expected = _oracle(b, 12 * year).loc[codes] - _oracle(a, 12 * year).loc[codes]
        assert np.allclose(np.asarray(frame.data[0].z, float), expected.to_numpy())
    assert trace.zmid == 0 and trace.zmin == -trace.zmax
    assert "B minus A" in fig.layout.title.text


def test_money_map_is_sek_per_inhabitant_mean_over_runs(municipalities: pd.DataFrame) -> None:
    codes = municipalities["kommunkod"].tolist()
    money = pd.DataFrame(
        {
            "replication": [0] * len(codes) + [1] * len(codes),
            "kommunkod": codes * 2,
            "grants_msek": [0.5] * len(codes) + [1.5] * len(codes),
            "capacity_msek": [1.0] * len(codes) * 2,
            "refunds_msek": [0.0] * len(codes) * 2,
        }
    )
    fig = money_map(money, municipalities, lang="sv")
    trace = fig.data[0]
    population = municipalities.set_index("kommunkod")["population"].loc[list(trace.locations)]
    assert np.allclose(np.asarray(trace.z, float), 2.0e6 / population.to_numpy())
    assert "Kronor per invånare" in trace.colorbar.title.text


def test_municipalities_no_boundary_file_covers_are_drawn_as_points() -> None:
    synthetic, _ = synthetic_municipalities(40, seed=1)
    months = {c: [12.0, np.nan] for c in synthetic["kommunkod"]}
    fig = probability_map(_table(months, 2), synthetic, months=24)
    assert isinstance(fig.data[0], go.Scatter) and len(fig.data[0].x) == 40
    assert np.allclose(np.asarray(fig.data[0].marker.color, float), 0.5)


def test_another_boundaries_file_must_cover_the_municipalities(
    runs, municipalities: pd.DataFrame, tmp_path: Path
) -> None:
    partial = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    partial["features"] = partial["features"][:10]
    path = tmp_path / "ten.geojson"
    path.write_text(json.dumps(partial), encoding="utf-8")
    with pytest.raises(ValueError, match=r"ten.geojson: no property holds the municipality"):
        probability_map(runs[0], municipalities, months=60, boundaries=path)


# --- labels, headline ---------------------------------------------------------------------


def test_labels_follow_the_language_and_fall_back_sensibly() -> None:
    innovations = [
        {"name": "a", "label_sv": "Äpple", "label_en": "Apple"},
        {"name": "b", "label": "Old English label"},
        {"name": "c"},
        {"name": "d", "label_sv": "Äpple"},
    ]
    assert innovation_labels(innovations, "en") == {
        "a": "Apple",
        "b": "Old English label",
        "d": "Äpple",
    }
    # two innovations with one Swedish label are told apart by their identifiers
    assert innovation_labels(innovations, "sv")["a"] == "Äpple (a)"
    name = innovation_namer(innovations, "sv", keep_all=False)
    assert name("c") == "c" and name("all") == "alla innovationer"
    assert name("new_product_03") == "Ny produkt 3 (leverantör)"


def test_readable_table_translates_headers_and_values() -> None:
    effects = pd.DataFrame(
        {
            "innovation": ["a", "all"],
            "metric": ["adoption_share_10y"] * 2,
            "diff": [0.1, 0.2],
            "uncertainty": ["parameters and stochastic"] * 2,
        }
    )
    shown = readable_table(effects, "sv", innovation_namer([{"name": "a", "label_sv": "A"}], "sv"))
    assert list(shown.columns) == ["innovation", "mått", "effekt (B − A)", "osäkerhet som ingår"]
    assert shown.iloc[:, 0].tolist() == ["A", "alla innovationer"]
    assert shown.iloc[0, 3] == "parametrar och slumpen"
    assert "adoption_share_10y" not in shown.to_string()


def test_headline_sorts_innovations_and_draws_the_widest_interval_carried() -> None:
    effects = pd.DataFrame(
        {
            "innovation": ["small", "large", "all"],
            "metric": ["adoption_share_10y"] * 3,
            "diff": [0.02, 0.10, 0.06],
            "ci_low": [0.01, 0.09, 0.05],
            "ci_high": [0.03, 0.11, 0.07],
            "total_ci_low": [-0.01, 0.04, 0.03],
            "total_ci_high": [0.05, 0.16, 0.09],
        }
    )
    fig = headline_effects(effects, "A", "B", lang="en")
    bar = fig.data[0]
    assert list(bar.y) == ["All innovations (mean)", "small", "large"]  # largest at the top
    x = np.asarray(bar.x, float)
    assert np.allclose(x, [6, 2, 10])
    assert np.allclose(x + np.asarray(bar.error_x.array, float), [9, 5, 16])
    assert np.allclose(x - np.asarray(bar.error_x.arrayminus, float), [3, -1, 4])
    assert "parameters" in fig.layout.annotations[0].text
    # a table without the total interval (chance only) draws the mean's interval, and says so
    fig = headline_effects(effects.drop(columns=["total_ci_low", "total_ci_high"]), "A", "B")
    bar = fig.data[0]
    assert np.allclose(np.asarray(bar.x, float) + np.asarray(bar.error_x.array, float), [7, 3, 11])
    assert "bara slumpen" in fig.layout.annotations[0].text


def test_scenario_labels_are_checked_and_an_old_label_is_the_english_one() -> None:
    from pydantic import ValidationError

    from model.scenario import Innovation, load_scenario

    spec = load_scenario("baseline").innovations[0].model_dump()
    old = {k: v for k, v in spec.items() if k not in ("label_sv", "label_en")}
    assert Innovation.model_validate({**old, "label": "Old name"}).label_en == "Old name"
    with pytest.raises(ValidationError, match=r"label_sv"):
        Innovation.model_validate({**spec, "label_sv": 3})
