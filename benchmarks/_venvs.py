"""Virtual environments of the other DataJoint versions the benchmarks compare against,
each on the same PyMySQL as ours (so a ratio measures DataJoint, not the driver).

- upstream DataJoint 0.14.10 with this environment's PyMySQL. (The test oracle's venv
  pins PyMySQL < 1.2, with which 0.14 connects to a server without TLS by default; with
  PyMySQL >= 1.2 it needs ``database.use_tls = False``, which the benchmarks set.)
- DataJoint 2.x from PyPI (`DJ2_VERSION`), likewise.

Created once under the cache folder (``DJ_UPSTREAM_CACHE``, default ``.cache/``), under a
file lock; never a dependency of our packages.
"""

from __future__ import annotations

import fcntl
import subprocess
import venv
from pathlib import Path

import pymysql

REPO = Path(__file__).resolve().parents[1]
DJ014_VERSION = "0.14.10"
DJ2_VERSION = "2.3.5"
PYMYSQL_VERSION = ".".join(map(str, pymysql.VERSION[:3]))


def _cache_dir() -> Path:
    import os

    return Path(os.environ.get("DJ_UPSTREAM_CACHE", REPO / ".cache"))


def ensure_venv(name: str, requirements: list[str]) -> Path:
    """The python of venv `name` with `requirements` installed (created on first use)."""
    cache = _cache_dir()
    target = cache / f"bench-{name}"
    python = target / "bin" / "python"
    marker = target / ".complete"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f".bench-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(target)
            result = subprocess.run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    *requirements,
                ],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise SystemExit(f"installing {requirements} failed:\n{result.stderr[-3000:]}")
            marker.write_text(" ".join(requirements))
    return python


def dj014_python() -> Path:
    """Upstream DataJoint 0.14.10 on our PyMySQL version."""
    return ensure_venv(
        f"datajoint-{DJ014_VERSION}-pymysql-{PYMYSQL_VERSION}",
        [f"datajoint=={DJ014_VERSION}", f"pymysql=={PYMYSQL_VERSION}"],
    )


def dj2_python() -> Path:
    """DataJoint 2.x on our PyMySQL version."""
    return ensure_venv(
        f"datajoint-{DJ2_VERSION}-pymysql-{PYMYSQL_VERSION}",
        [f"datajoint=={DJ2_VERSION}", f"pymysql=={PYMYSQL_VERSION}"],
    )
