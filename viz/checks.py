"""Input checks shared by the figures.

A figure handed the wrong table should say so in words (which column or innovation is
missing, and what there is instead) rather than fail with a KeyError inside pandas or,
worse, draw an empty plot that looks like "no adoption".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd


def require_columns(table: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise ValueError if ``table`` (described as ``what``) lacks any of ``columns``."""
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{what} is missing column(s) {missing}; it has columns {list(table.columns)}"
        )


def require_rows(table: pd.DataFrame, what: str) -> None:
    """Raise ValueError if ``table`` is empty: an empty figure would look like a result."""
    if table.empty:
        raise ValueError(f"{what} has no rows")


def choose(value: object, available: Sequence, what: str) -> None:
    """Raise ValueError if ``value`` is not one of ``available``."""
    if value not in available:
        raise ValueError(f"unknown {what} {value!r}; available: {list(available)}")


def innovations_in(table: pd.DataFrame) -> list[str]:
    """Innovation names in the order the run lists them (category order, else first seen)."""
    column = table["innovation"]
    present = set(column.astype(str).unique())
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(c) for c in column.cat.categories if str(c) in present]
    return list(dict.fromkeys(column.astype(str)))


def select_innovations(table: pd.DataFrame, innovation: str | None, what: str) -> list[str]:
    """The innovations to draw: all of them, or the one asked for (which must exist)."""
    available = innovations_in(table)
    if innovation is None:
        return available
    choose(innovation, available, f"innovation in {what}")
    return [innovation]


def single_innovation(table: pd.DataFrame, innovation: str | None, what: str) -> str:
    """The one innovation a figure draws; ``None`` is allowed only when there is one."""
    available = innovations_in(table)
    if innovation is None:
        if len(available) == 1:
            return available[0]
        raise ValueError(f"{what} holds several innovations; pass innovation= one of {available}")
    choose(innovation, available, f"innovation in {what}")
    return innovation
