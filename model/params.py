"""The parameter register: every model parameter with unit, default, ranges and source.

Numbers, on/off switches, choices (``choices``: a targeting rule, a repeal rule) and code
lists (a trial zone) alike, with the rules that tie several of them together (``RULES``).
Everything that names, checks or shows a parameter is derived from here: the scenario
schema (``model.scenario``), the experiment files' parameter names, the explorer's form
(the parameters with an ``explorer`` control), the report's assumptions table,
``spridning params`` and docs/ODD.md's table. ``allowed`` is what a scenario file may
set (checked at load time); ``plausible`` is the range an analyst should believe and that
sweeps use by default. A parameter's one spelling is its register name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

SOU_2003_90 = "SOU 2003:90 survey of municipal chiefs (~190 municipalities), via SKL 2009 'Den innovativa kommunen'"
ASSUMPTION = "assumption"
OPTIMISM = (
    "Budzier and Flyvbjerg 2011 (8 in 10 of 1,471 ICT projects missed their estimate by over "
    "10 %) and Flyvbjerg and Gardner 2023; benefit shortfalls exceed cost overruns in "
    "transport; no Swedish municipal figure known (SOURCES.md)"
)


@dataclass(frozen=True)
class Explorer:
    """How the explorer's form shows a parameter: a slider over the allowed range, or a
    typed number with this step (switches, choices and zones have their own controls)."""

    slider: bool = False
    step: float | None = None


@dataclass(frozen=True)
class Parameter:
    name: str  # dotted: "<section>.<field>"
    unit: str
    default: float | int | bool | str | tuple[str, ...] | None  # None: must be given
    plausible: tuple[float, float] | None
    allowed: tuple[float | None, float | None] | None
    source: str
    description: str
    choices: tuple[str, ...] | None = None  # a categorical parameter's values
    explorer: Explorer | None = None  # shown in the explorer's form, and how

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def field(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def kind(self) -> str:
        """switch, int, float, choice or codes (a list of municipality or county codes)."""
        if self.choices is not None:
            return "choice"
        if isinstance(self.default, bool):
            return "switch"
        if isinstance(self.default, tuple):
            return "codes"
        return "int" if isinstance(self.default, int) else "float"


def _p(
    name,
    unit,
    default,
    plausible,
    allowed,
    source,
    description,
    explorer: Explorer | None = None,
) -> Parameter:
    return Parameter(
        name, unit, default, plausible, allowed, source, description, explorer=explorer
    )


def _choice(
    name: str,
    choices: tuple[str, ...],
    default: str | None,
    source: str,
    description: str,
    explorer: bool = False,
) -> Parameter:
    return Parameter(
        name,
        "choice",
        default,
        None,
        None,
        source,
        description,
        choices=choices,
        explorer=Explorer() if explorer else None,
    )


SHOWN = Explorer()
TARGETING = ("all", "low_capacity", "small", "central")
TARGETING_SOURCE = (
    "design brief section 4; 'central' seeds the leaders, as in the policy-diffusion literature"
)


def _switch(name: str, description: str) -> Parameter:
    return Parameter(
        name, "on/off", True, None, None, "design brief (DESIGN.md section 3)", description
    )


UNIT = (0.0, 1.0)
NONNEG = (0.0, None)

# fmt: off
PARAMETERS: tuple[Parameter, ...] = (
    # --- run -----------------------------------------------------------------------------
    _p("run.months", "months", 240, (120, 240), (1, 1200), "design brief: a run is typically 10-20 years", "length of a run (one step = one month)"),
    _p("run.start_year", "calendar year", 2027, (2025, 2030), (1990, 2100), ASSUMPTION, "calendar year of month 1, for labels and calendar mapping"),
    # --- municipalities ------------------------------------------------------------------
    _p("municipalities.share_idea_org", "share", 0.16, (0.08, 0.3), UNIT, f"{SOU_2003_90}: 84 % had no active organisation for handling ideas", "share with an active organisation for handling ideas (more trial slots, more attention)"),
    _p("municipalities.share_peer_study", "share", 0.3, (0.15, 0.45), UNIT, f"{SOU_2003_90}: 70 % made no systematic studies of how other organisations work", "share that systematically study how others work (stronger peer channels)"),
    _p("municipalities.share_scanning", "share", 0.5, (0.35, 0.65), UNIT, f"{SOU_2003_90}: about 50 % did no systematic external scanning", "share with systematic external scanning (omvärldsbevakning; stronger external channel)"),
    _p("municipalities.share_fair_visits", "share", 0.19, (0.1, 0.3), UNIT, f"{SOU_2003_90}: 81 % made no frequent visits to trade fairs", "share visiting trade fairs often (stronger supplier marketing channel for products)"),
    _p("municipalities.size_gradient", "log-odds per sd of log population", 0.8, (0.0, 1.5), (0.0, 5.0), ASSUMPTION, "how much more likely larger municipalities are to have each capacity (shares are kept at the survey values)"),
    _p("municipalities.budget_sek_per_capita", "SEK per inhabitant per year", 40.0, (15.0, 100.0), NONNEG, ASSUMPTION, "development money per inhabitant set aside for trials and procurement"),
    _p("municipalities.budget_base_msek", "MSEK per year", 0.4, (0.1, 1.5), NONNEG, ASSUMPTION, "development money every municipality has regardless of size"),
    _p("municipalities.budget_sd", "sd of log budget", 0.3, (0.0, 0.6), (0.0, 2.0), ASSUMPTION, "spread of development budgets between municipalities of equal size"),
    _p("municipalities.risk_tolerance_mean", "0-1", 0.3, (0.15, 0.5), (0.01, 0.99), "assumption; the 'zero-error culture' common in the public sector (SKL 2015 position paper)", "mean willingness to act on uncertain value"),
    _p("municipalities.risk_tolerance_concentration", "Beta a+b", 6.0, (2.0, 20.0), (0.5, 1000.0), ASSUMPTION, "how alike municipalities are in risk tolerance (higher = more alike)"),
    _p("municipalities.competence_mean", "0-1", 0.35, (0.2, 0.6), (0.01, 0.99), "assumption; Upphandlingsmyndigheten 2022: 11 % of municipalities procure innovative solutions to a high degree", "procurement competence of a municipality of average size (shorter, cheaper procurements)"),
    _p("municipalities.competence_sd", "sd on the log-odds scale", 1.0, (0.3, 1.5), (0.0, 5.0), ASSUMPTION, "spread of procurement competence between municipalities of equal size"),
    _p("municipalities.base_trial_slots", "concurrent trials", 1, (1, 3), (1, 10), ASSUMPTION, "trials a municipality can run at once; an idea-handling organisation adds one"),
    _p("municipalities.large_extra_slots", "concurrent trials", 1, (0, 2), (0, 10), ASSUMPTION, "extra concurrent trials for municipalities of 50,000 inhabitants or more"),
    _p("municipalities.homogeneous", "on/off", False, None, None, "design brief section 6 (Bass docking)", "all municipalities identical (no capacities, mean budget and risk tolerance, fit 1)"),
    # --- awareness -----------------------------------------------------------------------
    _p("awareness.scanning_effect", "x hazard", 1.0, (0.0, 2.0), NONNEG, ASSUMPTION, "extra external hazard with systematic scanning (1 = doubles it)"),
    _p("awareness.fair_visit_effect", "x hazard", 0.5, (0.0, 1.5), NONNEG, ASSUMPTION, "extra external hazard for products with frequent trade-fair visits"),
    _p("awareness.neighbours", "per month at full share", 0.06, (0.0, 0.15), NONNEG, ASSUMPTION, "awareness hazard when all border neighbours have adopted"),
    _p("awareness.county", "per month at full share", 0.03, (0.0, 0.08), NONNEG, ASSUMPTION, "awareness hazard when all municipalities in the county have adopted"),
    _p("awareness.size_class", "per month at full share", 0.03, (0.0, 0.08), NONNEG, ASSUMPTION, "awareness hazard when all in the same size class have adopted ('see how others do it')"),
    _p("awareness.fou", "per month at full share", 0.05, (0.0, 0.12), NONNEG, ASSUMPTION, "awareness hazard when all members of the same FoU environment have adopted"),
    _p("awareness.national", "per month at full share", 0.0, (0.0, 0.1), NONNEG, "design brief section 6 (Bass q)", "fully mixed channel: hazard proportional to the national adoption share (off by default)"),
    _p("awareness.peer_study_effect", "x hazard", 1.0, (0.0, 2.0), NONNEG, ASSUMPTION, "extra peer hazard for municipalities that study how others work"),
    _p("awareness.fou_product_weight", "0-1", 0.5, (0.2, 1.0), UNIT, "design brief: methods spread mainly through FoU environments", "weight of FoU dissemination for products relative to methods"),
    # --- decision ------------------------------------------------------------------------
    _p("decision.consideration_rate", "per month", 0.08, (0.03, 0.2), UNIT, ASSUMPTION, "chance an aware municipality puts the innovation on its agenda in a month"),
    _p("decision.idea_org_effect", "x rate", 1.0, (0.0, 2.0), NONNEG, ASSUMPTION, "extra consideration rate with an idea-handling organisation"),
    _p("decision.claim_optimism", "x true benefit", 1.3, (1.0, 2.0), (0.5, 5.0), f"assumption informed by {OPTIMISM}", "how much the benefit claimed for an innovation usually exceeds its true benefit (used where an innovation states no claim)"),
    _p("decision.prior_spread_sd", "sd of log expectation", 0.2, (0.0, 0.5), (0.0, 3.0), ASSUMPTION, "how much municipalities' first expectations of one claim differ"),
    _p("decision.prior_sd", "ratio", 0.6, (0.3, 1.0), (0.01, 5.0), ASSUMPTION, "uncertainty about the benefit/cost ratio before any evidence"),
    _p("decision.risk_aversion_scale", "premium per MSEK at risk", 1.0, (0.2, 3.0), (0.0, 20.0), "assumption; the 'zero-error culture' of the public sector (SKL 2015 position paper)", "risk premium a fully risk-averse municipality puts on each MSEK of its own money at risk (scaled by 1 - risk tolerance)"),
    _p("decision.hurdle", "ratio", 0.1, (0.0, 0.3), (0.0, 2.0), ASSUMPTION, "margin above break-even (benefit/cost 1) a municipality wants before it scales up"),
    _p("decision.horizon_years", "years", 5, (3, 10), (1, 30), "assumption: about one contract period; framework agreements run at most four years under LOU (Upphandlingsmyndigheten 2019)", "years of use a municipality counts when it values scaling up"),
    _p("decision.discount_rate", "per year", 0.035, (0.0, 0.06), (0.0, 0.5), "Trafikverket ASEK (Swedish appraisal guidelines): 3.5 % real", "rate at which later years' net benefits are discounted"),
    _p("decision.max_wait_months", "months", 24, (6, 48), (1, 600), "assumption; LOV 2012: 15 municipalities had decided but found no provider (SKR 2023)", "a decided municipality with no supplier gives up after this"),
    # --- trials --------------------------------------------------------------------------
    _p("trials.noise_sd", "relative sd", 0.3, (0.1, 0.6), (0.0, 3.0), ASSUMPTION, "noise of a trial's realised result around true value times fit"),
    _p("trials.fit_sd", "relative sd", 0.25, (0.1, 0.4), (0.0, 2.0), ASSUMPTION, "spread of fit (how well an innovation suits a municipality) around its size-class compatibility"),
    _p("trials.retry_delay_months", "months", 24, (12, 60), (0, 600), ASSUMPTION, "time before a municipality that discontinued can reconsider"),
    _p("trials.retry_rate", "per month", 0.02, (0.0, 0.05), UNIT, ASSUMPTION, "chance per month after the delay that it becomes aware-and-open again"),
    # --- learning ------------------------------------------------------------------------
    _p("learning.observation_sd", "ratio", 0.5, (0.2, 1.0), (0.01, 10.0), ASSUMPTION, "how informative one observed peer result is (sd of a single observation)"),
    _p("learning.own_result_weight", "peer results", 4.0, (1.0, 10.0), NONNEG, ASSUMPTION, "an own trial counts as this many peer results"),
    _p("learning.neighbours", "weight", 1.0, (0.0, 2.0), NONNEG, ASSUMPTION, "weight of a border neighbour's result"),
    _p("learning.county", "weight", 0.3, UNIT, NONNEG, ASSUMPTION, "weight of a same-county result"),
    _p("learning.size_class", "weight", 0.05, (0.0, 0.3), NONNEG, ASSUMPTION, "weight of a same-size-class result"),
    _p("learning.fou", "weight", 1.0, (0.0, 2.0), NONNEG, "design brief: FoU environments turn members' results into shared evidence", "weight of a result pooled by a shared FoU environment"),
    _p("learning.size_similarity", "weight per size-class step", 0.6, (0.3, 1.0), UNIT, "assumption; design brief section 3: a large municipality's result says little to a small one", "a peer's result counts this much less for each size class between the two"),
    _p("learning.half_life_months", "months", 36.0, (12.0, 120.0), (6.0, 10000.0), ASSUMPTION, "age at which a result counts half as much as a new one"),
    # --- adoption ------------------------------------------------------------------------
    _p("adoption.stop_rate", "per month", 0.001, (0.0, 0.005), UNIT, "assumption; LOV: some municipalities later abandoned (SKR 2023)", "chance per month that an adopter stops for reasons of its own (political change, reorganisation)"),
    _p("adoption.dissatisfaction_rate", "per month", 0.01, (0.0, 0.05), UNIT, ASSUMPTION, "extra chance per month of stopping while the municipality's own result is below break-even"),
    _p("adoption.reprocure_probability", "probability", 0.7, (0.3, 1.0), UNIT, "design brief: a stranded adopter must re-procure or discontinues", "chance a customer stranded by a supplier's exit re-procures rather than discontinues"),
    # --- procurement ---------------------------------------------------------------------
    _p("procurement.lead_months", "months", 9, (4, 18), (0, 120), "assumption; Demand Acceleration took about 18 months from start to product", "individual procurement lead time at average competence"),
    _p("procurement.cost_msek", "MSEK", 0.3, (0.1, 1.0), NONNEG, ASSUMPTION, "individual procurement cost at average competence"),
    # --- suppliers -----------------------------------------------------------------------
    _p("suppliers.incumbent_cash_msek", "MSEK", 40.0, (10.0, 100.0), NONNEG, "assumption; design brief: incumbents are large", "starting cash of an incumbent supplier"),
    _p("suppliers.incumbent_fixed_msek_month", "MSEK per month", 0.25, (0.1, 1.0), NONNEG, ASSUMPTION, "an incumbent's fixed cost for the product line"),
    _p("suppliers.incumbent_capacity", "customers", 60, (20, 150), (1, 100000), ASSUMPTION, "customers an incumbent can serve at once"),
    _p("suppliers.entrant_cash_msek", "MSEK", 3.0, (0.5, 10.0), NONNEG, "assumption; design brief: small innovative firms face high thresholds", "starting cash of an entrant or small-firm supplier"),
    _p("suppliers.entrant_fixed_msek_month", "MSEK per month", 0.1, (0.03, 0.4), NONNEG, ASSUMPTION, "a small firm's fixed cost"),
    _p("suppliers.entrant_capacity", "customers", 15, (5, 40), (1, 100000), ASSUMPTION, "customers a small firm can serve at once"),
    _p("suppliers.margin", "share of revenue", 0.3, (0.1, 0.5), UNIT, ASSUMPTION, "contribution margin on revenue, before fixed cost"),
    _p("suppliers.bid_noise_sd", "sd of log bid factor", 0.2, (0.05, 0.5), (0.0, 3.0), ASSUMPTION, "how much buyers' valuation of suppliers varies beyond price (quality, fit)"),
    _p("suppliers.progress_ratio", "price per doubling", 0.9, (0.8, 0.97), (0.5, 1.0), "assumption; experience-curve studies report progress ratios of roughly 0.7-0.95", "price multiplier per doubling of a supplier's cumulative deployments"),
    _p("suppliers.price_pass_through", "share", 1.0, (0.5, 1.0), UNIT, "assumption: 1 = competitive pricing passes every experience saving on; below 1 suppliers keep part as margin", "share of the experience curve's cost saving passed on in price (elasticity of price to unit cost)"),
    _p("suppliers.min_price_ratio", "x list price", 0.5, (0.3, 0.8), UNIT, ASSUMPTION, "floor of the experience curve"),
    _p("suppliers.entry_rate", "per month", 0.05, (0.0, 0.2), UNIT, "design brief: new suppliers enter when procurement demand is visible", "chance per month that a supplier enters when demand is visible"),
    _p("suppliers.entry_demand", "waiting municipalities", 3, (1, 10), (1, 100000), ASSUMPTION, "municipalities waiting for a supplier that make demand visible"),
    _p("suppliers.max_per_innovation", "suppliers", 6, (2, 12), (1, 100), ASSUMPTION, "most suppliers ever active for one product"),
    _p("suppliers.bid_cost_msek", "MSEK per bid", 0.05, (0.01, 0.3), NONNEG, "assumption: a few weeks of a bid team's time for one public tender", "what preparing a bid for a consortium's tender costs a supplier, win or lose"),
    _p("suppliers.competition_discount", "share of the asking price", 0.15, (0.0, 0.3), (0.0, 0.9), "assumption; EU public procurement studies find prices fall as the number of bidders rises", "what competition takes off a joint tender's bids: with n bidders, this x (1 - 1/n) below the price the bidder would ask at that volume"),
    # --- fou -----------------------------------------------------------------------------
    _p("fou.membership_probability", "probability", 0.85, (0.6, 1.0), UNIT, "assumption; regional FoU units cover most municipalities", "chance a municipality is a member of its county's FoU environment"),
    _p("fou.national_count", "environments", 2, (0, 4), (0, 20), "design brief: roughly one per county plus a few national ones", "national FoU environments (academic or science-park partners)"),
    _p("fou.national_membership_probability", "probability", 0.1, (0.0, 0.3), UNIT, ASSUMPTION, "chance a municipality is a member of each national environment"),
    _p("fou.capacity_trials_per_year", "supported trials per year", 4, (1, 12), (0, 10000), "design brief: limited capacity per year", "trials one environment can support in a year"),
    _p("fou.support_noise_reduction", "share of noise", 0.4, (0.0, 0.8), UNIT, ASSUMPTION, "method support: how much of a trial's noise it removes"),
    _p("fou.support_success_bonus", "x realised result", 0.05, (0.0, 0.2), (0.0, 2.0), ASSUMPTION, "method support: better implementation raises the realised result"),
    # --- programme (policy lever: the state innovation programme) ------------------------
    _p("programme.enabled", "on/off", False, None, None, "design brief section 4", "run the innovation programme", SHOWN),
    _p("programme.annual_budget_msek", "MSEK per year", 200.0, (100.0, 400.0), (0.0, 5000.0), "design brief: 200 MSEK a year for five years (SKL 2015 position paper)", "state money for the programme each year", Explorer(step=10)),
    _p("programme.years", "years", 5, (3, 10), (1, 30), "design brief: a five-year programme", "how long the programme runs", SHOWN),
    _p("programme.start_month", "month of the run", 13, (1, 60), (1, 1200), ASSUMPTION, "month the programme starts", SHOWN),
    _p("programme.share_grants", "share of budget", 0.5, (0.2, 0.8), UNIT, ASSUMPTION, "allocation to co-funded trial grants", SHOWN),
    _p("programme.share_capacity", "share of budget", 0.3, (0.1, 0.6), UNIT, ASSUMPTION, "allocation to capacity building: innovation leads and idea management in municipalities", SHOWN),
    _p("programme.share_fou", "share of budget", 0.1, (0.0, 0.3), UNIT, ASSUMPTION, "allocation to FoU environments and test beds (supported trials for those that had to turn trials away)", SHOWN),
    _p("programme.share_centre", "share of budget", 0.05, (0.0, 0.2), UNIT, ASSUMPTION, "allocation to a national competence centre (pooled evidence, awareness of documented results)", SHOWN),
    _p("programme.share_development", "share of budget", 0.0, (0.0, 0.2), UNIT, "DESIGN.md section 4: funding for development of new solutions (Demand Acceleration) is an instrument a programme may add; 0 in the SKR position", "allocation to development of new solutions (needs pipeline.enabled: developed products arrive in the pipeline)"),
    _p("programme.share_administration", "share of budget", 0.05, (0.02, 0.1), UNIT, ASSUMPTION, "running the programme; the six shares must sum to 1", SHOWN),
    _choice("programme.targeting", TARGETING, "all", TARGETING_SOURCE, "who gets grants and capacity first: all (random order), low_capacity, small, central", explorer=True),
    _p("programme.grant_share_of_trial", "share of trial cost", 0.5, (0.3, 0.5), UNIT, "SOU 2003:90 proposed co-funding where the municipality pays at least half", "share of a trial's cost a grant pays", Explorer(slider=True, step=0.05)),
    _p("programme.target_share", "share of municipalities", 0.5, (0.25, 0.75), (0.01, 1.0), ASSUMPTION, "share eligible for grants, and first in line for capacity, under a targeting rule other than 'all'"),
    _p("programme.lead_cost_msek_year", "MSEK per municipality-year", 0.8, (0.5, 1.2), (0.01, 100.0), "assumption: about one full-time innovation lead with overheads", "cost of capacity building in one municipality for a year"),
    _p("programme.capacity_retention", "probability", 0.5, (0.2, 0.8), UNIT, ASSUMPTION, "chance a municipality keeps the capacity it built once funding ends"),
    _p("programme.fou_cost_per_trial_msek", "MSEK per supported trial", 0.25, (0.1, 0.5), (0.01, 100.0), ASSUMPTION, "FoU and test-bed money needed to support one more trial"),
    _p("programme.development_cost_msek", "MSEK per challenge", 3.0, (1.0, 6.0), (0.01, 1000.0), "assumption; Demand Acceleration (Karlstad): concept work bought from several firms at 25,000 SEK for four weeks each (seven firms along the way, 0.175 MSEK), then development and a first purchase the example does not price", "what one development challenge costs the programme"),
    _p("programme.development_success", "probability", 0.3, (0.1, 0.6), UNIT, "assumption", "chance a funded challenge becomes a product others can buy"),
    _p("programme.development_months", "months", 18, (12, 36), (1, 240), "Demand Acceleration (Karlstad): about 18 months from start to product", "months from a funded challenge to its product's arrival"),
    _p("programme.centre_half_msek", "MSEK per year", 10.0, (5.0, 30.0), (0.01, 10000.0), ASSUMPTION, "competence centre money a year that gives half its full effect (effect = m / (m + half))"),
    _p("programme.centre_evidence_weight", "weight", 0.3, (0.05, 1.0), NONNEG, "SKL 2015: a competence centre collects, packages and spreads experience; weight an assumption (as a same-county result)", "weight of a result pooled nationally by a fully funded competence centre"),
    _p("programme.centre_awareness_per_month", "per month", 0.01, (0.002, 0.03), UNIT, "SKL 2015: the centre spreads documented results; size an assumption", "awareness hazard a fully funded centre gives an innovation with many documented trial results"),
    _p("programme.centre_documented_trials_half", "trial results", 10.0, (3.0, 30.0), (0.01, 10000.0), ASSUMPTION, "documented trial results at which the centre's awareness reaches half its full size"),
    # --- trial legislation (policy lever: försökslagstiftning) ----------------------------
    _p("trial_legislation.enabled", "on/off", False, None, None, "design brief section 4", "suspend legal barriers in trial zones", SHOWN),
    Parameter("trial_legislation.counties", "county codes or names", (), None, None, "design brief section 4: geographically limited trials", "the trial zone: counties (code or name)", explorer=SHOWN),
    Parameter("trial_legislation.municipalities", "kommunkod", (), None, None, "design brief section 4: geographically limited trials", "the trial zone: municipalities (4-digit codes)"),
    _p("trial_legislation.start_month", "month of the run", 13, (1, 60), (1, 1200), ASSUMPTION, "month the trial law takes effect", SHOWN),
    _p("trial_legislation.years", "years", 4, (3, 7), (1, 30), "precedent: the free-municipality trial ran 1984-1991 (frikommunlagen 1984:382)", "how long barriers stay suspended in the zones before the evaluation", SHOWN),
    _choice("trial_legislation.repeal_rule", ("results", "always", "never"), "results", ASSUMPTION, "at the evaluation: repeal nationally if the zones' results are good enough, always, or never"),
    _p("trial_legislation.min_trials", "finished trials", 5, (3, 15), (1, 10000), ASSUMPTION, "zone trials at which the evaluation is half sure (rule 'results': favourable with chance success share x n / (n + min_trials))"),
    _p("trial_legislation.min_success_share", "share of finished trials", 0.6, (0.5, 0.8), UNIT, ASSUMPTION, "below this share of successful zone trials the verdict is never favourable (rule 'results')"),
    _p("trial_legislation.law_lag_years_median", "years", 6.0, (3.0, 11.0), (1.0, 30.0), "precedents: trial law to permanent law took 7-15 years (frikommunlagen 1984-1991; Consumer Ombudsman 1997-2012; public transport 1996-2006; SOURCES.md), less a trial period of about four years", "median time from a favourable verdict to national law"),
    _p("trial_legislation.law_lag_sd", "sd of log years", 0.5, (0.2, 0.8), (0.0, 2.0), "assumption: spans the precedents' 3-11 years after evaluation", "how much the time to law varies between replications (lognormal; at least 12 months)"),
    _p("trial_legislation.law_failure_probability", "probability", 0.2, (0.0, 0.5), UNIT, "assumption: the free-municipality trial's ideas entered the 1991 Local Government Act only in part", "chance that the law does not come after a favourable verdict (the zones' suspension then ends)"),
    # --- ordinary legislation (in every scenario) -----------------------------------------
    _p("legislation.repeal_rate_per_year", "per year", 0.02, (0.0, 0.05), (0.0, 1.0), "assumption: slower than the trial-law route's 7-15 years (precedents in SOURCES.md); 0.02 gives a third of replications a fall within 20 years", "hazard that a legal barrier falls nationally by ordinary legislation, without a trial"),
    _p("pipeline.enabled", "on/off", False, None, None, "issue 14: new innovations arrive over the run", "besides the scenario's named innovations, new ones arrive (a Poisson process per origin)"),
    _p("pipeline.products_per_year", "per year", 0.5, (0.2, 2.0), (0.0, 10.0), ASSUMPTION, "rate at which suppliers bring new products to the municipal market"),
    _p("pipeline.fou_methods_per_year", "per year", 0.2, (0.05, 1.0), (0.0, 10.0), ASSUMPTION, "rate at which FoU environments bring new methods"),
    _p("pipeline.own_developments_per_year", "per year", 0.3, (0.1, 1.0), (0.0, 10.0), ASSUMPTION, "rate at which municipalities' own developments become ideas others can take up"),
    _p("pipeline.ratio_median", "benefit / cost", 0.8, (0.5, 1.2), (0.01, 10.0), "assumption: most new ideas are weak (skewed returns to innovation)", "median true benefit/cost ratio of an arriving innovation"),
    _p("pipeline.ratio_log_sd", "sd of log ratio", 0.6, (0.3, 1.0), (0.0, 3.0), "assumption: a skewed distribution, a few strong ideas", "spread of arriving innovations' true benefit/cost ratios (lognormal)"),
    _p("pipeline.claim_log_sd", "sd of log claim factor", 0.3, (0.1, 0.6), (0.0, 3.0), ASSUMPTION, "spread of claims around the true benefit times decision.claim_optimism"),
    _p("pipeline.relevance_mean", "share of municipalities", 0.35, (0.15, 0.6), (0.01, 0.99), "assumption; KL 2014: welfare technologies relevant to 23-70 % of municipalities", "mean share of municipalities an arriving innovation is relevant to (beta distributed)"),
    _p("pipeline.cost_median_sek", "SEK per inhabitant per year", 40.0, (20.0, 100.0), (0.01, 1000.0), "assumption; the named innovations run 20-100 SEK", "median running cost (list price for products) of an arriving innovation (lognormal, sd of log 0.5)"),
    _p("pipeline.queue_seed", "seed", 1, (1, 1000), (0, 2**31 - 1), "assumption: one queue of ideas per seed, the same for every replication and scenario so that comparisons pair; sweep it for the queue's uncertainty", "which ideas are in the queue (their attributes); how many arrive and when is drawn per replication"),
    # --- shared procurement (policy lever) ---------------------------------------------
    _p("shared_procurement.enabled", "on/off", False, None, None, "design brief section 4", "municipalities procure products jointly", SHOWN),
    _choice("shared_procurement.consortia", ("county", "national"), "county", "assumption; Adda is a national purchasing body, regional consortia exist too", "one consortium per county, or one national purchasing body", explorer=True),
    _p("shared_procurement.start_month", "month of the run", 13, (1, 60), (1, 1200), ASSUMPTION, "month the consortia start"),
    _p("shared_procurement.participation", "share of municipalities", 0.7, (0.4, 0.9), UNIT, "assumption; Adda, SKR's central purchasing body, serves over 950 public entities", "chance a municipality joins its consortium"),
    _p("shared_procurement.lead_factor", "x individual lead time", 0.5, (0.3, 0.8), (0.0, 2.0), "assumption; Demand Acceleration: a small joint first purchase, then use by many", "procurement lead time of a member relative to procuring alone"),
    _p("shared_procurement.cost_factor", "x individual cost", 0.3, (0.1, 0.6), (0.0, 2.0), ASSUMPTION, "procurement cost of a member relative to procuring alone"),
    _p("shared_procurement.risk_share", "share of failed trial cost", 0.0, (0.0, 0.5), UNIT, "design brief: optional state risk sharing for failed trials", "share of a failed product trial's own cost the state refunds to members; also lowers members' risk penalty in proportion", Explorer(slider=True, step=0.05)),
    # --- process fund (policy lever: Danish-style one-off fund) --------------------------
    _p("process_fund.enabled", "on/off", False, None, None, "design brief section 4 (Danish 2007 reform)", "a one-off fund for process and consultancy support", SHOWN),
    _choice("process_fund.targeting", TARGETING, "all", TARGETING_SOURCE, "who gets process support first: all (random order), low_capacity, small, central"),
    _p("process_fund.total_msek", "MSEK", 400.0, (200.0, 600.0), (0.0, 10000.0), "design brief: a one-off 400 MSEK fund, as accompanied Denmark's 2007 reform (SKL study trip 2014)", "the fund's total", Explorer(step=50)),
    _p("process_fund.years", "years", 2, (1, 4), (1, 20), ASSUMPTION, "years over which the fund is spent", SHOWN),
    _p("process_fund.start_month", "month of the run", 13, (1, 60), (1, 1200), ASSUMPTION, "month the fund opens"),
    _p("process_fund.capacity_retention", "probability", 0.5, (0.2, 0.8), UNIT, ASSUMPTION, "chance a municipality keeps the capacity the fund built once it ends"),
    _p("process_fund.support_cost_msek_year", "MSEK per municipality-year", 0.8, (0.5, 1.2), (0.01, 100.0), ASSUMPTION, "process and consultancy support for one municipality for a year"),
    # --- mechanisms ----------------------------------------------------------------------
    _switch("mechanisms.external_awareness", "awareness from suppliers' marketing, media and scanning"),
    _switch("mechanisms.peer_neighbours", "awareness from adopting border neighbours"),
    _switch("mechanisms.peer_county", "awareness from adopters in the same county"),
    _switch("mechanisms.peer_size_class", "awareness from adopters in the same size class"),
    _switch("mechanisms.peer_fou", "awareness spread by FoU environments among members"),
    _switch("mechanisms.peer_national", "fully mixed awareness channel (national adoption share)"),
    _switch("mechanisms.trial_decision", "aware municipalities decide to trial; off: awareness is adoption (Bass docking)"),
    _switch("mechanisms.budget_constraint", "trials and procurements need development budget"),
    _switch("mechanisms.capacity_constraint", "a limited number of concurrent trials"),
    _switch("mechanisms.legal_barriers", "a legal barrier blocks trials of innovations flagged with it"),
    _switch("mechanisms.learning", "peers' and own trial results update beliefs"),
    _switch("mechanisms.supplier_market", "products need a supplier; price, exit and entry"),
    _switch("mechanisms.fou_support", "FoU environments support members' trials within capacity"),
    _switch("mechanisms.stopping", "adopters may stop later (their own reasons, or a result that disappoints)"),
    _switch("mechanisms.contract_renewal", "products' contracts end; the municipality re-procures (maybe another supplier) or stops"),
    # --- innovation ----------------------------------------------------------------------
    _choice("innovation.kind", ("product", "method"), None, "design brief section 3: products need a supplier, methods spread through FoU", "a product (bought from a supplier) or a method (a way of working)"),
    Parameter("innovation.legal_barrier", "on/off", False, None, None, "design brief section 4", "a legal barrier blocks trials until lifted (trial legislation)"),
    Parameter("innovation.small_firm_supplier", "on/off", False, None, None, "design brief section 3: small innovative firms", "the product's first suppliers are small firms"),
    _p("innovation.external_rate", "per month", 0.004, (0.001, 0.02), UNIT, ASSUMPTION, "awareness hazard from external channels for a municipality without scanning"),
    _p("innovation.benefit_sek_per_capita_year", "SEK per inhabitant per year", 130.0, (20.0, 1000.0), NONNEG, ASSUMPTION, "gross benefit when adopted, at fit 1"),
    _p("innovation.cost_sek_per_capita_year", "SEK per inhabitant per year", 100.0, (10.0, 800.0), (0.01, None), ASSUMPTION, "running cost when adopted (the supplier's list price for products)"),
    _p("innovation.observability", "0-1", 0.6, (0.2, 1.0), UNIT, "Rogers: observability", "how visible adopters and results are to peers"),
    _p("innovation.trial_months", "months", 12, (3, 36), (1, 240), "Rogers: complexity", "length of a trial"),
    _p("innovation.trial_cost_msek", "MSEK", 0.5, (0.05, 3.0), NONNEG, "Rogers: trialability; Demand Acceleration's first purchase was 25,000 SEK", "cost of a limited trial to the municipality"),
    _p("innovation.compatibility", "x fit, per size class", 1.0, (0.5, 1.5), (0.0, 5.0), "Rogers: compatibility", "fit multiplier for each size class, a list of five from <10k to >=100k (one number: all alike)"),
    _p("innovation.initial_suppliers", "suppliers", 2, (0, 5), (0, 100), ASSUMPTION, "suppliers offering a product at month 0"),
    _p("innovation.claimed_benefit_sek_per_capita_year", "SEK per inhabitant per year", 0.0, (0.0, 1500.0), NONNEG, ASSUMPTION, "benefit its promoters claim (0: the true benefit times decision.claim_optimism)"),
    _p("innovation.relevance_share", "share of municipalities", 1.0, (0.2, 1.0), UNIT, "design brief section 3: observed plateaus below 290 (LOV at about half)", "share of municipalities for which the innovation is relevant at all (need, local market, political choice)"),
    _p("innovation.relevance_size_tilt", "log-odds per size class", 0.0, (-1.0, 1.0), (-5.0, 5.0), ASSUMPTION, "how much more often it is relevant in each larger size class"),
    _p("innovation.implementation_sek_per_capita", "SEK per inhabitant", 20.0, (0.0, 200.0), NONNEG, ASSUMPTION, "one-off cost of putting it to use across the organisation after a trial"),
    _p("innovation.rollout_months", "months", 24, (6, 60), (1, 240), "Socialstyrelsen 2014: 69 % of municipalities had begun the switch to digital safety alarms, 8 % had finished", "months from scale-up to full coverage of the target group"),
    _p("innovation.trial_coverage", "share of target group", 0.1, (0.02, 0.3), UNIT, ASSUMPTION, "share of the target group a trial covers; coverage grows from here after scale-up"),
    _p("innovation.contract_years", "years", 4, (2, 6), (1, 20), "LOU: framework agreements at most four years as a rule (Upphandlingsmyndigheten 2019); Adda runs four-year frameworks", "length of a product's contract; at renewal the municipality re-procures or stops"),
)
# fmt: on

REGISTER: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
ALLOCATION = tuple(p.name for p in PARAMETERS if p.name.startswith("programme.share_"))


@dataclass(frozen=True)
class Rule:
    """A condition on several parameters of one section: ``problem`` takes their values
    (by register name) and returns the values its message needs when the rule is broken,
    None when it holds. ``message`` is the English text; the explorer words it in its
    page's language from the catalogue entry ``rule.<name>``."""

    name: str
    section: str
    fields: tuple[str, ...]
    problem: Callable[[Mapping[str, Any]], dict[str, Any] | None]
    message: str

    def check(self, values: Mapping[str, Any]) -> str | None:
        """The English message when ``values`` break the rule, else None."""
        found = self.problem(values)
        return None if found is None else self.message.format(**found)


def _shares_problem(values: Mapping[str, Any]) -> dict[str, Any] | None:
    total = sum(values[name] for name in ALLOCATION)
    if abs(total - 1.0) <= 1e-6:
        return None
    return {"fields": ", ".join(name.split(".", 1)[1] for name in ALLOCATION), "total": total}


def _zone_problem(values: Mapping[str, Any]) -> dict[str, Any] | None:
    enabled = values["trial_legislation.enabled"]
    zone = values["trial_legislation.counties"] or values["trial_legislation.municipalities"]
    return {} if enabled and not zone else None


RULES: tuple[Rule, ...] = (
    Rule(
        "shares_sum",
        "programme",
        ALLOCATION,
        _shares_problem,
        "the allocation shares ({fields}) must sum to 1, they sum to {total:g}",
    ),
    Rule(
        "zone_needed",
        "trial_legislation",
        (
            "trial_legislation.enabled",
            "trial_legislation.counties",
            "trial_legislation.municipalities",
        ),
        _zone_problem,
        "an enabled trial law needs a zone: counties and/or municipalities",
    ),
)


def shown_default(parameter: Parameter) -> str:
    """The default as a table shows it."""
    if parameter.default is None:
        return "(required)"
    if isinstance(parameter.default, tuple):
        return "(none)"
    return str(parameter.default)


def range_text(parameter: Parameter) -> str:
    """The plausible range, or the choices of a categorical parameter."""
    if parameter.choices:
        return "one of " + ", ".join(parameter.choices)
    if parameter.plausible is None:
        return ""
    return f"{parameter.plausible[0]:g} to {parameter.plausible[1]:g}"


def register_table() -> pd.DataFrame:
    """The register as a table, for printing and for the ODD document."""
    return pd.DataFrame(
        [
            {
                "parameter": p.name,
                "unit": p.unit,
                "default": shown_default(p),
                "plausible range": range_text(p),
                "source": p.source,
                "meaning": p.description,
            }
            for p in PARAMETERS
        ]
    )
