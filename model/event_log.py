"""The event table: what happened to each municipality, when, and why (``events.parquet``).

Off unless a model is built with ``record_events=True`` (``run_scenario`` turns it on for
runs up to ``EVENTS_MAX_REPLICATIONS``; sweeps and calibrations never do), and it changes
no result: the channel draws come from a stream of their own.

- Every change of stage as it happens (heard, decided, trial started, scaled up, trial
  failed, stopped, back to aware), two in one month included: the shared state tells
  the log before cells move.
- The channel a municipality heard through is drawn when it hears: one channel in
  proportion to the channels' hazards for that cell that month (external media and
  marketing, the competence centre, border neighbours, the county, the size class, FoU
  co-members, the whole country). Drawn on events only, so the cost is a few cells a
  month.
- Money (trial grants, capacity money, risk-sharing refunds), trial results (the
  realised benefit/cost ratio), suppliers (chosen for a trial, switched at renewal) and
  full coverage are booked as they happen. Capacity money is paid monthly and booked
  as one row per municipality and year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.stages import Stage
from model.streams import stream

if TYPE_CHECKING:
    from model.model import DiffusionModel

EVENTS_MAX_REPLICATIONS = 400  # runs up to this many replications record events by default
CHANNELS: tuple[str, ...] = (
    "external",
    "centre",
    "neighbours",
    "county",
    "size_class",
    "national",
    "fou",
)
# Stage entered -> event name (entering AWARE from UNAWARE is "heard").
STAGE_EVENTS = {
    Stage.AWARE: "back_to_aware",
    Stage.DECIDED: "decided",
    Stage.TRIALLING: "trial_started",
    Stage.ADOPTED: "scaled_up",
    Stage.TRIAL_FAILED: "trial_failed",
    Stage.DISCONTINUED: "stopped",
}
# In the order a month's events are told (a trial's result before its scale-up).
EVENTS: tuple[str, ...] = (
    "heard",
    "back_to_aware",
    "decided",
    "trial_started",
    "grant",
    "supplier_chosen",
    "trial_result",
    "scaled_up",
    "trial_failed",
    "risk_refund",
    "full_coverage",
    "supplier_switched",
    "stopped",
    "capacity_money",
)
EVENT_CODE = {name: code for code, name in enumerate(EVENTS)}
COLUMNS: tuple[tuple[str, str], ...] = (
    ("replication", "replication number (0, 1, ...) within the run"),
    ("month", "month of the event (1 = the run's first)"),
    ("kommunkod", "the municipality"),
    ("innovation", "the innovation (empty for capacity money, which is not for one)"),
    ("event", "what happened: " + ", ".join(EVENTS)),
    ("channel", "heard: the channel drawn in proportion to the channels' hazards then"),
    ("amount_msek", "grant, capacity money (per year) or refund received (MSEK)"),
    (
        "value",
        "trial_result: realised benefit/cost ratio; supplier events: the supplier's number "
        "in the innovation's market (1 = the first to enter it)",
    ),
)


class EventLog:
    """Collects the events of a run as flat arrays; ``table()`` makes the event table."""

    def __init__(self, model: DiffusionModel, enabled: bool) -> None:
        self.model = model
        self.enabled = enabled
        self.rows: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        if enabled:
            self.channel_draws = [stream(seed, "event_channels") for seed in model.seeds]
            self.heard: list[tuple[int, np.ndarray, np.ndarray]] = []  # (month, cells, channel)
            self.moves: list[tuple[int, np.ndarray, np.ndarray, int]] = []  # month, cells, from, to
            self.full = np.zeros(model.state.stage.shape, dtype=bool)
            model.state.on_move = self.moved

    def moved(self, cells: np.ndarray, stage: Stage, month: int) -> None:
        """Cells about to enter ``stage`` (every change of stage, even two in one month)."""
        self.moves.append((month, cells.copy(), self.model.state.flat["stage"][cells], int(stage)))

    # --- booked during the run ---------------------------------------------------------
    def book(
        self,
        event: str,
        innovation: np.ndarray,
        column: np.ndarray,
        amount: np.ndarray | None = None,
        value: np.ndarray | None = None,
    ) -> None:
        """Rows of ``event`` this month at (innovation index or -1, municipality column)."""
        if not self.enabled or column.size == 0:
            return
        size = column.size
        self.rows.append(
            (
                event,
                np.full(size, self.model.month, dtype=np.int32),
                np.broadcast_to(np.asarray(innovation, dtype=np.int32), (size,)).copy(),
                column.astype(np.int64),
                np.broadcast_to(np.nan if amount is None else np.asarray(amount, float), (size,)),
                np.broadcast_to(np.nan if value is None else np.asarray(value, float), (size,)),
            )
        )

    def book_cells(self, event: str, cells: np.ndarray, **values: np.ndarray | None) -> None:
        i, j = np.divmod(cells, self.model.state.n_columns)
        self.book(event, i, j, **values)

    def heard_through(self, cells: np.ndarray, hazards: np.ndarray) -> None:
        """Cells that heard this month, with their (cells, channels) hazards: one channel
        each, drawn in proportion, from each replication's own stream (so a replication's
        draws do not depend on its batch)."""
        if not self.enabled or cells.size == 0:
            return
        total = hazards.sum(axis=1, keepdims=True)
        cumulative = np.cumsum(hazards / np.where(total > 0, total, 1.0), axis=1)
        block = (cells % self.model.state.n_columns) // self.model.structure.block_size
        u = np.empty(cells.size)
        for b in np.unique(block):
            at = np.flatnonzero(block == b)  # cells are in flat order within a block
            u[at] = self.channel_draws[b].random(at.size)
        channel = np.minimum((u[:, None] >= cumulative).sum(axis=1), len(CHANNELS) - 1)
        self.heard.append((self.model.month, cells.copy(), channel))

    def end_month(self) -> None:
        """What the month's shared record holds (trial results, suppliers), and adopters
        that reached full coverage."""
        if not self.enabled:
            return
        events, state = self.model.events, self.model.state
        cells, ratios = events.trial_results
        self.book_cells("trial_result", cells, value=ratios)
        per_market = self.model.scenario.suppliers.max_per_innovation
        for started, slots in events.trial_starts:
            if slots is not None:  # the supplier's number in its market: 1 = the first there
                self.book_cells("supplier_chosen", started, value=slots % per_market + 1)
        for switched, slots in events.switches:
            self.book_cells("supplier_switched", switched, value=slots % per_market + 1)
        full = (state.stage == Stage.ADOPTED) & (state.coverage >= 1.0 - 1e-9)
        self.book_cells("full_coverage", np.flatnonzero(full & ~self.full))
        self.full = full

    # --- the table ---------------------------------------------------------------------
    def _stage_rows(self) -> dict[str, np.ndarray]:
        """Every change of stage as it happened; entering AWARE from UNAWARE is "heard"."""
        if not self.moves:
            return _empty()
        cells = np.concatenate([c for _, c, _, _ in self.moves])
        before = np.concatenate([b for _, _, b, _ in self.moves])
        entered = np.concatenate([np.full(c.size, s) for _, c, _, s in self.moves])
        codes = np.array(
            [EVENT_CODE.get(STAGE_EVENTS.get(Stage(s)), -1) for s in range(len(Stage))]
        )
        event = codes[entered]
        event[(entered == Stage.AWARE) & (before == Stage.UNAWARE)] = EVENT_CODE["heard"]
        i, j = np.divmod(cells, self.model.state.n_columns)
        size = cells.size
        return {
            "month": np.concatenate([np.full(c.size, m) for m, c, _, _ in self.moves]),
            "i": i,
            "j": j,
            "event": event,
            "amount_msek": np.full(size, np.nan),
            "value": np.full(size, np.nan),
        }

    def _channel_codes(self, rows: dict[str, np.ndarray]) -> np.ndarray:
        """The channel drawn for each "heard" row (-1 for the others): a cell hears once."""
        channel = np.full(rows["event"].size, -1)
        heard = np.flatnonzero(rows["event"] == EVENT_CODE["heard"])
        if not self.heard or heard.size == 0:
            return channel
        cells_total = self.model.state.stage.size
        keys = np.concatenate([m * cells_total + c for m, c, _ in self.heard])
        drawn = np.concatenate([ch for _, _, ch in self.heard])
        order = np.argsort(keys, kind="stable")
        keys, drawn = keys[order], drawn[order]
        wanted = rows["month"][heard] * cells_total + rows["i"][heard] * self.model.state.n_columns
        wanted = wanted + rows["j"][heard]
        at = np.searchsorted(keys, wanted)
        found = (at < keys.size) & (keys[np.minimum(at, keys.size - 1)] == wanted)
        channel[heard[found]] = drawn[at[found]]
        return channel

    def _booked(self) -> dict[str, np.ndarray]:
        """The rows booked during the run; capacity money summed per municipality and year."""
        if not self.rows:
            return _empty()
        rows = {
            "event": np.concatenate([np.full(r[1].size, EVENT_CODE[r[0]]) for r in self.rows]),
            "month": np.concatenate([r[1] for r in self.rows]).astype(np.int64),
            "i": np.concatenate([r[2] for r in self.rows]).astype(np.int64),
            "j": np.concatenate([r[3] for r in self.rows]),
            "amount_msek": np.concatenate([r[4] for r in self.rows]),
            "value": np.concatenate([r[5] for r in self.rows]),
        }
        capacity = rows["event"] == EVENT_CODE["capacity_money"]
        if capacity.any():  # paid monthly: one row per municipality and year
            money = pd.DataFrame(
                {
                    "j": rows["j"][capacity],
                    "year": (rows["month"][capacity] - 1) // 12,
                    "month": rows["month"][capacity],
                    "amount_msek": rows["amount_msek"][capacity],
                }
            )
            yearly = money.groupby(["j", "year"], as_index=False).agg(
                month=("month", "min"), amount_msek=("amount_msek", "sum")
            )
            size = len(yearly)
            kept = {key: value[~capacity] for key, value in rows.items()}
            added = {
                "event": np.full(size, EVENT_CODE["capacity_money"]),
                "month": yearly["month"].to_numpy(np.int64),
                "i": np.full(size, -1),
                "j": yearly["j"].to_numpy(np.int64),
                "amount_msek": yearly["amount_msek"].to_numpy(float),
                "value": np.full(size, np.nan),
            }
            rows = {key: np.concatenate([kept[key], added[key]]) for key in rows}
        return rows

    def table(self) -> pd.DataFrame:
        """The event table (``COLUMNS``), sorted by replication, municipality and month."""
        model = self.model
        stages, booked = self._stage_rows(), self._booked()
        channel = np.concatenate([self._channel_codes(stages), np.full(booked["event"].size, -1)])
        rows = {key: np.concatenate([stages[key], booked[key]]) for key in stages}
        size = model.structure.block_size
        replication, position = np.divmod(rows["j"].astype(np.int64), size)
        names = [*model.innovations.names, ""]
        innovation = rows["i"].astype(np.int64)
        event = rows["event"].astype(np.int64)
        order = np.lexsort((event, rows["month"], position, replication))
        return pd.DataFrame(
            {
                "replication": replication[order],
                "month": rows["month"].astype(np.int64)[order],
                "kommunkod": pd.Categorical.from_codes(
                    position[order], categories=list(model.structure.codes)[:size]
                ),
                "innovation": pd.Categorical.from_codes(
                    np.where(innovation < 0, len(names) - 1, innovation)[order], categories=names
                ),
                "event": pd.Categorical.from_codes(event[order], categories=list(EVENTS)),
                "channel": pd.Categorical.from_codes(channel[order], categories=list(CHANNELS)),
                "amount_msek": rows["amount_msek"][order],
                "value": rows["value"][order],
            }
        )


def _empty() -> dict[str, np.ndarray]:
    integers = np.zeros(0, dtype=np.int64)
    return {
        "month": integers,
        "i": integers,
        "j": integers,
        "event": integers,
        "amount_msek": np.zeros(0),
        "value": np.zeros(0),
    }
