"""`spridning validate`: one small pass through docking, patterns, calibrations and the
out-of-sample check, into a summary and a report that says what is not reproduced."""

from __future__ import annotations

import json
from pathlib import Path

from experiments.validation import validate
from viz.validation_report import write


def test_validation_writes_summary_and_report(tmp_path: Path) -> None:
    summary = validate(
        tmp_path, budget=40, replications=1, docking_replications=20, pattern_replications=2
    )
    assert summary["docking"]["max_difference_recursion"] < 0.05
    assert {row["innovation"] for row in summary["patterns"]} >= {"e_service", "vr_training_tool"}
    assert set(summary["calibrations"]) == {
        "lov",
        "digital_safety_alarms",
        "lov (fit until 2011-12)",
    }
    held_out = summary["calibrations"]["lov (fit until 2011-12)"]["out_of_sample"]
    assert held_out["n"] == 4 and held_out["rmse"] >= 0
    assert any("not modelled" in note for note in summary["not_reproduced"])
    assert json.loads((tmp_path / "summary.json").read_text())["docking"]["tolerance"] == 0.02
    text = write(tmp_path).read_text(encoding="utf-8")
    for section in ("not-reproduced", "docking", "patterns", "calibrations"):
        assert f"id='{section}'" in text
    assert text.count("plotly-graph-div") == 4  # docking and three calibration fits
