"""A pipeline module as a lab writes it, for the `dj populate` tests: `import datajoint as
dj`, the schema name from the environment (`DJ_POPULATE_LAB_DB`), the server from
`DJ_HOST`/`DJ_USER`/`DJ_PASS`. Every make call appends `table item pid` to the file
named by `DJ_POPULATE_LAB_CALLS`."""

from __future__ import annotations

import os
import time

import datajoint as dj

schema = dj.Schema(os.environ["DJ_POPULATE_LAB_DB"])


def log_call(table: str, item: int) -> None:
    fd = os.open(os.environ["DJ_POPULATE_LAB_CALLS"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{table} {item} {os.getpid()}\n".encode())
    finally:
        os.close(fd)


@schema
class Item(dj.Lookup):
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
        log_call("square", key["item"])
        self.insert1(dict(key, square=key["item"] ** 2))


@schema
class Picky(dj.Computed):
    definition = """
    -> Item
    """

    def make(self, key):
        log_call("picky", key["item"])
        if key["item"] % 7 == 0:
            raise ValueError(f"item {key['item']} is a multiple of 7")
        self.insert1(key)


@schema
class Slow(dj.Computed):
    definition = """
    -> Item
    """

    def make(self, key):
        log_call("slow", key["item"])
        time.sleep(0.5)
        self.insert1(key)


def fill(n: int) -> None:
    dj.config["safemode"] = False
    Item.insert([(i,) for i in range(n)], skip_duplicates=True)
