"""`spridning validate`: one small pass through docking, patterns, calibrations and the
out-of-sample check, into a summary and a report that says what is not reproduced."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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
    # The out-of-sample check: fit on 2010-2011, scored on the 2012-2013 observations...
    until = summary["calibrations"]["lov (fit until 2011-12)"]
    fit = pd.DataFrame(until["fit"])
    later = fit[~fit["used_in_fit"]]
    assert sorted(later["date"]) == ["2012-12", "2012-12", "2013-12", "2013-12"]
    assert until["out_of_sample"]["n"] == 4
    assert until["out_of_sample"]["rmse"] == pytest.approx(np.sqrt((later["error"] ** 2).mean()))
    # ...on the full fit's runs: the same points and model values, only the distance differs.
    full = pd.read_csv(tmp_path / "lov" / "points.csv")
    part = pd.read_csv(tmp_path / until["folder"] / "points.csv")
    model_values = [c for c in full.columns if re.fullmatch(r"(running|decided)_m\d+", c)]
    assert len(model_values) > 8
    pd.testing.assert_frame_equal(full[["point", *model_values]], part[["point", *model_values]])
    assert not np.allclose(full["distance"], part["distance"])
    assert any("not a target yet" in note for note in summary["not_reproduced"])
    assert json.loads((tmp_path / "summary.json").read_text())["docking"]["tolerance"] == 0.02
    text = write(tmp_path).read_text(encoding="utf-8")
    for section in ("not-reproduced", "docking", "patterns", "calibrations"):
        assert f"id='{section}'" in text
    assert text.count("plotly-graph-div") == 4  # docking and three calibration fits
