"""The report: built from real small runs, opens with no network, has its sections, and
its key findings quote numbers with intervals in the chosen language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser import CHROMIUM_ARGS

from experiments.cli import main
from experiments.compare import effects
from experiments.run import run_scenario, write_run
from experiments.storage import now
from experiments.summary import adoption_milestones
from model.scenario import load_scenario
from viz.findings import effect_sentence, milestone_findings
from viz.report import ReportError, build_report, write_report

ARTIFACTS = Path(__file__).parent / "artifacts"
SECTIONS = ("id='findings'", "id='assumptions'", "id='figures'", "id='manifest'")


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compare")
    runs = [
        run_scenario(
            load_scenario(name).with_overrides({"run.months": 72}), 3, seed=2, progress=False
        )
        for name in ("baseline", "programme")
    ]
    for results, sub in zip(runs, ("a", "b"), strict=True):
        write_run(results, folder / sub, now())
    effects(*runs).to_csv(folder / "effects.csv", index=False)
    return folder


def test_comparison_report_has_sections_and_quotable_findings(comparison: Path) -> None:
    text = build_report(comparison, lang="sv")
    for section in SECTIONS:
        assert section in text
    findings = re.findall(r"<li>(.*?)</li>", text.split("id='assumptions'")[0])
    assert len(findings) >= 5
    first = findings[0]
    assert "programme" in first and "baseline" in first
    assert "95 %-konfidensintervall" in first and "procentenheter" in first
    assert re.search(r"[+−]\d+,\d", first), "a signed number with a Swedish decimal comma"
    # The programme is among the assumptions that differ from the defaults.
    assert "programme.enabled" in text
    # Effects table (measures in words) and manifest are there.
    assert "Andel som har infört efter 10 år" in text and "replication_seeds" in text


def test_english_report(comparison: Path) -> None:
    text = build_report(comparison, lang="en")
    assert "Key findings" in text and "95 % confidence interval" in text
    assert "Huvudresultat" not in text


def test_report_is_self_contained_and_renders_offline_in_a_browser(comparison: Path) -> None:
    path = write_report(comparison, comparison / "report.html", lang="sv")
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", text), "no external script"
    assert text.count("plotly-graph-div") >= 8
    chromium = shutil.which("chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make test installs it when it can)")
    requested: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})

        def block_network(route) -> None:  # any request leaving the file is refused and noted
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                requested.append(route.request.url)
                route.abort()

        page.route("**/*", block_network)
        page.goto(path.as_uri())
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot').length =="
            " document.querySelectorAll('.plotly-graph-div').length",
            timeout=30_000,
        )
        drawn = page.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length")
        # filled municipality shapes in each map figure (0 for figures that are not maps)
        shapes = page.evaluate(
            "[...document.querySelectorAll('.js-plotly-plot')].map(plot => [...plot"
            ".querySelectorAll('path.choroplethlocation')].filter(p => p.getAttribute('d')"
            " && getComputedStyle(p).fill.startsWith('rgb')).length).filter(n => n > 0)"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"))
        browser.close()
    assert requested == []
    assert drawn >= 8
    # with the network blocked, every map draws all 290 municipalities as filled shapes:
    # per innovation the probability and the difference map, and the money map
    assert shapes == [290] * 11, shapes


def test_swedish_report_names_innovations_by_label_and_translates_tables(
    comparison: Path,
) -> None:
    page = build_report(comparison, lang="sv")
    read = page.split("id='manifest'")[0]  # the manifest appendix is the raw record
    scenario = load_scenario("programme")
    for innovation in scenario.innovations:
        assert innovation.label_sv and innovation.label_sv in read
        assert innovation.name not in read, innovation.name
    for header in ("effekt (B − A)", "95 %-KI nedre", "mått", "försökstid (månader)"):
        assert f"<th>{header}</th>" in read
    tables = read.split("id='tables'")[1]  # measures in words (figures keep ids in meta only)
    assert "adoption_share_10y" not in tables and "<th>diff</th>" not in tables


def test_run_report_quotes_months_to_half(comparison: Path) -> None:
    text = build_report(comparison / "b", lang="en")
    findings = re.findall(r"<li>(.*?)</li>", text.split("id='assumptions'")[0])
    assert len(findings) == 5  # one per innovation
    # Oracle: the first month each replication's adoption share reaches one half, read
    # from the run's timeseries table (in 6 years of this run, none reaches it; the
    # sentences with months are checked on a hand-made table below).
    ts = pd.read_parquet(comparison / "b" / "timeseries.parquet")
    half = ts[ts["adoption_share"] >= 0.5].astype({"innovation": str})
    first = half.groupby(["innovation", "replication"])["month"].min()
    labels = {i.name: i.label_en for i in load_scenario("programme").innovations}
    for sentence, innovation in zip(findings, ts["innovation"].cat.categories, strict=True):
        months = first[innovation].to_numpy() if innovation in first.index else []
        label = labels[innovation]  # the report names innovations by their labels
        if len(months) == 0:
            assert sentence == (
                f"{label}: half of the municipalities never adopted within the run "
                "(3 replications)."
            )
            continue
        assert sentence.startswith(
            f"{label}: half of the municipalities had adopted after "
            f"{np.median(months):,.0f} months (median; "
        ), sentence
        assert sentence.endswith(f"reached 50 % in {len(months)} of 3 replications)."), sentence


def test_milestones_quote_the_first_month_at_one_half() -> None:
    """x reaches one half in months 3 and 5 (and dips after), and never in replication 2."""
    shares = {
        ("x", 0): [0.1, 0.4, 0.5, 0.45, 0.6, 0.7],
        ("x", 1): [0.0, 0.1, 0.2, 0.3, 0.55, 0.6],
        ("x", 2): [0.0, 0.1, 0.2, 0.3, 0.4, 0.49],
        ("y", 0): [0.0] * 6,
        ("y", 1): [0.0] * 6,
        ("y", 2): [0.3] * 6,
    }
    table = pd.DataFrame(
        [
            (replication, month, innovation, share)
            for (innovation, replication), values in shares.items()
            for month, share in enumerate(values, start=1)
        ],
        columns=["replication", "month", "innovation", "adoption_share"],
    )
    milestones = adoption_milestones(table).set_index(["innovation", "threshold"])
    assert milestones.loc[("x", 0.5), "reached"] == 2
    assert milestones.loc[("x", 0.5), "median_month"] == 4.0
    assert milestones.loc[("x", 0.1), "median_month"] == 2.0  # months 1, 2 and 2
    assert milestones.loc[("y", 0.1), "reached"] == 1
    assert milestones.loc[("x", 0.9), "reached"] == 0
    assert milestone_findings(adoption_milestones(table), "en") == [
        "x: half of the municipalities had adopted after 4 months (median; 10-90 %: 3-5 "
        "months; reached 50 % in 2 of 3 replications).",
        "y: half of the municipalities never adopted within the run (3 replications).",
    ]
    assert milestone_findings(adoption_milestones(table), "sv")[0] == (
        "x: hälften av kommunerna hade infört efter 4 månader (median; 10–90 %: 3–5 månader; "
        "nådde 50 % i 2 av 3 replikeringar)."
    )


def test_interval_containing_zero_is_said_plainly() -> None:
    row = pd.Series(
        {
            "metric": "adoption_share_10y",
            "mean_a": 0.30,
            "mean_b": 0.31,
            "diff": 0.01,
            "ci_low": -0.02,
            "ci_high": 0.04,
            "n": 10,
        }
    )
    sentence = effect_sentence(row, "A", "B", "en")
    assert "includes zero" in sentence and "+1.0 percentage points" in sentence
    sentence = effect_sentence(row, "A", "B", "sv")
    assert "inte säkerställd" in sentence and "+1,0 procentenheter" in sentence


def test_bad_folders_are_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ReportError, match="not a result folder"):
        build_report(tmp_path)
    assert main(["report", str(tmp_path)]) == 2
    assert "not a result folder" in capsys.readouterr().err
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "manifest.json").write_text('{"kind": "sweep", "definition": {"experiment": {}}}')
    with pytest.raises(ReportError, match="spridning analyse"):
        build_report(sweep)
