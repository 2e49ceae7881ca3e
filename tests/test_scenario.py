"""Scenario files: what loads, and the messages a bad file gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.params import REGISTER
from model.scenario import SCENARIO_DIR, ScenarioError, load_scenario

MINIMAL = """
name = "minimal"
[[innovations]]
name = "thing"
kind = "method"
"""


def _write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_library_scenarios_load() -> None:
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        scenario = load_scenario(path)
        assert scenario.innovations, path


def test_defaults_come_from_the_register(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, MINIMAL))
    assert scenario.awareness.county == REGISTER["awareness.county"].default
    assert scenario.innovations[0].trial_months == REGISTER["innovation.trial_months"].default
    assert scenario.innovations[0].compatibility == [1.0] * 5


def test_unknown_key_names_file_key_and_allowed_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + "\n[awareness]\ncountyy = 0.1\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert str(path) in message
    assert "awareness.countyy: unknown key" in message
    assert "county," in message  # the allowed keys are listed


def test_out_of_range_value_gives_the_allowed_range(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + "\n[municipalities]\nshare_idea_org = 1.4\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "municipalities.share_idea_org" in message
    assert "(got 1.4)" in message
    assert "allowed 0 to 1 (share)" in message


def test_wrong_type_in_an_innovation_names_it(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + 'trial_months = "a year"\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "innovations[0] (thing).trial_months" in str(caught.value)
    assert "allowed 1 to 240 (months)" in str(caught.value)


def test_bad_kind_compatibility_and_duplicate_names(tmp_path: Path) -> None:
    text = MINIMAL.replace('"method"', '"gadget"') + "compatibility = [1, 2]\n"
    text += '[[innovations]]\nname = "thing"\nkind = "method"\n'
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_write(tmp_path, text))
    message = str(caught.value)
    assert "innovations[0] (thing).kind" in message and "'product' or 'method'" in message
    assert "innovations[0] (thing).compatibility" in message


def test_duplicate_innovation_names_rejected(tmp_path: Path) -> None:
    text = MINIMAL + '[[innovations]]\nname = "thing"\nkind = "product"\n'
    with pytest.raises(ScenarioError, match="repeated: \\['thing'\\]"):
        load_scenario(_write(tmp_path, text))


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(_write(tmp_path, "name = \n"))
    with pytest.raises(ScenarioError, match="scenario file not found; the library has: .*baseline"):
        load_scenario("no_such_scenario")


def test_extends_overrides_only_what_differs(tmp_path: Path) -> None:
    base = _write(
        tmp_path, MINIMAL + "\n[awareness]\ncounty = 0.05\nneighbours = 0.07\n", "base.toml"
    )
    child = _write(
        tmp_path,
        f'extends = "{base.name}"\nname = "child"\n[awareness]\ncounty = 0.01\n',
        "child.toml",
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.awareness.county == 0.01
    assert scenario.awareness.neighbours == 0.07
    assert scenario.innovations[0].name == "thing"


def test_extends_loop_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, 'extends = "b.toml"\nname = "a"\n', "a.toml")
    _write(tmp_path, 'extends = "a.toml"\nname = "b"\n', "b.toml")
    with pytest.raises(ScenarioError, match="loops back"):
        load_scenario(tmp_path / "a.toml")


def test_with_overrides_validates(baseline) -> None:
    changed = baseline.with_overrides({"awareness.county": 0.05, "innovations.0.trial_months": 3})
    assert changed.awareness.county == 0.05 and changed.innovations[0].trial_months == 3
    with pytest.raises(ScenarioError, match="awareness.county"):
        baseline.with_overrides({"awareness.county": -1})


def test_levers_written_under_policies_get_told_the_one_spelling(tmp_path) -> None:
    """Levers are sections of their own, spelled as in the register; the old
    ``[policies.<lever>]`` tables are refused with what to write instead."""
    path = tmp_path / "old.toml"
    path.write_text(
        'extends = "{}"\nname = "old"\n[policies.programme]\nenabled = true\n'.format(
            (SCENARIO_DIR / "baseline.toml").as_posix()
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"write \[programme\] instead of \[policies"):
        load_scenario(path)
    assert load_scenario("programme").programme.enabled
