"""Local worker processes that die with the process that started them.

A process pool's workers wait on a queue and never notice that the main process was
killed (``kill -9``): they lived on for minutes, and kept the forkserver and resource
tracker alive too, because they hold those processes' pipes open. Each worker therefore
runs ``die_with`` as its initialiser: a parent-death signal for when its own parent (the
forkserver) dies, and a watchdog thread for the main process, which is not its parent.
When the workers are gone, the forkserver and the tracker see their pipes close and exit.
A Dask cluster's workers are the cluster's own (its nanny watches them), not ours.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_SECONDS = 0.5  # how often a worker checks that the main process still runs


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity; all cores where that is unknown)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name; None if there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _start_time(pid: int) -> str | None:
    fields = _stat(pid)
    return fields[19] if fields else None  # field 22 of stat: start time in clock ticks


def process_alive(pid: int, start_time: str | None) -> bool:
    """Whether ``pid`` runs and is the same process (same start time; not a zombie)."""
    if not Path("/proc").is_dir():  # no procfs: the signal-0 test is all we have
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z" and fields[19] == start_time


def die_with(parent_pid: int) -> None:
    """Worker initialiser: end this process as soon as ``parent_pid`` has ended."""
    with contextlib.suppress(OSError, AttributeError):  # Linux only; the watchdog still runs
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    start_time = _start_time(parent_pid)

    def watch() -> None:
        while process_alive(parent_pid, start_time):
            time.sleep(WATCH_SECONDS)
        os._exit(1)  # the main process is gone: nobody will collect this worker's results

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
