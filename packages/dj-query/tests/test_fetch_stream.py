"""Streaming fetch: `fetch(..., chunk_size=N)` and `for row in query`, on the driver of
this run — every form in chunks equals the whole fetch; blobs decoded chunk by chunk;
queries inside the loop; leaving early; inside a transaction."""

from __future__ import annotations

import uuid

import dj_blob
import numpy as np
import pandas as pd
import pytest
from dj_core.streaming import stream_pool
from dj_query import FreeTable
from dj_query.errors import DataJointError
from dj_query_lab import SESSIONS, TRIALS
from table_schema import create_table

BLOBS = [np.arange(n, dtype=float) * n for n in range(7)]


@pytest.fixture
def blobs(db_params, connection, make_database):
    definition = "n : int\n---\nid : uuid  # thing id\ndata = null : longblob"
    uuid_value = connection.dialect.uuid_value
    rows = [(n, uuid_value(uuid.UUID(int=n).bytes), dj_blob.pack(b)) for n, b in enumerate(BLOBS)]
    name = create_table(db_params, connection, make_database("stream"), "thing", definition, rows)
    return FreeTable(connection, name)


def test_chunks_of_arrays_make_up_the_whole_fetch(lab):
    whole = lab.Session.fetch(order_by="KEY")
    chunks = list(lab.Session.fetch(order_by="KEY", chunk_size=4))
    assert [len(c) for c in chunks] == [4, 2]
    assert all(c.dtype == whole.dtype for c in chunks)
    joined = np.concatenate(chunks)
    assert repr(joined.tolist()) == repr(whole.tolist())  # (repr: nan equals nan)


def test_chunks_in_every_form(lab):
    dict_chunks = list(lab.Session.fetch(as_dict=True, order_by="KEY", chunk_size=5))
    assert [d for c in dict_chunks for d in c] == lab.Session.fetch(as_dict=True, order_by="KEY")
    frames = list(lab.Session.fetch(format="frame", order_by="KEY", chunk_size=3))
    assert all(isinstance(f, pd.DataFrame) for f in frames)
    assert pd.concat(frames).equals(lab.Session.fetch(format="frame", order_by="KEY"))
    pairs = list(lab.Trial.fetch("KEY", "rt", order_by="KEY", chunk_size=3))
    keys = [k for chunk_keys, _ in pairs for k in chunk_keys]
    assert keys == lab.Trial.fetch("KEY", order_by="KEY")
    assert len(pairs) == -(-len(TRIALS) // 3)
    named = [d for c in lab.Trial.fetch("rt", as_dict=True, chunk_size=2) for d in c]
    assert len(named) == len(TRIALS) and set(named[0]) == {"rt"}


def test_blobs_and_uuids_are_decoded_chunk_by_chunk(blobs):
    chunks = list(blobs.fetch(order_by="n", chunk_size=3))
    assert [len(c) for c in chunks] == [3, 3, 1]
    data = [value for chunk in chunks for value in chunk["data"]]
    for got, want in zip(data, BLOBS):
        np.testing.assert_array_equal(got, want)
    assert chunks[2]["id"][0] == uuid.UUID(int=6)


def test_bad_chunk_size_is_refused(lab):
    for bad in (0, -1, 2.5, True):
        with pytest.raises(DataJointError, match="chunk_size"):
            lab.Session.fetch(chunk_size=bad)


def test_iteration_streams_and_allows_queries_inside_the_loop(lab):
    seen = []
    for session in lab.Session.proj():
        # a query on the same connection while the outer result streams
        seen.append((session["animal_id"], session["session"], len(lab.Trial & session)))
    expected = {(a, s, sum(1 for t in TRIALS if t[:2] == (a, s))) for a, s, _, _ in SESSIONS}
    assert set(seen) == expected
    assert stream_pool(lab.connection).opened >= 1


def test_breaking_out_early_leaves_the_connection_usable(blobs):
    for row in blobs:
        assert "data" in row
        break
    assert len(blobs) == len(BLOBS)
    assert [r["n"] for r in blobs] == list(range(len(BLOBS)))


def test_inside_a_transaction_iteration_sees_its_own_rows(blobs):
    connection = blobs.connection
    with connection.transaction:
        connection.query(
            f"INSERT INTO {blobs.full_table_name} VALUES (99, %s, NULL)",
            (connection.dialect.uuid_value(uuid.UUID(int=99).bytes),),
        )
        assert 99 in {row["n"] for row in blobs}
        chunks = list(blobs.fetch("n", chunk_size=4))
        assert 99 in np.concatenate(chunks)
        connection.cancel_transaction()
        connection.start_transaction()  # the context manager commits an empty one
    assert 99 not in {row["n"] for row in blobs}
