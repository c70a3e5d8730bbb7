"""The benchmark's tables, in a module of their own so Dask worker processes can import
them: `Item` (the keys) and `Square`, whose trivial make inserts one row. The database
is `DJ_BENCH_DB`; `import datajoint as dj` is whichever implementation runs."""

from __future__ import annotations

import os

import datajoint as dj

dj.config["safemode"] = False
schema = dj.Schema(os.environ["DJ_BENCH_DB"], create_schema=False)


@schema
class Item(dj.Manual):
    definition = """
    item : int
    """


@schema
class Square(dj.Computed):
    definition = """
    -> Item
    ---
    square : bigint
    """

    def make(self, key):
        self.insert1(dict(key, square=key["item"] ** 2))
