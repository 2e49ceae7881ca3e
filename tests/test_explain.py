"""The event table and the stories told from it: events change no result, do not depend
on the batch, agree with the run's other tables, and every sentence of a story is a row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.run import run_scenario, write_run
from experiments.storage import now
from model.model import DiffusionModel
from model.outputs import build_tables
from model.scenario import load_scenario
from model.stages import Stage
from viz.explain import ExplainError, story
from viz.words import number

MONTHS = 84


@pytest.fixture(scope="module")
def programme():
    return load_scenario("programme").with_overrides({"run.months": MONTHS})


@pytest.fixture(scope="module")
def recorded(programme) -> DiffusionModel:
    return DiffusionModel(programme, seed=[5, 6, 7], record_events=True).run()


def test_recording_events_changes_no_result_and_a_replication_not_its_batch(
    programme, recorded
) -> None:
    plain = build_tables(DiffusionModel(programme, seed=[5, 6, 7]).run())
    with_events = build_tables(recorded)
    assert set(with_events) - set(plain) == {"events"}
    for name, table in plain.items():
        pd.testing.assert_frame_equal(table, with_events[name], obj=name)
    alone = build_tables(DiffusionModel(programme, seed=[6], record_events=True).run())["events"]
    in_batch = with_events["events"]
    in_batch = in_batch[in_batch["replication"] == 1].assign(replication=0)
    pd.testing.assert_frame_equal(
        alone.reset_index(drop=True), in_batch.reset_index(drop=True), check_categorical=False
    )


def test_stage_events_agree_with_the_state_counts(recorded) -> None:
    events = build_tables(recorded)["events"]
    state = recorded.state
    counts = events["event"].value_counts()
    # a municipality hears of an innovation once (no cell returns to unaware)
    assert counts["heard"] == (state.stage != Stage.UNAWARE).sum()
    assert counts["scaled_up"] == state.successes.sum() > 0
    # every completed trial has a result; a trial may also be cut short (failed, no result)
    assert counts["trial_result"] == state.successes.sum() + state.failures.sum()
    assert counts.get("trial_failed", 0) >= state.failures.sum()
    # every municipality that heard has a channel; nothing else does
    assert events.loc[events["event"] == "heard", "channel"].notna().all()
    assert events.loc[events["event"] != "heard", "channel"].isna().all()


def test_money_events_add_up_to_the_money_each_municipality_received(recorded) -> None:
    tables = build_tables(recorded)
    events, received = tables["events"], tables["money_received"]
    booked = events.pivot_table(
        index=["replication", "kommunkod"],
        columns="event",
        values="amount_msek",
        aggfunc="sum",
        observed=True,
    )
    merged = received.set_index(["replication", "kommunkod"]).join(booked).fillna(0.0)
    assert merged["grants_msek"].sum() > 0 and merged["capacity_msek"].sum() > 0
    assert np.allclose(merged["grants_msek"], merged.get("grant", 0.0))
    assert np.allclose(merged["capacity_msek"], merged.get("capacity_money", 0.0))
    assert np.allclose(merged["refunds_msek"], merged.get("risk_refund", 0.0))


PEERS_OFF = {
    f"mechanisms.peer_{channel}": False
    for channel in ("neighbours", "county", "size_class", "fou", "national")
}


@pytest.mark.parametrize(
    ("switches", "allowed"),
    [
        (PEERS_OFF, {"external"}),  # no peers, and no programme: no centre either
        ({}, {"external", "neighbours", "county", "size_class", "fou"}),  # national weight 0
    ],
)
def test_the_channel_drawn_is_one_whose_hazard_was_there(switches, allowed) -> None:
    scenario = load_scenario("baseline").with_overrides({"run.months": 60, **switches})
    model = DiffusionModel(scenario, seed=[1, 2], record_events=True).run()
    channels = build_tables(model)["events"].query("event == 'heard'")["channel"]
    assert len(channels) > 0 and set(channels.astype(str)) <= allowed


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory, programme) -> Path:
    folder = tmp_path_factory.mktemp("explain")
    write_run(run_scenario(programme, 2, seed=3, progress=False, events=True), folder, now())
    return folder


def test_every_sentence_of_a_story_is_one_row_of_the_event_table(run_folder: Path) -> None:
    events = pd.read_parquet(run_folder / "events.parquet")
    start = load_scenario("programme").run.start_year
    for kommun in ("2584", "0180", "0512"):
        lines = story(run_folder, kommun, innovation="e_service", replication=1, lang="sv")
        told = [line for line in lines if line.row is not None]
        mine = events[
            (events["replication"] == 1)
            & (events["kommunkod"] == kommun)
            & ((events["innovation"] == "e_service") | (events["event"] == "capacity_money"))
        ]
        assert [line.row for line in told] == list(mine.index)  # each row once, in order
        for line in told:
            row = mine.loc[line.row]
            year, month = divmod(int(row["month"]) - 1, 12)
            assert line.sentence.startswith(f"{start + year}-{month + 1:02d}: ")
            if pd.notna(row["amount_msek"]):
                assert number(row["amount_msek"], "sv", 2) in line.sentence
            if row["event"] == "trial_result":
                assert number(row["value"], "sv", 2) in line.sentence
        assert "E-tjänst för invånare" in lines[0].sentence and "e_service" not in "".join(
            line.sentence for line in lines
        )
        final = pd.read_parquet(run_folder / "municipalities.parquet").query(
            "replication == 1 and kommunkod == @kommun and innovation == 'e_service'"
        )
        assert lines[-1].sentence.startswith("Vid körningens slut")
        assert f"{number(100 * final['coverage_end'].iloc[0], 'sv')} %" in lines[-1].sentence


def test_explain_prints_kirunas_story_and_refuses_what_is_not_there(
    run_folder: Path, tmp_path: Path, capsys
) -> None:
    assert main(["explain", str(run_folder), "--kommun", "2584", "--lang", "en"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0].startswith("Kiruna (2584, Norrbottens län") and "Digital night supervision" in out[0]
    )
    assert out[-1].startswith("At the end of the run:")
    with pytest.raises(ExplainError, match=r"no municipality 'Kirunna'.*did you mean Kiruna"):
        story(run_folder, "Kirunna")
    with pytest.raises(ExplainError, match=r"no innovation 'x' in the run; it has"):
        story(run_folder, "2584", innovation="x")
    with pytest.raises(ExplainError, match=r"no replication 5"):
        story(run_folder, "2584", replication=5)
    quiet = tmp_path / "quiet"
    assert main(["run", "baseline", "-n", "1", "--no-events", "--out", str(quiet)]) == 0
    assert main(["explain", str(quiet), "--kommun", "2584"]) != 0
    assert "no events.parquet" in capsys.readouterr().err


def test_the_channels_hazards_add_up_to_the_hazard_awareness_draws_against(programme) -> None:
    model = DiffusionModel(programme, seed=[1, 2], record_events=True)
    for _ in range(30):
        model.step()
    awareness = model.awareness
    hazard = awareness.peer.hazard + awareness.external_hazard
    documented = model.levers.documented_awareness
    hazard = hazard + np.repeat(documented, model.structure.block_size, axis=1)
    cells = np.random.default_rng(0).choice(hazard.size, size=2000, replace=False)
    parts = awareness.channel_hazards(cells)
    assert (parts >= 0).all() and parts[:, 1:].sum() > 0  # peers and the centre act by now
    assert np.allclose(parts.sum(axis=1), hazard.reshape(-1)[cells])


def test_a_run_in_which_nobody_changes_stage_has_an_event_table_all_the_same() -> None:
    quiet = load_scenario("baseline").with_overrides(
        {"run.months": 12, "mechanisms.external_awareness": False}
    )
    events = build_tables(DiffusionModel(quiet, seed=[1], record_events=True).run())["events"]
    assert len(events) == 0 and list(events.columns)[:4] == [
        "replication",
        "month",
        "kommunkod",
        "innovation",
    ]
