"""The modules' declarations (model/module.py) are true: what a module says it reads,
switches on, draws from and records is what the code does, and the month's list is the
scenario's switched-on modules in order."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from model.model import MONTH, DiffusionModel
from model.params import PARAMETERS, REGISTER
from model.reporters import REPORTERS
from model.stages import STAGE_NAMES

SWITCHES = {p.name for p in PARAMETERS if p.unit == "on/off" and p.section == "mechanisms"}
MODEL_DIR = Path(__file__).resolve().parents[1] / "model"


def declared(attribute: str) -> set[str]:
    return {name for kind in MONTH for name in getattr(kind, attribute)}


def test_declarations_name_register_sections_and_switches() -> None:
    sections = {p.section for p in PARAMETERS}
    for kind in MONTH:
        assert set(kind.parameters) <= sections, kind.__name__
        for switch in (*kind.switches, *kind.options, *filter(None, [kind.replaces])):
            assert REGISTER[switch].unit == "on/off", (kind.__name__, switch)


def test_every_mechanism_switch_belongs_to_a_module() -> None:
    claimed = declared("switches") | declared("options") | {k.replaces for k in MONTH}
    assert SWITCHES - claimed == set()


def test_switches_are_read_only_where_declared() -> None:
    """A switch's field name appears only in files whose modules declare it (and in the
    model's builder, which makes the list)."""
    for path in MODEL_DIR.rglob("*.py"):
        if path.name in ("__init__.py", "params.py", "scenario.py", "model.py", "odd.py"):
            continue
        text = path.read_text(encoding="utf-8")
        owners = [k for k in MONTH if inspect.getsourcefile(k) == str(path)]
        here = {s for k in owners for s in (*k.switches, *k.options, *filter(None, [k.replaces]))}
        for switch in SWITCHES:
            field = switch.split(".", 1)[1]
            if re.search(rf"(?:mechanisms|switches)\.{field}\b", text):
                assert switch in here, f"{path.name} reads {switch} but declares {sorted(here)}"


def test_streams_are_declared_by_the_modules_that_draw_them() -> None:
    for kind in MONTH:
        source = inspect.getsource(inspect.getmodule(kind))
        named = set(re.findall(r'stream\(\w+, "([^"]+)"\)', source))
        uses_monthly = "draws." in inspect.getsource(kind)
        drawn = named | ({"monthly"} if uses_monthly else set())
        assert set(kind.streams) == drawn, (kind.__name__, sorted(drawn))


def test_every_output_column_has_a_recording_module() -> None:
    columns = {*STAGE_NAMES, *REPORTERS}
    money = {"budget_msek", "granted_msek", "administered_msek", "unspent_msek"}
    assert columns | money <= declared("records") | {"risk_refunds_msek"}
    assert columns - declared("records") == set()


@pytest.mark.parametrize(
    ("overrides", "left_out"),
    [
        ({"mechanisms.stopping": False}, {"Stopping"}),
        ({"mechanisms.supplier_market": False}, {"Procurement", "SupplierMarket"}),
        (
            {"mechanisms.trial_decision": False},
            {
                "Reconsideration",
                "Decision",
                "Procurement",
                "FouSupport",
                "Trials",
                "Learning",
                "ScaleUp",
                "Implementation",
            },
        ),
    ],
)
def test_a_switched_off_module_is_not_in_the_month(baseline, overrides, left_out) -> None:
    on = DiffusionModel(baseline.with_overrides({"run.months": 2}), seed=1)
    off = DiffusionModel(baseline.with_overrides({"run.months": 2, **overrides}), seed=1)
    names = {type(m).__name__ for m in on.modules} - {type(m).__name__ for m in off.modules}
    assert names == left_out
    order = [MONTH.index(type(m)) for m in off.modules]
    assert order == sorted(order)


def test_without_learning_only_own_results_move_beliefs(baseline) -> None:
    """``mechanisms.learning`` off: peers' results teach nothing, so a municipality that
    never trialled an innovation still holds its prior; its own trial still counts."""
    model = DiffusionModel(baseline.with_overrides({"mechanisms.learning": False}), seed=3)
    everyone = np.arange(model.state.stage.size)
    prior_mean, prior_sd = model.learning.belief(everyone)
    model.run()
    mean, sd = model.learning.belief(everyone)
    trialled = ~np.isnan(model.state.own_result.reshape(-1))
    assert trialled.sum() > 50 and (~trialled).sum() > 50  # results came, not to everyone
    np.testing.assert_array_equal(mean[~trialled], prior_mean[~trialled])
    np.testing.assert_array_equal(sd[~trialled], prior_sd[~trialled])
    assert (sd[trialled] < prior_sd[trialled]).all()


def test_runs_never_draw_from_mesas_generators(baseline) -> None:
    """Every random number comes from the named streams: Mesa's generators are left for
    agent-level queries, so asking the agents cannot change a run."""
    model = DiffusionModel(baseline.with_overrides({"run.months": 36}), seed=4)
    rng_state, random_state = model.rng.bit_generator.state, model.random.getstate()
    model.run()
    assert model.rng.bit_generator.state == rng_state
    assert model.random.getstate() == random_state
