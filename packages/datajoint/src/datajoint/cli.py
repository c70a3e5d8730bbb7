"""The `dj` / `datajoint` console: set connection settings, open virtual modules, start a REPL.

Nothing is printed to stdout before the first prompt (tests compare stdout exactly);
the banner goes to stderr, and no connection is made unless `-s` asks for schemas.
"""

from __future__ import annotations

import argparse
import code


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


def cli(args: list[str] | None = None) -> None:
    """Console entry point; `args` defaults to the command line."""
    import datajoint

    options = _parser().parse_args(args)
    for key, value in (
        ("database.user", options.user),
        ("database.password", options.password),
        ("database.host", options.host),
    ):
        if value is not None:
            datajoint.config[key] = value
    namespace: dict = {"dj": datajoint}
    banner = "dj repl"
    if options.schemas:
        modules = {name: datajoint.VirtualModule(name, db) for db, name in options.schemas}
        namespace.update(modules)
        banner += "\n\nschema modules:\n\n" + "\n".join(f"  - {name}" for name in modules)
    code.interact(banner=banner, local=namespace, exitmsg="")
