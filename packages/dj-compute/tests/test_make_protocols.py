"""The three-part make and the generator make: compute outside the transaction, fetch
again inside it, insert only when the inputs did not change."""

from __future__ import annotations

import dj_compute as dc
import dj_query as dq
import numpy as np
import pytest
from dj_compute.fingerprint import fingerprint
from dj_core.errors import DataJointError


@pytest.fixture
def raw(schema):
    @schema
    class Raw(dq.Manual):
        definition = """
        raw_id : int
        ---
        trace : longblob
        """

    Raw.insert([(i, np.arange(5.0) * i) for i in range(4)])
    return Raw


def test_tripartite_make(schema, raw):
    Raw = raw  # noqa: F841  (the definitions refer to Raw)
    phases = []

    @schema
    class Mean(dc.Computed):
        definition = """
        -> Raw
        ---
        mean : double
        """

        def make_fetch(self, key, scale=1.0):
            phases.append(("fetch", self.connection.in_transaction, scale))
            return ((raw & key).fetch1("trace") * scale,)

        def make_compute(self, key, trace):
            phases.append(("compute", self.connection.in_transaction))
            return (float(trace.mean()),)

        def make_insert(self, key, mean):
            phases.append(("insert", self.connection.in_transaction))
            self.insert1(dict(key, mean=mean))

    result = Mean.populate(max_calls=1, make_kwargs={"scale": 2.0})
    assert result["success_count"] == 1
    assert phases == [
        ("fetch", False, 2.0),
        ("compute", False),
        ("fetch", True, 2.0),
        ("insert", True),
    ]
    assert Mean.populate()["success_count"] == 3
    assert (Mean & {"raw_id": 3}).fetch1("mean") == 6.0


def test_changed_inputs_are_not_inserted(schema, raw):
    Raw = raw  # noqa: F841  (the definitions refer to Raw)

    @schema
    class Moving(dc.Computed):
        definition = """
        -> Raw
        ---
        total : double
        """

        def make_fetch(self, key):
            return ((raw & key).fetch1("trace"),)

        def make_compute(self, key, trace):
            # someone changes the input while this computes
            raw.update1(dict(key, trace=trace + 1))
            return (float(trace.sum()),)

        def make_insert(self, key, total):
            self.insert1(dict(key, total=total))

    result = Moving.populate({"raw_id": 1}, reserve_jobs=True, suppress_errors=True)
    ((_key, message),) = result["error_list"]
    assert message.startswith("DataJointError: Referential integrity failed!")
    assert len(Moving()) == 0
    assert schema.jobs.fetch1("status") == "error"


def test_generator_make(schema, raw):
    Raw = raw  # noqa: F841  (the definitions refer to Raw)
    computed_in = []

    @schema
    class Peak(dc.Computed):
        definition = """
        -> Raw
        ---
        peak : double
        """

        def make(self, key):
            trace = (raw & key).fetch1("trace")
            result = yield (trace,)
            if result is None:
                computed_in.append(self.connection.in_transaction)
                result = (float(trace.max()),)
                yield result
            self.insert1(dict(key, peak=result[0]))
            yield

    assert Peak.populate()["success_count"] == 4
    assert computed_in == [False] * 4
    assert (Peak & {"raw_id": 2}).fetch1("peak") == 8.0


def test_generator_without_final_yield_is_an_error(schema, raw):
    Raw = raw  # noqa: F841  (the definitions refer to Raw)

    @schema
    class NoFinalYield(dc.Computed):
        definition = """
        -> Raw
        ---
        peak : double
        """

        def make(self, key):
            trace = (raw & key).fetch1("trace")
            result = yield (trace,)
            if result is None:
                result = (float(trace.max()),)
                yield result
            self.insert1(dict(key, peak=result[0]))

    with pytest.raises(DataJointError, match="must end with a bare `yield`"):
        NoFinalYield.populate()
    assert len(NoFinalYield()) == 0


def test_no_make_at_all(schema, raw):
    Raw = raw  # noqa: F841  (the definitions refer to Raw)

    @schema
    class Nothing(dc.Computed):
        definition = "-> Raw"

    result = Nothing.populate(suppress_errors=True, reserve_jobs=True)
    assert len(result["error_list"]) == 4
    assert result["error_list"][0][1].startswith("NotImplementedError: Nothing must define make")
    assert len(schema.jobs & "status = 'error'") == 4


def test_legacy_make_tuples(schema, raw):
    Raw = raw  # noqa: F841  (the definitions refer to Raw)

    @schema
    class Legacy(dc.Imported):
        definition = "-> Raw"

        def _make_tuples(self, key):
            self.insert1(key)

    assert Legacy.table_name == "_legacy"
    assert Legacy.populate()["success_count"] == 4


def test_fingerprint_equality_notion():
    a = {"x": np.arange(3.0), "y": [1, "1", (2.0,)]}
    b = {"y": [1, "1", (2.0,)], "x": np.arange(3.0)}
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint([1, 2]) != fingerprint([2, 1])
    assert fingerprint(1) != fingerprint("1")
    assert fingerprint(np.arange(3.0)) != fingerprint(np.arange(3))
    assert fingerprint(np.zeros((2, 3))) != fingerprint(np.zeros((3, 2)))
    assert fingerprint({1, 2}) == fingerprint({2, 1})
    records = np.array([(1, "a")], dtype=[("n", int), ("s", object)])
    assert fingerprint(records) == fingerprint(records.copy())


def test_tripartite_in_worker_processes_with_jobs(schema, raw):
    Raw = raw  # noqa: F841  (the definitions refer to Raw)

    @schema
    class Total(dc.Computed):
        definition = """
        -> Raw
        ---
        total : double
        """

        def make_fetch(self, key, offset=0.0):
            return ((raw & key).fetch1("trace") + offset,)

        def make_compute(self, key, trace):
            return (float(trace.sum()),)

        def make_insert(self, key, total):
            self.insert1(dict(key, total=total))

    result = Total.populate(processes=2, reserve_jobs=True, make_kwargs={"offset": 1.0})
    assert result == {"success_count": 4, "error_list": []}
    assert (Total & {"raw_id": 1}).fetch1("total") == 15.0
    assert len(schema.jobs) == 0
