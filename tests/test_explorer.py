"""The interactive explorer (viz/app.py): form values become the right scenario overrides,
every bad value is refused with a message naming its field, runs are cached, the sweep
tab says plainly when there is nothing to show, and in a real browser a lever changes
the figures while a bad value shows a message and leaves the page working."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from browser import CHROMIUM_ARGS

from viz.app import create_app, run_request
from viz.app_figures import (
    adoption_figure,
    clicked_municipality,
    map_figure,
    map_story,
    sankey_figure,
    spending_figure,
    summary,
)
from viz.app_inputs import (
    FIELDS,
    InputError,
    build_scenario,
    component_id,
    counties,
    dom_id,
    form_values,
    is_modified,
    library,
    library_scenario,
    parse_form,
)
from viz.app_runs import RunCache
from viz.app_sweep import SweepUnavailable, innovations, load_sweep, outcomes, sweep_items
from viz.words import EN, SV

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")


def css(name: str) -> str:
    """A CSS selector for the control of register parameter ``name``."""
    return f"[id='{dom_id(component_id(name))}']"


def form(name: str = "programme", **changes: object) -> dict[str, object]:
    """The form as the page shows it for a library scenario, with ``changes`` by register name."""
    values = form_values(library_scenario(name))
    return {**values, "replications": 4, "seed": 1, "posterior": [], **changes}


def problems(name: str = "programme", lang: str = "sv", **changes: object) -> str:
    """The message for a form that must be refused (by parse_form or build_scenario)."""
    with pytest.raises(InputError) as refused:
        build_scenario(parse_form(name, form(name, **changes), lang), lang)
    return str(refused.value)


# --- form -> overrides ---------------------------------------------------------------


def test_good_input_gives_the_dotted_overrides() -> None:
    request = parse_form(
        "programme",
        form(
            **{
                "programme.annual_budget_msek": 400,
                "programme.targeting": "small",
                "programme.years": 7.0,
                "trial_legislation.enabled": ["on"],
                "trial_legislation.counties": ["14", "01"],
                "shared_procurement.enabled": ["on"],
                "shared_procurement.consortia": "national",
                "shared_procurement.risk_share": 0.3,
            },
            replications=8,
            seed=7,
        ),
    )
    assert set(request.overrides) == {f.name for f in FIELDS}
    o = request.overrides
    assert o["programme.annual_budget_msek"] == 400.0
    assert o["programme.years"] == 7 and isinstance(o["programme.years"], int)
    assert o["programme.targeting"] == "small"
    assert o["programme.enabled"] is True
    assert o["trial_legislation.enabled"] is True
    assert o["trial_legislation.counties"] == ["14", "01"]
    assert o["shared_procurement.consortia"] == "national"
    assert o["shared_procurement.risk_share"] == 0.3
    assert o["process_fund.enabled"] is False
    assert (request.scenario, request.replications, request.seed) == ("programme", 8, 7)

    scenario = build_scenario(request)
    assert scenario.programme.annual_budget_msek == 400.0
    assert scenario.trial_legislation.counties == ["14", "01"]
    assert scenario.shared_procurement.risk_share == 0.3
    assert is_modified(scenario, "programme")


@pytest.mark.parametrize("name", library())
def test_an_untouched_form_gives_back_the_library_scenario(name: str) -> None:
    scenario = build_scenario(parse_form(name, form(name)))
    assert scenario == library_scenario(name)
    assert not is_modified(scenario, name)


def test_the_form_is_prefilled_from_the_scenario() -> None:
    values = form_values(library_scenario("skr_position"))
    assert values["programme.enabled"] == ["on"]
    assert values["process_fund.enabled"] == []
    assert values["trial_legislation.counties"] == ["01", "12", "14", "23"]
    assert values["programme.annual_budget_msek"] == 200.0
    assert len(counties()) == 21


# --- bad input -> a message naming the field --------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("programme.annual_budget_msek", "abc", "måste vara ett tal, fick 'abc'"),
        ("programme.annual_budget_msek", None, "måste vara ett tal, fick inget värde"),
        ("programme.annual_budget_msek", float("nan"), "måste vara ett tal"),
        ("programme.years", 2.5, "måste vara ett heltal, fick 2,5"),
        ("programme.years", True, "måste vara ett tal"),
        ("programme.enabled", "yes", "måste vara på eller av"),
        ("programme.targeting", "everyone", "måste vara ett av all, low_capacity, small, central"),
        ("shared_procurement.consortia", None, "måste vara ett av county, national"),
        ("trial_legislation.counties", "14", "måste vara en lista med länskoder"),
        ("trial_legislation.counties", ["99"], "okända län ['99']"),
    ],
)
def test_a_wrong_type_names_the_field(field: str, value: object, expected: str) -> None:
    chosen = next(f for f in FIELDS if f.name == field)
    message = problems(**{field: value})
    assert f"[{chosen.name}]" in message
    assert SV[chosen.name] in message
    assert expected in message


def test_out_of_range_is_said_in_the_pages_language_with_key_and_range() -> None:
    message = problems(**{"programme.annual_budget_msek": -5})
    assert "Årlig budget (MSEK) [programme.annual_budget_msek]" in message
    assert "måste vara minst 0, fick -5 (tillåtet 0 till 5\u00a0000)" in message
    assert "Input should" not in message and "allowed" not in message
    english = problems(lang="en", **{"programme.annual_budget_msek": -5})
    assert "Annual budget (MSEK) [programme.annual_budget_msek]" in english
    assert "must be at least 0, got -5 (allowed 0 to 5,000)" in english
    message = problems(**{"programme.share_grants": -0.5, "programme.share_capacity": 1.3})
    assert "Andel prövningsbidrag [programme.share_grants]: måste vara minst 0" in message
    assert "[programme.share_capacity]: måste vara högst 1, fick 1,3" in message
    message = problems(**{"trial_legislation.start_month": 0})
    assert "[trial_legislation.start_month]: måste vara minst 1, fick 0" in message
    assert "(tillåtet 1 till 1\u00a0200)" in message


def test_shares_that_do_not_sum_to_one_are_refused() -> None:
    message = problems(**{"programme.share_grants": 0.9})
    assert "måste summera till 1, de summerar till 1,400" in message
    for label in ("Andel prövningsbidrag", "Andel administration"):
        assert label in message
    english = problems(lang="en", **{"programme.share_grants": 0.9})
    assert "must sum to 1, they sum to 1.400" in english and "Share to trial grants" in english


def test_an_enabled_trial_law_needs_a_zone() -> None:
    message = problems(**{"trial_legislation.enabled": ["on"], "trial_legislation.counties": []})
    assert "[trial_legislation.counties]" in message
    assert "ingen zon är vald" in message
    # off without a zone is fine
    parse_form("programme", form(**{"trial_legislation.counties": []}))


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("replications", 0, "måste vara mellan 1 och 16, fick 0"),
        ("replications", 17, "måste vara mellan 1 och 16, fick 17"),
        ("replications", "4", "måste vara ett heltal, fick '4'"),
        ("seed", -1, "måste vara mellan 0 och"),
        ("seed", None, "måste vara ett heltal, fick inget värde"),
        ("posterior", 5, "måste vara på eller av, fick 5"),
        ("posterior", ["yes"], "måste vara på eller av"),
    ],
)
def test_run_settings_are_checked(field: str, value: object, expected: str) -> None:
    message = problems(**{field: value})
    assert message.startswith(SV[field]) and expected in message


def test_every_problem_is_reported_at_once_and_unknown_scenarios_too() -> None:
    with pytest.raises(InputError) as refused:
        parse_form("programme", form(**{"programme.years": "x", "seed": -3}))
    assert len(refused.value.problems) == 2
    with pytest.raises(InputError, match="okänt scenario 'nope'; biblioteket har .*baseline"):
        parse_form("nope", form())


def test_a_failing_run_says_so_without_any_internal_text(monkeypatch, caplog) -> None:
    cache = RunCache()

    def explode(*args, **kwargs):
        raise RuntimeError("boom\n  deep inside the model at /secret/path.py")

    monkeypatch.setattr(cache, "compare", explode)
    comparison, message = run_request(cache, "programme", form(), "sv")
    assert comparison is None
    assert message == "Körningen misslyckades"  # what went wrong is in the log only
    assert "boom" in caplog.text
    comparison, message = run_request(cache, "programme", form(seed="x"), "en")
    assert comparison is None and message.startswith("Invalid value:\n• Seed")
    comparison, message = run_request(cache, "programme", form(seed="x" * 100_000), "en")
    assert comparison is None and len(message) < 400  # a refused value is quoted, clipped


def test_every_form_label_is_keyed_by_register_name_in_both_languages() -> None:
    assert set(SV) == set(EN)
    for field in FIELDS:
        assert field.name in SV
        for choice in field.choices:
            assert f"{field.name}.{choice}" in SV


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_page_is_built_in_its_language(lang: str) -> None:
    page = str(create_app(lang=lang).layout())
    words = {"sv": SV, "en": EN}[lang]
    assert words["page_title"] in page and words["programme.annual_budget_msek"] in page


# --- runs, cache and figures -----------------------------------------------------------


def test_runs_are_cached_and_figures_drawn() -> None:
    cache = RunCache()
    scenario = build_scenario(parse_form("programme", form(replications=2)))
    first = cache.compare(scenario, "programme", 2, 1)
    assert first.ran == "both" and first.seconds > 0
    again = cache.compare(scenario, "programme", 2, 1)
    assert again.ran == "none" and again.seconds == 0 and again.results is first.results
    other = scenario.model_copy(update={"name": "other"})
    assert cache.compare(other, "other", 2, 1).ran == "scenario"  # baseline from cache
    assert cache.get(first.key) is again and cache.get("unknown") is None

    names = {t.name for t in adoption_figure(first, None, "sv").data if t.meta["role"] == "mean"}
    assert any(n.startswith("programme") for n in names)
    assert any(n.startswith("baslinje") for n in names)
    assert map_figure(first, "e_service", "sv").data
    assert sankey_figure(first, "sv").data[0].type == "sankey"
    assert spending_figure(first, "en").data
    result = summary(first, "sv")
    assert result.lines[0].startswith("programme: efter 10 år har i genomsnitt")
    assert len(result.rows) == 5 and result.rows[0][0] == "Digital nattillsyn"


def test_a_clicked_municipality_tells_the_story_of_the_maps_replication() -> None:
    """The story reruns replication 0 alone with events: the same numbers as the map's run,
    and its scale-up is the month the map colours Kiruna by."""
    cache = RunCache()
    scenario = build_scenario(parse_form("programme", form(replications=3)))
    comparison = cache.compare(scenario, "programme", 3, 2)
    tables = cache.story_tables(comparison)
    assert cache.story_tables(comparison) is tables  # kept: a second click does not rerun
    mine = tables["municipalities"]
    batch = comparison.results.municipalities
    pd.testing.assert_frame_equal(
        mine.reset_index(drop=True), batch[batch["replication"] == 0].reset_index(drop=True)
    )
    click = {"points": [{"location": "2584", "z": 1}]}
    code = clicked_municipality(click)
    lines = map_story(comparison, tables, code, "e_service", "en")
    assert lines[0].startswith("Kiruna (2584") and "E-service for citizens" in lines[0]
    kiruna = batch.query("replication == 0 and kommunkod == '2584' and innovation == 'e_service'")
    month = kiruna["adopted_month"].iloc[0]
    scaled = [line for line in lines if "scales E-service for citizens up" in line]
    if pd.isna(month):
        assert scaled == []
    else:
        year, within = divmod(int(month) - 1, 12)
        assert scaled[0].startswith(f"{scenario.run.start_year + year}-{within + 1:02d}: ")
    assert clicked_municipality({"points": []}) is None


def test_the_posterior_toggle_runs_each_replication_with_a_draw(monkeypatch, tmp_path) -> None:
    """With the toggle on, replication i of both runs takes draw i of the posterior, and
    the summary says the bands cover the parameters; off, that they do not."""
    from test_posterior_compare import write_posterior

    from model.model import DiffusionModel
    from model.outputs import build_tables
    from model.streams import replication_seeds
    from viz import app_runs

    monkeypatch.setattr(app_runs, "DEFAULT_POSTERIOR", str(write_posterior(tmp_path)))
    request = parse_form("baseline", form("baseline", replications=2, posterior=["on"]))
    assert request.posterior
    scenario = build_scenario(request).with_overrides({"run.months": 36})
    cache = RunCache()
    with_draws = cache.compare(scenario, "b", 2, 1, posterior=True)
    assert with_draws.posterior == (
        "decision.hurdle",
        "awareness.county",
        "suppliers.entrant_capacity",
    )
    values = app_runs.posterior_overrides(2)[0][1]
    alone = build_tables(
        DiffusionModel(scenario.with_overrides(values), seed=replication_seeds(1, 2)[1]).run()
    )["timeseries"]
    stored = with_draws.results.timeseries
    pd.testing.assert_frame_equal(
        stored[stored["replication"] == 1].drop(columns="replication").reset_index(drop=True),
        alone.drop(columns="replication").reset_index(drop=True),
        check_categorical=False,
    )
    assert any("osäkerheten i parametrarna" in line for line in summary(with_draws, "sv").lines)
    plain = cache.compare(scenario, "b", 2, 1)
    assert plain.key != with_draws.key and plain.posterior == ()
    assert any("bara slumpen" in line for line in summary(plain, "sv").lines)


def test_a_scenario_without_money_gets_a_placeholder() -> None:
    cache = RunCache()
    comparison = cache.compare(library_scenario("baseline"), "baseline", 1, 1)
    # The baseline against itself is one run: the scenario's run is the cached baseline.
    assert comparison.ran == "baseline" and comparison.results is comparison.baseline
    assert sankey_figure(comparison, "sv").layout.meta == {"placeholder": True}
    assert summary(comparison, "en").lines[0].startswith("baseline: after 10 years")


# --- the sweep tab ---------------------------------------------------------------------


def make_sweep(folder: Path, design: str = "grid") -> Path:
    """A small analysed sweep: two parameters on a grid, two innovations plus "all"."""
    (folder / "analysis").mkdir(parents=True)
    manifest = {
        "kind": "sweep",
        "points": 4,
        "definition": {"experiment": {"name": "tiny", "design": design}, "parameters": []},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rows = []
    for budget in (100, 400):
        for years in (3, 5):
            for innovation in ("all", "a", "b"):
                for outcome in ("adoption_share_10y", "effect_adoption_share_10y"):
                    mean = budget / 1000 + years / 100 + (innovation == "a")
                    rows.append(
                        (budget, years, innovation, outcome, mean, mean - 0.01, mean + 0.01, 8)
                    )
    columns = ["programme.annual_budget_msek", "programme.years", "innovation", "outcome"]
    pd.DataFrame(rows, columns=[*columns, "mean", "ci_low", "ci_high", "n"]).to_csv(
        folder / "analysis" / "response.csv", index=False
    )
    sobol = [
        ("adoption_share_10y", innovation, parameter, 0.3, 0.05, 0.4, 0.05)
        for innovation in ("all", "a")
        for parameter in ("programme.annual_budget_msek", "programme.years")
    ]
    pd.DataFrame(
        sobol, columns=["outcome", "innovation", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    ).to_csv(folder / "analysis" / "sobol.csv", index=False)
    return folder


def test_sweep_tab_reads_an_analysed_sweep(tmp_path: Path) -> None:
    sweep = load_sweep(make_sweep(tmp_path / "sweep"))
    assert sweep.parameters == ["programme.annual_budget_msek", "programme.years"]
    assert outcomes(sweep) == ["adoption_share_10y", "effect_adoption_share_10y"]
    assert innovations(sweep) == ["all", "a", "b"]
    x, y = sweep.parameters
    heatmap, bars = sweep_items(sweep, "adoption_share_10y", "a", x, y, "sv")
    assert heatmap.data[0].type == "heatmap"
    assert min(min(row) for row in heatmap.data[0].z) > 1  # innovation "a" only
    assert bars.data[0].type == "bar"
    held, line, missing = sweep_items(sweep, "effect_adoption_share_10y", "b", x, None, "en")
    assert held == "Other parameters held at: programme.years = 3"
    assert line.layout.title.text.startswith("Outcome effect_adoption_share_10y")
    assert list(line.data[-1].x) == [100, 400]
    assert list(line.data[-1].y) == pytest.approx([0.13, 0.43])
    assert missing == "Sobol indices: nothing for this outcome and innovation."


def test_sweep_tab_says_plainly_what_is_missing(tmp_path: Path) -> None:
    def reason(folder: Path | None) -> str:
        with pytest.raises(SweepUnavailable) as unavailable:
            load_sweep(folder)
        return str(unavailable.value)

    assert "Ingen svepmapp är angiven" in reason(None)
    assert "finns inte" in reason(tmp_path / "nowhere")
    assert "manifest.json saknas" in reason(tmp_path)
    (tmp_path / "manifest.json").write_text('{"kind": "run"}', encoding="utf-8")
    assert "kind = 'run'" in reason(tmp_path)
    (tmp_path / "manifest.json").write_text('{"kind": "sweep"}', encoding="utf-8")
    assert f"spridning analyse {tmp_path}" in reason(tmp_path)
    lhs = load_sweep(make_sweep(tmp_path / "lhs", design="lhs"))
    notes = sweep_items(lhs, "adoption_share_10y", "all", "programme.years", None, "sv")
    assert notes[0] == "Svarsytan visas bara för rutnätsdesign (den här är lhs)."


# --- in a real browser -----------------------------------------------------------------

# The adoption figure's mean lines as text (y may arrive base64-encoded: compare it as is).
ADOPTION_DATA = """() => {
    const graph = document.querySelector('#adoption-graph .js-plotly-plot');
    if (!graph || !graph.data) return null;
    const means = graph.data.filter(t => t.meta && t.meta.role === 'mean');
    return means.length ? JSON.stringify(means.map(t => [t.name, t.y])) : null;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Position of Kiruna's shape among the map's polygons (first trace: adopted by the last year,
# second: not): plotly draws one path per location, in the traces' order.
KIRUNA_INDEX = """() => {
    const graph = document.querySelector('#map-graph .js-plotly-plot');
    let index = 0;
    for (const trace of graph.data) {
        const at = (trace.locations || []).indexOf('2584');
        if (at >= 0) return index + at;
        index += (trace.locations || []).length;
    }
    return -1;
}"""


def redraw_times(page, runs: int) -> list[float]:
    """Seconds from the run button to new adoption curves, ``runs`` times, each with a new
    budget at 10 replications (the baseline's 10 replications come from the cache), each
    click on a page that has finished drawing the run before."""
    handle = page.locator("#replications [role='slider']").first
    handle.focus()
    for _ in range(10):  # from the default 4 to 10, one step a key press
        if handle.get_attribute("aria-valuenow") == "10":
            break
        handle.press("ArrowRight")
    assert handle.get_attribute("aria-valuenow") == "10"
    page.fill(css("programme.annual_budget_msek"), "250")
    before = page.evaluate(ADOPTION_DATA)
    page.click("#run-button")  # runs both at 10 replications: the baseline is then cached
    page.wait_for_function(
        f"(before) => {{ const now = ({ADOPTION_DATA})(); return now && now !== before; }}",
        arg=before,
        timeout=60_000,
    )
    times = []
    for k in range(runs):
        page.wait_for_load_state("networkidle")  # the last run's map and money are drawn
        page.wait_for_timeout(300)
        page.fill(css("programme.annual_budget_msek"), str(410 + 10 * k))
        before = page.evaluate(ADOPTION_DATA)
        started = time.perf_counter()
        page.click("#run-button")
        page.wait_for_function(
            f"(before) => {{ const now = ({ADOPTION_DATA})(); return now && now !== before; }}",
            arg=before,
            timeout=60_000,
            polling=20,
        )
        times.append(time.perf_counter() - started)
    return times


@pytest.fixture
def explorer(tmp_path: Path):
    """The explorer served by werkzeug in a daemon thread; yields its URL."""
    from werkzeug.serving import make_server

    app = create_app(results=make_sweep(tmp_path / "sweep"), lang="sv")
    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                assert response.status == 200
                break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield url
    server.shutdown()
    thread.join(timeout=5)


def test_in_a_browser_a_lever_changes_the_figures_and_bad_values_get_a_message(
    explorer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python package is not installed"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            outside: list[str] = []

            def record(request) -> None:
                if not request.url.startswith(explorer):
                    outside.append(request.url)

            page.on("request", record)
            page.goto(explorer)
            # the default scenario runs when the page opens
            page.wait_for_function(ADOPTION_DATA, timeout=20_000)
            before = page.evaluate(ADOPTION_DATA)
            assert "programme · Digital nattillsyn" in before  # innovations by their labels
            assert "baslinje · Digital nattillsyn" in before
            page.wait_for_selector("#map-graph .js-plotly-plot .choroplethlocation", timeout=10_000)

            page.fill(css("programme.annual_budget_msek"), "400")
            page.check(f"{css('programme.targeting')} input[value='small']")
            page.click("#run-button")
            page.wait_for_function(
                f"(before) => {{ const now = ({ADOPTION_DATA})(); return now && now !== before; }}",
                arg=before,
                timeout=20_000,
            )
            assert "programme (ändrat)" in page.evaluate(ADOPTION_DATA)
            assert page.inner_text("#message") == ""
            # the summary has its own callback: it may arrive after the curves
            page.wait_for_function(
                "() => document.querySelector('#summary').innerText.includes('programme (ändrat)')",
                timeout=10_000,
            )

            # ten replications against a cached baseline: time from click to new curves
            timings = redraw_times(page, runs=5)
            line = (
                "explorer, 10 replications against a cached baseline, click to curves: "
                + ", ".join(f"{t:.2f}" for t in timings)
                + f" s (median {sorted(timings)[2]:.2f} s)"
            )
            with capsys.disabled():  # printed in `make test`'s output, not captured
                print(f"\n{line}")
            (ARTIFACTS / "explorer_redraw.txt").write_text(line + "\n", encoding="utf-8")
            assert sorted(timings)[2] < 10, timings  # the target is 2 s; a loaded CI box is slower

            # a click on a municipality tells its story (from the run's event table)
            page.wait_for_selector("#map-graph .js-plotly-plot .choroplethlocation", timeout=10_000)
            kiruna = page.locator("#map-graph path.choroplethlocation").nth(
                page.evaluate(KIRUNA_INDEX)
            )
            kiruna.click(force=True)
            page.wait_for_function(
                "() => document.querySelector('#map-story').innerText.startsWith('Kiruna (2584')",
                timeout=10_000,
            )
            assert "replikering 0" in page.inner_text("#map-story")

            page.fill(css("programme.share_grants"), "0.9")
            page.click("#run-button")
            page.wait_for_function(
                "() => document.querySelector('#message').innerText.includes('summera till 1')",
                timeout=10_000,
            )
            message = page.inner_text("#message")
            assert message.startswith("Ogiltigt värde")
            assert "Andel prövningsbidrag" in message and "1,400" in message
            assert "Traceback" not in page.content()

            page.fill(css("programme.share_grants"), "0.5")
            page.fill(css("programme.annual_budget_msek"), "300")
            changed = page.evaluate(ADOPTION_DATA)
            page.click("#run-button")
            page.wait_for_function(
                f"(before) => {{ const now = ({ADOPTION_DATA})(); return now && now !== before; }}",
                arg=changed,
                timeout=20_000,
            )
            page.wait_for_function(
                "() => document.querySelector('#message').innerText === ''", timeout=5_000
            )
            page.wait_for_timeout(500)  # let the map and the money figures settle
            page.screenshot(path=str(ARTIFACTS / "explorer.png"), full_page=True)

            # choosing another scenario refills the levers from its file
            assert not page.is_checked(f"{css('trial_legislation.enabled')} input")
            page.click("#scenario")
            page.get_by_role("option", name="trial_legislation", exact=True).click()
            page.wait_for_function(
                "(selector) => document.querySelector(selector).checked",
                arg=f"{css('trial_legislation.enabled')} input",
            )
            assert page.input_value(css("programme.annual_budget_msek")) == "200"
            assert page.evaluate("() => document.querySelector('#lever-trial_legislation').open")
            assert not page.is_checked(f"{css('programme.enabled')} input")

            # the posterior toggle: the bands then cover the parameters' uncertainty too
            from experiments.posterior import POSTERIORS

            toggle = "#posterior input[value='on']"
            if (POSTERIORS / "default.parquet").exists():
                assert page.is_enabled(toggle)
                page.check(toggle)
                page.click("#run-button")
                page.wait_for_function(
                    "() => document.querySelector('#summary').innerText"
                    ".includes('osäkerheten i parametrarna')",
                    timeout=60_000,
                )
            else:
                assert not page.is_enabled(toggle)

            page.click("text=Svepresultat")
            page.wait_for_selector("#sweep-figures .js-plotly-plot", timeout=10_000)
            assert "tiny" in page.inner_text("#sweep-header")
            assert outside == [], f"the page fetched from outside localhost: {outside}"
        finally:
            browser.close()


def test_explore_refuses_bad_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from experiments.cli import main

    assert main(["explore", "--results", str(tmp_path / "missing")]) == 2
    assert "--results" in capsys.readouterr().err
    assert main(["explore", "--boundaries", str(tmp_path / "missing.geojson")]) == 2
    assert "--boundaries" in capsys.readouterr().err
