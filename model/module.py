"""The shape every part of the monthly update takes: a module that owns its state and step.

``DiffusionModel.step`` runs the scenario's modules in order (``model/modules.py`` builds
the list). A module is one class in one file (``model/mechanisms/``, ``model/policies/``)
that declares, on the class, what it reads and writes, so that docs/ODD.md's module table
and the tests can check the declarations against the code:

- ``parameters``: the register sections it reads (``spridning params --section ...``);
- ``switches``: register switches that must all be on for it to be in the step list
  (a switched-off module is simply not in the list); ``replaces``: a switch that, when
  off, puts this module in the list instead (Bass docking); ``options``: switches that
  change how it works (a channel or a constraint of its own) without removing it;
- ``streams``: the named random streams it draws from (``model/streams.py``);
- ``records``: the output columns it is the source of.

Modules talk through the state they share (``model.state``, ``model.traits``,
``model.budgets``, ``model.levers``, ``model.accounts``, ``model.events``) and may read
other modules' arrays; they never call each other's steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from model.model import DiffusionModel


class Module:
    parameters: ClassVar[tuple[str, ...]] = ()
    switches: ClassVar[tuple[str, ...]] = ()
    replaces: ClassVar[str | None] = None
    options: ClassVar[tuple[str, ...]] = ()
    streams: ClassVar[tuple[str, ...]] = ()
    records: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: DiffusionModel) -> None:
        self.model = model

    def start(self) -> None:
        """Once, before month 1, for the modules in the step list (nothing by default)."""

    def step(self) -> None:
        """This month's update of the module."""
        raise NotImplementedError
