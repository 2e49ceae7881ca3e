"""The one-page brief: printed by headless chromium with no network, read back from the
PDF, and every number in it traced to the comparison's tables."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.compare import effects
from experiments.run import run_scenario, write_run
from experiments.storage import now
from model.scenario import load_scenario
from viz.brief import BriefError, build_brief, write_brief
from viz.words import number, signed

pypdf = pytest.importorskip("pypdf")
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is not installed"
)


def write_comparison(
    folder: Path, names: tuple[str, str], months: int, replications: int, seed: int
) -> Path:
    """A comparison folder as `spridning compare` writes it: a/, b/ and effects.csv."""
    runs = [
        run_scenario(
            load_scenario(name).with_overrides({"run.months": months}),
            replications,
            seed=seed,
            progress=False,
        )
        for name in names
    ]
    for results, sub in zip(runs, ("a", "b"), strict=True):
        write_run(results, folder / sub, now())
    effects(*runs).to_csv(folder / "effects.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("brief")
    return write_comparison(folder, ("baseline", "skr_position"), 72, 3, seed=2)


def _pdf_text(path: Path) -> tuple[str, int]:
    reader = pypdf.PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("ﬀ", "ff").replace("ﬁ", "fi").replace("ﬂ", "fl")), len(
        reader.pages
    )


@needs_chromium
def test_brief_is_one_a4_page_that_says_the_question_answer_and_uncertainty(
    comparison: Path,
) -> None:
    path, pages = write_brief(comparison, lang="sv")
    assert path == comparison / "brief.pdf" and pages == 1
    text, count = _pdf_text(path)
    assert count == 1
    assert text.startswith("skr_position jämfört med baseline")
    assert "Frågan:" in text and "Svaret:" in text and "efter 6 år" in text
    table = pd.read_csv(comparison / "effects.csv")
    rows = table[table["metric"] == "adoption_share_10y"].set_index("innovation")
    for innovation in load_scenario("skr_position").innovations:
        effect = signed(100 * rows.loc[innovation.name, "diff"], "sv", 1)
        assert re.search(
            re.escape(innovation.label_sv.split()[0]) + r".*?" + re.escape(effect), text
        )
        assert innovation.name not in text
    # the runs were not under a posterior: the brief says the interval is chance only
    assert "Osäkerhet som ingår: bara slumpen" in text
    # who gains: every size class, and the cost from the effects table
    for size in ("<10k", "10-20k", "20-50k", "50-100k", ">=100k"):
        assert size in text
    spent = table[(table["innovation"] == "all") & (table["metric"] == "state_spending_msek")]
    spent_text = number(spent["mean_b"].iloc[0], "sv").replace("\u00a0", " ")
    assert f"Staten betalar {spent_text} mnkr" in text
    # no sensitivity results in the folder: the assumptions are the parameters B changes
    assert "programme.enabled" in text and "Var effekten hamnar" in text


def test_brief_size_classes_are_the_paired_difference_of_the_groups_tables(
    comparison: Path,
) -> None:
    page = build_brief(comparison, lang="en")
    shares = []
    for sub in ("a", "b"):
        groups = pd.read_parquet(comparison / sub / "groups.parquet")
        groups = groups[(groups["month"] == 72) & (groups["group_type"] == "size_class")]
        shares.append(
            groups.groupby(["replication", "group"], observed=True)["adoption_share"].mean()
        )
    paired = (shares[1] - shares[0]).unstack("group")
    for size in paired.columns:
        mean = signed(100 * paired[size].mean(), "en", 1)
        assert re.search(
            rf"{re.escape(str(size).replace('>', '&gt;').replace('<', '&lt;'))}</td>"
            rf"<td class='n'><b>{re.escape(mean)}</b>",
            page,
        ), size
    # the map: the difference of probabilities, all 290 municipalities
    assert page.count('"locations":[') == 1
    assert len(re.search(r'"locations":\[([^\]]*)\]', page).group(1).split(",")) == 290


def test_brief_quotes_the_posterior_range_when_the_effects_table_carries_it(
    comparison: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "posterior"
    shutil.copytree(comparison, folder)
    table = pd.read_csv(folder / "effects.csv")
    table["uncertainty"] = "parameters and stochastic"
    table["total_ci_low"] = table["ci_low"] - 0.05
    table["total_ci_high"] = table["ci_high"] + 0.05
    table.to_csv(folder / "effects.csv", index=False)
    text = build_brief(folder, lang="en")  # the PDF's text is the page's: printed above
    assert "Uncertainty covered: parameters and chance" in text
    overall = table[(table["innovation"] == "all") & (table["metric"] == "adoption_share_10y")]
    low = signed(100 * overall["total_ci_low"].iloc[0], "en", 1)
    high = signed(100 * overall["total_ci_high"].iloc[0], "en", 1)
    assert f"{low} to {high}" in text
    assert np.isfinite(overall["total_ci_low"].iloc[0])


def test_brief_refuses_folders_it_cannot_read(comparison: Path, tmp_path: Path, capsys) -> None:
    with pytest.raises(BriefError, match=r"comparison folder.*spridning compare"):
        build_brief(comparison / "a")
    assert main(["brief", str(comparison), "-o", str(tmp_path / "brief.html")]) != 0
    assert "give a name ending in .pdf" in capsys.readouterr().err
    assert main(["brief", str(tmp_path / "nowhere")]) != 0


def test_an_older_effects_table_without_the_uncertainty_columns_reads_as_chance_only(
    comparison: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "older"
    shutil.copytree(comparison, folder)
    table = pd.read_csv(folder / "effects.csv")
    table.drop(columns=[c for c in table.columns if c not in OLD_COLUMNS]).to_csv(
        folder / "effects.csv", index=False
    )
    page = build_brief(folder, lang="en")
    assert "Uncertainty covered: chance only" in page


OLD_COLUMNS = ("innovation", "metric", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "n")


@pytest.fixture(scope="module")
def with_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison whose runs hold the pipeline's generated innovations (B's development
    products exist in B only), over 66 months: not a whole number of years."""
    folder = tmp_path_factory.mktemp("pipeline")
    return write_comparison(folder, ("pipeline", "programme_development"), 66, 2, seed=4)


def test_report_and_brief_draw_the_named_innovations_of_a_pipeline_comparison(
    with_pipeline: Path,
) -> None:
    from viz.report import build_report, named_innovations

    named = [i.name for i in load_scenario("programme_development").innovations]
    a = pd.read_parquet(with_pipeline / "a" / "timeseries.parquet")
    assert a["innovation"].nunique() > len(named)  # the pipeline's innovations are there
    report = build_report(with_pipeline, lang="en")
    maps = report.count("Probability that the municipality has adopted")
    assert maps == len(named), maps  # one probability map per named innovation
    page = build_brief(with_pipeline, lang="sv")
    rows = re.findall(r"<tr><td>([^<]*)</td><td class='n'>[^<]*%</td>", page)
    labels = [i.label_sv for i in load_scenario("programme_development").innovations]
    assert sorted(rows) == sorted([*labels, "Alla innovationer (medel)"])
    assert "efter 5,5 år" in page and "Var effekten hamnar, 2032" in page
    # who gains: the paired effect per size class over the named innovations only
    shares = []
    for sub in ("a", "b"):
        groups = pd.read_parquet(with_pipeline / sub / "groups.parquet")
        groups = groups[
            (groups["month"] == 66)
            & (groups["group_type"] == "size_class")
            & groups["innovation"].astype(str).isin(named)
        ]
        shares.append(
            groups.groupby(["replication", "group"], observed=True)["adoption_share"].mean()
        )
    paired = (shares[1] - shares[0]).unstack("group")
    for size in paired.columns:
        mean = signed(100 * paired[size].mean(), "sv", 1)
        cell = re.escape(str(size).replace(">", "&gt;").replace("<", "&lt;"))
        assert re.search(rf"{cell}</td><td class='n'><b>{re.escape(mean)}</b>", page), size
    assert named_innovations(
        {"innovations": [{"name": "x"}, {"name": "y"}]}, {"innovations": [{"name": "y"}]}
    ) == ["y"]
