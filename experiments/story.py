"""One municipality's story in one replication: who it is and how it moved through the
stages of each innovation, month by month (``spridning story``)."""

from __future__ import annotations

import difflib

import pandas as pd

from model.agents import Municipality
from model.model import DiffusionModel
from model.scenario import Scenario
from model.streams import replication_seeds


class StoryError(ValueError):
    """The municipality asked for is not in the run."""


def run_for_story(scenario: Scenario, seed: int, replication: int) -> DiffusionModel:
    """Replication ``replication`` of ``run_scenario(scenario, seed=seed)``, run alone (the
    same numbers: a replication does not depend on its batch)."""
    seeds = replication_seeds(seed, replication + 1)
    return DiffusionModel(scenario, seed=seeds[replication]).run()


def find_municipality(model: DiffusionModel, wanted: str) -> Municipality:
    """The municipality with kommunkod or name ``wanted`` (any case)."""
    towns = list(model.agents_by_type[Municipality])
    for town in towns:
        if wanted in (town.kommunkod,) or wanted.casefold() == town.name.casefold():
            return town
    close = difflib.get_close_matches(wanted, [t.name for t in towns], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise StoryError(f"no municipality {wanted!r} (give a kommunkod or a name){hint}")


def random_municipalities(model: DiffusionModel, count: int) -> list[Municipality]:
    """``count`` municipalities drawn with Mesa's generator (reproducible for a seed)."""
    return list(model.agents_by_type[Municipality].shuffle().select(at_most=count))


def story_text(model: DiffusionModel, town: Municipality) -> str:
    """Who the municipality is, then each innovation's changes of stage by month."""
    start_year = model.scenario.run.start_year
    lines = [
        f"{town.name} ({town.kommunkod}), county {town.county_code}, size class "
        f"{town.size_class}, {town.population:,.0f} inhabitants",
        f"  innovation capacities {town.capacities} of 4, procurement competence "
        f"{town.competence:.2f}, risk tolerance {town.risk_tolerance:.2f}",
    ]
    story = town.story()
    for innovation in model.innovations.names:
        rows = story[story["innovation"] == innovation]
        lines.append(f"  {innovation}:")
        if rows.empty:
            lines.append("    never heard of it")
        for row in rows.itertuples():
            year = start_year + (row.month - 1) // 12
            lines.append(f"    month {row.month:>3} ({year}): {row.stage}")
    return "\n".join(lines)


def story_table(model: DiffusionModel, towns: list[Municipality]) -> pd.DataFrame:
    """The stories of ``towns`` as one table (kommunkod, name, innovation, month, stage)."""
    parts = [t.story().assign(kommunkod=t.kommunkod, name=t.name) for t in towns]
    return pd.concat(parts, ignore_index=True)[
        ["kommunkod", "name", "innovation", "month", "stage"]
    ]
