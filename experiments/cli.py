"""The `spridning` command line: one subcommand per job, each a thin layer over a library call."""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from experiments.dataset import SweepFolderError
from experiments.experiment import ExperimentError
from experiments.limits import (
    CALIBRATION_WHY,
    MAX_GENERATIONS,
    MAX_POINT_REPLICATIONS,
    MAX_POPULATION,
    MAX_RUN_REPLICATIONS,
    MAX_SWEEP_RUNS,
    RUN_REPLICATIONS_WHY,
    SWEEP_WHY,
)
from experiments.posterior import PosteriorError
from experiments.run_folder import RunFolderError
from experiments.storage import DamagedFileError
from experiments.targets import TargetError
from model.blocks import BlockParameterError
from model.reference import ReferenceDataError
from model.scenario import ScenarioError


class UserError(Exception):
    """Bad input from the user: printed as a one-line message, never a traceback."""


def _municipalities(args: argparse.Namespace) -> None:
    from model.reference import load_municipalities, load_neighbours
    from model.reference.summary import summary_text

    municipalities = load_municipalities()
    neighbours = load_neighbours(municipalities=municipalities)
    print(summary_text(municipalities, neighbours, county=args.county))


def _whole_number(minimum: int, maximum: int | None = None, why: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number from ``minimum`` to ``maximum`` (``why`` the limit)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            reason = f" ({why})" if why else ""
            raise argparse.ArgumentTypeError(f"must be at most {maximum:,}{reason}, got {value:,}")
        return value

    return parse


_positive_int = _whole_number(1)
_seed = _whole_number(0)
_run_replications = _whole_number(1, MAX_RUN_REPLICATIONS, RUN_REPLICATIONS_WHY)
_point_replications = _whole_number(1, MAX_POINT_REPLICATIONS, SWEEP_WHY)
_budget = _whole_number(1, MAX_SWEEP_RUNS, SWEEP_WHY)
_population = _whole_number(10, MAX_POPULATION, CALIBRATION_WHY)
_generations = _whole_number(1, MAX_GENERATIONS, CALIBRATION_WHY)
_draws = _whole_number(1, MAX_RUN_REPLICATIONS, RUN_REPLICATIONS_WHY)
_port = _whole_number(1, 65_535, "the largest TCP port")


def _workers(args: argparse.Namespace) -> int | None:
    """``--workers`` as given, refused above this machine's cores unless ``--force``."""
    from experiments.workers import usable_cores

    cores = usable_cores()
    if args.workers is not None and args.workers > cores and not args.force:
        raise UserError(
            f"--workers {args.workers}: more than the {cores} core(s) this process may use; "
            "more workers only share those cores and each takes memory (about 250 MB). "
            f"Use at most {cores}, or add --force"
        )
    return args.workers


def _run(args: argparse.Namespace) -> None:
    from experiments.run import batch_size_for, process_pool, run_scenario, write_run
    from experiments.run_folder import check_target
    from experiments.storage import now
    from experiments.summary import milestone_text
    from model.scenario import load_scenario, resolve_scenario_path

    workers = _workers(args)
    scenario = load_scenario(args.scenario)
    # never from the file's content: the file's own name (a path's last part) names it
    out = args.out or Path("results") / resolve_scenario_path(args.scenario).stem
    check_target(out)
    started = now()
    print(
        f"Running {scenario.name}: {args.replications} replication(s) of "
        f"{scenario.run.months} months, seed {args.seed}",
        file=sys.stderr,
    )
    batch = batch_size_for(args.replications, workers)
    if workers > 1:
        with process_pool(workers) as pool:
            results = run_scenario(
                scenario, args.replications, args.seed, pool, batch_size=batch, events=args.events
            )
    else:
        results = run_scenario(
            scenario, args.replications, args.seed, batch_size=batch, events=args.events
        )
    write_run(results, out, started, scenario_file=str(resolve_scenario_path(args.scenario)))
    print(milestone_text(results.timeseries))
    print(f"Wrote {', '.join(results.tables)} (.parquet) and manifest.json to {out}")


def _compare(args: argparse.Namespace) -> None:
    from experiments.compare import effects, effects_text
    from experiments.metrics import EFFECT_METRICS, per_replication
    from experiments.posterior_draws import drivers, policy_draws
    from experiments.run import batch_size_for, process_pool, run_scenario, write_run_files
    from experiments.run_folder import check_target, staged
    from experiments.storage import atomic_write_bytes, now
    from model.scenario import load_scenario, resolve_scenario_path

    if args.attribute and args.independent:
        raise UserError("--attribute needs paired runs: leave out --independent")
    if args.posterior and args.independent:
        raise UserError("--posterior pairs A and B on each draw: leave out --independent")
    if args.draws is not None and not args.posterior:
        raise UserError("--draws counts posterior draws: give --posterior too")
    workers = _workers(args)
    a, b = load_scenario(args.a), load_scenario(args.b)
    stem_a, stem_b = (resolve_scenario_path(x).stem for x in (args.a, args.b))
    out = args.out or Path("results") / f"compare_{stem_a}_vs_{stem_b}"
    check_target(out)
    plan = None
    replications = args.replications or (4 if args.posterior else 20)
    if args.posterior:
        if replications < 2:
            raise UserError(
                "--posterior needs at least -n 2 replications per draw: the split of the "
                "effect's variance into parameters and chance needs two runs of a draw"
            )
        plan = policy_draws(args.posterior, args.draws or 100, replications)
        differing = [n for n in plan.applied if _value(a, n) != _value(b, n)]
        if differing:
            raise UserError(
                f"--posterior sets {', '.join(differing)} in every run, but {args.a} and "
                f"{args.b} differ in it: the comparison would lose that difference"
            )
        replications = plan.runs
        if replications > MAX_RUN_REPLICATIONS:
            raise UserError(
                f"--draws {len(plan.draws)} x -n {plan.replications} = {replications:,} runs per "
                f"scenario: at most {MAX_RUN_REPLICATIONS:,} ({RUN_REPLICATIONS_WHY})"
            )
        print(
            f"Posterior {plan.source.name}: {len(plan.draws)} draws x {plan.replications} "
            f"replications; taking {', '.join(plan.applied)}",
            file=sys.stderr,
        )
    overrides = plan.overrides() if plan else None
    started = now()
    seed_b = args.seed + 1_000_003 if args.independent else args.seed
    batch = batch_size_for(replications, workers)
    runs = []
    pool = process_pool(workers) if workers > 1 else None
    try:
        for scenario, seed in ((a, args.seed), (b, seed_b)):
            runs.append(
                run_scenario(
                    scenario,
                    replications,
                    seed,
                    pool,
                    batch_size=batch,
                    block_overrides=overrides,
                    events=args.events,
                )
            )
    finally:
        if pool is not None:
            pool.shutdown()
    draw_of = plan.draw_of if plan else None
    table = effects(runs[0], runs[1], independent=args.independent, draw_of=draw_of)
    driving = None
    if plan:
        for results in runs:
            results.posterior = plan.describe()
        names = [m.name for m in EFFECT_METRICS if not m.paired_only]
        driving = drivers(per_replication(runs[0]), per_replication(runs[1]), plan, names)
    attribution = (
        _attribution_of(args, a, b, runs, batch, workers, replications, overrides)
        if args.attribute
        else None
    )
    with staged(out) as staging:  # a/, b/ and effects.csv are swapped in together
        for name, results, source in (("a", runs[0], args.a), ("b", runs[1], args.b)):
            (staging / name).mkdir()
            write_run_files(
                results, staging / name, started, scenario_file=str(resolve_scenario_path(source))
            )
        atomic_write_bytes(staging / "effects.csv", table.to_csv(index=False).encode("utf-8"))
        if plan:
            atomic_write_bytes(
                staging / "posterior_draws.csv", plan.draws.to_csv(index=False).encode("utf-8")
            )
            atomic_write_bytes(staging / "drivers.csv", driving.to_csv(index=False).encode("utf-8"))
        if attribution is not None:
            atomic_write_bytes(
                staging / "attribution.csv", attribution.to_csv(index=False).encode("utf-8")
            )
    print(effects_text(table, a.name, b.name))
    if attribution is not None:
        from experiments.attribution import attribution_text

        print(attribution_text(attribution))
    written = "effects.csv" + (", posterior_draws.csv, drivers.csv" if plan else "")
    print(f"Wrote {written} and the two runs (a/, b/) to {out}")


def _value(scenario, name: str):
    """A section parameter's value in a scenario (``decision.hurdle``)."""
    section, field = name.split(".", 1)
    return getattr(getattr(scenario, section), field)


def _attribution_of(args, a, b, runs, batch: int, workers: int, replications: int, overrides):
    """compare --attribute: B's levers alone and removed, against A, with A's seed (and the
    same posterior draws)."""
    from experiments.attribution import AttributionError, attribute
    from experiments.run import process_pool, run_scenario

    pool = process_pool(workers) if workers > 1 else None

    def run(variant):  # the variants' events are not kept: no event tables
        return run_scenario(
            variant,
            replications,
            args.seed,
            pool,
            batch_size=batch,
            block_overrides=overrides,
            events=False,
        )

    try:
        return attribute(
            b,
            a,
            run,
            say=lambda line: print(f"attribution {line}", file=sys.stderr),
            done={"baseline": runs[0], "combination": runs[1]},
        )
    except AttributionError as error:
        raise UserError(str(error)) from None
    finally:
        if pool is not None:
            pool.shutdown()


def _attribute(args: argparse.Namespace) -> None:
    from experiments.attribution import AttributionError, attribute, attribution_text
    from experiments.run import batch_size_for, process_pool, run_scenario
    from experiments.run_folder import check_target, staged
    from experiments.storage import atomic_write_bytes
    from model.scenario import load_scenario, resolve_scenario_path

    workers = _workers(args)
    scenario, baseline = load_scenario(args.scenario), load_scenario(args.baseline)
    out = args.out or Path("results") / f"attribution_{resolve_scenario_path(args.scenario).stem}"
    check_target(out)
    batch = batch_size_for(args.replications, workers)
    pool = process_pool(workers) if workers > 1 else None

    def run(variant):  # every variant with the same seed: replication i is paired
        return run_scenario(
            variant, args.replications, args.seed, pool, batch_size=batch, events=False
        )

    try:
        table = attribute(scenario, baseline, run, say=lambda line: print(line, file=sys.stderr))
    except AttributionError as error:
        raise UserError(str(error)) from None
    finally:
        if pool is not None:
            pool.shutdown()
    with staged(out) as staging:
        atomic_write_bytes(staging / "attribution.csv", table.to_csv(index=False).encode("utf-8"))
    print(attribution_text(table))
    print(f"Wrote attribution.csv to {out}")


def _sweep(args: argparse.Namespace) -> None:
    from experiments.engines import engine
    from experiments.experiment import load_experiment
    from experiments.sweep import run_sweep

    workers = _workers(args)
    loaded = load_experiment(args.experiment)
    out = args.out or Path("results") / "sweeps" / loaded.experiment.name
    started = time.perf_counter()
    with engine(workers, args.scheduler) as chosen:
        print(f"Sweep {loaded.experiment.name} into {out} on {chosen.description}", file=sys.stderr)
        report = run_sweep(
            loaded,
            out,
            chosen.executor,
            chosen.slots,
            chosen.description,
            flush_runs=args.flush_runs,
        )
    minutes = (time.perf_counter() - started) / 60
    print(
        f"{report.total} runs: {report.already_done} were already stored, {report.ran} ran now "
        f"({report.failed} failed) in {minutes:.1f} min; {report.parts_written} part(s) written"
    )
    for error in dict.fromkeys(report.errors):
        print(f"  failed: {error}")
    print(f"Results in {out}/runs (Parquet); next: spridning analyse {out}")


def _analyse(args: argparse.Namespace) -> None:
    from experiments.analysis import AnalysisError, analyse

    try:
        report = analyse(args.folder)
    except AnalysisError as error:
        raise UserError(str(error)) from None
    for note in report.notes:
        print(note)
    for path in report.files:
        print(f"wrote {path}")


def _parameter_ranges(texts: list[str] | None) -> dict:
    """``--params a,b=0.1:0.5`` as {name: ParameterRange}; no range: the register's."""
    from experiments.experiment import ParameterRange

    ranges = {}
    for text in ",".join(texts or []).split(","):
        if not text.strip():
            continue
        name, _, bounds = text.strip().partition("=")
        if not bounds:
            ranges[name] = ParameterRange()
            continue
        low, _, high = bounds.partition(":")
        try:
            ranges[name] = ParameterRange(low=float(low), high=float(high))
        except ValueError as error:
            raise UserError(
                f"--params {text}: write name or name=low:high with numbers ({error})"
            ) from None
    return ranges


def _calibrate(args: argparse.Namespace) -> None:
    from experiments.abc_smc import Calibration, Settings
    from experiments.calibration_problem import build_problem
    from experiments.engines import engine
    from experiments.posterior import ship, summarise
    from experiments.targets import TARGETS_DIR

    workers = _workers(args)
    if args.ship is not None and not re.fullmatch(r"[a-z0-9_]+", args.ship):
        raise UserError(
            f"--ship {args.ship!r}: a posterior's name is lower-case letters, digits and _ "
            "(it becomes model/posteriors/NAME.parquet)"
        )
    if args.all == bool(args.targets):
        raise UserError(
            "name the targets to fit, or give --all (every file in experiments/targets/)"
        )
    targets = sorted(p.stem for p in TARGETS_DIR.glob("*.toml")) if args.all else args.targets
    problem = build_problem(
        targets,
        fit_until=args.fit_until,
        parameters=_parameter_ranges(args.params),
        scenario=args.scenario,
    )
    try:
        settings = Settings(
            population=args.population,
            replications=args.replications,
            generations=args.generations,
            seed=args.seed,
        )
    except ValueError as error:
        raise UserError(str(error)) from None
    name = "joint" if len(targets) > 1 else problem.series[0].name
    out = args.out or Path("results") / "calibrations" / name
    calibration = Calibration(problem, out, settings)
    with engine(workers, args.scheduler) as chosen:
        print(
            f"Calibrating {', '.join(targets)} ({len(problem.dimensions)} parameters) into "
            f"{out} on {chosen.description}",
            file=sys.stderr,
        )
        calibration.run(
            chosen.executor, chosen.description, say=lambda line: print(line, file=sys.stderr)
        )
        summary = summarise(calibration, args.draws, args.replications, chosen.executor)
    print(calibration_text(summary))
    print(
        f"Wrote posterior, correlations, fit, curve (.csv), draws, predictive (.parquet) and calibration.json to {out}"
    )
    if args.ship:
        path = ship(out, args.ship)
        print(f"Shipped {args.draws} posterior draws as {path}")


def calibration_text(summary: dict) -> str:
    """What a calibration found, as the terminal shows it."""
    last = summary["generations"][-1]
    lines = [
        f"{summary['method']}: {len(summary['generations'])} generations, final tolerance "
        f"{last['epsilon']:.3g} ({summary['stopped']})"
    ]
    for row in summary["posterior"]:
        flag = "" if row["identified"] else "  (weakly identified)"
        lines.append(
            f"  {row['parameter']:<56} median {row['median']:.4g}  90 % [{row['q05']:.4g}, "
            f"{row['q95']:.4g}]  of prior [{row['prior_low']:.4g}, {row['prior_high']:.4g}]{flag}"
        )
    for pair in summary["trade_offs"]:
        lines.append(
            f"  trade-off: {pair['parameter_1']} ~ {pair['parameter_2']} "
            f"(Spearman {pair['spearman']:+.2f})"
        )
    lines.append("Posterior predictive check (municipalities; median and 5-95 % band):")
    for row in summary["fit"]:
        mark = "" if row["inside_band"] else "  OUTSIDE"
        use = "fitted" if row["used_in_fit"] else "held out"
        lines.append(
            f"  {row['target']:<22} {row['measure']:<9} {row['date']}  observed "
            f"{row['observed']:6.1f}  model {row['median']:6.1f} [{row['band_low']:.1f}, "
            f"{row['band_high']:.1f}]  ({use}){mark}"
        )
    lines.append(
        f"Fit: RMSE {summary['fit_rmse']:.1f} municipalities; "
        f"{summary['observations_inside_band']} of {summary['observations']} observations "
        "inside the 5-95 % band"
    )
    if summary["out_of_sample"]:
        held = summary["out_of_sample"]
        lines.append(
            f"Out of sample ({held['n']} later observations): RMSE {held['rmse']:.1f}, "
            f"mean absolute error {held['mean_absolute_error']:.1f}, {held['inside_band']} "
            "inside the band"
        )
    return "\n".join(lines)


def _validate(args: argparse.Namespace) -> None:
    from experiments.abc_smc import Settings
    from experiments.engines import engine
    from experiments.validation import validate
    from viz.validation_report import write

    workers = _workers(args)
    started = time.perf_counter()
    try:
        settings = Settings(
            population=args.population,
            replications=args.replications,
            generations=args.generations,
        )
    except ValueError as error:
        raise UserError(str(error)) from None
    with engine(workers, args.scheduler) as chosen:
        print(f"Validating into {args.out} on {chosen.description}", file=sys.stderr)
        summary = validate(
            args.out,
            settings,
            draws=args.draws,
            executor=chosen.executor,
            engine=chosen.description,
        )
    path = write(args.out)
    dock = summary["docking"]
    print(
        f"Docking: max |model - recursion| {dock['max_difference_recursion']:.4f} "
        f"(tolerance {dock['tolerance']})"
    )
    for key, result in summary["calibrations"].items():
        held = result["out_of_sample"]
        print(
            f"{key}: fit RMSE {result['fit_rmse']:.1f} municipalities, "
            f"{result['observations_inside_band']}/{result['observations']} inside the band"
            + (f"; out of sample RMSE {held['rmse']:.1f} ({held['n']} held out)" if held else "")
        )
    outside = [n for n in summary["not_reproduced"] if "posterior predictive band" in n]
    print(f"Outside the posterior predictive bands: {len(outside)} observations")
    for note in outside:
        print(f"  {note}")
    print(f"Not reproduced: {len(summary['not_reproduced'])} points (see the report)")
    print(f"Wrote {path} and summary.json in {(time.perf_counter() - started) / 60:.1f} min")


def _check_output_file(output: Path | None, kind: str) -> None:
    """-o names a file in a folder that exists (else a clear error before any work)."""
    if output is None:
        return
    if output.is_dir():
        raise UserError(f"-o {output}: is a folder; give the {kind} file's name")
    if not output.parent.is_dir():
        raise UserError(
            f"-o {output}: the folder {output.parent} does not exist; create it or choose another"
        )


def _report(args: argparse.Namespace) -> None:
    from experiments.analysis import AnalysisError, ensure_current
    from viz.report import ReportError, write_report

    _check_output_file(args.output, "HTML")
    try:
        note = ensure_current(args.folder)  # a sweep's analysis, if the sweep changed since
        path = write_report(args.folder, args.output, args.lang)
    except (ReportError, AnalysisError) as error:
        raise UserError(str(error)) from None
    if note:
        print(note, file=sys.stderr)
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB, opens offline)")


def _brief(args: argparse.Namespace) -> None:
    from viz.brief import BriefError, write_brief

    _check_output_file(args.output, "PDF")
    if args.output is not None and args.output.suffix.lower() != ".pdf":
        raise UserError(f"-o {args.output}: the brief is a PDF; give a name ending in .pdf")
    try:
        path, pages = write_brief(args.folder, args.output, args.lang)
    except BriefError as error:
        raise UserError(str(error)) from None
    print(f"Wrote {path} ({pages} A4 page{'s' if pages > 1 else ''})")
    if pages > 1:
        print(f"warning: the brief runs to {pages} pages; it is meant for one", file=sys.stderr)


def _explain(args: argparse.Namespace) -> None:
    from viz.explain import ExplainError, story

    try:
        lines = story(
            args.folder, args.kommun, args.innovation, args.replication, args.lang, args.scenario
        )
    except ExplainError as error:
        raise UserError(str(error)) from None
    for line in lines:
        print(line.sentence)


def _explore(args: argparse.Namespace) -> None:
    from viz.app import serve
    from viz.app_server import is_local

    if args.results is not None and not args.results.is_dir():
        raise UserError(f"--results {args.results}: not a folder")
    if args.boundaries is not None and not args.boundaries.is_file():
        raise UserError(f"--boundaries {args.boundaries}: no such file")
    if not is_local(args.host):
        if not args.allow_remote:
            raise UserError(
                f"--host {args.host}: not this machine only. The explorer has no login and "
                "runs the model for anyone who reaches it; add --allow-remote if you mean it"
            )
        print(
            f"WARNING: serving the explorer on {args.host}: anyone who can reach this address "
            "can use it and run the model (there is no login)",
            file=sys.stderr,
        )
    print(
        f"spridning explorer on http://{args.host}:{args.port}/ (Ctrl-C stops it)", file=sys.stderr
    )
    try:
        serve(
            host=args.host,
            port=args.port,
            results=args.results,
            lang=args.lang,
            boundaries=args.boundaries,
        )
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise UserError(
            f"--host {args.host} --port {args.port}: cannot listen there ({error.strerror or error})"
        ) from None


def _story(args: argparse.Namespace) -> None:
    from experiments.story import (
        StoryError,
        find_municipality,
        random_municipalities,
        run_for_story,
        story_text,
    )
    from model.scenario import load_scenario

    if (args.municipality is None) == (args.random is None):
        raise UserError("give a municipality (kommunkod or name) or --random N, not both")
    scenario = load_scenario(args.scenario)
    model = run_for_story(scenario, args.seed, args.replication)
    try:
        towns = (
            [find_municipality(model, args.municipality)]
            if args.municipality is not None
            else random_municipalities(model, args.random)
        )
    except StoryError as error:
        raise UserError(str(error)) from None
    print(f"{scenario.name}, seed {args.seed}, replication {args.replication}")
    for town in towns:
        print(story_text(model, town))


def _params(args: argparse.Namespace) -> None:
    from model.params import PARAMETERS, range_text, shown_default

    sections = list(dict.fromkeys(p.section for p in PARAMETERS))
    if args.section and args.section not in sections:
        raise UserError(f"unknown section {args.section!r}; choose from {', '.join(sections)}")
    for p in PARAMETERS:
        if args.section and p.section != args.section:
            continue
        label = "" if p.choices else "plausible "
        ranges = f"  {label}{range_text(p)}" if range_text(p) else ""
        print(f"{p.name}  [{p.unit}]  default {shown_default(p)}{ranges}")
        print(f"    {p.description}")
        print(f"    source: {p.source}")


def _add_force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="allow more --workers than this machine has cores"
    )


def _add_municipalities(commands: argparse._SubParsersAction) -> None:
    municipalities = commands.add_parser(
        "municipalities", help="summarise the reference table of municipalities and neighbours"
    )
    municipalities.add_argument(
        "--county", help='only this county, by code (01) or name ("Stockholms län")'
    )
    municipalities.set_defaults(handler=_municipalities)


def _add_events_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--events",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="record the event table for `spridning explain` (default: for runs of at most "
        "400 replications)",
    )


def _add_run(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="run a scenario with replications and write its results")
    _add_events_option(run)
    run.add_argument("scenario", help="a scenario file, or a name from scenarios/ (e.g. baseline)")
    run.add_argument(
        "--replications",
        "-n",
        type=_run_replications,
        default=10,
        help=f"default 10, at most {MAX_RUN_REPLICATIONS:,}",
    )
    run.add_argument("--seed", type=_seed, default=1, help="scenario seed (default 1)")
    run.add_argument(
        "--out", type=Path, help="output folder (default results/<scenario file's name>)"
    )
    run.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="processes to run replications on (default 1; at most the cores)",
    )
    _add_force(run)
    run.set_defaults(handler=_run)


def _add_compare(commands: argparse._SubParsersAction) -> None:
    compare = commands.add_parser(
        "compare", help="run two scenarios with common random numbers and write effects.csv"
    )
    _add_events_option(compare)
    compare.add_argument("a", help="the reference scenario (e.g. baseline)")
    compare.add_argument("b", help="the scenario whose effect is measured")
    compare.add_argument(
        "--replications",
        "-n",
        type=_run_replications,
        help=f"default 20 (with --posterior: 4 per draw), at most {MAX_RUN_REPLICATIONS:,}",
    )
    compare.add_argument(
        "--posterior",
        nargs="?",
        const="default",
        metavar="NAME|PATH",
        help="run every replication with parameters from posterior draws (default: the "
        "shipped model/posteriors/default); effects.csv then carries the total interval",
    )
    compare.add_argument(
        "--draws", type=_draws, help="posterior draws (default 100; with --posterior)"
    )
    compare.add_argument("--seed", type=_seed, default=1, help="seed shared by A and B (default 1)")
    compare.add_argument("--out", type=Path, help="output folder (default results/compare_A_vs_B)")
    compare.add_argument(
        "--workers", type=_positive_int, default=1, help="processes (default 1; at most the cores)"
    )
    _add_force(compare)
    compare.add_argument(
        "--independent", action="store_true", help="give B other seeds (to see what pairing gains)"
    )
    compare.add_argument(
        "--attribute",
        action="store_true",
        help="also run each of B's levers alone and removed: attribution.csv (see `attribute`)",
    )
    compare.set_defaults(handler=_compare)


def _add_attribute(commands: argparse._SubParsersAction) -> None:
    attribute = commands.add_parser(
        "attribute",
        help="each lever of a scenario alone and removed from the combination: attribution.csv",
    )
    attribute.add_argument("scenario", help="a scenario with levers on (e.g. skr_position)")
    attribute.add_argument(
        "--baseline", default="baseline", help="the reference scenario (default baseline)"
    )
    attribute.add_argument(
        "--replications",
        "-n",
        type=_run_replications,
        default=20,
        help=f"per variant (default 20, at most {MAX_RUN_REPLICATIONS:,})",
    )
    attribute.add_argument(
        "--seed", type=_seed, default=1, help="seed of every variant (default 1)"
    )
    attribute.add_argument(
        "--out", type=Path, help="output folder (default results/attribution_SCENARIO)"
    )
    attribute.add_argument(
        "--workers", type=_positive_int, default=1, help="processes (default 1; at most the cores)"
    )
    _add_force(attribute)
    attribute.set_defaults(handler=_attribute)


def _add_sweep(commands: argparse._SubParsersAction) -> None:
    sweep = commands.add_parser(
        "sweep", help="run an experiment's design with replications (resumable) into a folder"
    )
    sweep.add_argument(
        "experiment", help="an experiment file, or a name from experiments/examples/"
    )
    sweep.add_argument(
        "--workers",
        type=_positive_int,
        help="local worker processes (default and most: the number of cores)",
    )
    _add_force(sweep)
    sweep.add_argument(
        "--scheduler", help="address of a Dask scheduler (tcp://host:port) to run on instead"
    )
    sweep.add_argument("--out", type=Path, help="result folder (default results/sweeps/<name>)")
    sweep.add_argument(
        "--flush-runs",
        type=_positive_int,
        default=256,
        help="write a Parquet part every N finished runs (or 30 s; default 256)",
    )
    sweep.set_defaults(handler=_sweep)


def _add_analyse(commands: argparse._SubParsersAction) -> None:
    analysis = commands.add_parser(
        "analyse", help="Sobol / Morris indices, response tables and PRIM boxes of a sweep"
    )
    analysis.add_argument("folder", type=Path, help="a sweep's result folder")
    analysis.set_defaults(handler=_analyse)


def _add_calibrate(commands: argparse._SubParsersAction) -> None:
    calibration = commands.add_parser(
        "calibrate",
        help="fit parameters to observed adoption series, jointly (ABC-SMC, resumable)",
    )
    calibration.add_argument(
        "targets",
        nargs="*",
        help="target files, or names from experiments/targets/ (lov, digital_safety_alarms, ...)",
    )
    calibration.add_argument(
        "--all", action="store_true", help="every target in experiments/targets/, jointly"
    )
    calibration.add_argument("--scenario", help="the scenario to fit (one target only)")
    calibration.add_argument(
        "--params",
        action="append",
        help="parameters to fit: name or name=low:high, comma-separated (default: the targets')",
    )
    calibration.add_argument(
        "--population",
        type=_population,
        default=200,
        help="particles per generation (default 200)",
    )
    calibration.add_argument(
        "--replications",
        type=_point_replications,
        default=4,
        help=f"runs per particle (default 4, at most {MAX_POINT_REPLICATIONS:,})",
    )
    calibration.add_argument(
        "--generations", type=_generations, default=8, help="at most (default 8)"
    )
    calibration.add_argument(
        "--draws", type=_draws, default=100, help="posterior draws kept (default 100)"
    )
    calibration.add_argument(
        "--fit-until", help="YYYY-MM: fit only observations up to this date, predict the rest"
    )
    calibration.add_argument("--seed", type=_seed, default=1, help="default 1")
    calibration.add_argument(
        "--ship",
        metavar="NAME",
        help="also store the draws in the project as model/posteriors/NAME (e.g. default)",
    )
    calibration.add_argument(
        "--workers", type=_positive_int, help="local worker processes (default and most: the cores)"
    )
    _add_force(calibration)
    calibration.add_argument("--scheduler", help="a Dask scheduler address instead")
    calibration.add_argument(
        "--out",
        type=Path,
        help="result folder (default results/calibrations/<target>, or .../joint)",
    )
    calibration.set_defaults(handler=_calibrate)


def _add_validate(commands: argparse._SubParsersAction) -> None:
    validation = commands.add_parser(
        "validate", help="docking, patterns, calibrations and out-of-sample check, as a report"
    )
    validation.add_argument(
        "--out", type=Path, default=Path("results/validation"), help="default results/validation"
    )
    validation.add_argument(
        "--population",
        type=_population,
        default=200,
        help="particles per generation (default 200)",
    )
    validation.add_argument(
        "--replications", type=_point_replications, default=4, help="per particle (default 4)"
    )
    validation.add_argument(
        "--generations", type=_generations, default=8, help="at most (default 8)"
    )
    validation.add_argument(
        "--draws", type=_draws, default=100, help="posterior draws checked (default 100)"
    )
    validation.add_argument(
        "--workers", type=_positive_int, help="local worker processes (default and most: the cores)"
    )
    _add_force(validation)
    validation.add_argument("--scheduler", help="a Dask scheduler address instead")
    validation.set_defaults(handler=_validate)


def _add_report(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report", help="one self-contained HTML report of a run, comparison or sweep folder"
    )
    report.add_argument("folder", type=Path, help="a folder written by run, compare or sweep")
    report.add_argument(
        "-o", "--output", type=Path, help="the HTML file (default FOLDER/report.html)"
    )
    report.add_argument("--lang", choices=("sv", "en"), default="sv", help="default sv")
    report.set_defaults(handler=_report)


def _add_brief(commands: argparse._SubParsersAction) -> None:
    brief = commands.add_parser(
        "brief", help="a one-page A4 PDF for a board from a comparison folder"
    )
    brief.add_argument("folder", type=Path, help="a folder written by compare")
    brief.add_argument("-o", "--output", type=Path, help="the PDF (default FOLDER/brief.pdf)")
    brief.add_argument("--lang", choices=("sv", "en"), default="sv", help="default sv")
    brief.set_defaults(handler=_brief)


def _add_explain(commands: argparse._SubParsersAction) -> None:
    explain = commands.add_parser(
        "explain", help="a municipality's story in plain sentences, from a run's event table"
    )
    explain.add_argument("folder", type=Path, help="a folder written by run or compare")
    explain.add_argument("--kommun", required=True, help='a kommunkod (2584) or a name ("Kiruna")')
    explain.add_argument(
        "--innovation", help="an innovation's name or label (default: the scenario's first)"
    )
    explain.add_argument("--replication", type=_seed, default=0, help="default 0")
    explain.add_argument(
        "--scenario",
        choices=("a", "b"),
        default="b",
        help="in a comparison folder, which scenario (default b, the policy)",
    )
    explain.add_argument("--lang", choices=("sv", "en"), default="sv", help="default sv")
    explain.set_defaults(handler=_explain)


def _add_explore(commands: argparse._SubParsersAction) -> None:
    explore = commands.add_parser("explore", help="the interactive explorer (a Dash app)")
    explore.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine)")
    explore.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than this machine (the explorer has no login)",
    )
    explore.add_argument("--port", type=_port, default=8050, help="default 8050")
    explore.add_argument("--results", type=Path, help="a sweep folder to browse")
    explore.add_argument("--lang", choices=("sv", "en"), default="sv", help="default sv")
    explore.add_argument(
        "--boundaries",
        type=Path,
        help="a GeoJSON of municipality polygons for the map (default: the project's own)",
    )
    explore.set_defaults(handler=_explore)


def _add_story(commands: argparse._SubParsersAction) -> None:
    story = commands.add_parser(
        "story", help="one municipality's path through the stages in one replication"
    )
    story.add_argument("scenario", help="a scenario file, or a name from scenarios/")
    story.add_argument("municipality", nargs="?", help='a kommunkod (2584) or a name ("Kiruna")')
    story.add_argument(
        "--random", type=_positive_int, help="instead: N municipalities picked at random"
    )
    story.add_argument("--seed", type=_seed, default=1, help="scenario seed (default 1)")
    story.add_argument(
        "--replication", type=_seed, default=0, help="which replication of the seed (default 0)"
    )
    story.set_defaults(handler=_story)


def _add_params(commands: argparse._SubParsersAction) -> None:
    params = commands.add_parser("params", help="print the parameter register")
    params.add_argument("--section", help="only one section, e.g. awareness")
    params.set_defaults(handler=_params)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spridning",
        description=(
            "Agent-based simulation of how public-sector innovations spread across "
            "Sweden's 290 municipalities, and how state policy changes that spread."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in (
        _add_municipalities,
        _add_run,
        _add_compare,
        _add_attribute,
        _add_sweep,
        _add_analyse,
        _add_calibrate,
        _add_validate,
        _add_report,
        _add_brief,
        _add_explain,
        _add_explore,
        _add_story,
        _add_params,
    ):
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], None] = args.handler
    try:
        handler(args)
    except BrokenPipeError:  # the reader (e.g. `head`) stopped reading: not an error
        sys.stderr.close()
        return 0
    except (
        UserError,
        ReferenceDataError,
        ScenarioError,
        ExperimentError,
        TargetError,
        PosteriorError,
        BlockParameterError,
        SweepFolderError,
        RunFolderError,
        DamagedFileError,
        ConnectionError,
    ) as error:
        print(f"spridning {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"spridning {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
