"""`spridning story` tells a municipality's path as the run had it."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.cli import main
from experiments.run import run_scenario
from experiments.story import (
    StoryError,
    find_municipality,
    random_municipalities,
    run_for_story,
)


@pytest.fixture(scope="module")
def short(baseline):
    return baseline.with_overrides({"run.months": 120})


def test_story_matches_the_runs_tables(short) -> None:
    """Replication 2 run alone for the story is replication 2 of the batch run: its first
    adoption months and final stages are the run's own."""
    batch = run_scenario(short, replications=3, seed=5, progress=False)
    model = run_for_story(short, seed=5, replication=2)
    outcomes = batch.municipalities[batch.municipalities["replication"] == 2]
    for code in ("0180", "2584", "0512"):
        town = find_municipality(model, code)
        story = town.story()
        for innovation, rows in outcomes[outcomes["kommunkod"] == code].groupby(
            "innovation", observed=True
        ):
            mine = story[story["innovation"] == innovation]
            adopted = mine[mine["stage"] == "adopted"]["month"]
            expected = rows["adopted_month"].iloc[0]
            assert (int(adopted.min()) if len(adopted) else None) == (
                None if pd.isna(expected) else int(expected)
            )
            last = mine["stage"].iloc[-1] if len(mine) else "unaware"
            assert last == rows["final_stage"].iloc[0]


def test_municipalities_by_name_and_code_and_a_helpful_error(short) -> None:
    model = run_for_story(short.with_overrides({"run.months": 2}), seed=1, replication=0)
    assert find_municipality(model, "kiruna").kommunkod == "2584"
    assert find_municipality(model, "2584").name == "Kiruna"
    with pytest.raises(StoryError, match="did you mean Kiruna"):
        find_municipality(model, "Kirna")


def test_random_examples_are_reproducible_and_leave_the_run_alone(short) -> None:
    scenario = short.with_overrides({"run.months": 2})
    first = run_for_story(scenario, seed=9, replication=0)
    again = run_for_story(scenario, seed=9, replication=0)
    picks = [t.kommunkod for t in random_municipalities(first, 4)]
    assert picks == [t.kommunkod for t in random_municipalities(again, 4)]
    assert len(set(picks)) == 4


def test_story_command_refuses_an_unknown_municipality(capsys) -> None:
    assert main(["story", "baseline", "Atlantis"]) == 2
    assert "no municipality 'Atlantis'" in capsys.readouterr().err
