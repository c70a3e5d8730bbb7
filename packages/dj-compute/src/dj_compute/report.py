"""What the workers of a schema are doing: per auto-populated table, how many keys are
pending, reserved, failed and ignored, the oldest reservation and who holds them
(`schema.jobs.report()`, `dj jobs SCHEMA`).

Counting pending keys needs each table's key source, so the report takes the table
classes — by default every Imported/Computed table of the schema, spawned from the
database (a table whose class overrides `key_source` is then counted by its primary
parents; pass the real classes to count theirs).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dj_core.hash import key_hash

__all__ = ["TableJobs", "format_report", "jobs_report"]


@dataclass
class TableJobs:
    """The jobs of one auto-populated table."""

    table_name: str
    class_name: str
    pending: int | None  # keys left to compute that no job row holds (None: unknown)
    reserved: int = 0
    error: int = 0
    ignore: int = 0
    oldest_reservation: datetime.datetime | None = None
    #: `"host pid <pid> (connection <id>): <n> reserved"` per worker holding reservations
    holders: list[str] = field(default_factory=list)


def _auto_populated(jobs: Any) -> list[Any]:
    from dj_core.schemas import VirtualModule

    from dj_compute.autopopulate import AutoPopulate

    module = VirtualModule(
        f"{jobs.database}_jobs_report", jobs.database, connection=jobs.connection
    )
    return [
        value()
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, AutoPopulate)
    ]


def jobs_report(jobs: Any, tables: Iterable[Any] | None = None) -> list[TableJobs]:
    """One `TableJobs` per table (see the module docstring), plus one per table name
    that has job rows but no class here (its `pending` is None)."""
    tables = (
        _auto_populated(jobs)
        if tables is None
        else [table() if isinstance(table, type) else table for table in tables]
    )
    counts = jobs.counts()
    holders: dict[str, list[dict[str, Any]]] = {}
    for row in jobs.holders():
        holders.setdefault(row["table_name"], []).append(row)
    blocked: dict[str, set[str]] = {}
    for name, digest in zip(*jobs.fetch("table_name", "key_hash")):
        blocked.setdefault(name, set()).add(digest)
    report = []
    seen = set()
    for table in tables:
        name = table.target.table_name
        seen.add(name)
        todo = table._keys_to_do((), None, None, None)
        pending = sum(
            1 for key in todo if key_hash(table._job_key(key)) not in blocked.get(name, ())
        )
        report.append(_entry(name, table.class_name, pending, counts, holders))
    for name in sorted(set(counts) - seen):
        report.append(_entry(name, name, None, counts, holders))
    return report


def _entry(
    name: str,
    class_name: str,
    pending: int | None,
    counts: dict[str, dict[str, int]],
    holders: dict[str, list[dict[str, Any]]],
) -> TableJobs:
    status = counts.get(name, {})
    held = holders.get(name, [])
    return TableJobs(
        table_name=name,
        class_name=class_name,
        pending=pending,
        reserved=status.get("reserved", 0),
        error=status.get("error", 0),
        ignore=status.get("ignore", 0),
        oldest_reservation=min((row["oldest"] for row in held), default=None),
        holders=[
            f"{row['host']} pid {row['pid']} (connection {row['connection_id']}): "
            f"{row['reserved']} reserved"
            for row in held
        ],
    )


def format_report(report: list[TableJobs]) -> str:
    """The report as a text table, holders indented under their table."""
    header = f"{'table':30} {'pending':>8} {'reserved':>9} {'error':>7} {'ignore':>7}  oldest reservation"
    lines = [header, "-" * len(header)]
    for entry in report:
        pending = "?" if entry.pending is None else str(entry.pending)
        oldest = "" if entry.oldest_reservation is None else f"{entry.oldest_reservation}"
        lines.append(
            f"{entry.class_name:30} {pending:>8} {entry.reserved:>9} {entry.error:>7} "
            f"{entry.ignore:>7}  {oldest}"
        )
        lines.extend(f"    {holder}" for holder in entry.holders)
    return "\n".join(lines)
