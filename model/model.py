"""The diffusion model: the shared state of municipalities, suppliers and FoU environments,
and the ordered list of modules that update it every month (``model/mechanisms``,
``model/policies``). Mesa agents over the same state are built on first use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mesa
import numpy as np
import pandas as pd
from scipy.special import expit, logit

from model.accounts import MonthlyAccounts
from model.agents import AgentLayer
from model.agents.supplier import Supplier
from model.barriers import BarrierRecord
from model.blocks import BlockValues
from model.budgets import Budgets
from model.due import DueDates
from model.event_log import EventLog
from model.events import MonthEvents
from model.innovations import InnovationTable
from model.levers import LeverState, MoneyReceived, StateMoney
from model.mechanisms.adoption import Adoption
from model.mechanisms.awareness import Awareness
from model.mechanisms.bass import BassAdoption
from model.mechanisms.decision import Decision
from model.mechanisms.fou import FouSupport
from model.mechanisms.implementation import Implementation
from model.mechanisms.learning import Learning
from model.mechanisms.legislation import Legislation
from model.mechanisms.market import SupplierMarket
from model.mechanisms.pipeline import Pipeline
from model.mechanisms.procurement import Procurement
from model.mechanisms.reconsideration import Reconsideration
from model.mechanisms.scaleup import ScaleUp
from model.mechanisms.stopping import Stopping
from model.mechanisms.trials import Trials
from model.module import Module
from model.pipeline import NAMED, queue_specs
from model.policies import LEVERS, build_policies
from model.policies.calls import CallBook
from model.policies.joint_award import empty_table as empty_awards
from model.reference import load_municipalities, load_neighbours
from model.reporters import (
    ACCOUNT_NAMES,
    History,
    groups_table,
    state_money_table,
    timeseries_table,
)
from model.scenario import Innovation, Scenario, switch_on
from model.stages import STAGE_NAMES, Stage
from model.state import NEVER, AdoptionState
from model.streams import MonthlyDraws, stream
from model.structure import build_structure
from model.traits import MunicipalityTraits, draw_traits

# The order a month runs its modules in (those a scenario switches off are left out).
MONTH: tuple[type[Module], ...] = (
    Budgets,  # January: development budgets renewed
    *LEVERS,  # levers set this month's lever arrays and book their money
    Legislation,  # ordinary legislation: a barrier may fall without any trial
    Pipeline,  # new innovations arrive
    MonthlyDraws,  # this month's common random numbers
    Awareness,
    Reconsideration,
    Decision,  # methods start trials, products start procurement
    Procurement,  # completed procurements start product trials
    FouSupport,  # support for the trials started this month
    Trials,  # trials due end with their results
    Learning,  # the results update beliefs (own always, peers' by similarity)
    ScaleUp,  # on the updated belief: scale up, or the trial failed
    BassAdoption,  # (docking only: aware is adopted)
    Implementation,  # coverage grows after scale-up
    Adoption,  # adopters' value and running costs, in proportion to coverage
    Stopping,
    SupplierMarket,  # suppliers: experience, revenue, exits, prices, entry
    History,  # the month's snapshot
)


def in_step_list(module: Module, scenario: Scenario) -> bool:
    """Whether the scenario's switches put ``module`` in the month's list."""
    on = all(switch_on(scenario, name) for name in module.switches)
    return on and (module.replaces is None or not switch_on(scenario, module.replaces))


class DiffusionModel(mesa.Model):
    """Runs of one scenario: one replication per seed, held side by side.

    With one seed this is one run. With several, each replication is a block of columns
    with its own municipalities, suppliers, FoU environments and random streams, and
    never sees the others: the results of a replication are identical whether it runs
    alone or in a batch, while the monthly numpy work is shared by the whole batch.

    Every random number comes from a named stream per replication (``model/streams.py``),
    which is what makes runs of two scenarios share their random numbers and a
    replication independent of its batch; Mesa's own generators (``rng``, ``random``)
    are seeded from the first replication's "agents" stream and serve only agent-level
    queries (``AgentSet.shuffle``, random examples in ``spridning story``).

    ``block_overrides`` (one mapping per seed) gives each replication its own values of
    the parameters that may differ between blocks (``model/blocks.py``): the particles of
    a calibration or the points of a sweep then run side by side in one model.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int | Sequence[int] = 0,
        municipalities: pd.DataFrame | None = None,
        neighbours: pd.DataFrame | None = None,
        block_overrides: Sequence[Mapping[str, Any]] | None = None,
        record_events: bool = False,
    ) -> None:
        self.seeds = [int(seed)] if isinstance(seed, int | np.integer) else [int(s) for s in seed]
        if not self.seeds:
            raise ValueError("at least one seed is needed")
        super().__init__(rng=stream(self.seeds[0], "agents"))
        self.scenario = scenario
        self.month = 0
        if municipalities is None:
            municipalities = load_municipalities()
            neighbours = load_neighbours(municipalities=municipalities)
        if neighbours is None:
            raise ValueError("neighbours must be given with municipalities")
        self._build_state(municipalities, neighbours, block_overrides)
        self.event_log = EventLog(self, record_events)  # model/event_log.py: off by default
        self._build_modules()
        self._agent_layer = AgentLayer(self)

    # --- the shared state ------------------------------------------------------------------
    def _build_state(
        self,
        municipalities: pd.DataFrame,
        neighbours: pd.DataFrame,
        block_overrides: Sequence[Mapping[str, Any]] | None,
    ) -> None:
        """Structure, traits, fit and the shared arrays, each replication from its streams."""
        scenario = self.scenario
        self.structure = build_structure(
            municipalities, neighbours, scenario.fou, [stream(s, "fou") for s in self.seeds]
        )
        self.blocks = BlockValues(
            scenario, len(self.seeds), self.structure.block_size, block_overrides
        )
        specs, self.origins = list(scenario.innovations), [NAMED] * len(scenario.innovations)
        if scenario.pipeline.enabled:
            queued, origins = queue_specs(scenario, Innovation)
            specs, self.origins = specs + queued, self.origins + origins
        self.innovations = InnovationTable.from_specs(specs, scenario.decision.claim_optimism)
        population = municipalities["population"].to_numpy()
        traits, fits = [], []
        for s, block in zip(self.seeds, self.blocks.scenarios, strict=True):
            init = stream(s, "init")
            traits.append(
                draw_traits(population, self.structure.size_labels, block.municipalities, init)
            )
            fits.append(self._draw_fit(init))
        self.traits = MunicipalityTraits.concatenate(traits)
        i, n = len(self.innovations), self.structure.n
        share = self.innovation_values("relevance_share")
        tilt = self.innovation_values("relevance_size_tilt")
        relevant = [
            self._draw_relevance(stream(s, "relevance"), share[:, b], tilt[:, b])
            for b, s in enumerate(self.seeds)
        ]
        self.state = AdoptionState.initial(
            np.concatenate(fits, axis=1), np.concatenate(relevant, axis=1)
        )
        self.needs_procurement = self.innovations.is_product & switch_on(
            scenario, "mechanisms.supplier_market"
        )
        self.levers = LeverState.neutral(i, n, self.replications)
        self.money = StateMoney.empty(self.replications)
        self.received = MoneyReceived.zeros(n)
        self.accounts = MonthlyAccounts.empty(self.replications * i)
        self.events = MonthEvents()
        self.due = DueDates(scenario.run.months)
        innovation, column = np.divmod(np.arange(i * n), n)
        self._ledger_of_cell = ((column // self.structure.block_size) * i + innovation).astype(
            np.int32
        )

    def _draw_fit(self, rng: np.random.Generator) -> np.ndarray:
        """(I, n) fit of one replication: size-class compatibility times lognormal noise."""
        size_index = self.structure.size_classes.index[: self.structure.block_size]
        shape = (len(self.innovations), size_index.size)
        noise = rng.standard_normal(shape)
        if self.scenario.municipalities.homogeneous:
            return np.ones(shape)
        sd = self.scenario.trials.fit_sd
        compatibility = self.innovations.compatibility[:, size_index]
        return compatibility * np.exp(sd * noise - sd * sd / 2.0)

    def _draw_relevance(
        self, rng: np.random.Generator, share: np.ndarray, tilt: np.ndarray
    ) -> np.ndarray:
        """(I, n) bool of one replication: whether each innovation is relevant to each
        municipality at all, with the innovation's ``share`` and size-class ``tilt``."""
        size_index = self.structure.size_classes.index[: self.structure.block_size]
        centred = size_index - (len(self.structure.size_classes.labels) - 1) / 2.0
        clipped = np.clip(share, 1e-12, 1.0 - 1e-12)
        chance = expit(logit(clipped)[:, None] + tilt[:, None] * centred)
        u = rng.random(chance.shape)
        return (u < chance) | (share[:, None] >= 1.0)

    def innovation_values(self, field: str) -> np.ndarray:
        """(I, R) an innovation attribute (``InnovationTable`` field) in each replication:
        blocks may differ in some (``model/blocks.py``)."""
        return self.blocks.innovation_values(
            self.innovations, field, len(self.scenario.innovations)
        )

    def innovation_cells(self, field: str) -> np.ndarray:
        """(I, N) an innovation attribute in each cell's replication."""
        return np.repeat(self.innovation_values(field), self.structure.block_size, axis=1)

    @property
    def scenario(self) -> Scenario:
        """The scenario this model runs (Mesa's own scenario slot, holding ours)."""
        return self._scenario

    @scenario.setter
    def scenario(self, scenario: Scenario) -> None:
        self._scenario = scenario  # Mesa's setter would tie a (frozen) scenario to the model

    @property
    def replications(self) -> int:
        return len(self.seeds)

    def ledger_rows(self, k: np.ndarray) -> np.ndarray:
        """Row (replication * I + innovation) of the flat cells ``k``, for accounts and markets."""
        return self._ledger_of_cell[k]

    # --- the modules -----------------------------------------------------------------------
    def _build_modules(self) -> None:
        """Every module (each owns its arrays, so all exist; levers only when enabled), then
        the month's list: those the scenario's switches leave on, in ``MONTH`` order."""
        scenario = self.scenario
        self.budgets = Budgets(self, limited=switch_on(scenario, "mechanisms.budget_constraint"))
        self.barriers = BarrierRecord(self)
        self.calls = CallBook(self)
        self.policies = build_policies(self)
        self.legislation = Legislation(self)
        self.pipeline = Pipeline(self, self.origins)
        self.draws = MonthlyDraws(self)
        self.awareness = Awareness(self)
        self.reconsideration = Reconsideration(self)
        self.learning = Learning(self)
        self.decision = Decision(self)
        self.market = SupplierMarket(self)
        self.procurement = Procurement(self)
        self.fou = FouSupport(self)
        self.trials = Trials(self)
        self.scaleup = ScaleUp(self)
        self.bass = BassAdoption(self)
        self.implementation = Implementation(self)
        self.adoption = Adoption(self)
        self.stopping = Stopping(self)
        self.history = History(self, scenario.run.months)
        built = [
            self.budgets,
            *self.policies,
            self.legislation,
            self.pipeline,
            self.draws,
            self.awareness,
            self.reconsideration,
            self.learning,
            self.decision,
            self.market,
            self.procurement,
            self.fou,
            self.trials,
            self.scaleup,
            self.bass,
            self.implementation,
            self.adoption,
            self.stopping,
            self.history,
        ]
        by_class = {type(module): module for module in built}
        self.modules: list[Module] = [
            by_class[kind]
            for kind in MONTH
            if kind in by_class and in_step_list(by_class[kind], scenario)
        ]
        for module in self.modules:
            module.start()

    def step(self) -> None:
        """One month: this month's flows cleared, then every module in order."""
        self.month += 1
        self.accounts.reset()
        self.money.reset()
        self.events.reset()
        for module in self.modules:
            module.step()
        self.event_log.end_month()

    def run(self) -> DiffusionModel:
        for _ in range(self.scenario.run.months - self.month):
            self.step()
        return self

    # --- agents, built on first use ----------------------------------------------------
    @property
    def agents(self) -> mesa.agent.AgentSet:
        self._agent_layer.ensure()
        return super().agents

    @agents.setter
    def agents(self, agents: object) -> None:
        mesa.Model.agents.fset(self, agents)

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        self._agent_layer.ensure()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._agent_layer.ensure()
        return super().agent_types

    def supplier_agent(self, slot: int) -> Supplier:
        """The agent of the supplier in market ``slot``."""
        return self._agent_layer.supplier(slot)

    # --- outputs ---------------------------------------------------------------------------
    def timeseries(self) -> pd.DataFrame:
        return timeseries_table(self.history)

    def groups(self) -> pd.DataFrame:
        return groups_table(self.history)

    def state_money(self) -> pd.DataFrame:
        return state_money_table(self.history)

    def barrier_changes(self) -> pd.DataFrame:
        return self.barriers.table()

    def programme_calls(self) -> pd.DataFrame:
        return self.calls.table()

    def contract_awards(self) -> pd.DataFrame:
        """The shared procurement consortia's awards (empty without the lever)."""
        contracts = self.levers.contracts
        if contracts is None:
            return empty_awards(self.innovations.names)
        return contracts.table()

    def money_held(self) -> np.ndarray:
        """Policy money given to the levers and not yet paid or returned, per replication."""
        held = np.zeros(self.replications)
        for policy in self.policies:
            if hasattr(policy, "held"):
                held += policy.held()
        return held

    def money_received(self) -> pd.DataFrame:
        """One row per replication and municipality: MSEK of grants, capacity building and
        risk refunds it received over the run (who the policy money reached)."""
        r, n = self.replications, self.structure.block_size
        received = self.received
        return pd.DataFrame(
            {
                "replication": np.repeat(np.arange(r), n),
                "kommunkod": np.tile(self.structure.codes, r),
                "grants_msek": received.grants,
                "capacity_msek": received.capacity,
                "refunds_msek": received.refunds,
            }
        )

    def innovation_outcomes(self) -> pd.DataFrame:
        """One row per replication and innovation there (named, or arrived by the run's
        end): where it came from, how good it truly was and was claimed to be, and how far
        it got."""
        inn, r = self.innovations, self.replications
        i = len(inn)
        arrival = self.pipeline.arrivals.month
        there = arrival != NEVER
        rows = np.flatnonzero(there)
        replication, innovation = np.divmod(rows, i)
        stage = self.state.stage.reshape(i, r, -1)
        adopters = (stage == Stage.ADOPTED).sum(axis=2).T.ravel()  # ledger row order
        relevant = self.state.relevant.reshape(i, r, -1).sum(axis=2).T.ravel()
        value = self.history.accounts[:, ACCOUNT_NAMES.index("value_msek")].sum(axis=0)
        kinds = np.where(inn.is_product, "product", "method")
        return pd.DataFrame(
            {
                "replication": replication.astype(np.int64),
                "innovation": pd.Categorical.from_codes(innovation, categories=inn.names),
                "arrival_month": arrival[rows].astype(np.int64),
                "origin": np.asarray(self.origins, dtype=object)[innovation],
                "kind": kinds[innovation].astype(object),
                "true_ratio": self.innovation_values("true_ratio")[innovation, replication],
                "claimed_ratio": self.innovation_values("claimed_ratio")[innovation, replication],
                "relevant": relevant[rows].astype(np.int64),
                "adopters_end": adopters[rows].astype(np.int64),
                "value_msek": value[rows],
            }
        )

    def municipality_outcomes(self) -> pd.DataFrame:
        """One row per replication, innovation and municipality: first adoption month, final stage."""
        i, r, n = len(self.innovations), self.replications, self.structure.block_size

        def by_replication(values: np.ndarray) -> np.ndarray:
            return values.reshape(i, r, n).transpose(1, 0, 2).ravel()

        def month(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
            months = by_replication(values)
            return pd.array(np.where(months == NEVER, None, months), dtype="Int32")

        state = self.state
        return pd.DataFrame(
            {
                "replication": np.repeat(np.arange(r), i * n),
                "innovation": pd.Categorical.from_codes(
                    np.tile(np.repeat(np.arange(i), n), r), categories=self.innovations.names
                ),
                "kommunkod": np.tile(self.structure.codes, r * i),
                "adopted_month": month(state.first_adopted),
                "final_stage": np.array(STAGE_NAMES)[by_replication(state.stage)],
                "relevant": by_replication(state.relevant),
                "trial_month": month(state.trial_month),
                "scaleup_month": month(state.scaleup_month),
                "coverage_end": by_replication(state.coverage),
                "stopped_month": month(state.stopped_month),
            }
        )
