"""Which lever did what: each lever of a scenario alone against the baseline, and each
lever removed from the combination, paired (every run shares the seeds), so that SKR can
see what each part of its position buys and whether the parts reinforce each other.

attribution.csv columns (stable for scripts): lever, innovation (or "all"), metric,
effect_alone (the scenario with only this lever on, minus the baseline), its 95 % interval
(effect_alone_ci_low, effect_alone_ci_high), effect_removed (the scenario minus the
scenario with this lever off: what the lever adds to the others), its interval, and
interaction = effect_removed - effect_alone (positive: the lever does more together with
the others than alone). The row with lever "combination" gives the whole scenario against
the baseline in both effect columns, and as interaction the combination minus the sum of
the levers alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from experiments.compare import effects
from experiments.metrics import EFFECT_METRICS
from experiments.run import RunResults
from model.policies import LEVER_SECTIONS
from model.scenario import Scenario

COMBINATION = "combination"
COLUMNS = (
    "lever",
    "innovation",
    "metric",
    "effect_alone",
    "effect_alone_ci_low",
    "effect_alone_ci_high",
    "effect_removed",
    "effect_removed_ci_low",
    "effect_removed_ci_high",
    "interaction",
)
# Differences of differences only make sense for levels over every replication: not for
# ratios, nor for times kept only where a run got there (each pair would keep other runs).
METRICS = tuple(
    m.name for m in EFFECT_METRICS if not m.paired_only and m.name != "months_to_50pct_if_reached"
)


class AttributionError(ValueError):
    """A scenario that cannot be attributed (no lever on)."""


@dataclass(frozen=True)
class Variants:
    """The scenarios to run: the baseline, the combination, and per lever the scenario with
    only that lever on and the scenario with only that lever off."""

    baseline: Scenario
    combination: Scenario
    alone: dict[str, Scenario]
    removed: dict[str, Scenario]

    def all(self) -> list[tuple[str, Scenario]]:
        return [
            ("baseline", self.baseline),
            (COMBINATION, self.combination),
            *((f"{lever} alone", s) for lever, s in self.alone.items()),
            *((f"without {lever}", s) for lever, s in self.removed.items()),
        ]


def levers_on(scenario: Scenario) -> list[str]:
    return [section for section in LEVER_SECTIONS if getattr(scenario, section).enabled]


def variants(scenario: Scenario, baseline: Scenario) -> Variants:
    levers = levers_on(scenario)
    if not levers:
        raise AttributionError(
            f"scenario {scenario.name!r} has no lever enabled; levers: {', '.join(LEVER_SECTIONS)}"
        )

    def only(kept: set[str]) -> Scenario:
        return scenario.with_overrides({f"{lever}.enabled": lever in kept for lever in levers})

    return Variants(
        baseline=baseline,
        combination=scenario,
        alone={lever: only({lever}) for lever in levers},
        removed={lever: only(set(levers) - {lever}) for lever in levers},
    )


def _effects(a: RunResults, b: RunResults) -> pd.DataFrame:
    table = effects(a, b)
    table = table[table["metric"].isin(METRICS)]
    return table.set_index(["innovation", "metric"])[["diff", "ci_low", "ci_high"]]


def attribution_table(runs: dict[str, RunResults], levers: list[str]) -> pd.DataFrame:
    """attribution.csv from the runs of ``Variants.all`` (keyed by their labels)."""
    baseline, combination = runs["baseline"], runs[COMBINATION]
    whole = _effects(baseline, combination)
    parts, alone_sum = [], 0.0
    for lever in levers:
        alone = _effects(baseline, runs[f"{lever} alone"])
        removed = _effects(runs[f"without {lever}"], combination)
        alone_sum = alone["diff"] + alone_sum
        parts.append(_rows(lever, alone, removed, removed["diff"] - alone["diff"]))
    parts.append(_rows(COMBINATION, whole, whole, whole["diff"] - alone_sum))
    return pd.concat(parts, ignore_index=True)[list(COLUMNS)]


def _rows(
    lever: str, alone: pd.DataFrame, removed: pd.DataFrame, interaction: pd.Series
) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "effect_alone": alone["diff"],
            "effect_alone_ci_low": alone["ci_low"],
            "effect_alone_ci_high": alone["ci_high"],
            "effect_removed": removed["diff"],
            "effect_removed_ci_low": removed["ci_low"],
            "effect_removed_ci_high": removed["ci_high"],
            "interaction": interaction,
        }
    ).reset_index()
    table.insert(0, "lever", lever)
    return table


def attribute(
    scenario: Scenario,
    baseline: Scenario,
    run: Callable[[Scenario], RunResults],
    say: Callable[[str], None] = lambda _: None,
    done: dict[str, RunResults] | None = None,
) -> pd.DataFrame:
    """Run every variant with ``run`` (one seed for all: paired) and build the table;
    ``done``: runs already made under the same seed ("baseline", "combination")."""
    chosen = variants(scenario, baseline)
    runs = dict(done or {})
    everything = [(label, v) for label, v in chosen.all() if label not in runs]
    for number, (label, variant) in enumerate(everything, start=1):
        say(f"[{number}/{len(everything)}] {label}")
        runs[label] = run(variant)
    return attribution_table(runs, list(chosen.alone))


def attribution_text(table: pd.DataFrame, metric: str = "adoption_share_10y") -> str:
    """The table for one metric over all innovations, as aligned text."""
    rows = table[(table["metric"] == metric) & (table["innovation"] == "all")]
    lines = [f"Attribution of {metric} (all innovations): alone, removed from the combination"]
    for row in rows.itertuples():
        lines.append(
            f"  {row.lever:<20} alone {row.effect_alone:+9.3f} "
            f"[{row.effect_alone_ci_low:+.3f}, {row.effect_alone_ci_high:+.3f}]  "
            f"removed {row.effect_removed:+9.3f} "
            f"[{row.effect_removed_ci_low:+.3f}, {row.effect_removed_ci_high:+.3f}]  "
            f"interaction {row.interaction:+.3f}"
        )
    return "\n".join(lines)
