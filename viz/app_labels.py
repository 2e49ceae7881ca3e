"""The explorer's own texts, Swedish and English (figure texts stay in ``viz.labels``).

Kept apart from ``viz.labels`` because these belong to the page (form fields, buttons,
messages), not to the figures; the same keys in both languages, checked by a test.
"""

from __future__ import annotations

from viz.labels import check_lang

SV: dict[str, str] = {
    "title": "Spridning – utforska styrmedlen",
    "subtitle": (
        "Välj ett scenario, ändra styrmedlen och tryck på Kör. Scenariot körs mot baslinjen "
        "med samma replikeringar och frö."
    ),
    "tab_run": "Scenario",
    "tab_sweep": "Svepresultat",
    "scenario": "Scenario",
    "run": "Kör",
    "running": "Kör …",
    "on": "På",
    # levers
    "lever_programme": "Innovationsprogram",
    "lever_trial_legislation": "Försökslagstiftning",
    "lever_shared_procurement": "Samordnad upphandling",
    "lever_process_fund": "Processtödsfond (danska modellen)",
    "lever_run": "Körning",
    "programme-enabled": "Programmet är på",
    "programme-annual_budget_msek": "Årlig budget (MSEK)",
    "programme-years": "Antal år",
    "programme-start_month": "Startmånad",
    "programme-share_grants": "Andel prövningsbidrag",
    "programme-share_capacity": "Andel kapacitetsbyggande",
    "programme-share_fou": "Andel FoU och testbäddar",
    "programme-share_centre": "Andel kompetenscentrum",
    "programme-share_administration": "Andel administration",
    "programme-targeting": "Vilka kommuner först",
    "programme-grant_share_of_trial": "Bidragets andel av prövningens kostnad",
    "trial_legislation-enabled": "Försökslagen är på",
    "trial_legislation-counties": "Försökszon: län",
    "trial_legislation-start_month": "Startmånad",
    "trial_legislation-years": "Antal år före utvärdering",
    "shared_procurement-enabled": "Samordnad upphandling är på",
    "shared_procurement-consortia": "Konsortier",
    "shared_procurement-risk_share": "Statens riskdelning (andel av misslyckad prövning)",
    "process_fund-enabled": "Fonden är på",
    "process_fund-total_msek": "Fondens storlek (MSEK)",
    "process_fund-years": "Antal år",
    "replications": "Replikeringar",
    "seed": "Frö (slumptal)",
    "shares_hint": "De fem andelarna ska summera till 1.",
    "choose_counties": "Välj län …",
    "targeting_all": "alla",
    "targeting_low_capacity": "låg kapacitet först",
    "targeting_small": "små kommuner först",
    "targeting_central": "mest centrala först",
    "consortia_county": "ett per län",
    "consortia_national": "ett nationellt inköpsorgan",
    # validation
    "invalid": "Ogiltigt värde",
    "empty": "inget värde",
    "not_number": "måste vara ett tal, fick {value}",
    "not_whole": "måste vara ett heltal, fick {value}",
    "not_onoff": "måste vara på eller av, fick {value}",
    "not_choice": "måste vara ett av {choices}, fick {value}",
    "not_counties": "måste vara en lista med länskoder, fick {value}",
    "unknown_counties": "okända län {unknown}; välj bland {choices}",
    "out_of_range": "måste vara mellan {low} och {high}, fick {value}",
    "unknown_scenario": "okänt scenario {value}; biblioteket har {choices}",
    "shares_sum": "de fem andelarna ({fields}) måste summera till 1, de summerar till {total}",
    "no_zone": "försökslagen är på men ingen zon är vald: välj minst ett län",
    "run_failed": "Körningen misslyckades",
    "figure_failed": "Figuren kunde inte ritas",
    "press_run": "Tryck på Kör för att köra scenariot.",
    "no_money": "Inga statliga policypengar i det här scenariot.",
    # results
    "curves_innovation": "Innovation i kurvorna",
    "map_innovation": "Innovation på kartan",
    "all_innovations": "alla innovationer",
    "baseline": "baslinje",
    "modified": "ändrat",
    "summary": (
        "{scenario}: efter {years} år har i genomsnitt {share} av kommunerna infört, mot "
        "{base} i baslinjen ({diff} procentenheter). Medel över {n_innovations} innovationer "
        "och {replications} replikeringar."
    ),
    "summary_money": "Statens använda policypengar: {msek} MSEK (medel över replikeringarna).",
    "summary_time": "Körtid {seconds} s ({what}).",
    "time_both": "scenario och baslinje körda",
    "time_scenario": "baslinjen från cache",
    "time_baseline": "scenariot från cache",
    "time_none": "båda från cache",
    "col_innovation": "Innovation",
    "col_scenario": "Scenario",
    "col_baseline": "Baslinje",
    "col_diff": "Skillnad (procentenheter)",
    # sweep tab
    "sweep_none": (
        "Ingen svepmapp är angiven. Starta med `spridning explore --results MAPP`, där MAPP "
        "är en mapp från `spridning sweep` som har analyserats med `spridning analyse`."
    ),
    "sweep_missing": "{path} finns inte.",
    "sweep_no_manifest": "{path} är ingen svepmapp: manifest.json saknas.",
    "sweep_bad_manifest": "{path}: manifest.json går inte att läsa ({error}).",
    "sweep_not_sweep": "{path} är ingen svepmapp: manifest.json har kind = {kind}.",
    "sweep_no_analysis": (
        "{path} har inga analysfiler (analysis/*.csv). Kör `spridning analyse {path}` först."
    ),
    "sweep_bad_csv": "{file} går inte att läsa: {error}",
    "sweep_header": "Svep {name} ({design}, {points} punkter) i {path}",
    "outcome": "Utfall",
    "innovation": "Innovation",
    "x_parameter": "Parameter på x-axeln",
    "y_parameter": "Parameter på y-axeln",
    "none": "ingen",
    "held_at": "Övriga parametrar hålls vid: {values}",
    "response_grid_only": ("Svarsytan visas bara för rutnätsdesign (den här är {design})."),
    "missing_for_outcome": "{what}: inget för det här utfallet och den här innovationen.",
    "what_response": "Svarsyta",
    "what_sobol": "Sobolindex",
    "what_morris": "Morrisanalys",
}

EN: dict[str, str] = {
    "title": "Spridning – explore the policy levers",
    "subtitle": (
        "Choose a scenario, change the levers and press Run. The scenario is run against "
        "the baseline with the same replications and seed."
    ),
    "tab_run": "Scenario",
    "tab_sweep": "Sweep results",
    "scenario": "Scenario",
    "run": "Run",
    "running": "Running …",
    "on": "On",
    "lever_programme": "Innovation programme",
    "lever_trial_legislation": "Trial legislation",
    "lever_shared_procurement": "Shared procurement",
    "lever_process_fund": "Process-support fund (Danish style)",
    "lever_run": "Run",
    "programme-enabled": "Programme on",
    "programme-annual_budget_msek": "Annual budget (MSEK)",
    "programme-years": "Years",
    "programme-start_month": "Start month",
    "programme-share_grants": "Share to trial grants",
    "programme-share_capacity": "Share to capacity building",
    "programme-share_fou": "Share to FoU and test beds",
    "programme-share_centre": "Share to competence centre",
    "programme-share_administration": "Share to administration",
    "programme-targeting": "Which municipalities first",
    "programme-grant_share_of_trial": "Grant's share of a trial's cost",
    "trial_legislation-enabled": "Trial law on",
    "trial_legislation-counties": "Trial zone: counties",
    "trial_legislation-start_month": "Start month",
    "trial_legislation-years": "Years before the evaluation",
    "shared_procurement-enabled": "Shared procurement on",
    "shared_procurement-consortia": "Consortia",
    "shared_procurement-risk_share": "State risk sharing (share of a failed trial)",
    "process_fund-enabled": "Fund on",
    "process_fund-total_msek": "Fund total (MSEK)",
    "process_fund-years": "Years",
    "replications": "Replications",
    "seed": "Seed",
    "shares_hint": "The five shares must sum to 1.",
    "choose_counties": "Choose counties …",
    "targeting_all": "all",
    "targeting_low_capacity": "low capacity first",
    "targeting_small": "small municipalities first",
    "targeting_central": "most central first",
    "consortia_county": "one per county",
    "consortia_national": "one national purchasing body",
    "invalid": "Invalid value",
    "empty": "no value",
    "not_number": "must be a number, got {value}",
    "not_whole": "must be a whole number, got {value}",
    "not_onoff": "must be on or off, got {value}",
    "not_choice": "must be one of {choices}, got {value}",
    "not_counties": "must be a list of county codes, got {value}",
    "unknown_counties": "unknown counties {unknown}; choose from {choices}",
    "out_of_range": "must be between {low} and {high}, got {value}",
    "unknown_scenario": "unknown scenario {value}; the library has {choices}",
    "shares_sum": "the five shares ({fields}) must sum to 1, they sum to {total}",
    "no_zone": "the trial law is on but no zone is chosen: choose at least one county",
    "run_failed": "The run failed",
    "figure_failed": "The figure could not be drawn",
    "press_run": "Press Run to run the scenario.",
    "no_money": "No state policy money in this scenario.",
    "curves_innovation": "Innovation in the curves",
    "map_innovation": "Innovation on the map",
    "all_innovations": "all innovations",
    "baseline": "baseline",
    "modified": "modified",
    "summary": (
        "{scenario}: after {years} years, on average {share} of the municipalities have "
        "adopted, against {base} in the baseline ({diff} percentage points). Mean over "
        "{n_innovations} innovations and {replications} replications."
    ),
    "summary_money": "State policy money used: {msek} MSEK (mean over replications).",
    "summary_time": "Run time {seconds} s ({what}).",
    "time_both": "scenario and baseline run",
    "time_scenario": "baseline from cache",
    "time_baseline": "scenario from cache",
    "time_none": "both from cache",
    "col_innovation": "Innovation",
    "col_scenario": "Scenario",
    "col_baseline": "Baseline",
    "col_diff": "Difference (percentage points)",
    "sweep_none": (
        "No sweep folder given. Start with `spridning explore --results DIR`, where DIR is a "
        "folder from `spridning sweep` that has been analysed with `spridning analyse`."
    ),
    "sweep_missing": "{path} does not exist.",
    "sweep_no_manifest": "{path} is not a sweep folder: it has no manifest.json.",
    "sweep_bad_manifest": "{path}: manifest.json cannot be read ({error}).",
    "sweep_not_sweep": "{path} is not a sweep folder: its manifest.json has kind = {kind}.",
    "sweep_no_analysis": (
        "{path} has no analysis files (analysis/*.csv). Run `spridning analyse {path}` first."
    ),
    "sweep_bad_csv": "{file} cannot be read: {error}",
    "sweep_header": "Sweep {name} ({design}, {points} points) in {path}",
    "outcome": "Outcome",
    "innovation": "Innovation",
    "x_parameter": "Parameter on the x axis",
    "y_parameter": "Parameter on the y axis",
    "none": "none",
    "held_at": "Other parameters held at: {values}",
    "response_grid_only": (
        "The response surface is drawn for grid designs only (this one is {design})."
    ),
    "missing_for_outcome": "{what}: nothing for this outcome and innovation.",
    "what_response": "Response surface",
    "what_sobol": "Sobol indices",
    "what_morris": "Morris screening",
}

TEXTS: dict[str, dict[str, str]] = {"sv": SV, "en": EN}


def text(key: str, lang: str, **values: object) -> str:
    """The page text ``key`` in ``lang``, with ``values`` filled in."""
    texts = TEXTS[check_lang(lang)]
    if key not in texts:
        raise KeyError(f"no explorer text {key!r}; known: {sorted(texts)}")
    return texts[key].format(**values) if values else texts[key]
