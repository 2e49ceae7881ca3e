"""Shared fixtures: the reference tables and small, fast scenario variants."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from model.reference import load_municipalities, load_neighbours
from model.scenario import Scenario, load_scenario

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def municipalities() -> pd.DataFrame:
    return load_municipalities()


@pytest.fixture(scope="session")
def neighbours(municipalities: pd.DataFrame) -> pd.DataFrame:
    return load_neighbours(municipalities=municipalities)


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    return load_scenario("baseline")
