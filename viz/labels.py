"""Every text a figure shows, in Swedish and English, in one place.

Figures are read by analysts in both languages; keeping the texts here (one dict per
language, the same keys in each) means a translation is fixed once and a missing one is
caught by a test instead of showing up as a half-English Swedish figure. Data values
(innovation names, county names, size-class labels) are not translated.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("sv", "en")

SV: dict[str, str] = {
    # time axes
    "x_years": "År från start",
    "x_months": "Månad från start",
    "year": "År",
    "month": "Månad",
    # replications and bands
    "mean": "medelvärde",
    "band": "2,5–97,5 %-kvantiler över replikeringarna",
    "band_legend": "Linje: medelvärde över replikeringarna<br>Skuggat: 2,5–97,5 %-kvantiler",
    "band_low": "2,5 %-kvantil",
    "band_high": "97,5 %-kvantil",
    "replications": "replikeringar",
    "replications_with_value": "replikeringar med värde",
    "ci95": "95 %-konfidensintervall",
    "ci_low": "nedre gräns",
    "ci_high": "övre gräns",
    # adoption
    "adoption_title": "Andel kommuner som har infört innovationen",
    "adoption_title_size_class": "Andel kommuner som har infört, per storleksklass",
    "adoption_title_county": "Andel kommuner som har infört, per län",
    "adoption_share": "Andel kommuner som har infört",
    "scenario": "Scenario",
    "innovation": "Innovation",
    "size_class": "Storleksklass (invånare)",
    "county": "Län",
    # map
    "map_title": "När kommunerna införde innovationen",
    "map_replication": "replikering",
    "adopted_month": "Månad för första införande",
    "adopted_by_then": "Har infört (färg: månad)",
    "not_adopted": "Inte infört (ännu eller alls), grått",
    "never": "aldrig",
    "name": "Kommun",
    "population": "Folkmängd",
    "final_stage": "Läge vid körningens slut",
    "by_end_of_year": "Läge vid slutet av år ",
    "play": "Spela",
    "pause": "Paus",
    "stage_unaware": "känner inte till",
    "stage_aware": "känner till",
    "stage_decided": "beslutat att pröva",
    "stage_trialling": "prövar",
    "stage_adopted": "har infört",
    "stage_discontinued": "har avbrutit",
    # effects
    "effects_title": "Effekt av {b} jämfört med {a} (B − A, 95 %-konfidensintervall)",
    "scenario_a": "A",
    "scenario_b": "B",
    "difference": "Skillnad B − A",
    "all_innovations": "alla innovationer",
    "no_interval": "inget intervall",
    "metric_adoption_share_5y": "Andel som har infört efter 5 år (procentenheter)",
    "metric_adoption_share_10y": "Andel som har infört efter 10 år (procentenheter)",
    "metric_months_to_50pct": "Månader till 50 % har infört (ej nått = körningens längd + 1)",
    "metric_value_created_msek": "Skapat värde (MSEK)",
    "metric_state_spending_msek": "Statens utgifter (MSEK)",
    "metric_municipal_spending_msek": "Kommunernas utgifter, netto (MSEK)",
    "metric_state_cost_per_adoption_year_msek": (
        "Extra statliga MSEK per extra införandeår (bootstrapintervall)"
    ),
    "metric_size_gap_10y": ("Skillnad största − minsta storleksklass efter 10 år (procentenheter)"),
    # money
    "sankey_title": "Vart programbudgeten gick (medel över {n} replikeringar, MSEK)",
    "budget": "Budget",
    "granted": "Utbetalda prövningsbidrag",
    "administered": "Övrigt använt (kapacitet, FoU, centrum, administration, processtöd)",
    "unspent": "Oanvänt, återfört",
    "in_pot": "Kvar i bidragspotten",
    "capacity_building": "Kapacitetsbyggande",
    "other_use": "FoU, kompetenscentrum, administration",
    "municipalities_in": "Kommuner",
    "risk_refunds": "Riskdelning (utanför budgeten)",
    "refunded_to": "Kommuner (ersättning för misslyckade prövningar)",
    "msek": "MSEK",
    "spending_title": "Statens utgifter, kumulativt",
    "spending_title_innovation": "Statens utgifter per innovation (bidrag och riskdelning), kumulativt",
    "spending_axis": "Kumulativa statliga utgifter (MSEK)",
    "spending_all": "Använda politikpengar (bidrag + övrigt + riskdelning)",
    "budget_cumulative": "Budget, kumulativ",
    # market
    "market_title": "Leverantörsmarknaden",
    "suppliers_active": "Aktiva leverantörer",
    "suppliers_axis": "Antal",
    "mean_price": "Genomsnittligt pris",
    "mean_price_axis": "SEK per invånare och år",
    "market_concentration": "Marknadskoncentration",
    "market_concentration_axis": "Herfindahlindex (0–1)",
    # sensitivity
    "sobol_title": "Sobolindex för {outcome}",
    "s1": "Förstaordningens index (S1)",
    "st": "Totalindex (ST)",
    "sobol_axis": "Andel av utfallets varians",
    "parameter": "Parameter",
    "morris_title": "Morris elementära effekter för {outcome}",
    "mu_star": "μ* (medel av |elementär effekt|)",
    "sigma": "σ (spridning av elementär effekt)",
    "response_title": "Utfallet {outcome} som funktion av {x}",
    "response_title_2d": "Utfallet {outcome} som funktion av {x} och {y}",
    "outcome_mean": "Medelvärde av {outcome}",
    "runs": "körningar",
}

EN: dict[str, str] = {
    "x_years": "Years from start",
    "x_months": "Month from start",
    "year": "Year",
    "month": "Month",
    "mean": "mean",
    "band": "2.5–97.5 % quantiles across replications",
    "band_legend": "Line: mean over replications<br>Shaded: 2.5–97.5 % quantiles",
    "band_low": "2.5 % quantile",
    "band_high": "97.5 % quantile",
    "replications": "replications",
    "replications_with_value": "replications with a value",
    "ci95": "95 % confidence interval",
    "ci_low": "lower bound",
    "ci_high": "upper bound",
    "adoption_title": "Share of municipalities that have adopted the innovation",
    "adoption_title_size_class": "Share of municipalities that have adopted, by size class",
    "adoption_title_county": "Share of municipalities that have adopted, by county",
    "adoption_share": "Share of municipalities that have adopted",
    "scenario": "Scenario",
    "innovation": "Innovation",
    "size_class": "Size class (inhabitants)",
    "county": "County",
    "map_title": "When the municipalities adopted the innovation",
    "map_replication": "replication",
    "adopted_month": "Month of first adoption",
    "adopted_by_then": "Adopted (colour: month)",
    "not_adopted": "Not adopted (yet or at all), grey",
    "never": "never",
    "name": "Municipality",
    "population": "Population",
    "final_stage": "Stage at the end of the run",
    "by_end_of_year": "State at the end of year ",
    "play": "Play",
    "pause": "Pause",
    "stage_unaware": "unaware",
    "stage_aware": "aware",
    "stage_decided": "decided to trial",
    "stage_trialling": "trialling",
    "stage_adopted": "adopted",
    "stage_discontinued": "discontinued",
    "effects_title": "Effect of {b} against {a} (B − A, 95 % confidence interval)",
    "scenario_a": "A",
    "scenario_b": "B",
    "difference": "Difference B − A",
    "all_innovations": "all innovations",
    "no_interval": "no interval",
    "metric_adoption_share_5y": "Share adopted after 5 years (percentage points)",
    "metric_adoption_share_10y": "Share adopted after 10 years (percentage points)",
    "metric_months_to_50pct": "Months to 50 % adopted (not reached = run length + 1)",
    "metric_value_created_msek": "Value created (MSEK)",
    "metric_state_spending_msek": "State spending (MSEK)",
    "metric_municipal_spending_msek": "Municipal spending, net (MSEK)",
    "metric_state_cost_per_adoption_year_msek": (
        "Extra state MSEK per extra adoption-year (bootstrap interval)"
    ),
    "metric_size_gap_10y": "Gap largest − smallest size class after 10 years (percentage points)",
    "sankey_title": "Where the programme budget went (mean of {n} replications, MSEK)",
    "budget": "Budget",
    "granted": "Trial grants paid",
    "administered": "Other use (capacity, FoU, centre, administration, process support)",
    "unspent": "Unspent, returned",
    "in_pot": "Still in the grant pot",
    "capacity_building": "Capacity building",
    "other_use": "FoU, competence centre, administration",
    "municipalities_in": "Municipalities",
    "risk_refunds": "Risk sharing (outside the budget)",
    "refunded_to": "Municipalities (refunds for failed trials)",
    "msek": "MSEK",
    "spending_title": "State spending, cumulative",
    "spending_title_innovation": "State spending per innovation (grants and risk sharing), cumulative",
    "spending_axis": "Cumulative state spending (MSEK)",
    "spending_all": "Policy money used (grants + other use + risk sharing)",
    "budget_cumulative": "Budget, cumulative",
    "market_title": "The supplier market",
    "suppliers_active": "Active suppliers",
    "suppliers_axis": "Number",
    "mean_price": "Mean price",
    "mean_price_axis": "SEK per inhabitant per year",
    "market_concentration": "Market concentration",
    "market_concentration_axis": "Herfindahl index (0–1)",
    "sobol_title": "Sobol indices for {outcome}",
    "s1": "First-order index (S1)",
    "st": "Total index (ST)",
    "sobol_axis": "Share of the outcome's variance",
    "parameter": "Parameter",
    "morris_title": "Morris elementary effects for {outcome}",
    "mu_star": "μ* (mean of |elementary effect|)",
    "sigma": "σ (spread of elementary effects)",
    "response_title": "Outcome {outcome} as a function of {x}",
    "response_title_2d": "Outcome {outcome} as a function of {x} and {y}",
    "outcome_mean": "Mean of {outcome}",
    "runs": "runs",
}

LABELS: dict[str, dict[str, str]] = {"sv": SV, "en": EN}

# Plotly's number separators (decimal, thousands): Swedish writes 1 234,5.
SEPARATORS: dict[str, str] = {"sv": ", ", "en": ".,"}


def check_lang(lang: str) -> str:
    """``lang`` if it is a supported language, else a ValueError naming the allowed ones."""
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {list(LANGUAGES)}, got {lang!r}")
    return lang


def label(key: str, lang: str) -> str:
    """The text for ``key`` in ``lang``."""
    texts = LABELS[check_lang(lang)]
    if key not in texts:
        raise KeyError(f"no label {key!r}; known labels: {sorted(texts)}")
    return texts[key]


def metric_label(metric: str, lang: str) -> str:
    """A readable name for an effects metric; an unknown metric keeps its own name."""
    key = f"metric_{metric}"
    texts = LABELS[check_lang(lang)]
    return texts.get(key, metric)


def stage_label(stage: str, lang: str) -> str:
    """A readable name for an adoption stage; an unknown stage keeps its own name."""
    return LABELS[check_lang(lang)].get(f"stage_{stage}", stage)


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``value`` written the way ``lang`` writes numbers (Swedish: 1 234,5)."""
    text = f"{value:,.{decimals}f}"
    if check_lang(lang) == "sv":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text
