"""Innovations by their names in the reader's language, and tables with translated headers.

A scenario's innovations carry ``label_sv`` and ``label_en``; the pipeline's generated
innovations get theirs from their identifiers (``model.pipeline.label_of_generated``).
Reports and briefs rename the ``innovation`` column of every table they draw once, here,
so no figure, table or sentence shows an identifier where a label exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from model.pipeline import label_of_generated
from viz.words import CATALOGUE, LANGUAGES, check_lang, metric_label, text

ALL = "all"  # the effects and attribution tables' row over all innovations


def innovation_labels(innovations: Iterable[Mapping[str, Any]], lang: str) -> dict[str, str]:
    """Identifier -> label in ``lang`` for a scenario's innovations (as dicts): the
    language's label, else ``label`` (scenarios written before labels had a language),
    else the other language's; a label two innovations share gets its identifier added."""
    check_lang(lang)
    others = [f"label_{other}" for other in LANGUAGES if other != lang]
    labels = {}
    for innovation in innovations:
        name = str(innovation["name"])
        for key in (f"label_{lang}", "label", *others):
            if innovation.get(key):
                labels[name] = str(innovation[key])
                break
    counts = pd.Series(list(labels.values()), dtype=object).value_counts()
    return {n: f"{lab} ({n})" if counts[lab] > 1 else lab for n, lab in labels.items()}


def innovation_namer(
    innovations: Iterable[Mapping[str, Any]], lang: str, keep_all: bool = True
) -> Callable[[str], str]:
    """A function naming any innovation identifier: its label, a generated innovation's
    label, else the identifier itself. ``keep_all``: leave "all" for the figures that
    treat it specially (else it becomes "all innovations" in the language)."""
    labels = innovation_labels(innovations, lang)

    def name(identifier: str) -> str:
        if identifier == ALL:
            return ALL if keep_all else text("all_innovations", lang)
        return labels.get(identifier) or label_of_generated(identifier, lang) or identifier

    return name


def relabel(frame: pd.DataFrame | None, name: Callable[[str], str]) -> pd.DataFrame | None:
    """``frame`` with its ``innovation`` column named by ``name`` (unchanged if it has none)."""
    if frame is None or "innovation" not in frame.columns:
        return frame
    column = frame["innovation"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        renamed = {c: name(str(c)) for c in column.cat.categories}
        if len(set(renamed.values())) == len(renamed):
            return frame.assign(innovation=column.cat.rename_categories(renamed))
    return frame.assign(innovation=column.astype(str).map(name))


def relabel_tables(
    tables: Mapping[str, pd.DataFrame], name: Callable[[str], str]
) -> dict[str, pd.DataFrame]:
    return {key: relabel(frame, name) for key, frame in tables.items()}


def column_title(column: str, lang: str) -> str:
    """A table header in ``lang``: the catalogue's ``report_column_<column>``, else the
    column's own name (a column the catalogue does not know)."""
    return CATALOGUE[check_lang(lang)].get(f"report_column_{column}", column)


VALUE_WORDS = {
    "metric": metric_label,
    "lever": lambda value, lang: CATALOGUE[lang].get(f"lever_{value}", value),
    "uncertainty": lambda value, lang: CATALOGUE[lang].get(f"uncertainty_{value}", value),
    "instrument": lambda value, lang: CATALOGUE[lang].get(f"instrument_{value}", value),
    "kind": lambda value, lang: CATALOGUE[lang].get(f"kind_{value}", value),
}


def readable_table(frame: pd.DataFrame, lang: str, name: Callable[[str], str]) -> pd.DataFrame:
    """A table as a reader sees it: innovations by label ("all" in words), metric, lever,
    instrument and uncertainty values in words, headers translated."""
    check_lang(lang)
    shown = frame.copy()
    if "innovation" in shown.columns:
        shown["innovation"] = [
            text("all_innovations", lang) if str(v) == ALL else name(str(v))
            for v in shown["innovation"]
        ]
    for column, word in VALUE_WORDS.items():
        if column in shown.columns:
            shown[column] = [v if pd.isna(v) else word(str(v), lang) for v in shown[column]]
    return shown.rename(columns=lambda c: column_title(str(c), lang))
