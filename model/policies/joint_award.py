"""The consortia's joint award: one procurement per consortium and product, one winning
supplier, a contract of the product's contract length that members call off.

A consortium tenders a product when one of its members needs a supplier for it (a
procurement done, or an own contract ending) and it holds no live contract for it. The
committed volume is every member that has decided on, trials or uses the product.
Each supplier in the market bids if the margin it expects on the contract covers its
cost of bidding (``suppliers.bid_cost_msek``, paid whether it wins or not). A bid is
the supplier's list price down the experience curve it would reach with the committed
volume (what pooled volume buys), less a discount that grows with the number of
bidders (``suppliers.competition_discount`` x (1 - 1/bidders): a lone bidder asks its
price, competition takes up to the whole discount off); members weigh bids with the same quality
and fit factor as individual buyers (``suppliers.bid_noise_sd``) and the best wins.
The winner serves every member that calls the contract off (its capacity grows with
the call-offs) and members pay the contract price while the contract runs. A winner's exit voids the
contract; the next member that needs a supplier starts a new tender.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.stages import Stage
from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel

COLUMNS = (
    "replication",
    "innovation",
    "consortium",
    "award_month",
    "end_month",
    "committed",
    "bidders",
    "price_ratio",
    "individual_price_ratio",
    "winner_small_firm",
)


def bid_prices(
    list_price: np.ndarray,
    experience: np.ndarray,
    committed: np.ndarray | int,
    bidders: np.ndarray | int,
    progress_ratio: float,
    pass_through: float,
    min_price_ratio: float,
    discount: float,
) -> np.ndarray:
    """Each bidder's price (SEK per inhabitant and year): what it would ask at the point
    of the experience curve the committed volume takes it to, less ``discount`` x (1 -
    1/``bidders``) for the competition it faces."""
    progress = np.log2(progress_ratio)
    curve = np.maximum(np.power(1.0 + experience + committed, progress), min_price_ratio)
    competition = 1.0 - discount * (1.0 - 1.0 / np.maximum(bidders, 1))
    return list_price * curve**pass_through * competition


class ConsortiumContracts:
    """The live contract per market (ledger row) and consortium, the tenders that award
    them, and the log of awards (``contracts.parquet``)."""

    def __init__(
        self,
        model: DiffusionModel,
        consortium: np.ndarray,
        names: list[str],
        rngs: list[np.random.Generator],
    ) -> None:
        self.model = model
        self.consortium = consortium  # per column: the member's consortium, NEVER if none
        self.names = names
        rows = model.replications * len(model.innovations)
        shape = (rows, len(names))
        self.supplier = np.full(shape, NEVER, dtype=np.int64)
        self.price = np.full(shape, np.nan)
        self.end = np.full(shape, NEVER, dtype=np.int64)
        self.rngs = rngs  # per replication: the members' quality and fit factors of bids
        self.log: list[tuple] = []

    def live(self, rows: np.ndarray, consortia: np.ndarray) -> np.ndarray:
        """Whether the consortium holds a contract for the market whose winner still trades."""
        model = self.model
        supplier = self.supplier[rows, consortia]
        alive = model.market.alive[np.maximum(supplier, 0)]
        return (supplier != NEVER) & alive & (self.end[rows, consortia] > model.month)

    def call_off(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For procurements at flat cells ``k``: the supplier slot of the member's live
        contract (NEVER for non-members and consortia without one), its price (NaN) and
        the month it ends (NEVER)."""
        j = k % self.model.state.n_columns
        consortia = self.consortium[j]
        member = consortia != NEVER
        rows = self.model.ledger_rows(k)
        covered = np.zeros(k.size, dtype=bool)
        covered[member] = self.live(rows[member], consortia[member])
        slots = np.full(k.size, NEVER, dtype=np.int64)
        prices = np.full(k.size, np.nan)
        ends = np.full(k.size, NEVER, dtype=np.int64)
        slots[covered] = self.supplier[rows[covered], consortia[covered]]
        prices[covered] = self.price[rows[covered], consortia[covered]]
        ends[covered] = self.end[rows[covered], consortia[covered]]
        return slots, prices, ends

    def tender_where_needed(self) -> None:
        """Award a contract for every market and consortium where a member needs a
        supplier this month and no live contract covers it."""
        model, state, month = self.model, self.model.state, self.model.month
        product = model.needs_procurement
        if not product.any():
            return
        stage, n = state.stage, state.n_columns
        member = product[:, None] & (self.consortium != NEVER)[None, :]
        procured = np.flatnonzero((stage == Stage.DECIDED) & (state.procure_end <= month) & member)
        _, renewing = model.procurement.ending_contracts()  # Procurement's rule, this month
        k = np.concatenate([procured, renewing])
        k = k[member.reshape(-1)[k]]
        if k.size == 0:
            return
        rows, consortia = model.ledger_rows(k), self.consortium[k % n]
        pairs = np.unique(rows * len(self.names) + consortia)
        rows, consortia = np.divmod(pairs, len(self.names))
        open_ = ~self.live(rows, consortia)
        if not open_.any():
            return
        self.award(rows[open_], consortia[open_])

    def committed(self) -> tuple[np.ndarray, np.ndarray]:
        """Per market and consortium (``row * consortia + consortium``): members that have
        decided on, trial or use the product, and their population in millions."""
        model = self.model
        state, n = model.state, model.state.n_columns
        stage = state.stage
        mask = (stage == Stage.DECIDED) | (stage == Stage.TRIALLING) | (stage == Stage.ADOPTED)
        mask &= model.needs_procurement[:, None] & (self.consortium != NEVER)[None, :]
        k = np.flatnonzero(mask)
        j = k % n
        pair = model.ledger_rows(k) * len(self.names) + self.consortium[j]
        size = self.supplier.size
        counts = np.bincount(pair, minlength=size)
        population_m = np.bincount(pair, weights=model.traits.population[j] / 1e6, minlength=size)
        return counts, population_m

    def award(self, rows: np.ndarray, consortia: np.ndarray) -> None:
        """One tender per market ``rows`` and consortium ``consortia`` (ascending, so a
        replication's tenders are in market order): every trading supplier that finds the
        margin worth its bidding cost bids; the best bid wins the committed volume for a
        contract period. Tenders without members or bidders award nothing."""
        model, market = self.model, self.model.market
        p = model.scenario.suppliers
        replication, innovation = np.divmod(rows, len(model.innovations))
        counts, populations = self.committed()  # awards change no stage: one count
        pair = rows * len(self.names) + consortia
        members, population_m = counts[pair], populations[pair]
        slots = rows[:, None] * p.max_per_innovation + np.arange(p.max_per_innovation)
        trading = market.alive[slots]
        years = model.innovations.contract_months[innovation] / 12.0
        # A supplier bids when the margin it expects from the contract covers its bid cost.
        expected = p.margin * market.price[slots] * (population_m * years)[:, None]
        bidding = trading & (expected > p.bid_cost_msek) & (members > 0)[:, None]
        bidders = bidding.sum(axis=1)
        np.subtract.at(market.cash, slots[bidding], p.bid_cost_msek)
        bids = bid_prices(
            market.list_price[slots],
            market.experience[slots],
            members[:, None],
            np.maximum(bidders, 1)[:, None],
            p.progress_ratio,
            p.price_pass_through,
            p.min_price_ratio,
            p.competition_discount,
        )
        # Members' quality and fit factor per bid: each replication's draws in tender order.
        quality = np.ones(slots.shape)
        per_replication = np.bincount(
            replication, weights=bidders, minlength=model.replications
        ).astype(np.int64)
        drawn = [self.rngs[r].standard_normal(n) for r, n in enumerate(per_replication) if n]
        if drawn:
            quality[bidding] = np.exp(p.bid_noise_sd * np.concatenate(drawn))
        score = np.where(bidding, bids * quality, np.inf)
        best = np.argmin(score, axis=1)
        won = np.flatnonzero(bidders > 0)
        if won.size == 0:
            return
        winner = slots[won, best[won]]
        price = bids[won, best[won]]
        month = model.month
        end = month + model.innovations.contract_months[innovation[won]]
        self.supplier[rows[won], consortia[won]] = winner
        self.price[rows[won], consortia[won]] = price
        self.end[rows[won], consortia[won]] = end
        list_price = model.innovations.cost[innovation[won]]
        asked = np.where(trading, market.price[slots], np.inf).min(axis=1)[won]
        self.log += zip(
            replication[won].tolist(),
            innovation[won].tolist(),
            consortia[won].tolist(),
            [month] * won.size,
            end.tolist(),
            members[won].tolist(),
            bidders[won].tolist(),
            (price / list_price).tolist(),
            (asked / list_price).tolist(),
            market.small_firm[winner].tolist(),
            winner.tolist(),
            strict=True,
        )

    def table(self) -> pd.DataFrame:
        """One row per award: who committed, how many bid, and the price against what the
        cheapest supplier asked individual buyers that month (both as a share of list)."""
        log = sorted(self.log)
        frame = pd.DataFrame(log, columns=[*COLUMNS, "winner"])
        if len(frame):  # a contract ends early when its winner exits
            exit_month = self.model.market.exit_month[frame["winner"].to_numpy(np.int64)]
            exited = exit_month != NEVER
            frame["end_month"] = np.where(
                exited, np.minimum(frame["end_month"], exit_month), frame["end_month"]
            )
        frame = frame.drop(columns="winner")
        return from_log(frame, self.model.innovations.names, self.names)


def from_log(frame: pd.DataFrame, innovations: list[str], consortia: list[str]) -> pd.DataFrame:
    """The award log with its types: innovations as categories, consortia as names."""
    frame = frame.astype(
        {
            "replication": np.int64,
            "innovation": np.int64,
            "consortium": np.int64,
            "award_month": np.int64,
            "end_month": np.int64,
            "committed": np.int64,
            "bidders": np.int64,
            "price_ratio": float,
            "individual_price_ratio": float,
            "winner_small_firm": bool,
        }
    )
    frame["innovation"] = pd.Categorical.from_codes(frame["innovation"], categories=innovations)
    frame["consortium"] = np.asarray(consortia, dtype=object)[frame["consortium"].to_numpy()]
    return frame


def empty_table(innovations: list[str]) -> pd.DataFrame:
    """The awards table of a run without shared procurement."""
    return from_log(pd.DataFrame(columns=list(COLUMNS)), innovations, [])
