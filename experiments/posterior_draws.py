"""Policy runs under a posterior: K draws x R replications, each run with its draw's values.

Which of a posterior's parameters a policy scenario takes: the shared ones (municipal
behaviour: decision, awareness, municipalities, suppliers), which are the same
municipalities whatever the innovation. A series' own parameters (the attributes of LOV,
digital alarms or broadband strategies, or a section parameter a target kept to itself)
describe those innovations, not the scenario's, and are left at the scenario's values.
Run ``d * R + r`` takes draw ``d``; A and B of a comparison get the same values and
seeds, so they stay paired.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.posterior import PosteriorError, load_posterior, posterior_path
from model.blocks import PER_BLOCK
from model.params import REGISTER


@dataclass(frozen=True)
class PolicyDraws:
    source: Path
    manifest: dict[str, Any]
    draws: pd.DataFrame  # the K draws used: draw, then one column per applied parameter
    applied: tuple[str, ...]  # register names the runs take from the posterior
    left: tuple[str, ...]  # the posterior's parameters left at the scenario's values
    replications: int  # per draw

    @property
    def runs(self) -> int:
        return len(self.draws) * self.replications

    @property
    def draw_of(self) -> np.ndarray:
        """The draw of each run (replication number)."""
        return np.repeat(np.arange(len(self.draws)), self.replications)

    def overrides(self) -> list[dict[str, float | int]]:
        """Each run's parameter values (one per replication; whole numbers where the
        register's parameter is one)."""
        whole = {name: REGISTER[name].kind == "int" for name in self.applied}
        per_draw = [
            {
                name: int(round(row[name])) if whole[name] else float(row[name])
                for name in self.applied
            }
            for row in self.draws.to_dict("records")
        ]
        return [per_draw[d] for d in self.draw_of]

    def describe(self) -> dict[str, Any]:
        """For a run's manifest: where the values came from and which were taken."""
        return {
            "posterior": str(self.source),
            "posterior_created": self.manifest.get("created"),
            "posterior_targets": [t["name"] for t in self.manifest.get("targets", [])],
            "draws": len(self.draws),
            "replications_per_draw": self.replications,
            "applied": list(self.applied),
            "left_at_scenario_values": list(self.left),
        }


def policy_draws(name_or_path: str | Path, draws: int, replications: int) -> PolicyDraws:
    """The first ``draws`` draws of a posterior (resampled already, so any prefix is a
    sample) for policy runs of ``replications`` each."""
    sample, manifest = load_posterior(name_or_path)
    if draws > len(sample):
        raise PosteriorError(
            f"{posterior_path(name_or_path)}: --draws {draws}, but the posterior has "
            f"{len(sample)} draws"
        )
    parameters = manifest.get("parameters")
    if not isinstance(parameters, list) or not all(
        isinstance(p, dict) and "name" in p and "shared" in p for p in parameters
    ):
        raise PosteriorError(
            f"{posterior_path(name_or_path).with_suffix('.json')}: parameters: a list of "
            "{name, shared, ...} entries is needed"
        )
    applied = tuple(p["name"] for p in parameters if p["shared"] and p["name"] in PER_BLOCK)
    left = tuple(p["name"] for p in parameters if p["name"] not in applied)
    if not applied:
        raise PosteriorError(
            f"{posterior_path(name_or_path)}: none of its parameters is a shared parameter of "
            "municipal behaviour, so it says nothing about a policy scenario"
        )
    return PolicyDraws(
        source=posterior_path(name_or_path),
        manifest=manifest,
        draws=sample.head(draws)[["draw", *applied]].reset_index(drop=True),
        applied=applied,
        left=left,
        replications=replications,
    )


def drivers(
    a: pd.DataFrame, b: pd.DataFrame, plan: PolicyDraws, metrics: list[str]
) -> pd.DataFrame:
    """Which parameters drive the effect: per innovation and metric, the Spearman rank
    correlation over draws of each applied parameter with the draw's mean effect
    (``a``, ``b``: per-replication metric tables indexed by replication and innovation)."""
    rows = []
    draw_of = plan.draw_of
    for innovation in dict.fromkeys(a.index.get_level_values("innovation")):
        pa, pb = a.xs(innovation, level="innovation"), b.xs(innovation, level="innovation")
        draws = draw_of[pa.index.to_numpy()]
        for metric in metrics:
            effect = (pb[metric] - pa[metric]).groupby(draws).mean()
            if effect.notna().sum() < 3 or effect.nunique() < 2:
                continue
            for name in plan.applied:
                values = plan.draws[name].to_numpy()[effect.index.to_numpy()]  # by position
                rho = pd.Series(values).corr(pd.Series(effect.to_numpy()), method="spearman")
                rows.append(
                    {"innovation": innovation, "metric": metric, "parameter": name, "spearman": rho}
                )
    return pd.DataFrame(rows, columns=["innovation", "metric", "parameter", "spearman"])
