"""Key findings as sentences, written from result tables, each with its number and interval.

An analyst preparing a position paper quotes these as they are, so every sentence names
the two scenarios, the number, its 95 % interval and n, and says plainly when the
interval includes zero. The sentences are templates in ``viz.words``; what each metric
is called, its unit and how many decimals it is quoted with are declared with the
metric (``experiments.metrics``), as is which metrics are the headlines and in what order.
"""

from __future__ import annotations

import math

import pandas as pd

from experiments.compare import WITH_PARAMETERS, parameter_share
from experiments.metrics import HEADLINES, METRIC_BY_NAME, Metric
from viz.words import check_lang, number, signed, text


def _scaled(row: pd.Series, metric: Metric) -> dict[str, float]:
    keys = ("mean_a", "mean_b", "diff", "ci_low", "ci_high")
    return {key: float(row[key]) * metric.scale for key in keys}


def _statement(
    metric: Metric, values: dict[str, float], name_a: str, name_b: str, lang: str
) -> str:
    """The number: B's level against A's, or for a paired-only ratio the ratio itself."""
    decimals, unit = metric.decimals, metric.unit.get(lang)
    subject = metric.subject.get(lang)
    if metric.paired_only:
        diff = number(values["diff"], lang, decimals)
        return text(
            "finding_ratio",
            lang,
            subject=subject,
            name_a=name_a,
            name_b=name_b,
            diff=diff,
            unit=unit,
        )
    return text(
        "finding_levels",
        lang,
        subject=subject,
        a=number(values["mean_a"], lang, decimals),
        b=number(values["mean_b"], lang, decimals),
        level_unit=metric.levels_in.get(lang),
        name_a=name_a,
        name_b=name_b,
        diff=signed(values["diff"], lang, decimals),
        unit=unit,
    )


def _uncertainty(metric: Metric, values: dict[str, float], n: int, lang: str) -> str:
    """The interval and n, or that there is no interval, or that it includes zero."""
    low, high = values["ci_low"], values["ci_high"]
    if not (math.isfinite(low) and math.isfinite(high)):
        return text("finding_no_interval", lang)
    interval = text(
        "interval",
        lang,
        low=signed(low, lang, metric.decimals),
        high=signed(high, lang, metric.decimals),
    )
    key = "finding_includes_zero" if low <= 0 <= high else "finding_interval"
    return text(key, lang, interval=interval, n=n)


def _kind(metric: Metric, row: pd.Series, lang: str) -> str:
    """Which uncertainty the numbers cover: with a posterior, the total range over draws
    and replications and the parameters' share of its variance; else that the parameters'
    uncertainty is not in them (an older effects table says nothing: stochastic only)."""
    if row.get("uncertainty") != WITH_PARAMETERS:
        return text("finding_stochastic_only", lang)
    low, high = (float(row[k]) * metric.scale for k in ("total_ci_low", "total_ci_high"))
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    share = parameter_share(float(row["sd_parameter"]), float(row["sd_stochastic"]))
    positive = float(row["share_positive"])
    return text(
        "finding_total" if math.isfinite(share) else "finding_total_no_split",
        lang,
        interval=text(
            "interval",
            lang,
            low=signed(low, lang, metric.decimals),
            high=signed(high, lang, metric.decimals),
        ),
        share=number(100 * share, lang, 0) if math.isfinite(share) else "",
        positive=number(100 * positive, lang, 0),
    )


def effect_sentence(row: pd.Series, name_a: str, name_b: str, lang: str) -> str | None:
    """One finding from an effects.csv row; None when it has no number to quote."""
    check_lang(lang)
    metric = METRIC_BY_NAME.get(str(row["metric"]))
    if metric is None or not math.isfinite(float(row["diff"])):
        return None
    values = _scaled(row, metric)
    statement = _statement(metric, values, name_a, name_b, lang)
    uncertainty = _uncertainty(metric, values, int(row["n"]), lang)
    return statement + uncertainty + _kind(metric, row, lang) + "."


def driver_findings(
    drivers: pd.DataFrame, lang: str, metric: str = "adoption_share_10y", top: int = 3
) -> list[str]:
    """Which posterior parameters move the effect most (over all innovations): the
    strongest rank correlations of a draw's parameter values with its mean effect."""
    check_lang(lang)
    rows = drivers[(drivers["innovation"].astype(str) == "all") & (drivers["metric"] == metric)]
    rows = rows.dropna(subset=["spearman"])
    if rows.empty:
        return []
    rows = rows.reindex(rows["spearman"].abs().sort_values(ascending=False).index).head(top)
    named = ", ".join(
        f"{r.parameter} (ρ = {signed(r.spearman, lang, 2)})" for r in rows.itertuples()
    )
    return [
        text(
            "finding_drivers", lang, subject=METRIC_BY_NAME[metric].subject.get(lang), drivers=named
        )
    ]


# The effect every innovation is reported by, before any average over innovations: an
# average can hide that one blocked innovation carries a whole "effect" (DESIGN.md 8).
PER_INNOVATION = "adoption_share_10y"


def effect_findings(
    effects: pd.DataFrame,
    name_a: str,
    name_b: str,
    lang: str,
    labels: dict[str, str] | None = None,
) -> list[str]:
    """The findings in the order they are told: each innovation's effect on adoption after
    10 years first (``labels``: display names by innovation), then the headlines over all
    innovations in the declared order."""
    check_lang(lang)
    innovation = effects["innovation"].astype(str)
    metric = METRIC_BY_NAME[PER_INNOVATION]
    sentences = []
    for _, row in effects[(innovation != "all") & (effects["metric"] == PER_INNOVATION)].iterrows():
        name = str(row["innovation"])
        sentence = effect_sentence(row, name_a, name_b, lang)
        if sentence:
            label = (labels or {}).get(name, name)
            subject = metric.subject.get(lang)
            per_innovation = text("finding_per_innovation", lang, innovation=label)
            sentences.append(sentence.replace(subject, per_innovation, 1))
    overall = effects[innovation == "all"]
    for metric in HEADLINES:
        for _, row in overall[overall["metric"] == metric.name].iterrows():
            sentence = effect_sentence(row, name_a, name_b, lang)
            if sentence:
                sentences.append(sentence)
    return sentences


def milestone_findings(milestones: pd.DataFrame, lang: str) -> list[str]:
    """Months to 50 % adoption per innovation, with the spread over replications."""
    check_lang(lang)
    rows = milestones[milestones["threshold"] == 0.5]
    sentences = []
    for row in rows.itertuples():
        if row.reached == 0:
            sentences.append(
                text(
                    "milestone_never",
                    lang,
                    innovation=row.innovation,
                    replications=row.replications,
                )
            )
            continue
        sentences.append(
            text(
                "milestone_reached",
                lang,
                innovation=row.innovation,
                median=number(row.median_month, lang),
                low=number(row.p10_month, lang),
                high=number(row.p90_month, lang),
                reached=row.reached,
                replications=row.replications,
            )
        )
    return sentences
