"""The published DataJoint Elements from PyPI, installed without upstream `datajoint`.

Each Element declares `datajoint` as a dependency, and some declare heavy ones their
schemas never import (spike sorters, NWB, dandi, Jupyter widgets). So the Elements, and
the two small packages of the same kind they import at module level (element-interface
and pyopenephys), are installed with `--no-deps` into a cached folder that goes on
`PYTHONPATH` of a Python process of the test environment: the `datajoint` they import
is ours. Their real dependencies that are imported when the Elements are activated
(numpy, pandas, matplotlib, plotly, quantities, xmltodict, natsort) are dependencies of
the repository's hatch environment.

The folder is created once, under a file lock, in the same cache as the upstream oracle.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from dj_testing.upstream import CACHE_DIR

__all__ = ["ELEMENTS", "ElementsError", "ensure_elements", "run_with_elements"]

ELEMENTS = [
    "element-lab==0.3.0",
    "element-animal==0.1.8",
    "element-session==0.1.6",
    "element-event==0.2.3",
    "element-array-ephys==0.2.11",
    "element-calcium-imaging==0.7.8",
    # imported by array-ephys and calcium-imaging at module level; their own
    # dependencies (dandi; scipy) are not needed for that
    "element-interface==0.6.1",
    "pyopenephys==1.2.0",
]


class ElementsError(RuntimeError):
    """Installing the Elements, or a script run with them, failed."""


def ensure_elements(cache_dir: Path = CACHE_DIR) -> Path:
    """The folder holding the Elements (created once); never holds a `datajoint`."""
    digest = hashlib.sha256(" ".join(ELEMENTS).encode()).hexdigest()[:10]
    target = cache_dir / f"elements-{digest}"
    marker = target / ".complete"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".elements.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
            command += ["--no-deps", "--upgrade", "--target", str(target), *ELEMENTS]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                raise ElementsError(
                    f"installing {ELEMENTS} failed:\n{result.stdout[-3000:]}\n"
                    f"{result.stderr[-3000:]}"
                )
            if (target / "datajoint").exists():
                raise ElementsError(f"{target} holds a datajoint package; it must not")
            marker.write_text(" ".join(ELEMENTS))
    return target


def run_with_elements(
    code: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run `code` (dedented) in a fresh process of this environment with the Elements
    importable; the process's stdout and stderr are returned, its failure raised."""
    folder = ensure_elements()
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(folder), *filter(None, [full_env.get("PYTHONPATH")])]
    )
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise ElementsError(
            f"the script failed with status {result.returncode}:\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-6000:]}"
        )
    return result
