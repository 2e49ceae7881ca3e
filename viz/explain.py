"""A municipality's story in plain sentences, told from the event table (``spridning
explain``, and the explorer when a municipality on the map is clicked).

Each sentence is one row of ``events.parquet`` (``model/event_log.py``): when and through
which channel the municipality heard of the innovation, its decisions, trials and their
results, the grants, capacity money and refunds it received, its suppliers, scale-up,
full coverage and stopping; then where it stood at the end of the run (one row of
``municipalities.parquet``). Nothing is said that the tables do not hold.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.run_folder import RunFolderError, verify_run_folder
from experiments.storage import DamagedFileError
from model.reference import load_municipalities
from viz.labels import innovation_namer
from viz.words import check_lang, number, stage_label, text

# Events that concern the municipality whatever the innovation.
ANY_INNOVATION = ("capacity_money",)


class ExplainError(ValueError):
    """The folder, municipality, innovation or replication asked for is not there."""


@dataclass(frozen=True)
class Line:
    """One sentence and the event row it tells (None for the header and the end state)."""

    sentence: str
    row: int | None = None


def run_folder(folder: Path, scenario: str) -> Path:
    """The run folder to read: ``folder`` itself, or its a/ or b/ for a comparison."""
    if (folder / "a").is_dir() and (folder / "b").is_dir():
        return folder / scenario
    return folder


def load_story_tables(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """(manifest, events, municipalities) of a run folder whose tables belong together."""
    try:
        manifest = verify_run_folder(folder)
    except (RunFolderError, DamagedFileError) as error:
        raise ExplainError(str(error)) from None
    events_file = folder / "events.parquet"
    if not events_file.exists():
        raise ExplainError(
            f"{folder}: no events.parquet; the run did not record events (runs of more than "
            "400 replications do not by default): run it again with --events"
        )
    events = pd.read_parquet(events_file)
    outcomes = pd.read_parquet(folder / "municipalities.parquet")
    return manifest, events, outcomes


def find_municipality(wanted: str, reference: pd.DataFrame) -> pd.Series:
    """The reference row of a kommunkod (2584) or a name (Kiruna, any case)."""
    codes = reference["kommunkod"].astype(str)
    rows = reference[
        (codes == wanted.zfill(4)) | (reference["name"].str.casefold() == wanted.casefold())
    ]
    if rows.empty:
        close = difflib.get_close_matches(wanted, reference["name"].tolist(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ExplainError(f"no municipality {wanted!r} (give a kommunkod or a name){hint}")
    return rows.iloc[0]


def _date(month: int, start_year: int | None, lang: str) -> str:
    """Month m of the run as a calendar month (2029-03), else as "month m"."""
    if start_year:
        year, within = divmod(int(month) - 1, 12)
        return f"{start_year + year}-{within + 1:02d}"
    return f"{text('month', lang).lower()} {int(month)}"


def _sentence(row: Any, name: str, innovation: str, lang: str) -> str:
    """The sentence of one event row."""
    values = {"name": name, "innovation": innovation}
    if row.event == "heard":
        values["channel"] = text(f"channel_{row.channel}", lang)
    if pd.notna(row.amount_msek):
        values["amount"] = number(float(row.amount_msek), lang, 2)
    if pd.notna(row.value):
        values["value"] = (
            number(float(row.value), lang, 2)
            if row.event == "trial_result"
            else number(float(row.value), lang)
        )
    if row.event == "trial_result":
        verdict = "explain_result_good" if float(row.value) >= 1 else "explain_result_poor"
        values["verdict"] = text(verdict, lang)
    return text(f"explain_{row.event}", lang, **values)


def story(
    folder: Path | str,
    kommun: str,
    innovation: str | None = None,
    replication: int = 0,
    lang: str = "sv",
    scenario: str = "b",
) -> list[Line]:
    """The story of municipality ``kommun`` for ``innovation`` (default: the scenario's
    first) in ``replication``: a header, one sentence per event row, the end state."""
    check_lang(lang)
    folder = run_folder(Path(folder), scenario)
    manifest, events, outcomes = load_story_tables(folder)
    return tell(manifest, events, outcomes, kommun, innovation, replication, lang)


def tell(
    manifest: dict[str, Any],
    events: pd.DataFrame,
    outcomes: pd.DataFrame,
    kommun: str,
    innovation: str | None,
    replication: int,
    lang: str,
) -> list[Line]:
    """``story`` from tables already read (the explorer keeps them in memory)."""
    scenario = manifest["scenario"]
    innovations = [str(i["name"]) for i in scenario["innovations"]]
    arrived = set(events["innovation"].astype(str)) - set(innovations) - {""}
    innovations += sorted(arrived)  # the pipeline's innovations, named by identifier
    name_of = innovation_namer(scenario["innovations"], lang)
    chosen = _innovation(innovation, innovations, name_of)
    replications = sorted(int(r) for r in outcomes["replication"].unique())
    if replication not in replications:
        raise ExplainError(
            f"no replication {replication} in the run (it has {replications[0]}..{replications[-1]})"
        )
    place = find_municipality(str(kommun), load_municipalities())
    code, name = str(place["kommunkod"]), str(place["name"])
    start_year = scenario["run"].get("start_year")
    label = name_of(chosen)
    lines = [
        Line(
            text(
                "explain_header",
                lang,
                name=name,
                code=code,
                county=place["county"],
                population=number(place["population"], lang),
                innovation=label,
                scenario=scenario["name"],
                replication=replication,
            )
        )
    ]
    mine = events[
        (events["replication"] == replication)
        & (events["kommunkod"].astype(str) == code)
        & (
            (events["innovation"].astype(str) == chosen)
            | events["event"].astype(str).isin(ANY_INNOVATION)
        )
    ]
    for row in mine.itertuples():
        sentence = _sentence(row, name, label, lang)
        lines.append(Line(f"{_date(row.month, start_year, lang)}: {sentence}", int(row.Index)))
    if not (mine["innovation"].astype(str) == chosen).any():
        lines.append(Line(text("explain_never_heard", lang, name=name, innovation=label)))
    end = outcomes[
        (outcomes["replication"] == replication)
        & (outcomes["kommunkod"].astype(str) == code)
        & (outcomes["innovation"].astype(str) == chosen)
    ]
    if len(end):
        last = end.iloc[0]
        lines.append(
            Line(
                text(
                    "explain_end",
                    lang,
                    stage=stage_label(str(last["final_stage"]), lang),
                    coverage=number(100 * float(last["coverage_end"]), lang),
                )
            )
        )
    return lines


def _innovation(wanted: str | None, innovations: list[str], name_of) -> str:
    """The innovation by identifier or label (default: the scenario's first)."""
    if wanted is None:
        return innovations[0]
    for candidate in innovations:
        if wanted in (candidate, name_of(candidate)):
            return candidate
    raise ExplainError(f"no innovation {wanted!r} in the run; it has {', '.join(innovations)}")
