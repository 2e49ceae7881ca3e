"""`compare --posterior`: every replication runs with a posterior draw's parameters, A and
B paired on draw and seed, and effects.csv says how far the parameters spread the effect."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.cli import main
from experiments.compare import STOCHASTIC_ONLY, WITH_PARAMETERS
from experiments.metrics import per_replication
from experiments.posterior_draws import policy_draws
from experiments.run import RunResults
from model.model import DiffusionModel
from model.outputs import OUTPUT_TABLES, build_tables
from model.scenario import load_scenario
from model.streams import replication_seeds

DRAWS, PER_DRAW = 4, 3
ROOT = Path(__file__).resolve().parents[1]


def load_run(folder: Path) -> RunResults:
    """A run folder's tables as RunResults (what the metrics are computed from)."""
    tables = {t.name: pd.read_parquet(folder / t.file) for t in OUTPUT_TABLES}
    return RunResults(scenario=None, seed=0, seeds=[], tables=tables)


def short_scenario(folder: Path, name: str, months: int) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        f'extends = "{ROOT / "scenarios" / name}.toml"\nname = "{name}"\n[run]\nmonths = {months}\n',
        encoding="utf-8",
    )
    return path


def write_posterior(folder: Path) -> Path:
    """A small posterior: two shared parameters and one series' own (not applied)."""
    rng = np.random.default_rng(4)
    draws = pd.DataFrame(
        {
            "draw": range(6),
            "decision.hurdle": rng.uniform(0.0, 0.3, 6),
            "awareness.county": rng.uniform(0.0, 0.08, 6),
            "suppliers.entrant_capacity": rng.uniform(5.0, 40.0, 6),  # whole customers
            "innovations.lov.external_rate": rng.uniform(0.002, 0.05, 6),
        }
    )
    path = folder / "small.parquet"
    draws.to_parquet(path)
    parameters = [
        {"name": "decision.hurdle", "low": 0.0, "high": 0.3, "shared": True, "paths": []},
        {"name": "awareness.county", "low": 0.0, "high": 0.08, "shared": True, "paths": []},
        {"name": "suppliers.entrant_capacity", "low": 5, "high": 40, "shared": True, "paths": []},
        {
            "name": "innovations.lov.external_rate",
            "low": 0.002,
            "high": 0.05,
            "shared": False,
            "paths": [],
        },
    ]
    manifest = {"name": "small", "parameters": parameters, "targets": [{"name": "lov"}]}
    path.with_suffix(".json").write_text(json.dumps(manifest), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("posterior")
    posterior = write_posterior(folder)
    a, b = (short_scenario(folder, name, 60) for name in ("baseline", "skr_position"))
    out = folder / "out"
    code = main(
        ["compare", str(a), str(b)]
        + ["--posterior", str(posterior), "--draws", str(DRAWS), "-n", str(PER_DRAW)]
        + ["--seed", "3", "--out", str(out)]
    )
    assert code == 0
    return out, posterior


def test_each_replication_runs_with_its_draw_alone_or_in_the_batch(compared) -> None:
    out, posterior = compared
    plan = policy_draws(posterior, DRAWS, PER_DRAW)
    assert plan.applied == ("decision.hurdle", "awareness.county", "suppliers.entrant_capacity")
    assert plan.left == ("innovations.lov.external_rate",)
    seeds = replication_seeds(3, DRAWS * PER_DRAW)
    run = load_run(out / "b")
    scenario = load_scenario("skr_position").with_overrides({"run.months": 60})
    for replication in (0, PER_DRAW * 2 + 1):  # draws 0 and 2
        values = plan.overrides()[replication]
        assert values["suppliers.entrant_capacity"] == round(
            plan.draws.loc[replication // PER_DRAW, "suppliers.entrant_capacity"]
        )
        alone = build_tables(
            DiffusionModel(scenario.with_overrides(values), seed=seeds[replication]).run()
        )
        stored = run.timeseries[run.timeseries["replication"] == replication]
        pd.testing.assert_frame_equal(
            stored.drop(columns="replication").reset_index(drop=True),
            alone["timeseries"].drop(columns="replication").reset_index(drop=True),
            check_exact=True,
            check_categorical=False,
        )
    manifest = json.loads((out / "b" / "manifest.json").read_text())
    assert manifest["posterior"]["draws"] == DRAWS and manifest["posterior"]["applied"] == list(
        plan.applied
    )


def test_effects_carry_the_total_interval_and_the_variance_split(compared) -> None:
    out, _ = compared
    effects = pd.read_csv(out / "effects.csv")
    assert (effects["uncertainty"] == WITH_PARAMETERS).all()
    a, b = per_replication(load_run(out / "a")), per_replication(load_run(out / "b"))
    row = effects[
        (effects["innovation"] == "all") & (effects["metric"] == "adoption_share_5y")
    ].iloc[0]
    diffs = (b["adoption_share_5y"] - a["adoption_share_5y"]).xs("all", level="innovation")
    assert row["n"] == DRAWS * PER_DRAW
    assert row["diff"] == pytest.approx(diffs.mean(), rel=1e-12)
    low, high = np.percentile(diffs, [2.5, 97.5])
    assert (row["total_ci_low"], row["total_ci_high"]) == pytest.approx((low, high), rel=1e-12)
    by_draw = diffs.groupby(diffs.index // PER_DRAW)
    assert row["share_positive"] == pytest.approx((by_draw.mean() > 0).mean())
    # the mean's interval: over the draws' mean effects (a draw's runs share parameters)
    half = stats.t.ppf(0.975, DRAWS - 1) * by_draw.mean().std(ddof=1) / np.sqrt(DRAWS)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (row["diff"] - half, row["diff"] + half)
    )
    within = by_draw.var(ddof=1).mean()
    between = by_draw.mean().var(ddof=1) - within / PER_DRAW
    assert row["sd_stochastic"] == pytest.approx(np.sqrt(within), rel=1e-9)
    assert row["sd_parameter"] == pytest.approx(np.sqrt(max(between, 0.0)), rel=1e-9)
    drivers = pd.read_csv(out / "drivers.csv")
    assert set(drivers["parameter"]) == {
        "decision.hurdle",
        "awareness.county",
        "suppliers.entrant_capacity",
    }
    assert drivers["spearman"].between(-1, 1).all()


def test_without_a_posterior_the_table_says_stochastic_only(tmp_path: Path) -> None:
    scenario = short_scenario(tmp_path, "baseline", 24)
    assert (
        main(["compare", str(scenario), str(scenario), "-n", "2", "--out", str(tmp_path / "o")])
        == 0
    )
    effects = pd.read_csv(tmp_path / "o" / "effects.csv")
    assert (effects["uncertainty"] == STOCHASTIC_ONLY).all()
    assert effects["total_ci_low"].isna().all()


def test_bad_posterior_requests_are_refused(compared, capsys: pytest.CaptureFixture[str]) -> None:
    _, posterior = compared
    assert (
        main(["compare", "baseline", "skr_position", "--posterior", str(posterior), "--draws", "7"])
        == 2
    )
    assert "--draws 7, but the posterior has 6 draws" in capsys.readouterr().err
    assert main(["compare", "baseline", "skr_position", "--posterior", "nowhere"]) == 2
    assert "no posterior sample there" in capsys.readouterr().err
    assert main(["compare", "baseline", "skr_position", "--draws", "5"]) == 2
    assert "give --posterior too" in capsys.readouterr().err
    assert (
        main(["compare", "baseline", "skr_position", "--posterior", str(posterior), "-n", "1"]) == 2
    )
    assert "at least -n 2 replications per draw" in capsys.readouterr().err
    braver = posterior.parent / "braver.toml"
    braver.write_text(
        f'extends = "{ROOT / "scenarios" / "baseline.toml"}"\nname = "braver"\n'
        "[decision]\nhurdle = 0.25\n",
        encoding="utf-8",
    )
    assert (
        main(["compare", "baseline", str(braver), "--posterior", str(posterior), "--draws", "3"])
        == 2
    )
    assert "sets decision.hurdle in every run, but baseline and" in capsys.readouterr().err


def test_the_report_quotes_the_total_interval_and_the_drivers(compared) -> None:
    from viz.report import write_report
    from viz.words import signed

    out, _ = compared
    effects = pd.read_csv(out / "effects.csv")
    row = effects[(effects["innovation"] == "all") & (effects["metric"] == "adoption_share_10y")]
    for lang, total, drivers in (
        ("en", "with the parameters' uncertainty", "the effect depends most on"),
        ("sv", "med parametrarnas osäkerhet", "effekten beror mest på"),
    ):
        text = write_report(out, out / f"report_{lang}.html", lang).read_text(encoding="utf-8")
        assert total in text and drivers in text
    # the Swedish report's number, as the language writes it
    assert signed(float(row["total_ci_low"].iloc[0]) * 100, "sv", 1) in text


def test_compare_runs_again_into_its_own_folder_with_report_and_brief(
    compared, tmp_path: Path
) -> None:
    """`make run` twice: the folder holds what compare --posterior wrote (drivers.csv,
    posterior_draws.csv) and the report and brief made from it; all may be replaced."""
    out, posterior = compared
    again = tmp_path / "again"
    shutil.copytree(out, again)
    for other in again.glob("report_*.html"):  # reports another test wrote under other names
        other.unlink()
    (again / "report.html").write_text("<html></html>", encoding="utf-8")
    (again / "brief.pdf").write_bytes(b"%PDF-1.4")
    a, b = (short_scenario(tmp_path, name, 60) for name in ("baseline", "skr_position"))
    code = main(
        ["compare", str(a), str(b)]
        + ["--posterior", str(posterior), "--draws", str(DRAWS), "-n", str(PER_DRAW)]
        + ["--seed", "3", "--out", str(again)]
    )
    assert code == 0
    assert (again / "drivers.csv").exists() and not (again / "brief.pdf").exists()
