"""What a municipality pays, or expects to pay, for an innovation (SEK per inhabitant and
year): one rule for the decision to trial, the scale-up and the adopters' running costs.

A municipality with a supplier pays its contract: the consortium's contract price when
it called one off, while that contract runs, otherwise its supplier's current price. Before it has one, a member
of a consortium with a live contract expects that contract's price, anyone else the
cheapest price a supplier of the product asks now (the list price when none trades).
Methods (no supplier) cost their running cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.state import NEVER

if TYPE_CHECKING:
    from model.model import DiffusionModel


def paid(model: DiffusionModel, k: np.ndarray, i: np.ndarray) -> np.ndarray:
    """The price paid at flat cells ``k`` (innovations ``i``) that may have a supplier."""
    supplier = model.state.flat["supplier"][k]
    contract = model.state.flat["contract_price"][k]
    running = model.state.flat["contract_until"][k] > model.month
    current = model.market.price[np.maximum(supplier, 0)]
    own = np.where(running & ~np.isnan(contract), contract, current)
    return np.where(supplier != NEVER, own, model.innovations.cost[i])


def expected(model: DiffusionModel, k: np.ndarray) -> np.ndarray:
    """The price a municipality expects at flat cells ``k``: what it pays with a supplier,
    else its consortium's contract price, else the cheapest asked in the market."""
    i = k // model.state.n_columns
    price = paid(model, k, i)
    looking = (model.state.flat["supplier"][k] == NEVER) & model.needs_procurement[i]
    if not looking.any():
        return price
    cells = k[looking]
    asked = cheapest_asked(model)[model.ledger_rows(cells)]
    asked = np.where(np.isfinite(asked), asked, model.innovations.cost[i[looking]])
    contracts = model.levers.contracts
    if contracts is not None:
        _, contract, _ = contracts.call_off(cells)
        asked = np.where(np.isnan(contract), asked, contract)
    price[looking] = asked
    return price


def cheapest_asked(model: DiffusionModel) -> np.ndarray:
    """Per market (ledger row): the lowest price a trading supplier asks (inf: none)."""
    market = model.market
    per_market = market.params.max_per_innovation
    asked = np.where(market.alive, market.price, np.inf).reshape(-1, per_market)
    return asked.min(axis=1)
