"""SIGTERM during a reserved populate.

A batch scheduler (SLURM, Kubernetes) stops a worker with SIGTERM. While populating with
`reserve_jobs=True`, SIGTERM raises `SystemExit("SIGTERM received")` inside the running
make: its transaction is rolled back, its job is recorded as an `error` row, and the
process exits — instead of dying with the key left `reserved` forever.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["on_sigterm_exit", "sigterm_exits"]

logger = logging.getLogger("datajoint")


def on_sigterm_exit(signum: int, frame: Any) -> None:
    """The handler: log, then raise SystemExit where the program is."""
    logger.error("Populate terminated by SIGTERM")
    raise SystemExit("SIGTERM received")


@contextmanager
def sigterm_exits(active: bool = True) -> Iterator[None]:
    """Install `on_sigterm_exit` for the block and restore the previous handler after,
    also when the block fails. Signal handlers belong to the main thread: elsewhere (a
    populate in a worker thread) nothing is installed and SIGTERM keeps its meaning."""
    if not active or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, on_sigterm_exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
