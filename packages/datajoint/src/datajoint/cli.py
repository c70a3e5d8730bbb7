"""The `dj` / `datajoint` console: set connection settings, open virtual modules, start a REPL.

Nothing is printed to stdout before the first prompt (tests compare stdout exactly);
the banner goes to stderr, and no connection is made unless `-s` asks for schemas.

A subcommand after the connection options (`dj -h HOST populate MODULE:Class`, `dj
jobs SCHEMA`; see `datajoint.commands`) runs instead of the console and exits with
its status; without one the console is exactly as before.
"""

from __future__ import annotations

import argparse
import code
import sys
from typing import Any


def _parser() -> argparse.ArgumentParser:
    import datajoint

    config = datajoint.config
    parser = argparse.ArgumentParser(
        prog="datajoint", description="DataJoint console interface.", add_help=False
    )
    parser.add_argument("--help", action="help", help="show this help message and exit")
    parser.add_argument(
        "-V", "--version", action="version", version=f"datajoint {datajoint.__version__}"
    )
    parser.add_argument(
        "-u", "--user", help=f"database user (default: {config['database.user']!r})"
    )
    parser.add_argument("-p", "--password", help="database password")
    parser.add_argument(
        "-h", "--host", help=f"database host (default: {config['database.host']!r})"
    )
    parser.add_argument(
        "-b",
        "--backend",
        choices=("mysql", "postgresql"),
        help=f"database backend (default: {config.get('database.backend') or 'mysql'!r}; "
        "host 'embedded' is the embedded PostgreSQL server)",
    )
    parser.add_argument(
        "--database-name",
        help="PostgreSQL: the database holding the schemas "
        f"(default: {config.get('database.name') or 'datajoint'!r})",
    )
    parser.add_argument(
        "-s",
        "--schemas",
        nargs="+",
        metavar="DB:NAME",
        type=_schema_argument,
        help="open schema DB as a virtual module named NAME",
    )
    return parser


def _schema_argument(text: str) -> tuple[str, str]:
    if text.count(":") != 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not DB:NAME (database, colon, module name)")
    database, name = text.split(":")
    return database, name


# console options followed by a value in the next argument
_VALUE_OPTIONS = {
    "-u",
    "--user",
    "-p",
    "--password",
    "-h",
    "--host",
    "-b",
    "--backend",
    "--database-name",
}


def _split_subcommand(args: list[str]) -> tuple[list[str], str | None, list[str]]:
    """(console options, subcommand or None, subcommand arguments)."""
    from datajoint.commands import SUBCOMMANDS

    index = 0
    while index < len(args):
        arg = args[index]
        if arg in SUBCOMMANDS:
            return args[:index], arg, args[index + 1 :]
        if arg in ("-s", "--schemas"):  # takes every value up to the next option
            index += 1
            while index < len(args) and not args[index].startswith("-"):
                index += 1
            continue
        index += 2 if arg in _VALUE_OPTIONS else 1
    return args, None, []


def cli(args: list[str] | None = None) -> None:
    """Console entry point; `args` defaults to the command line."""
    import datajoint
    from datajoint.commands import SUBCOMMANDS

    args = sys.argv[1:] if args is None else list(args)
    console_args, subcommand, sub_args = _split_subcommand(args)
    options = _parser().parse_args(console_args)
    if subcommand is not None:
        _apply_connection_options(datajoint, options)
        try:
            status = SUBCOMMANDS[subcommand](sub_args)
        except datajoint.DataJointError as error:  # e.g. no such schema, server unreachable
            print(f"dj {subcommand}: {error}", file=sys.stderr)
            status = 2
        raise SystemExit(status)
    _apply_connection_options(datajoint, options)
    namespace: dict = {"dj": datajoint}
    banner = "dj repl"
    if options.schemas:
        modules = {name: datajoint.VirtualModule(name, db) for db, name in options.schemas}
        namespace.update(modules)
        banner += "\n\nschema modules:\n\n" + "\n".join(f"  - {name}" for name in modules)
    code.interact(banner=banner, local=namespace, exitmsg="")


def _apply_connection_options(datajoint: Any, options: argparse.Namespace) -> None:
    for key, value in (
        ("database.user", options.user),
        ("database.password", options.password),
        ("database.host", options.host),
        ("database.backend", options.backend),
        ("database.name", options.database_name),
    ):
        if value is not None:
            datajoint.config[key] = value
