"""One benchmark process: `python bench_impl.py DATABASE MODE...` under either
implementation (`import datajoint as dj` is ours or upstream 0.14.10, depending on the
interpreter). For each MODE (`plain-1`, `plain-2`, `reserve-1`, `reserve-2`: without or
with `reserve_jobs`, in one or two processes) it empties the target table, populates
all keys with a trivial make and records keys per second. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time

import datajoint as dj

database, *modes = sys.argv[1:]
dj.config["safemode"] = False
schema = dj.Schema(database, create_schema=False)


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


rates = {}
for mode in modes:
    kind, processes = mode.split("-")
    Square().delete_quick()
    schema.jobs.delete()
    started = time.perf_counter()
    result = Square.populate(reserve_jobs=kind == "reserve", processes=int(processes))
    elapsed = time.perf_counter() - started
    assert result["success_count"] == len(Item()), result
    rates[mode] = result["success_count"] / elapsed
print(json.dumps(rates))
