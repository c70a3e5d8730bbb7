"""`python -m datajoint`: the same console as the `dj` command."""

from datajoint.cli import cli

cli()
