"""The `dj populate` and `dj jobs` subcommands, for batch schedulers and for looking at
the work in progress.

`dj populate MODULE:Class` is what a SLURM array task (or any batch job) runs: it
imports the table class, finds the keys still to compute and computes them with
`reserve_jobs` on, so any number of copies share the work through the schema's
`~jobs` table. SIGTERM (a scheduler's time limit) rolls back the running make and
records it as an `error` job. Exit status: 0 when every make succeeded, 1 when a make
failed (the errors are `error` jobs and listed on stderr), 2 when the command could not
run (bad arguments, table not importable, server unreachable), 143 after SIGTERM.

`dj jobs [SCHEMA]` prints per auto-populated table the pending, reserved, failed and
ignored keys, the oldest reservation and the workers holding reservations; it lists
error messages (`--errors`, with stacks `--stacks`), clears errors (`--clear-errors`,
per `--table`, per `--pattern`) and clears stale reservations (`--clear-stale`,
`--older-than SECONDS`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any

__all__ = ["SUBCOMMANDS", "jobs_main", "populate_main"]

logger = logging.getLogger("datajoint")

#: exit status of `dj populate` after SIGTERM (128 + 15, as a shell reports it)
SIGTERM_STATUS = 143


def _restriction(text: str) -> Any:
    """A restriction as given: SQL text, or a JSON object (`{"subject_id": 3}`)."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise argparse.ArgumentTypeError(f"{text!r} is not a JSON object: {error}") from None
    return text


def _populate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dj populate",
        description="Compute the missing keys of an auto-populated table, coordinating "
        "with other workers through the schema's ~jobs table.",
    )
    parser.add_argument(
        "table", metavar="MODULE:Class", help="e.g. my_pipeline.imaging:Segmentation"
    )
    parser.add_argument(
        "-r",
        "--restriction",
        action="append",
        default=[],
        type=_restriction,
        help="SQL condition or JSON object restricting the key source (repeat: AND)",
    )
    parser.add_argument("--limit", type=int, help="fetch at most N keys to compute")
    parser.add_argument("--max-calls", type=int, help="run make at most N times")
    parser.add_argument(
        "--processes", type=int, default=1, help="worker processes in this job (default 1)"
    )
    parser.add_argument(
        "--order",
        choices=("original", "reverse", "random"),
        default="random",
        help="order of the keys (default random: copies of the job rarely meet)",
    )
    parser.add_argument(
        "--stop-on-error",
        action="store_true",
        help="stop at the first failed make (default: record it and go on)",
    )
    parser.add_argument(
        "--clear-stale",
        action="store_true",
        help="first release this table's reservations whose worker is gone",
    )
    parser.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    return parser


def populate_main(args: list[str]) -> int:
    """`dj populate ...`; returns the exit status."""
    from dj_compute.tasks import PopulateTask, run_task

    options = _populate_parser().parse_args(args)
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # `dj populate pipeline:Table` in the pipeline's folder
    task = PopulateTask(
        table=options.table,
        label=f"dj populate {options.table}",
        restrictions=tuple(options.restriction),
        reserve_jobs=True,
        suppress_errors=not options.stop_on_error,
        order=options.order,
        limit=options.limit,
        max_calls=options.max_calls,
        processes=options.processes,
        clear_stale=options.clear_stale,
        display_progress=options.progress,
    )
    result = run_task(task)
    if result.failure is not None:
        print(f"dj populate: {result.failure}", file=sys.stderr)
        return 2
    # (each failed make was logged to stderr as it happened)
    print(
        f"{options.table}: {result.success_count} computed, {len(result.error_list)} failed"
        + (f", stopped: {result.raised!r}" if result.raised is not None else "")
        + (f", interrupted: {result.interrupted}" if result.interrupted else "")
    )
    if result.interrupted:
        return SIGTERM_STATUS if "SIGTERM" in result.interrupted else 130
    return 1 if result.error_list or result.raised is not None else 0


def _jobs_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dj jobs", description="Show and clear the populate jobs of a schema."
    )
    parser.add_argument("schema", nargs="?", help="database name (default: every schema with jobs)")
    parser.add_argument("--errors", action="store_true", help="list the failed keys and messages")
    parser.add_argument("--stacks", action="store_true", help="with --errors: the tracebacks too")
    parser.add_argument("--clear-errors", action="store_true", help="delete error jobs")
    parser.add_argument("--table", help="only this table (its SQL name, e.g. __stats)")
    parser.add_argument("--pattern", help="only errors whose message matches this regex")
    parser.add_argument(
        "--clear-stale", action="store_true", help="delete reservations whose worker is gone"
    )
    parser.add_argument(
        "--older-than", type=float, help="with --clear-stale: also reservations older than N s"
    )
    return parser


def jobs_main(args: list[str]) -> int:
    """`dj jobs ...`; returns the exit status."""
    from dj_compute.jobs import JOBS_TABLE, JobTable
    from dj_compute.report import format_report

    import datajoint as dj

    options = _jobs_parser().parse_args(args)
    connection = dj.conn()
    dialect = connection.dialect
    names = (
        [options.schema]
        if options.schema
        else [
            name
            for name in dialect.list_schemas(connection)
            if dialect.table_exists(connection, name, JOBS_TABLE)
        ]
    )
    for name in names:
        try:
            jobs = JobTable(connection, name)
        except dj.DataJointError as error:  # dropped since it was listed
            if options.schema:
                raise
            logger.info("Skipping schema %s: %s", name, error)
            continue
        print(f"schema {name}")
        if options.clear_stale:
            count = jobs.clear_stale(older_than=options.older_than, table_name=options.table)
            print(f"  cleared {count} stale reservation(s)")
        if options.clear_errors:
            count = jobs.clear_errors(options.table, pattern=options.pattern)
            print(f"  cleared {count} error job(s)")
        print(format_report(jobs.report()))
        if options.errors:
            for row in jobs.errors(options.table):
                print(
                    f"{row['timestamp']} {row['table_name']} {row['key']}: {row['error_message']}"
                )
                if options.stacks and row["error_stack"]:
                    print("    " + str(row["error_stack"]).rstrip().replace("\n", "\n    "))
        print()
    return 0


SUBCOMMANDS = {"populate": populate_main, "jobs": jobs_main}
