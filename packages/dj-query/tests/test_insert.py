"""insert and insert1: every input form, the field rules, DEFAULT encoding, special
types, errors, and atomic multi-statement inserts."""

from __future__ import annotations

import datetime
import decimal
import os
import uuid
from types import SimpleNamespace

import dj_query as dq
import numpy as np
import pandas as pd
import pytest
from dj_core.attribute_types import AttributeType, registered_types
from dj_core.errors import (
    DataJointError,
    DuplicateError,
    IntegrityError,
    MissingAttributeError,
    ValueRejectedError,
)
from dj_query import insert as insert_module
from table_schema import declare_lab, fill_lab


@pytest.fixture
def things(schema):
    @schema
    class Thing(dq.Manual):
        definition = """
        thing_id : int
        ---
        label = "none" : varchar(40)
        amount = null : double
        count = 7 : int
        price = null : decimal(6,2)
        day = null : date
        moment = null : datetime(3)
        flag = 0 : bool
        token = null : uuid
        doc = null : json
        data = null : longblob
        """

    return Thing


def test_dicts_tuples_records_and_frames(things):
    things.insert1({"thing_id": 1, "label": "dict"})
    things.insert1(
        (
            2,
            "tuple",
            1.5,
            3,
            decimal.Decimal("9.99"),
            "2024-02-29",
            datetime.datetime(2024, 1, 2, 3, 4, 5, 123000),
            True,
            None,
            None,
            None,
        )
    )
    records = np.array(
        [(3, "rec", 0.25), (4, "rec", np.nan)],
        dtype=[("thing_id", int), ("label", "U8"), ("amount", float)],
    )
    things.insert(records)
    things.insert1(
        records[0:1][0] if False else np.array([(5, "void", 2.0)], dtype=records.dtype)[0]
    )
    frame = pd.DataFrame({"thing_id": [6, 7], "label": ["pd", "pd"], "amount": [1.0, None]})
    things.insert(frame)
    named = pd.DataFrame({"label": ["ix"]}, index=pd.Index([8], name="thing_id"))
    things.insert(named)  # a named index becomes a column
    rows = {r["thing_id"]: r for r in things.fetch(as_dict=True)}
    assert sorted(rows) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert rows[1]["label"] == "dict" and rows[1]["count"] == 7 and rows[1]["amount"] is None
    assert rows[2]["price"] == decimal.Decimal("9.99") and rows[2]["day"] == datetime.date(
        2024, 2, 29
    )
    assert rows[2]["moment"] == datetime.datetime(2024, 1, 2, 3, 4, 5, 123000)
    assert rows[2]["flag"] == 1 and rows[2]["count"] == 3
    assert rows[4]["amount"] is None  # NaN → DEFAULT → NULL
    assert rows[7]["amount"] is None and rows[8]["label"] == "ix"


def test_rows_of_different_forms(things):
    record = np.array([(3, "rec")], dtype=[("thing_id", int), ("label", "U8")])[0]
    things.insert([{"thing_id": 1, "label": "dict"}, record])
    full = (2, "tuple", None, 7, None, None, None, 0, None, None, None)
    things.insert([dict(zip(things.heading.names, full)), (4, *full[1:])])
    labels = dict(zip(*things.fetch("thing_id", "label")))
    assert labels == {1: "dict", 2: "tuple", 3: "rec", 4: "tuple"}
    with pytest.raises(DataJointError, match="different fields"):
        things.insert([{"thing_id": 5}, (6, *full[1:])])  # the first row fixes the fields


def test_plain_numpy_rows_are_positional(schema):
    @schema
    class Pair(dq.Manual):
        definition = """
        a : int
        ---
        b : double
        """

    Pair.insert(np.array([[1, 0.5], [2, 1.5]]))  # rows of a 2-D array: every attribute
    assert Pair.fetch("b").tolist() == [0.5, 1.5]
    with pytest.raises(DataJointError, match="expected 2"):
        Pair.insert(np.array([[3, 0.5, 9]]))


def test_csv_path_and_generators(things, tmp_path):
    path = tmp_path / "things.csv"
    path.write_text("thing_id,label,amount\n10,csv,2.5\n11,csv,\n")
    things.insert(path)
    things.insert({"thing_id": i, "label": f"g{i}"} for i in range(20, 23))
    assert (things & {"thing_id": 10}).fetch1("amount") == 2.5
    assert np.isnan((things & {"thing_id": 11}).fetch1("amount"))  # "" → DEFAULT (NULL)
    assert len(things & "label like 'g%%'") == 3
    things.insert([])  # nothing to do
    assert len(things()) == 5


def test_special_types_and_hostile_text(things, backend):
    token = uuid.uuid4()
    hostile = 'it\'s \\ "quoted" 100% \0 \n ünïcödé 🎉'
    if backend == "postgresql":  # its text cannot hold NUL: refused, naming the attribute
        with pytest.raises(DataJointError, match="`label` contains a NUL"):
            things.insert1({"thing_id": 1, "label": hostile, "token": str(token)})
        assert len(things()) == 0
        hostile = hostile.replace("\0", "")
    things.insert1(
        {
            "thing_id": 1,
            "label": hostile,
            "token": str(token),
            "doc": {"a": [1, 2], "b": None},
            "data": {"x": np.arange(4)},
        }
    )
    row = (things & {"thing_id": 1}).fetch1()
    assert row["label"] == hostile and row["token"] == token
    assert row["doc"] == {"a": [1, 2], "b": None}
    assert np.array_equal(row["data"]["x"], np.arange(4))
    things.insert1({"thing_id": 2, "token": token.bytes, "data": b"\x00\xff raw bytes"})
    assert (things & {"thing_id": 2}).fetch1("data") == b"\x00\xff raw bytes"
    with pytest.raises(DataJointError, match="UUID"):
        things.insert1({"thing_id": 3, "token": "not-a-uuid"})


def test_field_rules_and_errors(things):
    with pytest.raises(KeyError, match="not in the table heading"):
        things.insert1({"thing_id": 1, "colour": "red"})
    things.insert1({"thing_id": 1, "colour": "red"}, ignore_extra_fields=True)
    with pytest.raises(DataJointError, match="different fields"):
        things.insert([{"thing_id": 2}, {"thing_id": 3, "label": "x"}])
    with pytest.raises(DataJointError, match="expected 11"):
        things.insert1((4, "short"))
    with pytest.raises(DataJointError, match="int"):
        things.insert([5])
    with pytest.raises(DataJointError, match="iterable of rows"):
        things.insert1 and things.insert("text")
    with pytest.raises(ValueError):
        things.insert1({"thing_id": 6, "amount": "lots"})  # as 0.14
    with pytest.raises(DataJointError, match="infinite"):
        things.insert1({"thing_id": 7, "amount": float("inf")})
    with pytest.raises(DataJointError, match="no attribute"):
        things.insert1({}, ignore_extra_fields=True)
    assert len(things()) == 1


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("count", 2**31),  # beyond the column type: PostgreSQL names no column
        ("price", decimal.Decimal("10000.00")),
        ("label", "x" * 41),
        ("day", "2020-13-01"),  # unreadable: PostgreSQL quotes the value only
        ("moment", "garbage"),
    ],
)
def test_a_refused_value_is_named_with_its_attribute(things, attribute, value):
    good = {"count": 1, "price": 1, "label": "ok", "day": "2024-01-31", "moment": "2024-01-31"}
    rows = [{"thing_id": i, attribute: good[attribute]} for i in range(4)]
    rows[2][attribute] = value
    with pytest.raises(ValueRejectedError) as caught:
        things.insert(rows)
    error = caught.value
    assert (error.table, error.attribute, error.value) == (things.full_table_name, attribute, value)
    assert f"`{attribute}`" in str(error) and repr(value) in str(error)
    assert len(things()) == 0
    things.insert1({"thing_id": 1})
    with pytest.raises(ValueRejectedError, match=f"`{attribute}`") as caught:
        things.update1({"thing_id": 1, attribute: value})
    assert (caught.value.attribute, caught.value.value) == (attribute, value)


def test_duplicates_replace_and_missing_values(schema):
    lab = declare_lab(schema)
    fill_lab(lab)
    with pytest.raises(DuplicateError) as caught:
        lab.Subject.insert1((1, "again", None))
    assert "skip_duplicates=True" in str(caught.value)
    lab.Subject.insert([(1, "again", None), (4, "dee", 1.0)], skip_duplicates=True)
    assert (lab.Subject & {"subject_id": 1}).fetch1("name") == "ann"
    lab.Subject.insert1((4, "replaced", None), replace=True)
    assert (lab.Subject & {"subject_id": 4}).fetch1("name") == "replaced"
    with pytest.raises(MissingAttributeError):
        lab.Subject.insert1({"subject_id": 5})  # name has no default
    with pytest.raises(MissingAttributeError):
        lab.Subject.insert1({"subject_id": 5, "name": None})  # None → DEFAULT, none exists
    with pytest.raises(IntegrityError):
        lab.Session.insert1({"subject_id": 99, "session": 1, "rig": "r1"})
    with pytest.raises(MissingAttributeError):  # skip_duplicates hides only duplicates
        lab.Subject.insert1({"subject_id": 6}, skip_duplicates=True)


def test_insert_from_query(schema):
    lab = declare_lab(schema)
    fill_lab(lab)

    @schema
    class Copy(dq.Manual):
        definition = """
        subject_id : int
        ---
        name : varchar(20)
        """

    with pytest.raises(DataJointError, match="ignore_extra_fields"):
        Copy.insert(lab.Subject)
    Copy.insert(lab.Subject & "subject_id < 3", ignore_extra_fields=True)
    Copy.insert(lab.Subject.proj("name"), skip_duplicates=True)
    assert sorted(Copy.fetch("name")) == ["ann", "bob", "cy"]
    with pytest.raises(DuplicateError):
        Copy.insert(lab.Subject.proj("name"))


def test_many_statements_are_one_transaction(things, monkeypatch):
    monkeypatch.setattr(insert_module, "_STATEMENT_CAP", 2000)  # a few rows per statement
    # INSERT statements, not the dialect's bulk-load path (PostgreSQL's COPY)
    monkeypatch.setattr(type(things.connection.dialect), "bulk_load_rows", None)
    rows = [{"thing_id": i, "label": "x" * 30} for i in range(200)]
    statements = []
    original = insert_module._statements

    def counting(*args):
        result = original(*args)
        statements.extend(result)
        return result

    monkeypatch.setattr(insert_module, "_statements", counting)
    things.insert(rows)
    assert len(statements) > 3 and len(things()) == 200
    statements.clear()
    rows = [{"thing_id": i, "label": "y" * 30} for i in range(200, 400)]
    rows.append({"thing_id": 0, "label": "y"})
    with pytest.raises(DuplicateError):
        things.insert(rows)  # the duplicate sits in the last statement
    assert len(statements) > 3
    assert len(things()) == 200  # nothing of the failed insert remains
    assert not things.connection.in_transaction


def test_large_inserts_keep_every_insert_rule(things, monkeypatch):
    """Thousands of rows (PostgreSQL takes them by COPY where that has the INSERT's very
    effect): None is the default, NaN is the default, strings with quotes and tabs stay,
    and a duplicate leaves nothing of the call."""
    rows = [
        {
            "thing_id": i,
            "label": None if i % 7 == 0 else f"it's\t{i}",
            "amount": float("nan") if i % 5 == 0 else None if i % 3 == 0 else i / 4,
            "count": None if i % 2 else i,
            "day": datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 30),
        }
        for i in range(3000)
    ]
    things.insert(rows)
    got = {row["thing_id"]: row for row in things.fetch(as_dict=True)}
    assert len(got) == 3000
    for i in (0, 1, 3, 5, 14, 2999):
        assert got[i]["label"] == ("none" if i % 7 == 0 else f"it's\t{i}")
        assert got[i]["count"] == (7 if i % 2 else i)
        expected = None if i % 5 == 0 or i % 3 == 0 else i / 4
        assert got[i]["amount"] == expected
        assert got[i]["day"] == datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 30)
    more = [{"thing_id": i, "count": i} for i in range(3000, 6000)] + [{"thing_id": 17, "count": 1}]
    with pytest.raises(DuplicateError, match="skip_duplicates"):
        things.insert(more)
    assert len(things()) == 3000
    things.insert(more, skip_duplicates=True)
    assert len(things()) == 6000
    texts = ["tab\there", "new\nline", "back\\slash \\N", "quote ' \"", "ünï ✓", "%s %%", ""]
    plain = [  # every value of a type whose bulk-load text is the INSERT literal's
        {
            "thing_id": 10_000 + i,
            "label": texts[i % len(texts)],
            "amount": None if i % 4 == 0 else i * 0.125,
            "price": decimal.Decimal(f"{i % 9999}.25") if i % 3 else None,
            "day": None if i % 6 == 0 else datetime.date(2020, 2, 29),
            "moment": datetime.datetime(2024, 3, 1, 10, 0, 0, 250000),
        }
        for i in range(2000)
    ]
    dialect = type(things.connection.dialect)
    loads = []
    original = dialect.load_rows
    monkeypatch.setattr(dialect, "load_rows", lambda *a: loads.append(a) or original(*a))
    things.insert(plain)
    assert len(loads) == (dialect.bulk_load_rows is not None)  # PostgreSQL: by COPY
    back = {row["thing_id"]: row for row in (things & "thing_id >= 10000").fetch(as_dict=True)}
    for row in plain:
        got = back[row["thing_id"]]
        assert {key: got[key] for key in row} == row


def test_one_row_is_sent_bound_where_the_server_binds_values(things, monkeypatch):
    """make() inserts one row per key: where the server binds values (PostgreSQL), they go
    as parameters (the statement is planned once), else as literals in the text; both
    are sent as statements sent again and again (the connection's reused cursor). The
    row reads back the same."""
    connection = things.connection
    bound = []
    original = type(connection).query

    def spy(self, query, args=(), **kwargs):
        if isinstance(query, str) and query.startswith("INSERT"):
            assert kwargs.get("prepare")
            bound.append(bool(args))
        return original(self, query, args, **kwargs)

    monkeypatch.setattr(type(connection), "query", spy)
    row = {
        "thing_id": 1,
        "label": "it's 100%",
        "amount": 0.1,
        "count": 3,
        "price": decimal.Decimal("12.50"),
        "day": datetime.date(2024, 2, 29),
        "data": np.arange(5.0),
    }
    things.insert1(row)
    things.insert1({**row, "thing_id": 2, "price": 0.25})  # a float for a decimal: literal
    monkeypatch.undo()
    binds = connection.dialect.prepared_cursor is not None
    assert bound == [binds, False]
    got = (things & {"thing_id": 1}).fetch1()
    assert {k: got[k] for k in row if k != "data"} == {k: v for k, v in row.items() if k != "data"}
    assert np.array_equal(got["data"], row["data"])
    assert (things & {"thing_id": 2}).fetch1("price") == decimal.Decimal("0.25")


ONE_ROW_CASES = [
    {"label": "plain", "amount": 1.25, "count": 3},
    {"label": "it's 100% \\ back\\slash", "amount": None, "day": datetime.date(2024, 2, 29)},
    {"label": "ünïcødé ✓", "moment": datetime.datetime(2024, 1, 2, 3, 4, 5, 678000)},
    {"count": "", "amount": "2.5", "price": "1.10"},  # strings for numbers: the general path
    {"amount": float("nan"), "flag": True, "count": np.int16(4)},
    {"price": decimal.Decimal("3.14"), "data": np.arange(4.0)},
    {"data": None, "token": uuid.UUID(int=7), "doc": {"a": [1, 2]}},  # special types
]


@pytest.mark.parametrize("values", ONE_ROW_CASES)
def test_one_dict_row_has_the_general_paths_very_effect(things, monkeypatch, values):
    """A single dict row takes a short path (make() inserts one per key); every row reads
    back as the same values sent through the general path (a generator of rows)."""
    things.insert1({"thing_id": 1, **values})
    taken = []
    original = insert_module.rows_to_columns
    monkeypatch.setattr(
        insert_module, "rows_to_columns", lambda *a: taken.append(1) or original(*a)
    )
    things.insert(iter([{"thing_id": 2, **values}]))
    assert taken, "the generator went through the general path"
    one, general = ((things & {"thing_id": k}).fetch1() for k in (1, 2))
    for name in values:
        if isinstance(general[name], np.ndarray):
            assert np.array_equal(one[name], general[name]), name
        else:
            assert one[name] == general[name], name


def test_one_dict_row_keeps_the_insert_errors(things):
    things.insert1({"thing_id": 1})
    with pytest.raises(DuplicateError, match="skip_duplicates"):
        things.insert1({"thing_id": 1, "label": "again"})
    things.insert1({"thing_id": 1, "label": "skipped"}, skip_duplicates=True)
    assert (things & {"thing_id": 1}).fetch1("label") == "none"
    things.insert1({"thing_id": 1, "label": "replaced"}, replace=True)
    assert (things & {"thing_id": 1}).fetch1("label") == "replaced"
    with pytest.raises(KeyError, match="nonesuch"):
        things.insert1({"thing_id": 2, "nonesuch": 1})
    things.insert1({"thing_id": 2, "nonesuch": 1}, ignore_extra_fields=True)
    with pytest.raises(ValueRejectedError, match="`count`"):
        things.insert1({"thing_id": 3, "count": 10**12})
    assert sorted(things.fetch("thing_id")) == [1, 2]


def test_insert_inside_callers_transaction(things):
    connection = things.connection
    with pytest.raises(RuntimeError):
        with connection.transaction:
            things.insert1({"thing_id": 1})
            assert connection.in_transaction
            raise RuntimeError("caller fails")
    assert len(things()) == 0


def test_row_larger_than_packet_is_a_clear_error(things):
    packet = insert_module._max_packet(things.connection)
    with pytest.raises(DataJointError, match="max_allowed_packet"):
        things.insert1({"thing_id": 1, "data": os.urandom(packet // 2 + 1)})
    assert len(things()) == 0


def test_numpy_and_pandas_temporal_and_object_columns(things):
    stamps = pd.to_datetime(["2024-03-01 10:00:00.250", None])
    things.insert(pd.DataFrame({"thing_id": [1, 2], "moment": stamps}))
    moments = dict(zip(*things.fetch("thing_id", "moment")))
    assert moments[1] == datetime.datetime(2024, 3, 1, 10, 0, 0, 250000)
    assert moments[2] is None  # NaT → DEFAULT (NULL)
    records = np.empty(2, dtype=[("thing_id", int), ("data", object), ("day", "M8[D]")])
    records[0] = (3, np.arange(6).reshape(2, 3), np.datetime64("2024-05-06"))
    records[1] = (4, {"k": "v"}, np.datetime64("NaT"))
    things.insert(records)  # as an array
    things.insert1(np.array([(5, [1, 2], np.datetime64("2021-01-02"))], dtype=records.dtype)[0])
    rows = {r["thing_id"]: r for r in (things & "thing_id > 2").fetch(as_dict=True)}
    assert np.array_equal(rows[3]["data"], np.arange(6).reshape(2, 3))
    assert rows[3]["day"] == datetime.date(2024, 5, 6) and rows[4]["day"] is None
    assert rows[4]["data"] == {"k": "v"} and rows[5]["day"] == datetime.date(2021, 1, 2)
    things.insert1({"thing_id": 6, "moment": np.datetime64("2020-02-02T02:02:02.123456789")})
    assert (things & {"thing_id": 6}).fetch1("moment") == datetime.datetime(
        2020, 2, 2, 2, 2, 2, 123000
    )


def small_chunks(monkeypatch) -> None:
    """Chunks of a few hundred bytes: the small rows of these tests span many of them."""
    monkeypatch.setattr(insert_module, "_CHUNK_BYTES_MIN", 200)
    monkeypatch.setattr(insert_module, "_CHUNK_BYTES_MAX", 400)


def test_blob_rows_are_cut_into_chunks_by_bytes_and_cores():
    attributes = [
        SimpleNamespace(adapter=None, uuid=False, type="int"),
        SimpleNamespace(adapter=None, uuid=False, type="longblob"),
    ]

    def chunks(rows: int, size: int) -> list[slice]:
        columns = [list(range(rows)), [np.zeros(size // 8) for _ in range(rows)]]
        return insert_module._chunks(attributes, columns, external=False)

    fifty = chunks(50, 80_000)  # 4 MB: spread over every core, and sent while deflating
    assert len(fifty) >= 2 * insert_module._WORKERS
    assert [c.start for c in fifty[1:]] == [c.stop for c in fifty[:-1]]
    assert fifty[0].start == 0 and fifty[-1].stop == 50
    many = chunks(2000, 80_000)  # 160 MB: chunks of at most about 4 MB
    assert max(c.stop - c.start for c in many) <= insert_module._CHUNK_BYTES_MAX // 80_000 + 1
    assert chunks(1, 80_000) == [slice(0, 1)]
    assert chunks(50, 100) == [slice(0, 50)]  # small blobs: one chunk
    scalar = [attributes[0], attributes[0]]
    assert insert_module._chunks(scalar, [[1, 2], [3, 4]], external=False) == [slice(0, 2)]


def test_blob_rows_encoded_in_chunks_are_one_transaction(things, monkeypatch):
    small_chunks(monkeypatch)
    rows = [{"thing_id": i, "data": np.full(3, i)} for i in range(50)]
    things.insert(rows)
    data = dict(zip(*things.fetch("thing_id", "data")))
    assert len(data) == 50 and all(np.array_equal(data[i], np.full(3, i)) for i in data)
    rows = [{"thing_id": i, "data": np.zeros(2)} for i in range(100, 140)]
    rows.append({"thing_id": 7, "data": np.zeros(2)})  # duplicate, in the last chunk
    with pytest.raises(DuplicateError):
        things.insert(rows)
    assert len(things()) == 50 and not things.connection.in_transaction


class RecordingExternal(AttributeType):
    """Stands in for dj-external's blob@store handler: stores the 16-byte hash in a
    tracking table of its own and records how insert called it."""

    category = "EXTERNAL_BLOB"

    def __init__(self):
        self.calls = []

    def before_declare(self, schema, type_text):
        dialect = schema.connection.dialect
        tracking = dialect.full_table_name(schema.database, "~external_store")
        hash_type = "uuid" if dialect.name == "postgresql" else "binary(16)"  # as 0.14's
        schema.connection.query(
            f"CREATE TABLE IF NOT EXISTS {tracking} (hash {hash_type} NOT NULL PRIMARY KEY)"
        )

    def encode_column(self, values, ctx):
        connection = ctx.connection
        self.calls.append((list(values), connection.in_transaction, ctx.table.table_name))
        uuid_value = connection.dialect.uuid_value
        hashes = [uuid_value(uuid.uuid5(uuid.NAMESPACE_OID, repr(v)).bytes) for v in values]
        tracking = connection.dialect.full_table_name(ctx.database, "~external_store")
        for h in set(hashes):
            if not connection.query(f"SELECT 1 FROM {tracking} WHERE hash=%s", (h,)).fetchall():
                connection.query(f"INSERT INTO {tracking} VALUES (%s)", (h,))
        return hashes


def test_external_column_encoded_once_inside_the_transaction(schema):
    handler = RecordingExternal()
    with registered_types(handler):

        @schema
        class Stored(dq.Manual):
            definition = """
            k : int
            ---
            big = null : blob@store
            """

        Stored.insert([(1, "a"), (2, None), (3, "c")])
        assert handler.calls == [(["a", "c"], True, "stored")]  # one call, NULL skipped
        assert not Stored.connection.in_transaction
        tracking = Stored.connection.dialect.full_table_name(schema.database, "~external_store")
        assert len(Stored.connection.query(f"SELECT * FROM {tracking}").fetchall()) == 2
        with pytest.raises(DuplicateError):
            Stored.insert([(4, "d"), (1, "again")])
        # the failed insert's tracking rows went with it
        assert len(Stored.connection.query(f"SELECT * FROM {tracking}").fetchall()) == 2
        assert handler.calls[-1][1] is True


def test_chunked_blob_insert_keeps_every_column_type_exact(things, monkeypatch):
    """Rows with a blob column go as statements built from bytes (never %-interpolated):
    text with `%`, quotes and backslashes, NULLs, DEFAULTs, numbers, dates, UUIDs and
    JSON must arrive exactly as through the ordinary path."""
    small_chunks(monkeypatch)
    monkeypatch.setattr(insert_module, "_STATEMENT_CAP", 3000)  # several statements a chunk
    texts = ["100%", "%%s", "it's", 'a "q"', "back\\slash", "%(name)s", "ünï", "", "50%%"]
    rows = [
        {
            "thing_id": i,
            "label": texts[i % len(texts)],
            "amount": None if i % 4 == 0 else i / 3,
            "price": decimal.Decimal("12.34") if i % 2 else None,
            "day": datetime.date(2024, 1, 1 + i % 28),
            "token": uuid.UUID(int=i),
            "doc": {"i": i, "pct": "5%"},
            "data": None if i % 5 == 0 else np.arange(i, dtype=float),
        }
        for i in range(60)
    ]
    things.insert(rows)
    got = {row["thing_id"]: row for row in things.fetch(as_dict=True)}
    assert len(got) == 60
    for row in rows:
        stored = got[row["thing_id"]]
        assert stored["label"] == row["label"] and stored["count"] == 7
        assert stored["amount"] == row["amount"] and stored["price"] == row["price"]
        assert stored["day"] == row["day"] and stored["token"] == row["token"]
        assert stored["doc"] == row["doc"]
        if row["data"] is None:
            assert stored["data"] is None
        else:
            assert np.array_equal(stored["data"], row["data"])


def test_verbatim_statements_are_bytes_and_fit_the_packet(monkeypatch):
    monkeypatch.setattr(insert_module, "_STATEMENT_CAP", 100)
    columns = [[b"1", b"2", b"3"], [(b"X'", b"ab" * 20, b"'")] * 3]
    pairs = insert_module._verbatim_statements(10**6, b"INSERT INTO t VALUES ", b"", columns)
    statements = [statement for statement, _ in pairs]
    assert [first for _, first in pairs] == list(range(3))  # one row per statement here
    assert all(isinstance(s, bytes) and len(s) <= 100 for s in statements)
    assert b"".join(statements).count(b"X'" + b"ab" * 20 + b"'") == 3
    assert statements[0].startswith(b"INSERT INTO t VALUES (1,X'abab")


def test_a_value_that_cannot_be_serialized_in_a_late_chunk_leaves_no_row(things, monkeypatch):
    small_chunks(monkeypatch)
    rows = [{"thing_id": i, "data": np.arange(4.0)} for i in range(60)]
    rows[55]["data"] = object()  # no blob encoding for a bare object
    with pytest.raises(DataJointError):
        things.insert(rows)  # raised by a worker thread, after earlier chunks were sent
    assert len(things()) == 0 and not things.connection.in_transaction
