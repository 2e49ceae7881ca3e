"""The figures of viz/: what a reader relies on, checked on real short runs and on small
hand-made tables whose right answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from experiments.compare import effects as compare_effects
from experiments.metrics import METRIC_BY_NAME
from experiments.run import RunResults, run_scenario
from model.reference import load_municipalities
from model.scenario import load_scenario
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
from viz.layout import GREY
from viz.words import text

BOUNDARIES = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "kommuner_scb_simplified.geojson"
)
REPLICATIONS = 3


@pytest.fixture(scope="module")
def baseline_run() -> RunResults:
    return run_scenario(
        load_scenario("baseline"), replications=REPLICATIONS, seed=1, progress=False
    )


@pytest.fixture(scope="module")
def programme_run() -> RunResults:
    return run_scenario(
        load_scenario("programme"), replications=REPLICATIONS, seed=1, progress=False
    )


@pytest.fixture(scope="module")
def effects_table(baseline_run: RunResults, programme_run: RunResults) -> pd.DataFrame:
    return compare_effects(baseline_run, programme_run)


def means(fig: go.Figure) -> list:
    return [t for t in fig.data if (t.meta or {}).get("role") == "mean"]


def bands(fig: go.Figure, series: str, panel: str | None = None) -> tuple:
    """(lower, upper, mean) traces of one series (optionally in one panel)."""
    found = {
        t.meta["role"]: t
        for t in fig.data
        if (t.meta or {}).get("series") == series and (panel is None or t.meta["panel"] == panel)
    }
    return found["band_low"], found["band_high"], found["mean"]


def assert_band_encloses_mean(fig: go.Figure, series: str, panel: str | None = None) -> None:
    lower, upper, mean = bands(fig, series, panel)
    assert upper.fill == "tonexty" and fig.data.index(upper) == fig.data.index(lower) + 1
    assert np.array_equal(np.asarray(lower.x), np.asarray(mean.x))
    low, high, y = (np.asarray(t.y, float) for t in (lower, upper, mean))
    assert np.all(low <= y + 1e-12) and np.all(y <= high + 1e-12)


# --- adoption over time -------------------------------------------------------------------


def test_adoption_has_a_mean_and_band_per_innovation_in_run_order(baseline_run) -> None:
    fig = adoption_over_time(baseline_run.timeseries)
    names = list(baseline_run.timeseries["innovation"].cat.categories)
    assert len(fig.data) == 3 * len(names)
    assert all(isinstance(t, go.Scatter) for t in fig.data)
    assert [t.name for t in means(fig)] == names
    for name in names:
        assert_band_encloses_mean(fig, name)
    # an innovation keeps its colour when drawn alone
    alone = means(adoption_over_time(baseline_run.timeseries, innovation="e_service"))[0]
    assert alone.line.color == bands(fig, "e_service")[2].line.color
    # the mean line is the mean over replications of the table
    e_service = baseline_run.timeseries.query("innovation == 'e_service'")
    expected = e_service.groupby("month")["adoption_share"].mean().to_numpy()
    assert np.allclose(bands(fig, "e_service")[2].y, expected)


@pytest.mark.parametrize(
    ("lang", "x_text", "y_text", "band_text"),
    [
        ("sv", "År från start", "Andel kommuner som har infört", "2,5–97,5 %"),
        ("en", "Years from start", "Share of municipalities that have adopted", "2.5–97.5 %"),
    ],
)
def test_adoption_axes_and_legend_speak_the_language(
    baseline_run, lang, x_text, y_text, band_text
) -> None:
    fig = adoption_over_time(baseline_run.timeseries, innovation="e_service", lang=lang)
    assert fig.layout.xaxis.title.text == x_text
    assert fig.layout.yaxis.title.text == y_text
    assert fig.layout.yaxis.tickformat == ".0%" and tuple(fig.layout.yaxis.range) == (0, 1)
    assert band_text in fig.layout.legend.title.text
    assert "e_service" in fig.layout.title.text
    assert band_text in means(fig)[0].hovertemplate


def test_adoption_band_is_the_replications_quantiles_and_x_is_in_years_or_months() -> None:
    table = pd.DataFrame(
        {
            "replication": [0, 0, 1, 1],
            "month": [12, 24, 12, 24],
            "innovation": "x",
            "adoption_share": [0.2, 0.4, 0.4, 0.8],
        }
    )
    fig = adoption_over_time(table)
    lower, upper, mean = bands(fig, "x")
    assert np.allclose(mean.y, [0.3, 0.6])
    assert np.allclose(lower.y, [0.205, 0.41]) and np.allclose(upper.y, [0.395, 0.79])
    assert np.allclose(mean.x, [1.0, 2.0])
    months = adoption_over_time(table, x_unit="months", lang="en")
    assert np.allclose(means(months)[0].x, [12, 24])
    assert months.layout.xaxis.title.text == "Month from start"


def test_adoption_scenarios_one_line_each(baseline_run, programme_run) -> None:
    scenarios = {"baseline": baseline_run.timeseries, "programme": programme_run.timeseries}
    fig = adoption_over_time(scenarios=scenarios, innovation="e_service", lang="en")
    assert [t.name for t in means(fig)] == ["baseline", "programme"]
    assert len({t.line.color for t in means(fig)}) == 2
    assert fig.layout.legend.title.text.startswith("Scenario")
    both = adoption_over_time(scenarios=scenarios)
    lines = {t.name: t.line for t in means(both)}
    assert len(lines) == 2 * 5
    # same innovation: same colour, scenarios told apart by dash
    a, b = lines["baseline · e_service"], lines["programme · e_service"]
    assert a.color == b.color and a.dash != b.dash


@pytest.mark.parametrize(("by", "count"), [("size_class", 5), ("county", 21)])
def test_adoption_by_group_uses_the_groups_table(baseline_run, by, count) -> None:
    fig = adoption_over_time(
        innovation="person_centred_method", by=by, groups=baseline_run.groups, lang="en"
    )
    lines = means(fig)
    assert len(lines) == count
    if by == "size_class":
        assert [t.name for t in lines] == ["<10k", "10-20k", "20-50k", "50-100k", ">=100k"]
        assert "by size class" in fig.layout.title.text
    else:
        assert lines[0].name == "01 Stockholms län" and lines[-1].name.startswith("25 ")
    for line in lines:
        assert_band_encloses_mean(fig, line.name)


# --- map ----------------------------------------------------------------------------------


def test_map_has_every_municipality_grey_for_never_and_a_slider_per_year(
    baseline_run, municipalities
) -> None:
    outcomes = baseline_run.municipalities
    fig = adoption_map(outcomes, municipalities, replication=1, innovation="e_service", months=240)
    adopted, other = fig.data  # the project's own boundaries: polygons by default
    assert isinstance(adopted, go.Choropleth) and isinstance(other, go.Choropleth)
    assert len(adopted.locations) + len(other.locations) == 290
    assert len(adopted.geojson["features"]) == 290
    assert other.colorscale[0][1] == GREY
    rows = outcomes[(outcomes["replication"] == 1) & (outcomes["innovation"] == "e_service")]
    never = int(rows["adopted_month"].isna().sum())
    assert len(other.locations) == never
    assert sorted(np.asarray(adopted.z, float)) == sorted(
        rows["adopted_month"].dropna().astype(float)
    )
    # no base layers (they would be fetched from Plotly's server): the polygons draw Sweden
    assert fig.layout.geo.visible is False
    assert fig.layout.geo.lataxis.range[0] < 55.4 and fig.layout.geo.lataxis.range[1] > 69
    # one slider step and one frame per year; each frame shows who had adopted by then
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == [str(y) for y in range(1, 21)]
    assert [f.name for f in fig.frames] == [str(y) for y in range(1, 21)]
    assert fig.layout.sliders[0].active == 19
    for year in (5, 10, 20):
        frame = fig.frames[year - 1]
        by_then = int((rows["adopted_month"] <= 12 * year).sum())
        assert len(frame.data[0].locations) == by_then
        assert len(frame.data[0].locations) + len(frame.data[1].locations) == 290
    # hover: name, county, population, adoption month, final stage
    hover = adopted.hovertemplate
    for k in range(5):
        assert f"customdata[{k}]" in hover
    assert "Folkmängd" in hover and "Månad för första införande" in hover
    assert never > 0 and all(row[3] == "aldrig" for row in other.customdata)


def test_map_infers_run_length_from_the_last_adoption(municipalities) -> None:
    codes = municipalities["kommunkod"]
    months = pd.array([np.nan] * len(codes), dtype="Int32")
    months[:3] = [5, 17, 30]
    table = pd.DataFrame(
        {
            "replication": 0,
            "innovation": "x",
            "kommunkod": codes,
            "adopted_month": months,
            "final_stage": ["adopted"] * 3 + ["aware"] * (len(codes) - 3),
        }
    )
    fig = adoption_map(table, municipalities, lang="en")
    assert len(fig.layout.sliders[0].steps) == 3
    assert [len(f.data[0].locations) for f in fig.frames] == [1, 2, 3]
    assert fig.data[1].name.startswith("Not adopted") and len(fig.data[1].locations) == 287
    assert {row[4] for row in fig.data[1].customdata} == {"aware"}
    assert fig.layout.sliders[0].currentvalue.prefix == "State at the end of year "


@pytest.mark.skipif(not BOUNDARIES.exists(), reason="shared boundary GeoJSON not present")
def test_map_with_boundaries_draws_polygons(baseline_run, municipalities) -> None:
    fig = adoption_map(
        baseline_run.municipalities,
        municipalities,
        innovation="person_centred_method",
        boundaries=BOUNDARIES,
        months=240,
    )
    adopted, other = fig.data
    assert isinstance(adopted, go.Choropleth) and isinstance(other, go.Choropleth)
    assert len(adopted.locations) + len(other.locations) == 290
    ids = {f["id"] for f in adopted.geojson["features"]}
    assert set(adopted.locations) | set(other.locations) <= ids
    assert other.colorscale[0][1] == GREY and other.colorscale[-1][1] == GREY
    assert len(fig.frames) == 20 and fig.frames[0].data[0].geojson is None


# --- effects ------------------------------------------------------------------------------


def test_forest_error_bars_are_the_interval_bounds(effects_table) -> None:
    fig = effects_forest(effects_table, name_a="baseline", name_b="programme")
    metrics = list(dict.fromkeys(effects_table["metric"]))
    assert len(fig.data) == len(metrics)
    for trace in fig.data:
        metric = trace.meta["metric"]
        scale = METRIC_BY_NAME[metric].scale
        rows = effects_table[effects_table["metric"] == metric].dropna(subset=["diff"])
        rows = rows.set_index("innovation")
        names = [("all" if y == "alla innovationer" else y) for y in trace.y]
        x = np.asarray(trace.x, float)
        assert np.allclose(x, rows.loc[names, "diff"] * scale)
        high = x + np.asarray(trace.error_x.array, float)
        low = x - np.asarray(trace.error_x.arrayminus, float)
        assert np.allclose(high, rows.loc[names, "ci_high"] * scale, equal_nan=True)
        assert np.allclose(low, rows.loc[names, "ci_low"] * scale, equal_nan=True)
    zero_lines = [s for s in fig.layout.shapes if s.x0 == 0 and s.x1 == 0]
    assert len(zero_lines) == len(metrics)
    assert "programme" in fig.layout.title.text and "baseline" in fig.layout.title.text


@pytest.mark.parametrize(
    ("lang", "title", "axis"),
    [
        ("sv", "Andel som har infört efter 5 år (procentenheter)", "Skillnad B − A"),
        ("en", "Share adopted after 5 years (percentage points)", "Difference B − A"),
    ],
)
def test_forest_metric_labels_are_readable(effects_table, lang, title, axis) -> None:
    fig = effects_forest(
        effects_table, lang=lang, metrics=["adoption_share_5y", "value_created_msek"]
    )
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == title and "MSEK" in titles[1]
    assert fig.layout.xaxis2.title.text == axis


def test_forest_marks_a_difference_without_interval() -> None:
    table = pd.DataFrame(
        {
            "innovation": ["a", "b", "all"],
            "metric": "value_created_msek",
            "mean_a": [1.0, 2.0, 3.0],
            "mean_b": [2.0, 2.0, 5.0],
            "diff": [1.0, 0.0, np.nan],
            "ci_low": [0.5, np.nan, np.nan],
            "ci_high": [1.5, np.nan, np.nan],
            "n": 4,
        }
    )
    (trace,) = effects_forest(table, lang="en").data
    assert list(trace.y) == ["a", "b"]  # no difference, no row
    assert list(trace.marker.symbol) == ["circle", "circle-open"]


# --- money --------------------------------------------------------------------------------


def test_sankey_flows_sum_to_the_budget(programme_run) -> None:
    fig = budget_sankey(programme_run.state_money, programme_run.timeseries, lang="en")
    (sankey,) = fig.data
    assert isinstance(sankey, go.Sankey)
    nodes = sankey.meta["nodes"]
    source = np.asarray(sankey.link.source)
    target = np.asarray(sankey.link.target)
    value = np.asarray(sankey.link.value)
    money = programme_run.state_money.groupby("replication")["budget_msek"].sum().mean()
    assert money > 0
    assert value[source == nodes["budget"]].sum() == pytest.approx(money)
    granted = programme_run.state_money.groupby("replication")["granted_msek"].sum().mean()
    assert value[target == nodes["granted"]].sum() == pytest.approx(granted)
    assert value[source == nodes["granted"]].sum() == pytest.approx(granted)
    labels = sankey.node.label
    assert labels[nodes["budget"]].startswith("Budget: 1,000.0 MSEK")
    assert any(text.startswith("Trial grants paid") for text in labels)
    assert "3 replications" in fig.layout.title.text


def test_sankey_splits_grants_and_capacity_by_size_class(programme_run) -> None:
    reference = load_municipalities()
    fig = budget_sankey(
        programme_run.state_money,
        lang="sv",
        received=programme_run.money_received,
        reference=reference,
    )
    (sankey,) = fig.data
    nodes = sankey.meta["nodes"]
    source = np.asarray(sankey.link.source)
    target = np.asarray(sankey.link.target)
    value = np.asarray(sankey.link.value)
    classes = [key for key in nodes if key.startswith("size:")]
    assert classes == [f"size:{c}" for c in ("<10k", "10-20k", "20-50k", "50-100k", ">=100k")]
    received = programme_run.money_received.groupby("replication").sum(numeric_only=True).mean()
    into_classes = np.isin(target, [nodes[c] for c in classes])
    assert value[(source == nodes["granted"]) & into_classes].sum() == pytest.approx(
        received["grants_msek"]
    )
    assert value[(source == nodes["capacity"]) & into_classes].sum() == pytest.approx(
        received["capacity_msek"]
    )
    # Capacity building and the rest together make up "other use" (administered).
    administered = programme_run.state_money.groupby("replication")["administered_msek"]
    assert value[source == nodes["administered"]].sum() == pytest.approx(administered.sum().mean())
    assert sankey.node.label[nodes["size:<10k"]].startswith("Kommuner <10k")


def test_sankey_from_known_flows_with_risk_refunds() -> None:
    money = pd.DataFrame(
        {
            "replication": [0, 0, 1, 1],
            "month": [1, 2, 1, 2],
            "budget_msek": [50.0, 50.0, 50.0, 50.0],
            "granted_msek": [10.0, 20.0, 20.0, 10.0],
            "administered_msek": [10.0, 10.0, 10.0, 10.0],
            "unspent_msek": [25.0, 15.0, 15.0, 25.0],
            "risk_refunds_msek": [0.0, 4.0, 0.0, 2.0],
            "held_msek": [5.0, 10.0, 10.0, 10.0],
        }
    )
    timeseries = pd.DataFrame(
        {
            "replication": [0, 0, 1, 1],
            "month": [2, 2, 2, 2],
            "innovation": ["p", "q", "p", "q"],
            "state_spending_msek": [34.0, 0.0, 20.0, 12.0],
            "risk_refunds_msek": [4.0, 0.0, 0.0, 2.0],
        }
    )
    (sankey,) = budget_sankey(money, timeseries).data
    nodes = sankey.meta["nodes"]
    flows = {
        (s, t): v
        for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value, strict=True)
    }
    assert flows[(nodes["budget"], nodes["granted"])] == pytest.approx(30.0)
    assert flows[(nodes["budget"], nodes["administered"])] == pytest.approx(20.0)
    assert flows[(nodes["budget"], nodes["unspent"])] == pytest.approx(40.0)
    assert flows[(nodes["budget"], nodes["held"])] == pytest.approx(10.0)
    assert flows[(nodes["granted"], nodes["innovation:p"])] == pytest.approx(25.0)
    assert flows[(nodes["granted"], nodes["innovation:q"])] == pytest.approx(5.0)
    assert flows[(nodes["risk_refunds"], nodes["innovation:p"])] == pytest.approx(2.0)
    assert flows[(nodes["risk_refunds"], nodes["innovation:q"])] == pytest.approx(1.0)
    assert sankey.node.label[nodes["budget"]] == "Budget: 100,0 MSEK"


def test_state_spending_is_cumulative_with_band(programme_run) -> None:
    money = programme_run.state_money
    fig = state_spending_over_time(money, lang="en")
    name = text("spending_all", "en")
    assert_band_encloses_mean(fig, name)
    totals = money.groupby("replication")[
        ["granted_msek", "administered_msek", "risk_refunds_msek"]
    ].sum()
    assert bands(fig, name)[2].y[-1] == pytest.approx(totals.sum(axis=1).mean())
    budget = next(t for t in fig.data if t.name == "Budget, cumulative")
    assert budget.y[-1] == pytest.approx(1000.0) and budget.line.dash == "dash"
    assert fig.layout.yaxis.title.text == "Cumulative state spending (MSEK)"
    per_innovation = state_spending_over_time(programme_run.timeseries)
    assert len(means(per_innovation)) == 5
    assert per_innovation.layout.yaxis.title.text == "Kumulativa statliga utgifter (MSEK)"
    assert_band_encloses_mean(per_innovation, "digital_night_supervision")


# --- market -------------------------------------------------------------------------------


def test_market_panels_show_products_only(programme_run) -> None:
    fig = supplier_market(programme_run.timeseries, lang="en")
    products = ["digital_night_supervision", "e_service", "vr_training_tool"]
    assert len(fig.data) == 3 * 3 * len(products)
    assert [t.name for t in means(fig)][:3] == products
    assert sum(t.showlegend for t in means(fig)) == len(products)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["Active suppliers", "Mean price", "Market concentration"]
    assert fig.layout.yaxis2.title.text == "SEK per inhabitant per year"
    for panel in ("suppliers_active", "mean_price", "market_concentration"):
        assert_band_encloses_mean(fig, "e_service", panel)
    one = supplier_market(programme_run.timeseries, innovation="e_service")
    assert {t.name for t in means(one)} == {"e_service"}
    assert one.layout.annotations[0].text == "Aktiva leverantörer"


# --- sensitivity --------------------------------------------------------------------------


@pytest.fixture
def sobol() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": ["share_10y"] * 3 + ["other"],
            "parameter": ["a", "b", "c", "a"],
            "S1": [0.1, 0.5, 0.05, 0.9],
            "S1_conf": [0.02, 0.05, 0.01, 0.1],
            "ST": [0.3, 0.6, 0.05, 0.9],
            "ST_conf": [0.03, 0.06, 0.02, 0.1],
        }
    )


def test_sobol_bars_sorted_by_total_index_with_conf_bars(sobol) -> None:
    fig = sobol_indices(sobol, "share_10y", lang="en")
    s1, st = fig.data
    assert isinstance(s1, go.Bar) and [s1.name, st.name] == [
        "First-order index (S1)",
        "Total index (ST)",
    ]
    assert list(st.x) == ["b", "a", "c"] and list(s1.x) == ["b", "a", "c"]
    assert np.allclose(st.y, [0.6, 0.3, 0.05]) and np.allclose(st.error_y.array, [0.06, 0.03, 0.02])
    assert np.allclose(s1.error_y.array, [0.05, 0.02, 0.01])
    assert fig.layout.barmode == "group"
    assert sobol_indices(sobol, "share_10y").layout.yaxis.title.text == "Andel av utfallets varians"


def test_morris_points_are_labelled() -> None:
    morris = pd.DataFrame(
        {
            "outcome": "y",
            "parameter": ["a", "b"],
            "mu_star": [1.0, 3.0],
            "mu_star_conf": [0.1, 0.4],
            "sigma": [0.5, 2.0],
        }
    )
    (trace,) = morris_plot(morris, "y").data
    assert list(trace.text) == ["a", "b"] and np.allclose(trace.x, [1.0, 3.0])
    assert np.allclose(trace.y, [0.5, 2.0]) and np.allclose(trace.error_x.array, [0.1, 0.4])
    assert "text" in trace.mode


def test_response_surface_line_and_heatmap() -> None:
    grid = pd.DataFrame(
        [(a, b) for a in (0.1, 0.2, 0.3) for b in (1, 2)], columns=["alpha", "beta"]
    )
    response = grid.assign(
        outcome="y",
        mean=grid["alpha"] * 10 + grid["beta"],
        ci_low=lambda t: t["mean"] - 0.5,
        ci_high=lambda t: t["mean"] + 0.5,
        n=8,
    )
    line = response_surface(response[response["beta"] == 1], "alpha", outcome="y", lang="en")
    lower, upper, mean = line.data
    assert np.allclose(mean.y, [2.0, 3.0, 4.0])
    assert np.allclose(lower.y, [1.5, 2.5, 3.5]) and np.allclose(upper.y, [2.5, 3.5, 4.5])
    assert upper.name == "95 % confidence interval" and line.layout.xaxis.title.text == "alpha"
    heat = response_surface(response, "alpha", "beta", outcome="y")
    (trace,) = heat.data
    assert isinstance(trace, go.Heatmap)
    assert np.allclose(trace.z, [[2.0, 3.0, 4.0], [3.0, 4.0, 5.0]])
    assert list(trace.x) == [0.1, 0.2, 0.3] and list(trace.y) == [1, 2]
    assert heat.layout.yaxis.title.text == "beta"
