"""`spridning validate`: one small pass through docking, patterns, the joint calibration
and the out-of-sample check, into a summary and a report that says what is not
reproduced."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.abc_smc import Settings
from experiments.validation import FIT_UNTIL, targets, validate
from viz.validation_report import write


def test_validation_writes_summary_and_report(tmp_path: Path) -> None:
    summary = validate(
        tmp_path,
        Settings(population=10, replications=1, generations=1),
        draws=10,
        docking_replications=20,
        pattern_replications=2,
    )
    assert summary["docking"]["max_difference_recursion"] < 0.05
    assert {row["innovation"] for row in summary["patterns"]} >= {"e_service", "vr_training_tool"}
    assert targets() == ["broadband_strategy", "digital_safety_alarms", "lov"]
    assert set(summary["calibrations"]) == {"joint", f"joint (fit until {FIT_UNTIL})"}
    joint = summary["calibrations"]["joint"]
    fit = pd.DataFrame(joint["fit"])
    assert set(fit["target"]) == set(targets()) and fit["used_in_fit"].all()
    assert len(fit) == 8 + 8 + 5  # LOV, alarms, broadband observations
    # The out-of-sample check: fitted up to FIT_UNTIL, scored on the later observations
    until = summary["calibrations"][f"joint (fit until {FIT_UNTIL})"]
    fit = pd.DataFrame(until["fit"])
    later = fit[~fit["used_in_fit"]]
    assert (later["date"] > FIT_UNTIL).all() and (
        fit[fit["used_in_fit"]]["date"] <= FIT_UNTIL
    ).all()
    assert until["out_of_sample"]["n"] == len(later)
    assert until["out_of_sample"]["rmse"] == pytest.approx(np.sqrt((later["error"] ** 2).mean()))
    # every observation outside its band is named in the notes
    outside = fit[~fit["inside_band"]]
    notes = [
        n
        for n in summary["not_reproduced"]
        if n.startswith(f"joint (fit until {FIT_UNTIL})") and "predictive band" in n
    ]
    assert len(notes) == len(outside)
    assert json.loads((tmp_path / "summary.json").read_text())["docking"]["tolerance"] == 0.02
    text = write(tmp_path).read_text(encoding="utf-8")
    for section in ("not-reproduced", "docking", "patterns", "calibrations"):
        assert f"id='{section}'" in text
    assert text.count("plotly-graph-div") == 1 + 2 * 3  # docking; a fit per series, twice
