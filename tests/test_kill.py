"""Killed and mixed: a run folder never mixes two runs (refused if it does, whole after a
`kill -9` during writing, its leftovers cleaned by the next run), and no worker outlives
a sweep killed with `kill -9`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from experiments.cli import main
from experiments.run import run_scenario
from experiments.run_folder import verify_run_folder
from model.outputs import read_tables
from model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SHORT = f'extends = "{ROOT / "scenarios" / "baseline.toml"}"\nname = "short"\n[run]\nmonths = 24\n'
DEAD_PID = 99_999_999  # above Linux's largest pid: never a running process


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "short.toml"
    path.write_text(SHORT, encoding="utf-8")
    return path


def spridning(*argv: str) -> list[str]:
    return [sys.executable, "-m", "experiments.cli", *argv]


def test_a_folder_mixing_two_runs_is_refused_and_a_new_run_mends_it(
    tmp_path: Path, scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["run", str(scenario), "-n", "2", "--seed", "1", "--out", str(first)]) == 0
    assert main(["run", str(scenario), "-n", "2", "--seed", "2", "--out", str(second)]) == 0
    shutil.copy(second / "timeseries.parquet", first / "timeseries.parquet")  # as a kill left it
    capsys.readouterr()
    assert main(["report", str(first)]) == 2
    error = capsys.readouterr().err
    assert f"{first / 'timeseries.parquet'}: belongs to another run" in error
    assert "run it again" in error and "Traceback" not in error
    assert main(["run", str(scenario), "-n", "2", "--seed", "1", "--out", str(first)]) == 0
    assert main(["report", str(first)]) == 0


def test_kill_minus_nine_while_a_run_is_written_leaves_one_whole_run(
    tmp_path: Path, scenario: Path
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(scenario), "-n", "2", "--seed", "1", "--out", str(out)]) == 0
    process = subprocess.Popen(
        spridning("run", str(scenario), "-n", "48", "--seed", "2", "--out", str(out)),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        # mid-write: a table in the staging folder (now), or a temporary file (before)
        if list(tmp_path.glob(".out.staging-*/*.parquet")) or list(out.glob(".*tmp*")):
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait()
    # Whatever the moment: every table is the run its manifest describes.
    manifest = verify_run_folder(out)
    expected = run_scenario(  # with the event table, as `spridning run` records it
        load_scenario(scenario),
        manifest["replications"],
        manifest["seed"],
        progress=False,
        events=None,
    )
    for name, table in read_tables(out).items():
        pd.testing.assert_frame_equal(table, expected.tables[name], check_categorical=False)
    # The next run removes what the killed one left.
    assert main(["run", str(scenario), "-n", "1", "--out", str(out)]) == 0
    assert not list(tmp_path.glob(".out.*")) and not list(out.glob(".*"))


def test_the_next_run_removes_stale_temporaries_but_not_a_live_writers(
    tmp_path: Path, scenario: Path
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(scenario), "-n", "1", "--out", str(out)]) == 0
    (out / f".timeseries.parquet.tmp-{DEAD_PID}").write_bytes(b"half a table")
    (out / f".report.html.tmp-{DEAD_PID}").write_bytes(b"<html")
    dead = tmp_path / f".out.staging-{DEAD_PID}-0badc0de"
    dead.mkdir()
    (dead / "timeseries.parquet").write_bytes(b"x")
    live = tmp_path / f".out.staging-{os.getpid()}-5eed5eed"  # a writer still at work
    live.mkdir()
    assert main(["run", str(scenario), "-n", "1", "--seed", "4", "--out", str(out)]) == 0
    assert not dead.exists() and not list(out.glob(".*"))
    assert live.exists()
    verify_run_folder(out)


SLOW_SWEEP = """
name = "slow"
scenario = "baseline"
design = "lhs"
samples = 200
replications = 4
chunk_runs = 4
outcomes = ["adoption_share_5y"]
[parameters]
"awareness.county" = {}
"""


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_no_process_outlives_a_two_worker_sweep_killed_with_kill_minus_nine(
    tmp_path: Path,
) -> None:
    experiment = tmp_path / "slow.toml"
    experiment.write_text(SLOW_SWEEP, encoding="utf-8")
    command = spridning("sweep", str(experiment), "--workers", "2", "--force")
    sweep = subprocess.Popen(
        [*command, "--out", str(tmp_path / "out")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parent = psutil.Process(sweep.pid)
    deadline = time.monotonic() + 120
    children: list[psutil.Process] = []
    while time.monotonic() < deadline and sweep.poll() is None:
        children = parent.children(recursive=True)
        workers = [c for c in children if c.ppid() != sweep.pid]  # forked by the forkserver
        if len(workers) >= 2:
            break
        time.sleep(0.2)
    assert len(workers) >= 2, "the sweep did not start two workers"
    time.sleep(1)  # the workers are at work
    children = parent.children(recursive=True)
    sweep.send_signal(signal.SIGKILL)
    sweep.wait()
    time.sleep(10)
    alive = [(c.pid, " ".join(c.cmdline()[:3])) for c in children if not _gone(c.pid)]
    for pid, _ in alive:  # do not leave them for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert alive == [], f"still running 10 s after kill -9: {alive}"
