"""Arrow and polars results (`format="arrow"`/`"polars"`, `to_arrow()` and the other
2.x-style names): typed columns, NULLs, special columns, chunks, errors."""

from __future__ import annotations

import datetime
import sys
import uuid

import dj_blob
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from dj_query import FreeTable
from dj_query.errors import DataJointError
from dj_query_lab import ANIMALS, SESSIONS
from table_schema import create_table

BLOBS = [np.arange(6.0).reshape(2, 3), {"a": [1, 2]}, None]
DOCS = ['{"name": "Rever"}', None, '{"name": "Nova"}']


THING = """
n : int
---
id : uuid  # thing id
data = null : longblob
doc = null : json
price = null : decimal(6,2)
"""


@pytest.fixture
def things(db_params, connection, make_database):
    uuid_value = connection.dialect.uuid_value
    rows = [
        (n, uuid_value(uuid.UUID(int=n).bytes), None if b is None else dj_blob.pack(b), d, "1.25")
        for n, (b, d) in enumerate(zip(BLOBS, DOCS))
    ]
    name = create_table(db_params, connection, make_database("columnar"), "thing", THING, rows)
    return FreeTable(connection, name)


def test_arrow_table_of_plain_columns(lab):
    table = lab.Session.fetch(format="arrow", order_by="KEY")
    assert isinstance(table, pa.Table)
    assert table.column_names == ["animal_id", "session", "rig", "duration"]
    assert table.schema.field("animal_id").type == pa.int64()
    assert table.schema.field("duration").type == pa.float64()
    assert table.schema.field("rig").type == pa.string()
    assert table.to_pylist() == [dict(zip(table.column_names, row)) for row in SESSIONS]
    assert table.column("duration").null_count == 1
    born = lab.Animal.to_arrow(order_by="KEY").column("born")
    assert born.type == pa.date32()
    assert born.to_pylist() == [a[2] for a in ANIMALS]


def test_polars_frame_of_plain_columns(lab):
    frame = lab.Session.fetch(format="polars", order_by="KEY")
    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["animal_id"] == pl.Int64
    assert frame.schema["duration"] == pl.Float64
    assert frame.rows() == SESSIONS
    assert lab.Animal.to_polars(order_by="KEY")["born"].to_list() == [a[2] for a in ANIMALS]


def test_special_columns(things):
    table = things.to_arrow(order_by="n")
    ids = table.column("id")
    assert ids.type == pa.uuid() and ids.to_pylist() == [uuid.UUID(int=n) for n in range(3)]
    data = table.column("data").to_pylist()
    np.testing.assert_array_equal(dj_blob.unpack(data[0]), BLOBS[0])  # the stored bytes
    assert dj_blob.unpack(data[1]) == BLOBS[1] and data[2] is None
    assert table.column("doc").to_pylist()[0] == {"name": "Rever"}
    assert table.column("price").to_pylist()[0] == __import__("decimal").Decimal("1.25")
    frame = things.to_polars(order_by="n")
    assert frame.schema["data"] == pl.Object and frame.schema["id"] == pl.Object
    np.testing.assert_array_equal(frame["data"][0], BLOBS[0])  # decoded, as pandas shows it
    assert frame["id"][1] == uuid.UUID(int=1)
    assert frame["doc"][2] == {"name": "Nova"}


def test_empty_results_keep_the_columns(lab):
    empty = lab.Session & "rig = 'Z'"
    assert empty.to_arrow().column_names == ["animal_id", "session", "rig", "duration"]
    assert empty.to_arrow().num_rows == 0
    assert empty.to_polars().columns == ["animal_id", "session", "rig", "duration"]


def test_chunks_in_arrow_and_polars(lab):
    tables = list(lab.Session.fetch(format="arrow", order_by="KEY", chunk_size=4))
    assert [t.num_rows for t in tables] == [4, 2]
    assert pa.concat_tables(tables).to_pylist() == lab.Session.to_arrow(order_by="KEY").to_pylist()
    frames = list(lab.Session.to_polars(order_by="KEY", chunk_size=5))
    assert pl.concat(frames).rows() == SESSIONS


def test_aliases_of_the_2x_api(lab):
    assert lab.Session.to_dicts(order_by="KEY") == lab.Session.fetch(as_dict=True, order_by="KEY")
    assert lab.Session.to_pandas().equals(lab.Session.fetch(format="frame"))
    assert lab.Session.to_dicts(limit=2, order_by="KEY")[1]["session"] == 2


def test_unknown_format_lists_the_valid_ones(lab):
    with pytest.raises(DataJointError, match="'array', 'frame', 'arrow', 'polars'"):
        lab.Session.fetch(format="parquet")


def test_missing_library_names_the_extra(lab, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(DataJointError, match=r"datajoint\[arrow\]"):
        lab.Session.to_arrow()
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(DataJointError, match=r"datajoint\[polars\]"):
        lab.Session.to_polars()


def test_time_and_datetime_columns(db_params, connection, make_database):
    definition = "n : int\n---\nat = null : datetime(3)\ndt = null : time"
    row = (1, datetime.datetime(2020, 1, 2, 3, 4, 5, 250000), datetime.timedelta(minutes=-90))
    name = create_table(
        db_params, connection, make_database("columnar_time"), "t", definition, [row]
    )
    table = FreeTable(connection, name).to_arrow()
    assert table.column("at").to_pylist() == [datetime.datetime(2020, 1, 2, 3, 4, 5, 250000)]
    assert table.column("dt").to_pylist() == [datetime.timedelta(minutes=-90)]


PLAIN = """
n : int
---
big = null : bigint unsigned
small = null : tinyint
kind = null : enum('a', 'b')
label = null : varchar(8)
day = null : date
at = null : datetime(3)
span = null : time
price = null : decimal(6,2)
ratio = null : float
"""


def test_polars_frame_is_the_same_without_pyarrow(
    db_params, connection, make_database, monkeypatch
):
    # polars columns go through Arrow when pyarrow is installed: the frame must not differ
    rows = [
        (1, 2**64 - 1, -3, "a", "é", datetime.date(2020, 1, 2), None, "03:04:05", "1.25", 0.5),
        (2, None, None, None, None, None, datetime.datetime(2021, 5, 6, 7, 8, 9), None, None, None),
    ]
    name = create_table(db_params, connection, make_database("columnar_pl"), "p", PLAIN, rows)
    table = FreeTable(connection, name)
    with_arrow = table.to_polars(order_by="n")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    without = table.to_polars(order_by="n")
    assert with_arrow.schema == without.schema
    assert with_arrow.rows() == without.rows()
    assert with_arrow["big"].to_list() == [2**64 - 1, None]
    assert with_arrow.schema["price"] == without.schema["price"]
    assert with_arrow.equals(without)
