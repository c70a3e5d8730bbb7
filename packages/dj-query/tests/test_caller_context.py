"""`Table.describe` and `Table.alter` resolve table names in the same context when the
caller gives none: the declaration context, overridden by the caller's namespace."""

from __future__ import annotations

import inspect

import pytest
from dj_query.table import Table


class Stop(Exception):
    pass


class Probe(Table):
    declaration_context = {"Parent": "declared", "Only": "declared"}
    seen: list = []

    def _caller_context(self, frame):
        Probe.seen.append(super()._caller_context(frame))
        raise Stop


def test_describe_and_alter_merge_the_caller_context_the_same_way():
    Parent = "caller's"  # noqa: F841  (the caller's local shadows the declared name)
    Probe.seen.clear()
    with pytest.raises(Stop):
        Probe().describe()
    with pytest.raises(Stop):
        Probe().alter()
    described, altered = Probe.seen
    assert described["Parent"] == altered["Parent"] == "caller's"
    assert described["Only"] == altered["Only"] == "declared"
    assert described["inspect"] is inspect  # the caller's globals
    assert described.keys() == altered.keys()
