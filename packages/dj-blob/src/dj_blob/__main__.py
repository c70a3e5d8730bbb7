"""Command line: ``python -m dj_blob show FILE`` prints the structure of a blob file."""

from __future__ import annotations

import argparse
import sys

from .errors import BlobError
from .show import outline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dj_blob", description="DataJoint blob files.")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser(
        "show", help="print the structure of a blob file (types, shapes, dtypes, sizes)"
    )
    show.add_argument("file", help="a file holding one blob (dj_blob.save, MATLAB, a database)")
    show.add_argument("--limit", type=int, default=10, help="items listed per container (10)")
    show.add_argument("--squeeze", action="store_true", help="show the value as squeezed")
    show.add_argument("--32bit", dest="wide", action="store_true", help="32-bit size fields")
    args = parser.parse_args(argv)
    try:
        with open(args.file, "rb") as f:
            data = f.read()
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    from . import codec

    codec.use_32bit_dims = args.wide or codec.use_32bit_dims
    try:
        text = outline(data, limit=args.limit, squeeze=args.squeeze)
    except BlobError as e:
        print(f"error: {args.file}: {e}", file=sys.stderr)
        return 1
    try:
        print(f"{args.file}: {text}")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stdout = None
    return 0


if __name__ == "__main__":
    sys.exit(main())
