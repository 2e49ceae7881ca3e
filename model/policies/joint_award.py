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
The winner takes on the committed volume (its capacity grows to serve it) and members
pay the contract price until their own contract ends. A winner's exit voids the
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

COMMITTED = (Stage.DECIDED, Stage.TRIALLING, Stage.ADOPTED)
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
    committed: int,
    bidders: int,
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
    return list_price * curve**pass_through * (1.0 - discount * (1.0 - 1.0 / max(bidders, 1)))


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

    def call_off(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For procurements at flat cells ``k``: the supplier slot of the member's live
        contract (NEVER for non-members and consortia without one) and its price (NaN)."""
        j = k % self.model.state.n_columns
        consortia = self.consortium[j]
        member = consortia != NEVER
        rows = self.model.ledger_rows(k)
        covered = np.zeros(k.size, dtype=bool)
        covered[member] = self.live(rows[member], consortia[member])
        slots = np.full(k.size, NEVER, dtype=np.int64)
        prices = np.full(k.size, np.nan)
        slots[covered] = self.supplier[rows[covered], consortia[covered]]
        prices[covered] = self.price[rows[covered], consortia[covered]]
        return slots, prices

    def tender_where_needed(self) -> None:
        """Award a contract for every market and consortium where a member needs a
        supplier this month and no live contract covers it."""
        model, state, month = self.model, self.model.state, self.model.month
        product = model.needs_procurement
        if not product.any():
            return
        stage, n = state.stage, state.n_columns
        needing = ((stage == Stage.DECIDED) & (state.procure_end <= month)) | (
            state.contract_end == month
        )
        needing &= product[:, None] & (self.consortium != NEVER)[None, :]
        k = np.flatnonzero(needing)
        if k.size == 0:
            return
        rows, consortia = model.ledger_rows(k), self.consortium[k % n]
        pairs = np.unique(rows * len(self.names) + consortia)
        rows, consortia = np.divmod(pairs, len(self.names))
        open_ = ~self.live(rows, consortia)
        for row, consortium in zip(rows[open_], consortia[open_], strict=True):
            self.award(int(row), int(consortium))

    def committed(self, row: int, consortium: int) -> np.ndarray:
        """Columns of the consortium's members that have decided on, trial or use the product."""
        model = self.model
        replications, innovations = divmod(row, len(model.innovations))
        block = model.structure.block_size
        columns = np.arange(replications * block, (replications + 1) * block)
        columns = columns[self.consortium[columns] == consortium]
        return columns[np.isin(model.state.stage[innovations, columns], COMMITTED)]

    def award(self, row: int, consortium: int) -> None:
        """One tender: bids from the market's suppliers that find it worth their bidding
        cost, the best bid wins the committed volume for a contract period."""
        model, market = self.model, self.model.market
        p = model.scenario.suppliers
        replication, innovation = divmod(row, len(model.innovations))
        members = self.committed(row, consortium)
        per_market = p.max_per_innovation
        slots = row * per_market + np.arange(per_market)
        slots = slots[market.alive[slots]]
        if members.size == 0 or slots.size == 0:
            return
        population_m = model.traits.population[members].sum() / 1e6
        years = model.innovations.contract_months[innovation] / 12.0
        # A supplier bids when the margin it expects from the contract covers its bid cost.
        expected = p.margin * market.price[slots] * population_m * years
        slots = slots[expected > p.bid_cost_msek]
        if slots.size == 0:
            return
        market.cash[slots] -= p.bid_cost_msek
        bids = bid_prices(
            market.list_price[slots],
            market.experience[slots],
            members.size,
            slots.size,
            p.progress_ratio,
            p.price_pass_through,
            p.min_price_ratio,
            p.competition_discount,
        )
        quality = np.exp(p.bid_noise_sd * self.rngs[replication].standard_normal(slots.size))
        best = int(np.argmin(bids * quality))
        winner = int(slots[best])
        month = model.month
        self.supplier[row, consortium] = winner
        self.price[row, consortium] = bids[best]
        self.end[row, consortium] = month + model.innovations.contract_months[innovation]
        serving = market.customers[winner] + members.size
        market.capacity[winner] = max(int(market.capacity[winner]), int(serving))
        list_price = model.innovations.cost[innovation]
        alive = row * per_market + np.arange(per_market)
        alive = alive[market.alive[alive]]
        self.log.append(
            (
                replication,
                innovation,
                consortium,
                month,
                int(self.end[row, consortium]),
                members.size,
                slots.size,
                bids[best] / list_price,
                market.price[alive].min() / list_price,
                bool(market.small_firm[winner]),
            )
        )

    def table(self) -> pd.DataFrame:
        """One row per award: who committed, how many bid, and the price against what the
        cheapest supplier asked individual buyers that month (both as a share of list)."""
        log = sorted(self.log)
        frame = pd.DataFrame(log, columns=list(COLUMNS))
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
