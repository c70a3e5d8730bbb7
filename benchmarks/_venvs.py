"""Virtual environments of the other DataJoint versions the benchmarks compare against,
each on the same PyMySQL as ours (so a ratio measures DataJoint, not the driver).

- upstream DataJoint 0.14.10 with this environment's PyMySQL. (The test oracle's venv
  pins PyMySQL < 1.2, with which 0.14 connects to a server without TLS by default; with
  PyMySQL >= 1.2 it needs ``database.use_tls = False``, which the benchmarks set.)
- DataJoint 2.x from PyPI (`DJ2_VERSION`), likewise.
- DataJoint 2.x for PostgreSQL: its `postgres` extra (psycopg2, the driver 2.x uses for
  PostgreSQL) plus pyarrow and polars at the versions of this environment (for its
  `to_arrow`/`to_polars`), psycopg 3 as ours has it (the raw floor measured beside it),
  and the same PyMySQL.

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


def _version(module: str) -> str | None:
    try:
        return __import__(module).__version__
    except ImportError:
        return None


def dj2_postgres_python() -> Path:
    """DataJoint 2.x with its PostgreSQL extra, and pyarrow and polars as ours has them."""
    extras = [
        f"{name}=={version}" if version else name
        for name, version in (
            ("pyarrow", _version("pyarrow")),
            ("polars", _version("polars")),
            ("psycopg[binary]", _version("psycopg")),  # the floor's driver, as ours has it
        )
    ]
    return ensure_venv(
        f"datajoint-{DJ2_VERSION}-postgres-pymysql-{PYMYSQL_VERSION}",
        [
            f"datajoint[postgres]=={DJ2_VERSION}",
            f"pymysql=={PYMYSQL_VERSION}",
            *extras,
        ],
    )
