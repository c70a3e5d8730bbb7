"""The meta-package version: continues the classic 0.14 line (at most 10 characters)."""

__version__ = "0.15.0"
