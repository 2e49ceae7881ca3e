"""viz/ refuses bad input with a message that names what is wrong and what there is,
and every text exists in both languages."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.metrics import METRICS
from viz import (
    adoption_map,
    adoption_over_time,
    budget_sankey,
    effects_forest,
    morris_plot,
    response_surface,
    sobol_indices,
    state_spending_over_time,
    supplier_market,
)
from viz.geography import load_boundaries
from viz.words import EN, SV, metric_label, number, text


def timeseries() -> pd.DataFrame:
    rows = [(r, m, i) for r in range(2) for m in range(1, 4) for i in ("a", "b")]
    table = pd.DataFrame(rows, columns=["replication", "month", "innovation"])
    return table.assign(
        adoption_share=0.1 * table["month"],
        state_spending_msek=1.0,
        risk_refunds_msek=0.0,
        suppliers_active=np.where(table["innovation"] == "a", 2.0, 0.0),
        mean_price=np.where(table["innovation"] == "a", 10.0, np.nan),
        market_concentration=np.where(table["innovation"] == "a", 0.5, np.nan),
    )


def state_money(budget: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "replication": [0, 1],
            "month": [1, 1],
            "budget_msek": budget,
            "granted_msek": 0.0,
            "administered_msek": 0.0,
            "unspent_msek": budget,
            "risk_refunds_msek": 0.0,
            "held_msek": 0.0,
        }
    )


def outcomes(reference: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "replication": 0,
            "innovation": "a",
            "kommunkod": reference["kommunkod"],
            "adopted_month": pd.array([pd.NA] * len(reference), dtype="Int32"),
            "final_stage": "aware",
        }
    )


EFFECTS = pd.DataFrame(
    {
        "innovation": ["a"],
        "metric": ["value_created_msek"],
        "mean_a": [1.0],
        "mean_b": [2.0],
        "diff": [1.0],
        "ci_low": [0.0],
        "ci_high": [2.0],
        "n": [3],
    }
)
SOBOL = pd.DataFrame(
    {
        "outcome": ["y"],
        "parameter": ["p"],
        "S1": [0.1],
        "S1_conf": [0.0],
        "ST": [0.2],
        "ST_conf": [0.0],
    }
)
MORRIS = pd.DataFrame(
    {"outcome": ["y"], "parameter": ["p"], "mu_star": [1.0], "mu_star_conf": [0.1], "sigma": [0.2]}
)
RESPONSE = pd.DataFrame(
    {
        "p": [1.0, 2.0, 1.0, 2.0],
        "q": [0.0, 0.0, 1.0, 1.0],
        "outcome": "y",
        "mean": [1.0, 2.0, 3.0, 4.0],
        "ci_low": 0.0,
        "ci_high": 5.0,
        "n": 4,
    }
)


def test_both_languages_have_the_same_labels() -> None:
    assert set(SV) == set(EN)
    assert all(SV[k].strip() and EN[k].strip() for k in SV)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_fill_the_same_placeholders() -> None:
    differing = {k for k in SV if placeholders(SV[k]) != placeholders(EN[k])}
    assert not differing


def test_every_declared_metric_is_named_in_both_languages() -> None:
    for metric in METRICS:
        for words in (metric.label, metric.subject, metric.unit, metric.levels_in):
            assert words.sv.strip() and words.en.strip(), metric.name
        assert metric_label(metric.name, "sv") == metric.label.sv


def test_every_text_the_code_asks_for_by_name_is_in_the_catalogue() -> None:
    viz = Path(__file__).resolve().parents[1] / "viz"
    asked = {
        key
        for path in viz.glob("*.py")
        for key in re.findall(r"\btext\(\s*[\"']([\w.]+)[\"']", path.read_text())
    }
    assert len(asked) > 50  # the pattern finds the calls
    assert sorted(asked - set(SV)) == []


def test_no_language_branches_outside_the_catalogue() -> None:
    """Words live in viz/words.py; a module choosing words by ``lang`` bypasses it."""
    viz = Path(__file__).resolve().parents[1] / "viz"
    branching = re.compile(r"lang\s*==\s*[\"'](sv|en)[\"']")
    offenders = [
        p.name for p in viz.glob("*.py") if p.name != "words.py" and branching.search(p.read_text())
    ]
    assert offenders == []


def test_label_helpers() -> None:
    assert text("x_years", "sv") == "År från start" and text("x_years", "en") == "Years from start"
    with pytest.raises(KeyError, match="no text 'no_such_label'"):
        text("no_such_label", "sv")
    assert text("effects_title", "en", a="x", b="y").startswith("Effect of y against x")
    assert metric_label("adoption_share_5y", "en").startswith("Share adopted after 5 years")
    assert metric_label("a_new_metric", "sv") == "a_new_metric"
    assert number(1234.5, "sv", 1) == "1\u00a0234,5" and number(1234.5, "en", 1) == "1,234.5"


@pytest.mark.parametrize(
    "draw",
    [
        lambda ref, lang: adoption_over_time(timeseries(), lang=lang),
        lambda ref, lang: adoption_map(outcomes(ref), ref, lang=lang),
        lambda ref, lang: effects_forest(EFFECTS, lang=lang),
        lambda ref, lang: budget_sankey(state_money(10.0), lang=lang),
        lambda ref, lang: state_spending_over_time(state_money(10.0), lang=lang),
        lambda ref, lang: supplier_market(timeseries(), lang=lang),
        lambda ref, lang: sobol_indices(SOBOL, "y", lang=lang),
        lambda ref, lang: morris_plot(MORRIS, "y", lang=lang),
        lambda ref, lang: response_surface(RESPONSE, "p", "q", outcome="y", lang=lang),
    ],
)
def test_every_figure_takes_sv_and_en_and_refuses_other_languages(draw, municipalities) -> None:
    sv, en = draw(municipalities, "sv"), draw(municipalities, "en")
    assert sv.layout.title.text != en.layout.title.text
    assert sv.layout.separators == ", " and en.layout.separators == ".,"
    with pytest.raises(ValueError, match=r"lang must be one of \['sv', 'en'\], got 'de'"):
        draw(municipalities, "de")


def test_adoption_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match=r"unknown innovation .* 'c'.*available: \['a', 'b'\]"):
        adoption_over_time(timeseries(), innovation="c")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['adoption_share'\]"):
        adoption_over_time(timeseries().drop(columns="adoption_share"))
    with pytest.raises(ValueError, match="needs the groups table"):
        adoption_over_time(timeseries(), by="county")
    with pytest.raises(ValueError, match=r"unknown by 'kommun'.*\['size_class', 'county'\]"):
        adoption_over_time(timeseries(), by="kommun")
    with pytest.raises(ValueError, match="not both"):
        adoption_over_time(timeseries(), scenarios={"x": timeseries()})
    with pytest.raises(ValueError, match="x_unit must be one of"):
        adoption_over_time(timeseries(), x_unit="weeks")
    groups = timeseries()[["replication", "month", "innovation", "adoption_share"]].assign(
        group_type="size_class", group="<10k"
    )
    with pytest.raises(ValueError, match=r"several innovations; pass innovation= one of"):
        adoption_over_time(by="size_class", groups=groups)
    with pytest.raises(ValueError, match="no rows with group_type 'county'"):
        adoption_over_time(innovation="a", by="county", groups=groups)
    with pytest.raises(ValueError, match="has no rows"):
        adoption_over_time(timeseries().iloc[:0])


def test_map_refuses_bad_input(municipalities, tmp_path: Path) -> None:
    table = outcomes(municipalities)
    with pytest.raises(ValueError, match=r"unknown replication 3; available: \[0\]"):
        adoption_map(table, municipalities, replication=3)
    with pytest.raises(ValueError, match=r"unknown innovation .* 'b'.*available: \['a'\]"):
        adoption_map(table, municipalities, innovation="b")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['lat', 'lon'\]"):
        adoption_map(table, municipalities.drop(columns=["lat", "lon"]))
    with pytest.raises(ValueError, match="1 municipalities of the reference table have no row"):
        adoption_map(table.iloc[1:], municipalities)
    missing = tmp_path / "nowhere.geojson"
    with pytest.raises(
        ValueError, match=rf"{missing}: boundaries file not found; expected a GeoJSON"
    ):
        adoption_map(table, municipalities, boundaries=missing)
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    with pytest.raises(ValueError, match=rf"{broken}: not valid JSON"):
        adoption_map(table, municipalities, boundaries=broken)
    no_code = tmp_path / "no_code.geojson"
    features = [
        {"type": "Feature", "properties": {"namn": name}, "geometry": None}
        for name in municipalities["name"]
    ]
    no_code.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(
        ValueError,
        match=rf"{no_code}: no property holds the municipality codes.*'kommunkod'.*\['namn'\]",
    ):
        adoption_map(table, municipalities, boundaries=no_code)


def test_boundaries_code_field_is_found_by_its_values(municipalities, tmp_path: Path) -> None:
    features = [
        {"type": "Feature", "properties": {"namn": name, "KnKod": int(code)}, "geometry": None}
        for name, code in zip(municipalities["name"], municipalities["kommunkod"], strict=True)
    ]
    path = tmp_path / "int_codes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    geojson = load_boundaries(path, set(municipalities["kommunkod"]))
    assert [f["id"] for f in geojson["features"]] == list(municipalities["kommunkod"])


def test_effects_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match=r"effects table is missing column\(s\) \['ci_low'\]"):
        effects_forest(EFFECTS.drop(columns="ci_low"))
    with pytest.raises(ValueError, match=r"unknown metric .* 'nope'.*\['value_created_msek'\]"):
        effects_forest(EFFECTS, metrics=["nope"])
    with pytest.raises(ValueError, match=r"unknown innovation .* 'z'"):
        effects_forest(EFFECTS, innovations=["z"])


def test_money_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="no policy money in this run"):
        budget_sankey(state_money(0.0))
    with pytest.raises(ValueError, match=r"missing column\(s\) \['held_msek'\]"):
        budget_sankey(state_money(10.0).drop(columns="held_msek"))
    unbalanced = state_money(10.0).assign(unspent_msek=5.0)
    with pytest.raises(ValueError, match="does not balance"):
        budget_sankey(unbalanced)
    granted = state_money(10.0).assign(granted_msek=4.0, unspent_msek=6.0)
    with pytest.raises(ValueError, match="differ from granted_msek"):
        budget_sankey(granted, timeseries())
    with pytest.raises(ValueError, match="expected a state_money table"):
        state_spending_over_time(EFFECTS)


def test_market_refuses_a_method_and_unknown_names() -> None:
    with pytest.raises(ValueError, match=r"'b' has no supplier market.*with a market: \['a'\]"):
        supplier_market(timeseries(), innovation="b")
    with pytest.raises(ValueError, match=r"unknown innovation .* 'c'"):
        supplier_market(timeseries(), innovation="c")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['mean_price'\]"):
        supplier_market(timeseries().drop(columns="mean_price"))


def test_sensitivity_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match=r"unknown outcome .* 'z'; available: \['y'\]"):
        sobol_indices(SOBOL, "z")
    with pytest.raises(ValueError, match=r"sobol table is missing column\(s\) \['ST_conf'\]"):
        sobol_indices(SOBOL.drop(columns="ST_conf"), "y")
    with pytest.raises(ValueError, match=r"morris table is missing column\(s\) \['sigma'\]"):
        morris_plot(MORRIS.drop(columns="sigma"), "y")
    with pytest.raises(ValueError, match=r"also varies \['q'\]"):
        response_surface(RESPONSE, "p", outcome="y")
    with pytest.raises(ValueError, match=r"unknown parameter x .* 'r'; available: \['p', 'q'\]"):
        response_surface(RESPONSE, "r", outcome="y")
    with pytest.raises(ValueError, match="must be different"):
        response_surface(RESPONSE, "p", "p", outcome="y")


def test_calls_summary_means_per_year_and_sums_over_years() -> None:
    from viz.money import calls_summary

    rows = []
    for replication, granted in ((0, 10.0), (1, 20.0)):
        for year in (1, 2):
            rows.append(
                {
                    "replication": replication,
                    "lever": "programme",
                    "year": year,
                    "instrument": "grants",
                    "budget_msek": 50.0,
                    "applied_msek": granted + 5.0,
                    "granted_msek": granted,
                    "moved_msek": 0.0,
                    "rolled_over_msek": 50.0 - granted,
                    "returned_msek": 0.0,
                }
            )
    summary = calls_summary(pd.DataFrame(rows)).set_index("year")
    assert summary.loc["1", "granted_msek"] == 15.0  # mean over replications
    assert summary.loc["all", "granted_msek"] == 30.0  # summed over the years
    assert summary.loc["all", "applied_msek"] == 40.0
    with pytest.raises(ValueError, match="applied_msek"):
        calls_summary(pd.DataFrame(rows).drop(columns="applied_msek"))
