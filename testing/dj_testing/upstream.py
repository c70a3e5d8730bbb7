"""Upstream DataJoint 0.14.10 from PyPI in its own virtual environment: a compatibility oracle.

The environment is created once and cached in `.cache/` at the repository root (git-ignored).
PyMySQL is pinned below 1.2 there: upstream 0.14 cannot connect to a server without TLS
under PyMySQL 1.2. Never a dependency of our packages.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import textwrap
import venv
from pathlib import Path

UPSTREAM_VERSION = "0.14.10"
REQUIREMENTS = [f"datajoint=={UPSTREAM_VERSION}", "pymysql<1.2"]
REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("DJ_UPSTREAM_CACHE", REPO_ROOT / ".cache"))


class UpstreamError(RuntimeError):
    """A snippet run under upstream DataJoint failed."""


class Upstream:
    """Runs Python snippets with upstream DataJoint importable."""

    def __init__(self, python: Path, env: dict[str, str] | None = None):
        self.python = python
        self.env = dict(env or {})

    def run(self, code: str, *, env: dict[str, str] | None = None, timeout: float = 600):
        """Run `code` (dedented) in the upstream environment; return the CompletedProcess."""
        full_env = {**os.environ, **self.env, **(env or {})}
        full_env.pop("PYTHONPATH", None)
        result = subprocess.run(
            [str(self.python), "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise UpstreamError(
                f"upstream snippet failed with status {result.returncode}:\n{result.stderr[-4000:]}"
            )
        return result

    def run_json(self, code: str, **kwargs):
        """Run `code`, which prints one JSON document as its last stdout line; return it decoded."""
        lines = self.run(code, **kwargs).stdout.strip().splitlines()
        if not lines:
            raise UpstreamError("upstream snippet printed nothing; expected a JSON line")
        return json.loads(lines[-1])


def ensure_upstream_venv(cache_dir: Path = CACHE_DIR) -> Path:
    """Create (once, under a file lock) the venv with upstream DataJoint; return its python."""
    target = cache_dir / f"upstream-datajoint-{UPSTREAM_VERSION}"
    python = target / "bin" / "python"
    marker = target / ".complete"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".upstream.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(target)
            result = subprocess.run(
                [str(python), "-m", "pip", "install", "--disable-pip-version-check", *REQUIREMENTS],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise UpstreamError(
                    f"installing {REQUIREMENTS} failed:\n{result.stdout[-3000:]}"
                    f"\n{result.stderr[-3000:]}"
                )
            marker.write_text(" ".join(REQUIREMENTS))
    return python
