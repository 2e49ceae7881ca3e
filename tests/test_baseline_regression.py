"""The seeded baseline reproduces its stored summary exactly (see baseline_regression.py)."""

from __future__ import annotations

import json

from baseline_regression import STORED, summarise


def test_seeded_baseline_reproduces_stored_summary() -> None:
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    assert summarise() == stored, (
        "The seeded baseline changed. If the model changed on purpose, run "
        "`make regression-refresh` and commit tests/baseline_regression.json."
    )
