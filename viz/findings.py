"""Key findings as sentences, written from result tables, each with its number and interval.

An analyst preparing a position paper quotes these as they are, so every sentence names
the two scenarios, the number, its 95 % interval and n, and says plainly when the
interval includes zero. Swedish and English.
"""

from __future__ import annotations

import math

import pandas as pd

from viz.labels import check_lang, number

# metric -> (scale, decimals, unit in sv, unit in en); shares are shown in percent.
UNITS: dict[str, tuple[float, int, str, str]] = {
    "adoption_share_5y": (100.0, 1, "procentenheter", "percentage points"),
    "adoption_share_10y": (100.0, 1, "procentenheter", "percentage points"),
    "size_gap_10y": (100.0, 1, "procentenheter", "percentage points"),
    "months_to_50pct": (1.0, 0, "månader", "months"),
    "value_created_msek": (1.0, 0, "MSEK", "MSEK"),
    "state_spending_msek": (1.0, 0, "MSEK", "MSEK"),
    "municipal_spending_msek": (1.0, 0, "MSEK", "MSEK"),
    "state_cost_per_adoption_year_msek": (
        1.0,
        2,
        "MSEK per extra införandeår",
        "MSEK per extra adoption-year",
    ),
}

SUBJECT = {
    "sv": {
        "adoption_share_10y": "Andelen kommuner som infört en innovation efter 10 år (medel över innovationerna)",
        "adoption_share_5y": "Andelen kommuner som infört en innovation efter 5 år",
        "months_to_50pct": "Tiden tills hälften av kommunerna infört (medel över innovationerna)",
        "size_gap_10y": "Skillnaden i införande mellan de största och de minsta kommunerna efter 10 år",
        "value_created_msek": "Värdet som innovationerna skapat i kommunerna",
        "state_spending_msek": "Statens utgifter för åtgärderna",
        "municipal_spending_msek": "Kommunernas utgifter, netto",
        "state_cost_per_adoption_year_msek": "Statens kostnad per extra införandeår",
    },
    "en": {
        "adoption_share_10y": "The share of municipalities that have adopted an innovation after 10 years (mean over the innovations)",
        "adoption_share_5y": "The share of municipalities that have adopted an innovation after 5 years",
        "months_to_50pct": "The time until half of the municipalities have adopted (mean over the innovations)",
        "size_gap_10y": "The adoption gap between the largest and the smallest municipalities after 10 years",
        "value_created_msek": "The value the innovations created in the municipalities",
        "state_spending_msek": "The state's spending on the levers",
        "municipal_spending_msek": "The municipalities' net spending",
        "state_cost_per_adoption_year_msek": "The state's cost per additional adoption-year",
    },
}

ORDER = (
    "adoption_share_10y",
    "months_to_50pct",
    "size_gap_10y",
    "value_created_msek",
    "state_spending_msek",
    "state_cost_per_adoption_year_msek",
)


def _signed(value: float, lang: str, decimals: int) -> str:
    text = number(abs(value), lang, decimals)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def effect_sentence(row: pd.Series, name_a: str, name_b: str, lang: str) -> str | None:
    """One finding from an effects.csv row; None when it has no number to quote."""
    check_lang(lang)
    metric = str(row["metric"])
    if metric not in UNITS or not math.isfinite(float(row["diff"])):
        return None
    scale, decimals, unit_sv, unit_en = UNITS[metric]
    unit = unit_sv if lang == "sv" else unit_en
    diff, low, high = (float(row[k]) * scale for k in ("diff", "ci_low", "ci_high"))
    a, b = float(row["mean_a"]) * scale, float(row["mean_b"]) * scale
    subject = SUBJECT[lang][metric]
    n = int(row["n"])
    has_interval = math.isfinite(low) and math.isfinite(high)
    interval = (
        f"{_signed(low, lang, decimals)} till {_signed(high, lang, decimals)}"
        if lang == "sv"
        else f"{_signed(low, lang, decimals)} to {_signed(high, lang, decimals)}"
    )
    shares = metric.startswith("adoption_share")
    unit_level = "%" if shares else unit if scale == 100.0 else unit.split(" ")[0]
    if metric == "state_cost_per_adoption_year_msek":
        text = (
            f"{subject} med {name_b} jämfört med {name_a} är {number(diff, lang, decimals)} {unit}"
            if lang == "sv"
            else f"{subject} of {name_b} against {name_a} is {number(diff, lang, decimals)} {unit}"
        )
    elif lang == "sv":
        text = (
            f"{subject}: {number(b, lang, decimals)} {unit_level} med {name_b} mot "
            f"{number(a, lang, decimals)} {unit_level} med {name_a}, skillnad "
            f"{_signed(diff, lang, decimals)} {unit}"
        )
    else:
        text = (
            f"{subject}: {number(b, lang, decimals)} {unit_level} with {name_b} against "
            f"{number(a, lang, decimals)} {unit_level} with {name_a}, a difference of "
            f"{_signed(diff, lang, decimals)} {unit}"
        )
    if not has_interval:
        tail = (
            "; inget intervall kunde beräknas"
            if lang == "sv"
            else "; no interval could be computed"
        )
    elif low <= 0 <= high:
        tail = (
            f" (95 %-konfidensintervall {interval}; intervallet innehåller noll, så effekten är inte säkerställd; n = {n})"
            if lang == "sv"
            else f" (95 % confidence interval {interval}; the interval includes zero, so the effect is not established; n = {n})"
        )
    else:
        tail = (
            f" (95 %-konfidensintervall {interval}; n = {n} parade replikeringar)"
            if lang == "sv"
            else f" (95 % confidence interval {interval}; n = {n} paired replications)"
        )
    return text + tail + "."


def effect_findings(effects: pd.DataFrame, name_a: str, name_b: str, lang: str) -> list[str]:
    """The headline findings over all innovations, in a fixed order."""
    overall = effects[effects["innovation"].astype(str) == "all"]
    sentences = []
    for metric in ORDER:
        for _, row in overall[overall["metric"] == metric].iterrows():
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
                f"{row.innovation}: hälften av kommunerna nådde aldrig dit under körningen ({row.replications} replikeringar)."
                if lang == "sv"
                else f"{row.innovation}: half of the municipalities never adopted within the run ({row.replications} replications)."
            )
            continue
        median, low, high = (
            number(v, lang) for v in (row.median_month, row.p10_month, row.p90_month)
        )
        sentences.append(
            f"{row.innovation}: hälften av kommunerna hade infört efter {median} månader (median; "
            f"10–90 %: {low}–{high} månader; nådde 50 % i {row.reached} av {row.replications} replikeringar)."
            if lang == "sv"
            else f"{row.innovation}: half of the municipalities had adopted after {median} months (median; "
            f"10-90 %: {low}-{high} months; reached 50 % in {row.reached} of {row.replications} replications)."
        )
    return sentences
