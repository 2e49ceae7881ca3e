"""Speed of one model run, printed as medians and ratios measured in the same process.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_model.py [--repeats N]``).

1. The baseline scenario (290 municipalities, 5 innovations, 240 months, suppliers and
   FoU environments): building the model, the 240 monthly steps, and turning the history
   into tables, each timed separately, per replication: alone (one run per model) and in
   batches (replications side by side in one model, as `run_scenario` runs them; their
   results are identical to running alone).
2. A textbook per-agent Mesa Bass model of the same size (one mechanism, every agent
   stepped in Python each month), the yardstick the speed target is stated against.
3. The pipeline of new innovations: the baseline with and without it, interleaved, and
   the extra cost per arrived innovation.
4. Synthetic sets of 290 to 10,000 municipalities: cost per municipality-month, to show
   that cost grows about linearly.

The machine is shared and noisy, so every figure is a median over repeats, and the
comparisons are ratios of figures taken in this one run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import mesa

from experiments.run import DEFAULT_BATCH
from model.model import DiffusionModel
from model.reference import load_municipalities, load_neighbours
from model.reference.synthetic import synthetic_municipalities
from model.scenario import Scenario, load_scenario


class BassAgent(mesa.Agent):
    """A textbook agent: each month it adopts with probability p + q * share."""

    def __init__(self, model: TextbookBass) -> None:
        super().__init__(model)
        self.adopted = False

    def step(self) -> None:
        if (
            not self.adopted
            and self.random.random() < self.model.p + self.model.q * self.model.share
        ):
            self.adopted = True


def adoption_share(model: TextbookBass) -> float:
    return sum(agent.adopted for agent in model.agents) / len(model.agents)


class TextbookBass(mesa.Model):
    """As in Mesa's examples: agents stepped in random order, a DataCollector each month."""

    def __init__(self, n: int = 290, p: float = 0.005, q: float = 0.06, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.p, self.q, self.share = p, q, 0.0
        BassAgent.create_agents(self, n)
        self.datacollector = mesa.DataCollector(model_reporters={"adoption_share": adoption_share})

    def step(self) -> None:
        self.agents.shuffle_do("step")
        self.share = adoption_share(self)
        self.datacollector.collect(self)


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def time_scenario(
    scenario: Scenario, municipalities, neighbours, repeats: int, batch: int = 1
) -> dict[str, float]:
    """Median seconds per replication over ``repeats`` models of ``batch`` replications."""
    build, steps, tables = [], [], []
    for repeat in range(repeats):
        seeds = list(range(repeat * batch, (repeat + 1) * batch))
        started = time.perf_counter()
        model = DiffusionModel(
            scenario, seed=seeds, municipalities=municipalities, neighbours=neighbours
        )
        built = time.perf_counter()
        model.run()
        stepped = time.perf_counter()
        model.timeseries(), model.municipality_outcomes(), model.groups()
        tables.append((time.perf_counter() - stepped) / batch)
        build.append((built - started) / batch)
        steps.append((stepped - built) / batch)
    return {
        "build": statistics.median(build),
        "steps": statistics.median(steps),
        "tables": statistics.median(tables),
        "run": statistics.median(b + s for b, s in zip(build, steps, strict=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Time model runs; print medians and ratios.")
    parser.add_argument("--repeats", type=int, default=15, help="runs per figure (default 15)")
    parser.add_argument("--largest", type=int, default=10_000, help="largest synthetic set")
    args = parser.parse_args()
    baseline = load_scenario("baseline")
    municipalities = load_municipalities()
    neighbours = load_neighbours(municipalities=municipalities)

    print(
        f"Baseline: 290 municipalities, {len(baseline.innovations)} innovations, "
        f"{baseline.run.months} months; ms per replication (median)"
    )
    print(f"  {'replications per model':<24} {'build':>7} {'steps':>7} {'run':>7} {'tables':>7}")
    runs = {}
    for batch in sorted({1, 8, 16, DEFAULT_BATCH, 64}):
        repeats = args.repeats if batch == 1 else max(3, args.repeats * 16 // (3 * batch))
        figures = time_scenario(baseline, municipalities, neighbours, repeats, batch)
        runs[batch] = figures["run"]
        cells = " ".join(f"{figures[k] * 1e3:7.1f}" for k in ("build", "steps", "run", "tables"))
        print(f"  {batch:<24} {cells}")
    print(
        f"  (run = build + steps; the target is at most 40 ms; tables = the history turned "
        f"into the output tables; run_scenario uses batches of {DEFAULT_BATCH})"
    )

    textbook = median_seconds(
        lambda: TextbookBass(seed=1).run_for(baseline.run.months), args.repeats
    )
    print(
        f"Textbook per-agent Mesa Bass model, 290 agents, {baseline.run.months} months: "
        f"{textbook * 1e3:.1f} ms"
    )
    print(
        "  ratio baseline run / textbook Bass: "
        + ", ".join(
            f"{'alone' if batch == 1 else f'batches of {batch}'} {run / textbook:.2f}"
            for batch, run in runs.items()
        )
        + " (the target: about 0.5)"
    )

    skr = load_scenario("skr_position")
    both = {}
    for name, scenario in (("baseline", baseline), ("skr_position", skr)):
        both[name] = time_scenario(
            scenario, municipalities, neighbours, max(3, args.repeats // 3), DEFAULT_BATCH
        )["run"]
    print(
        f"skr_position (all levers) vs baseline, batches of {DEFAULT_BATCH}: "
        f"{both['skr_position'] * 1e3:.1f} vs {both['baseline'] * 1e3:.1f} ms per replication, "
        f"ratio {both['skr_position'] / both['baseline']:.2f} (target at most 1.5)"
    )

    pipeline = baseline.model_copy(
        update={"pipeline": baseline.pipeline.model_copy(update={"enabled": True})}
    )
    with_and_without, arrived = {}, []
    for repeat in range(max(3, args.repeats // 3)):  # interleaved: the machine's noise is shared
        for label, scenario in (("named", baseline), ("pipeline", pipeline)):
            seeds = list(range(repeat * DEFAULT_BATCH, (repeat + 1) * DEFAULT_BATCH))
            started = time.perf_counter()
            model = DiffusionModel(
                scenario, seed=seeds, municipalities=municipalities, neighbours=neighbours
            ).run()
            with_and_without.setdefault(label, []).append(
                (time.perf_counter() - started) / DEFAULT_BATCH
            )
            if label == "pipeline":
                months = model.pipeline.arrivals.month
                arrived.append((months > 0).sum() / DEFAULT_BATCH)
    named_run = statistics.median(with_and_without["named"])
    pipeline_run = statistics.median(with_and_without["pipeline"])
    per_arrival = (pipeline_run - named_run) / statistics.median(arrived)
    print(
        f"Pipeline of new innovations (baseline rates), batches of {DEFAULT_BATCH}: "
        f"{pipeline_run * 1e3:.1f} vs {named_run * 1e3:.1f} ms per replication without, "
        f"ratio {pipeline_run / named_run:.2f}; {statistics.median(arrived):.1f} arrivals per "
        f"replication, {per_arrival * 1e3:.2f} ms per arrived innovation "
        f"(queue slots cost whether or not they arrive: {len(model.innovations)} innovations)"
    )

    print("Synthetic sets (baseline scenario): median run, and per municipality-month")
    sizes = [n for n in (290, 1000, 3000, 10_000) if n <= args.largest]
    per_cell = {}
    for n in sizes:
        synthetic, synthetic_neighbours = synthetic_municipalities(n, seed=1)
        repeats = max(3, args.repeats * 290 // n)
        run = time_scenario(baseline, synthetic, synthetic_neighbours, repeats)["run"]
        per_cell[n] = run / (n * baseline.run.months)
        print(
            f"  {n:6d} municipalities: {run * 1e3:9.1f} ms  "
            f"{per_cell[n] * 1e6:6.2f} us per municipality-month  ({repeats} runs)"
        )
    if len(sizes) > 1:
        print(
            f"  cost per municipality-month, {sizes[-1]} vs {sizes[0]}: "
            f"{per_cell[sizes[-1]] / per_cell[sizes[0]]:.2f}x (1 = exactly linear; "
            "below 1: fixed costs spread thinner)"
        )


if __name__ == "__main__":
    main()
