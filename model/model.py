"""The diffusion model: Mesa agents for municipalities, suppliers and FoU environments, with
the monthly update computed over all of them at once (see ``model/mechanisms``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import mesa
import numpy as np
import pandas as pd

from model.accounts import MonthlyAccounts
from model.agents import FouEnvironment, Municipality
from model.innovations import InnovationTable
from model.levers import LeverState, MoneyReceived, Policy, StateMoney
from model.market import SupplierMarket
from model.mechanisms.adoption import run_adopters
from model.mechanisms.awareness import PeerAwareness, external_base_hazard, spread_awareness
from model.mechanisms.decision import decide
from model.mechanisms.fou import FouCapacity
from model.mechanisms.learning import Evidence
from model.mechanisms.market import run_market
from model.mechanisms.procurement import complete_procurements
from model.mechanisms.trials import complete_trials, reconsider
from model.policies import build_policies
from model.reference import load_municipalities, load_neighbours
from model.reporters import History, groups_table, state_money_table, timeseries_table
from model.scenario import Scenario
from model.schedule import EventSchedule
from model.stages import STAGE_NAMES, Stage
from model.state import NEVER, AdoptionState
from model.streams import NormalsByReplication, stream
from model.structure import build_structure
from model.traits import MunicipalityTraits, draw_traits

# Two (I, N) layers of uniforms are drawn every month whatever the state, so that runs of
# two scenarios under one seed share them (common random numbers). A cell is in one stage
# at a time, so mechanisms acting on different stages share a layer: ENTRY serves
# unaware (awareness), discontinued (reconsidering) and trialling cells (the trial's
# result, through the inverse normal); CHOICE serves aware (consideration) and adopted
# cells (abandonment).
ENTRY, CHOICE = range(2)


class DiffusionModel(mesa.Model):
    """Runs of one scenario: one replication per seed, held side by side.

    With one seed this is one run. With several, each replication is a block of columns
    with its own municipalities, suppliers, FoU environments and random streams, and
    never sees the others: the results of a replication are identical whether it runs
    alone or in a batch, while the monthly numpy work is shared by the whole batch.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int | Sequence[int] = 0,
        municipalities: pd.DataFrame | None = None,
        neighbours: pd.DataFrame | None = None,
        policies: Iterable[Policy] = (),
    ) -> None:
        self.seeds = [int(seed)] if isinstance(seed, int | np.integer) else [int(s) for s in seed]
        if not self.seeds:
            raise ValueError("at least one seed is needed")
        super().__init__(rng=self.seeds[0])
        self.spec = scenario
        self.month = 0
        if municipalities is None:
            municipalities = load_municipalities()
            neighbours = load_neighbours(municipalities=municipalities)
        if neighbours is None:
            raise ValueError("neighbours must be given with municipalities")
        self.structure = build_structure(
            municipalities, neighbours, scenario.fou, [stream(s, "fou") for s in self.seeds]
        )
        self.innovations = InnovationTable.from_specs(scenario.innovations)
        population = municipalities["population"].to_numpy()
        traits, fits = [], []
        for s in self.seeds:
            init = stream(s, "init")
            traits.append(
                draw_traits(population, self.structure.size_labels, scenario.municipalities, init)
            )
            fits.append(self._draw_fit(init))
        self.traits = MunicipalityTraits.concatenate(traits)
        i, n = len(self.innovations), self.structure.n
        self.state = AdoptionState.initial(
            np.concatenate(fits, axis=1),
            self.innovations.true_ratio * scenario.decision.prior_mean_factor,
            scenario.decision.prior_sd,
        )
        self.levers = LeverState.neutral(i, n, self.replications)
        self.money = StateMoney.empty(self.replications)
        self.received = MoneyReceived.zeros(n)
        self.accounts = MonthlyAccounts.empty(self.replications * i)
        innovation, column = np.divmod(np.arange(i * n), n)
        self._ledger_of_cell = ((column // self.structure.block_size) * i + innovation).astype(
            np.int32
        )
        self._precompute()

        size = self.structure.block_size
        self.municipality_agents = [
            Municipality(
                self,
                column,
                self.structure.codes[column % size],
                self.structure.names[column % size],
            )
            for column in range(n)
        ]
        environments = len(self.structure.fou_names)
        self.fou_agents = [
            FouEnvironment(self, slot, self.structure.fou_names[slot % environments])
            for slot in range(self.replications * environments)
        ]
        self.market = SupplierMarket(self)
        self.fou = FouCapacity(self)
        self.schedule = EventSchedule(scenario.run.months)
        self.policies = [*build_policies(self), *policies]
        self.history = History(self, scenario.run.months)
        self._monthly = [stream(s, "monthly") for s in self.seeds]
        self._uniforms = np.empty((self.replications, 2, i, size))
        self._entry_uniforms = np.empty((self.replications, i))
        self.procurement_normals = NormalsByReplication(
            [stream(s, "procurement") for s in self.seeds]
        )
        self.stranding_rngs = [stream(s, "stranding") for s in self.seeds]

    @property
    def replications(self) -> int:
        return len(self.seeds)

    def ledger_rows(self, k: np.ndarray) -> np.ndarray:
        """Row (replication * I + innovation) of the flat cells ``k``, for accounts and markets."""
        return self._ledger_of_cell[k]

    def _draw_fit(self, rng: np.random.Generator) -> np.ndarray:
        """(I, n) fit of one replication: size-class compatibility times lognormal noise."""
        size_index = self.structure.size_classes.index[: self.structure.block_size]
        shape = (len(self.innovations), size_index.size)
        noise = rng.standard_normal(shape)
        if self.spec.municipalities.homogeneous:
            return np.ones(shape)
        sd = self.spec.trials.fit_sd
        compatibility = self.innovations.compatibility[:, size_index]
        return compatibility * np.exp(sd * noise - sd * sd / 2.0)

    def _precompute(self) -> None:
        """Constant per-run arrays the monthly step reads."""
        s, traits = self.spec, self.traits
        self.peer_awareness = PeerAwareness(self)
        self.evidence = Evidence(self)
        self.needs_procurement = self.innovations.is_product & s.mechanisms.supplier_market
        self.product_rows = np.flatnonzero(self.innovations.is_product)  # only they have suppliers
        self.refresh_capacities()
        self.risk_aversion = s.decision.risk_aversion_scale * (1.0 - traits.risk_tolerance)
        self.population_msek_month = traits.population / 12.0 / 1e6
        self.benefit_msek_month = (
            self.innovations.benefit[:, None] * self.state.fit * self.population_msek_month
        )

    def refresh_capacities(self) -> None:
        """Recompute what depends on municipalities' capacities (after a policy changed them)."""
        s, traits = self.spec, self.traits
        self.external_hazard = external_base_hazard(self)
        self.consideration_rate = s.decision.consideration_rate * (
            1.0 + s.decision.idea_org_effect * traits.idea_org
        )

    def step(self) -> None:
        self.month += 1
        switches = self.spec.mechanisms
        self.accounts.reset()
        self.money.reset()
        if self.month > 1 and (self.month - 1) % 12 == 0:
            self.traits.budget_left[:] = self.traits.budget_per_year
            self.fou.new_year()
        for policy in self.policies:
            policy.apply(self)
        for block, rng in enumerate(self._monthly):
            rng.random(out=self._uniforms[block])
            rng.random(out=self._entry_uniforms[block])
        shape = self.state.stage.shape
        u = self._uniforms.transpose(1, 2, 0, 3).reshape(2, *shape)
        u_supplier_entry = self._entry_uniforms.ravel()

        spread_awareness(self, u[ENTRY])
        if switches.trial_decision:
            reconsider(self, u[ENTRY])
            decide(self, u[CHOICE])
            complete_procurements(self)
            complete_trials(self, u[ENTRY])
        else:
            self._adopt_on_awareness()
        run_adopters(self, u[CHOICE])
        if switches.supplier_market:
            run_market(self, u_supplier_entry)
        self.history.record()

    def _adopt_on_awareness(self) -> None:
        """Bass docking: with the decision process off, becoming aware is adopting."""
        k = np.flatnonzero(self.state.stage == Stage.AWARE)
        self.state.move(k, Stage.ADOPTED, self.month)
        self.state.flat["first_adopted"][k] = self.month

    def run(self) -> DiffusionModel:
        for _ in range(self.spec.run.months - self.month):
            self.step()
        return self

    # --- outputs ---------------------------------------------------------------------------
    def timeseries(self) -> pd.DataFrame:
        return timeseries_table(self.history)

    def groups(self) -> pd.DataFrame:
        return groups_table(self.history)

    def state_money(self) -> pd.DataFrame:
        return state_money_table(self.history)

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

    def municipality_outcomes(self) -> pd.DataFrame:
        """One row per replication, innovation and municipality: first adoption month, final stage."""
        i, r, n = len(self.innovations), self.replications, self.structure.block_size

        def by_replication(values: np.ndarray) -> np.ndarray:
            return values.reshape(i, r, n).transpose(1, 0, 2).ravel()

        first = by_replication(self.state.first_adopted)
        return pd.DataFrame(
            {
                "replication": np.repeat(np.arange(r), i * n),
                "innovation": pd.Categorical.from_codes(
                    np.tile(np.repeat(np.arange(i), n), r), categories=self.innovations.names
                ),
                "kommunkod": np.tile(self.structure.codes, r * i),
                "adopted_month": pd.array(np.where(first == NEVER, None, first), dtype="Int32"),
                "final_stage": np.array(STAGE_NAMES)[by_replication(self.state.stage)],
            }
        )
