"""`progress()`: how much of a table's key source is done."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from dj_query import AndList

from dj_compute import key_source

__all__ = ["progress"]

logger = logging.getLogger("datajoint")


def progress(table: Any, *restrictions: Any, display: bool = False) -> tuple[int, int]:
    """`(remaining, total)` keys of the restricted key source; `display` also logs one
    line (INFO) with the percentage done."""
    todo = (key_source.resolve(table) & AndList(restrictions)).proj()
    total = len(todo)
    remaining = len(todo - table.target)
    if display:
        done = total - remaining
        logger.info(
            "%-20s Completed %d of %d (%2.1f%%)   %s",
            table.class_name,
            done,
            total,
            100 - 100 * remaining / (total + 1e-12),
            datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        )
    return remaining, total
