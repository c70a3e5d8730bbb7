"""The ``datajoint`` logger (`datajoint.logging`) and its optional stderr handler.

Every package logs to ``logging.getLogger("datajoint")`` or a child of it, so one
handler attached there sees all messages. Importing dj-core configures nothing;
`setup_logging` (called by the meta-package when imported) adds the 0.14-style stderr
handler, formatted ``[<asctime>][<LEVEL>]: <message>``.
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["LOG_FORMAT", "logger", "setup_logging"]

LOG_FORMAT = "[%(asctime)s][%(levelname)s]: %(message)s"

logger = logging.getLogger("datajoint")


class _DataJointHandler(logging.StreamHandler):
    """Marks the handler `setup_logging` installs, so calling it twice adds one handler."""


def setup_logging(level: str | int | None = None) -> logging.Logger:
    """Attach the stderr handler to the ``datajoint`` logger (once) and set its level.

    `level` defaults to the environment variable DJ_LOG_LEVEL (any case), else INFO.
    Returns the logger."""
    if level is None:
        level = os.environ.get("DJ_LOG_LEVEL", "INFO").upper()
    elif isinstance(level, str):
        level = level.upper()
    if not any(isinstance(handler, _DataJointHandler) for handler in logger.handlers):
        handler = _DataJointHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        logger.addHandler(handler)
    logger.setLevel(level)
    return logger
