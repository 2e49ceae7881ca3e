"""Every library scenario reproduces its stored seeded summary (see baseline_regression.py).

One test per scenario; a failure lists each number that changed, as Starsim's baseline
tests do, so a reviewer sees at once whether a change was meant.
"""

from __future__ import annotations

import json

import pytest
from baseline_regression import REPLICATIONS, SEED, STORED, differences, library, summarise_scenario

STORED_SUMMARY = json.loads(STORED.read_text(encoding="utf-8"))


def test_every_library_scenario_has_a_stored_summary() -> None:
    assert STORED_SUMMARY["seed"] == SEED and STORED_SUMMARY["replications"] == REPLICATIONS
    assert sorted(STORED_SUMMARY["scenarios"]) == library(), (
        "A scenario was added or removed: run `make regression-refresh` and commit "
        "tests/baseline_regression.json."
    )


@pytest.mark.parametrize("name", library())
def test_seeded_scenario_reproduces_stored_summary(name: str) -> None:
    stored = STORED_SUMMARY["scenarios"].get(name)
    if stored is None:
        pytest.fail(f"{name}: no stored summary; run `make regression-refresh`")
    changed = differences(stored, summarise_scenario(name), name)
    assert not changed, (
        f"The seeded scenario {name} changed ({len(changed)} numbers):\n  "
        + "\n  ".join(changed[:40])
        + "\nIf the model changed on purpose, run `make regression-refresh` and commit "
        "tests/baseline_regression.json, saying why in the commit."
    )


def test_differences_name_each_changed_number() -> None:
    stored = {"a": {"x": [1, 2], "y": 0.5}, "gone": 1}
    now = {"a": {"x": [1, 3], "y": 0.5}, "new": 2}
    assert differences(stored, now) == [
        "a/x[1]: stored 2, now 3",
        "gone: stored, but no longer produced",
        "new: new, not in the stored summary",
    ]
