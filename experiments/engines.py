"""Where a sweep's tasks run: in this process, a local process pool, or a Dask cluster.

Each engine is a ``concurrent.futures`` executor, so the sweep has one code path. Dask's
``Client.get_executor`` gives that interface over a cluster; the workers need this
package installed (same version) to import the task function.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass

from experiments.run import process_pool
from experiments.workers import usable_cores


@dataclass(frozen=True)
class Engine:
    executor: Executor | None
    slots: int  # tasks that can run at once
    description: str


def default_workers() -> int:
    return usable_cores()


@contextmanager
def engine(workers: int | None = None, scheduler: str | None = None) -> Iterator[Engine]:
    """An executor for ``workers`` local processes, or for the Dask scheduler at an address."""
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, ValueError) as error:  # unreachable, or not an address at all
            raise ConnectionError(
                f"cannot reach the Dask scheduler at {scheduler}: {error} "
                "(give an address like tcp://host:8786)"
            ) from None
        with client:
            slots = sum(client.nthreads().values()) or 1
            yield Engine(
                client.get_executor(pure=False), slots, f"dask {scheduler} ({slots} threads)"
            )
        return
    workers = workers or default_workers()
    if workers == 1:
        yield Engine(None, 1, "in process")
        return
    with process_pool(workers) as pool:
        yield Engine(pool, workers, f"local process pool ({workers} workers)")
