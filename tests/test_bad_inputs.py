"""Bad inputs, as a hostile or careless user gives them: each must end with exit code 2,
a message that names the file or option and the problem, and no traceback.

The cases are one table (``CASES``); append a case to add one. A case gives the command
line and the words the error must contain, with placeholders for the folders it works
on, and optionally a ``damage`` that breaks a copy of a good folder first:

  {run}      a good run folder (`spridning run`)       {compare}  a good comparison
  {sweep}    a good, analysed sweep                    {tmp}      the case's own folder
  {scenario} a short scenario file                     {busy_port} a port already taken

Every case runs in its own ``{tmp}``: folders are copied there before ``damage``.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from experiments.cli import main
from experiments.run import run_scenario, write_run
from experiments.storage import now
from experiments.sweep import run_sweep
from model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SHORT = f'extends = "{ROOT / "scenarios" / "baseline.toml"}"\nname = "short"\n[run]\nmonths = 24\n'
SWEEP = """
name = "tiny"
model = "ishigami"
design = "lhs"
samples = 8
replications = 1
chunk_runs = 2
[parameters]
x1 = { low = -3.0, high = 3.0 }
x2 = { low = -3.0, high = 3.0 }
x3 = { low = -3.0, high = 3.0 }
"""
FOLDERS = ("run", "compare", "sweep")


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    expect: tuple[str, ...]  # every one must be in the error output (placeholders allowed)
    damage: Callable[[Path], None] | None = None  # breaks the copies in {tmp} first


# --- damage ------------------------------------------------------------------------------


def write(relative: str, data: bytes | str) -> Callable[[Path], None]:
    """Replace ``{tmp}/relative`` with ``data``."""

    def damage(tmp: Path) -> None:
        path = tmp / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return damage


def truncate(relative: str, keep: float = 0.5) -> Callable[[Path], None]:
    """Cut ``{tmp}/relative`` to a share of its bytes (or a glob's first match)."""

    def damage(tmp: Path) -> None:
        path = sorted(tmp.glob(relative))[0]
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])

    return damage


def delete(relative: str) -> Callable[[Path], None]:
    def damage(tmp: Path) -> None:
        (tmp / relative).unlink()

    return damage


def edit_manifest(relative: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def damage(tmp: Path) -> None:
        path = tmp / relative
        manifest = json.loads(path.read_text(encoding="utf-8"))
        change(manifest)
        path.write_text(json.dumps(manifest), encoding="utf-8")

    return damage


def foreign_table(relative: str) -> Callable[[Path], None]:
    """The table as another run wrote it (same columns, another run id and values)."""

    def damage(tmp: Path) -> None:
        other = run_scenario(
            load_scenario("baseline").with_overrides({"run.months": 24}), 2, seed=77, progress=False
        )
        write_run(other, tmp / "other", now())
        shutil.copy(tmp / "other" / Path(relative).name, tmp / relative)

    return damage


def foreign_part(tmp: Path) -> None:
    """A part of another sweep copied into {sweep}/runs."""
    table = pq.read_table(sorted((tmp / "sweep" / "runs").glob("part-*.parquet"))[0])
    metadata = {**table.schema.metadata, b"spridning.sweep_fingerprint": b"0123456789abcdef-x"}
    pq.write_table(table.replace_schema_metadata(metadata), tmp / "sweep/runs/part-zz.parquet")


def experiment(body: str) -> Callable[[Path], None]:
    return write("exp.toml", 'name = "big"\n' + body)


def scenario(body: str) -> Callable[[Path], None]:
    """{tmp}/bad.toml: the short scenario with ``body`` after it."""
    return write("bad.toml", 'extends = "short.toml"\n' + body)


def target(body: str) -> Callable[[Path], None]:
    """{tmp}/target.toml: a one-observation LOV target with ``body`` changed into it."""
    return write(
        "target.toml",
        'name = "t"\nscenario = "lov"\ninnovation = "lov"\nstart = "2008-01"\n'
        '[parameters]\n"decision.hurdle" = {}\n' + body,
    )


OBSERVATION = '[[observations]]\nmeasure = "running"\nsource = "a test"\n'
ISHIGAMI = (
    'model = "ishigami"\n[parameters]\nx2 = {low = 0.0, high = 1.0}\nx3 = {low = 0.0, high = 1.0}\n'
)


# --- the cases ---------------------------------------------------------------------------

CASES: tuple[Case, ...] = (
    # command-line options: sizes and workers
    Case("run -n huge", ("run", "{scenario}", "-n", "1000000000"), ("--replications", "at most 2,000")),
    Case("compare -n huge", ("compare", "baseline", "programme", "-n", "5000"), ("--replications", "at most 2,000")),
    Case("run --workers 1000", ("run", "{scenario}", "--workers", "1000"), ("--workers 1000", "cores", "--force")),
    Case("compare --workers 64", ("compare", "baseline", "programme", "--workers", "64"), ("--workers 64", "--force")),
    Case("sweep --workers 1000", ("sweep", "ishigami_check", "--workers", "1000"), ("--workers 1000", "--force")),
    Case("calibrate --workers 1000", ("calibrate", "lov", "--workers", "1000"), ("--workers 1000", "--force")),
    Case("validate --workers 1000", ("validate", "--workers", "1000"), ("--workers 1000", "--force")),
    Case("calibrate --population huge", ("calibrate", "lov", "--population", "2000000000"), ("--population", "at most 10,000")),
    Case("calibrate --generations 0", ("calibrate", "lov", "--generations", "0"), ("--generations", "at least 1")),
    Case("compare --draws huge", ("compare", "baseline", "skr_position", "--posterior", "--draws", "5000"), ("--draws", "at most 2,000")),
    Case("calibrate --replications huge", ("calibrate", "lov", "--replications", "100000"), ("--replications", "at most 10,000")),
    Case("validate --replications huge", ("validate", "--replications", "100001"), ("--replications", "at most 10,000")),
    # the explorer's address
    Case("explore --port 70000", ("explore", "--port", "70000"), ("--port", "at most 65,535")),
    Case("explore --port 0", ("explore", "--port", "0"), ("--port", "at least 1")),
    Case("explore --port text", ("explore", "--port", "http"), ("--port", "whole number")),
    Case("explore on all addresses", ("explore", "--host", "0.0.0.0"), ("--host 0.0.0.0", "--allow-remote")),
    Case("explore on a LAN address", ("explore", "--host", "192.168.1.10"), ("--host 192.168.1.10", "--allow-remote")),
    Case("explore on a taken port", ("explore", "--port", "{busy_port}"), ("--port {busy_port}", "cannot listen")),
    # where results go
    Case("report -o into a missing folder", ("report", "{run}", "-o", "{tmp}/nowhere/r.html"), ("-o {tmp}/nowhere/r.html", "does not exist")),
    Case("report -o a folder", ("report", "{run}", "-o", "{tmp}"), ("-o {tmp}", "is a folder")),
    Case("run --out a file", ("run", "{scenario}", "--out", "{tmp}/file"), ("--out {tmp}/file", "is a file"), write("file", "x")),
    Case("run --out a folder of other files", ("run", "{scenario}", "--out", "{tmp}/mine"), ("--out {tmp}/mine", "notes.txt", "did not write"), write("mine/notes.txt", "keep me")),
    Case("compare --out a file", ("compare", "baseline", "programme", "--out", "{tmp}/file"), ("--out {tmp}/file", "is a file"), write("file", "x")),
    Case("run --out under a file", ("run", "{scenario}", "--out", "{tmp}/file/run"), ("--out {tmp}/file/run", "{tmp}/file is a file"), write("file", "x")),
    Case("report of a missing folder", ("report", "{tmp}/nowhere"), ("{tmp}/nowhere", "no such folder")),
    Case("analyse a missing folder", ("analyse", "{tmp}/nowhere"), ("{tmp}/nowhere", "no such folder")),
    # damaged run folders
    Case("run manifest not JSON", ("report", "{run}"), ("{run}/manifest.json", "not valid JSON"), write("run/manifest.json", '{"kind": "run",')),
    Case("run manifest a JSON list", ("report", "{run}"), ("{run}/manifest.json", "JSON list"), write("run/manifest.json", "[1, 2]")),
    Case("run manifest empty", ("report", "{run}"), ("{run}/manifest.json", "not valid JSON"), write("run/manifest.json", "")),
    Case("run manifest not UTF-8", ("report", "{run}"), ("{run}/manifest.json", "not UTF-8"), write("run/manifest.json", b"\xff\xfe{\x00")),
    Case("run manifest of unknown kind", ("report", "{run}"), ("{run}/manifest.json", "unknown kind 'film'"), edit_manifest("run/manifest.json", lambda m: m.update(kind="film"))),
    Case("run manifest without run id", ("report", "{run}"), ("{run}/manifest.json", "no run id"), edit_manifest("run/manifest.json", lambda m: m.pop("run_id"))),
    Case("run table of zero bytes", ("report", "{run}"), ("{run}/timeseries.parquet", "empty (0 bytes)"), write("run/timeseries.parquet", b"")),
    Case("run table truncated", ("report", "{run}"), ("{run}/groups.parquet", "not a readable Parquet file"), truncate("run/groups.parquet")),
    Case("run table not Parquet", ("report", "{run}"), ("{run}/state_money.parquet", "not a readable Parquet file"), write("run/state_money.parquet", "a,b\n1,2\n")),
    Case("run table from another run", ("report", "{run}"), ("{run}/timeseries.parquet", "belongs to another run", "run it again"), foreign_table("run/timeseries.parquet")),
    Case("run table missing", ("report", "{run}"), ("{run}/municipalities.parquet", "missing"), delete("run/municipalities.parquet")),
    Case("compare table truncated", ("report", "{compare}"), ("{compare}/b/timeseries.parquet", "not a readable Parquet file"), truncate("compare/b/timeseries.parquet", 0.1)),
    Case("compare manifest a JSON list", ("report", "{compare}"), ("{compare}/a/manifest.json", "JSON list"), write("compare/a/manifest.json", '["run"]')),
    Case("compare table from another run", ("report", "{compare}"), ("{compare}/a/groups.parquet", "belongs to another run"), foreign_table("compare/a/groups.parquet")),
    # damaged sweep folders
    Case("analyse: manifest not JSON", ("analyse", "{sweep}"), ("{sweep}/manifest.json", "not valid JSON"), write("sweep/manifest.json", "{")),
    Case("analyse: manifest a JSON list", ("analyse", "{sweep}"), ("{sweep}/manifest.json", "JSON list"), write("sweep/manifest.json", "[]")),
    Case("analyse: manifest without definition", ("analyse", "{sweep}"), ("{sweep}/manifest.json", "definition"), edit_manifest("sweep/manifest.json", lambda m: m.pop("definition"))),
    Case("analyse: part of zero bytes", ("analyse", "{sweep}"), ("{sweep}/runs/part-", "empty (0 bytes)", "delete that file"), truncate("sweep/runs/part-*.parquet", 0.0)),
    Case("analyse: part truncated", ("analyse", "{sweep}"), ("{sweep}/runs/part-", "not a readable Parquet file"), truncate("sweep/runs/part-*.parquet")),
    Case("analyse: part of another sweep", ("analyse", "{sweep}"), ("{sweep}/runs/part-zz.parquet", "from another sweep"), foreign_part),
    Case("report: sweep manifest not JSON", ("report", "{sweep}"), ("{sweep}/manifest.json", "not valid JSON"), write("sweep/manifest.json", "{'kind': 'sweep'}")),
    Case("report: sweep manifest a JSON list", ("report", "{sweep}"), ("{sweep}/manifest.json", "JSON list"), write("sweep/manifest.json", '[{"kind": "sweep"}]')),
    Case("report: sweep part truncated", ("report", "{sweep}"), ("{sweep}/runs/part-", "not a readable Parquet file"), truncate("sweep/runs/part-*.parquet", 0.3)),
    Case("sweep resumed over a truncated part", ("sweep", "{tmp}/tiny.toml", "--workers", "1", "--out", "{sweep}"), ("{sweep}/runs/part-", "delete that file"), truncate("sweep/runs/part-*.parquet")),
    Case("sweep into a folder with a damaged manifest", ("sweep", "{tmp}/tiny.toml", "--workers", "1", "--out", "{sweep}"), ("{sweep}/manifest.json", "not valid JSON"), write("sweep/manifest.json", "nonsense")),
    # experiment sizes
    Case("experiment replications = 1e9", ("sweep", "{tmp}/exp.toml"), ("{tmp}/exp.toml", "replications", "valid integer", "1000000000.0"), experiment('model = "ishigami"\ndesign = "lhs"\nreplications = 1e9\n[parameters]\nx1 = {low = 0.0, high = 1.0}\nx2 = {low = 0.0, high = 1.0}\nx3 = {low = 0.0, high = 1.0}\n')),
    Case("experiment replications = 1000000000", ("sweep", "{tmp}/exp.toml"), ("{tmp}/exp.toml", "replications", "less than or equal to 10000"), experiment('model = "ishigami"\ndesign = "lhs"\nreplications = 1000000000\n[parameters]\nx1 = {low = 0.0, high = 1.0}\nx2 = {low = 0.0, high = 1.0}\nx3 = {low = 0.0, high = 1.0}\n')),
    Case("experiment LHS of 2e9 samples", ("sweep", "{tmp}/exp.toml"), ("{tmp}/exp.toml", "samples", "less than or equal to 1000000"), experiment('model = "ishigami"\ndesign = "lhs"\nsamples = 2000000000\n[parameters]\nx1 = {low = 0.0, high = 1.0}\nx2 = {low = 0.0, high = 1.0}\nx3 = {low = 0.0, high = 1.0}\n')),
    Case("experiment Sobol design too large", ("sweep", "{tmp}/exp.toml"), ("{tmp}/exp.toml", "2,621,440 points", "more than 1,000,000"), experiment('model = "ishigami"\ndesign = "sobol"\nsamples = 524288\nreplications = 1\n[parameters]\nx1 = {low = 0.0, high = 1.0}\nx2 = {low = 0.0, high = 1.0}\nx3 = {low = 0.0, high = 1.0}\n')),
    # scenario files: strict types, finite numbers, safe names, rules, the file itself
    Case("scenario months as text", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "run.months", "valid integer", "'24'"), scenario('[run]\nmonths = "24"\n')),
    Case("scenario true for a number", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "decision.hurdle", "valid number"), scenario("[decision]\nhurdle = true\n")),
    Case("scenario yes for a switch", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "programme.enabled", "valid boolean"), scenario('[programme]\nenabled = "yes"\n')),
    Case("scenario inf", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "awareness.county", "finite number"), scenario("[awareness]\ncounty = inf\n")),
    Case("scenario nan", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "decision.prior_sd", "finite number"), scenario("[decision]\nprior_sd = nan\n")),
    Case("scenario name as a path up", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "name: letters, digits", "'../../x'"), scenario('name = "../../x"\n')),
    Case("scenario name as an absolute path", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "name: letters, digits", "'/some/dir'"), scenario('name = "/some/dir"\n')),
    Case("scenario lever starts after the run", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "programme.start_month = 30 is after the run's last month"), scenario("[programme]\nenabled = true\nstart_month = 30\n")),
    Case("scenario trial law without zone", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "trial_legislation", "needs a zone"), scenario("[trial_legislation]\nenabled = true\n")),
    Case("scenario shares not summing to 1", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "must sum to 1"), scenario("[programme]\nshare_grants = 0.9\n")),
    Case("scenario unknown choice", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "programme.targeting", "'all', 'low_capacity'"), scenario('[programme]\ntargeting = "richest"\n')),
    Case("scenario lever under policies", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "write [programme] instead of [policies"), scenario("[policies.programme]\nenabled = true\n")),
    Case("scenario unknown key", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "awareness.neighbors", "unknown key"), scenario("[awareness]\nneighbors = 0.1\n")),
    Case("scenario not UTF-8", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "not a text file in UTF-8"), write("bad.toml", b"\xff\xfe\x00name")),
    Case("scenario is a folder", ("run", "{tmp}"), ("{tmp}", "is a folder")),
    Case("scenario extends a folder", ("run", "{tmp}/bad.toml"), ("is a folder", "extended by {tmp}/bad.toml"), write("bad.toml", 'extends = "run"\nname = "x"\n')),
    Case("scenario nested too deeply", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "nested too deeply"), write("bad.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")),
    Case("scenario extends itself", ("run", "{tmp}/bad.toml"), ("{tmp}/bad.toml", "loops back"), write("bad.toml", 'extends = "bad.toml"\nname = "x"\n')),
    # experiment files
    Case("experiment high = inf", ("sweep", "{tmp}/exp.toml"), ("{tmp}/exp.toml", "parameters.x1.high", "finite number"), experiment('design = "grid"\n' + ISHIGAMI + "x1 = {low = 0.0, high = inf}\n")),
    Case("experiment replications as text", ("sweep", "{tmp}/exp.toml"), ("{tmp}/exp.toml", "replications", "valid integer"), write("exp.toml", 'name = "big"\ndesign = "grid"\nreplications = "4"\n[parameters]\n"awareness.county" = {}\n')),
    Case("experiment lever under policies", ("sweep", "{tmp}/exp.toml"), ("policies.programme.targeting", "write programme.targeting"), write("exp.toml", 'name = "big"\ndesign = "grid"\n[parameters]\n"policies.programme.targeting" = { values = ["all"] }\n')),
    Case("experiment not UTF-8", ("sweep", "{tmp}/exp.toml"), ("{tmp}/exp.toml", "not a text file in UTF-8"), write("exp.toml", b"name = \"\xe9\"\n")),
    # calibration target files
    Case("target negative count", ("calibrate", "{tmp}/target.toml", "--population", "10"), ("{tmp}/target.toml", "observations.0.value", "greater than or equal to 0"), target(OBSERVATION + 'date = "2010-12"\nvalue = -5\n')),
    Case("target month 13", ("calibrate", "{tmp}/target.toml", "--population", "10"), ("{tmp}/target.toml", "2010-13"), target(OBSERVATION + 'date = "2010-13"\nvalue = 5\n')),
    Case("target value inf", ("calibrate", "{tmp}/target.toml", "--population", "10"), ("{tmp}/target.toml", "finite number"), target(OBSERVATION + 'date = "2010-12"\nvalue = inf\n')),
    Case("experiment runs too many", ("sweep", "{tmp}/exp.toml"), ("{tmp}/exp.toml", "500,000 points x 10 replications make 5,000,000 runs"), experiment('model = "ishigami"\ndesign = "lhs"\nsamples = 500000\nreplications = 10\n[parameters]\nx1 = {low = 0.0, high = 1.0}\nx2 = {low = 0.0, high = 1.0}\nx3 = {low = 0.0, high = 1.0}\n')),
)  # fmt: skip


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Good folders of each kind, made once; cases copy them before damaging them."""
    root = tmp_path_factory.mktemp("good")
    (root / "short.toml").write_text(SHORT, encoding="utf-8")
    (root / "tiny.toml").write_text(SWEEP, encoding="utf-8")
    scenario = load_scenario(root / "short.toml")
    write_run(run_scenario(scenario, 2, seed=3, progress=False), root / "run", now())
    assert main(["compare", str(root / "short.toml"), str(root / "short.toml"), "-n", "2",
                 "--out", str(root / "compare")]) == 0  # fmt: skip
    from experiments.analysis import analyse
    from experiments.experiment import load_experiment

    run_sweep(load_experiment(root / "tiny.toml"), root / "sweep", progress=False, flush_runs=2)
    analyse(root / "sweep")
    return {"root": root}


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def prepare(case: Case, tmp: Path, made: dict[str, Path], busy_port: int) -> tuple[list, list]:
    """The case's command line and expected words, with its folders copied and damaged."""
    root = made["root"]
    shutil.copy(root / "short.toml", tmp / "short.toml")
    shutil.copy(root / "tiny.toml", tmp / "tiny.toml")
    for name in FOLDERS:
        shutil.copytree(root / name, tmp / name)
    if case.damage is not None:
        case.damage(tmp)
    places = {name: str(tmp / name) for name in FOLDERS}
    places |= {"tmp": str(tmp), "scenario": str(tmp / "short.toml"), "busy_port": busy_port}
    return [a.format(**places) for a in case.argv], [e.format(**places) for e in case.expect]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and error output of `spridning ARGV`, run in this process."""
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse refuses an option this way
        code = exit_.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_input_gets_exit_2_and_a_message_naming_what_and_why(
    case: Case, tmp_path: Path, made: dict[str, Path], busy_port: int, capsys
) -> None:
    argv, expected = prepare(case, tmp_path, made, busy_port)
    code, error = run_cli(argv, capsys)
    assert code == 2, error
    assert "Traceback" not in error
    for words in expected:
        assert words in error, f"{words!r} not in: {error}"


def test_there_are_at_least_60_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    "name", ["run table truncated", "analyse: part truncated", "explore --port 70000"]
)
def test_the_real_command_prints_no_traceback(
    name: str, tmp_path: Path, made: dict[str, Path], busy_port: int
) -> None:
    """The same cases through the installed entry point, as a separate process."""
    case = next(case for case in CASES if case.name == name)
    argv, expected = prepare(case, tmp_path, made, busy_port)
    finished = subprocess.run(
        [sys.executable, "-m", "experiments.cli", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 2, finished.stderr
    assert "Traceback" not in finished.stderr
    assert all(words in finished.stderr for words in expected), finished.stderr
