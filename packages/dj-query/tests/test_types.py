"""Special columns decoded by column: blob, uuid, json (and the adapted handler)."""

from __future__ import annotations

import json
import uuid

import dj_blob
import numpy as np
import pytest
from dj_core.attribute_adapter import AttributeAdapter
from dj_core.attribute_types import AttributeType, TypeContext, get_handler, registered_types
from dj_query import FreeTable
from dj_query.errors import DataJointError
from table_schema import create_table

IDS = [uuid.UUID(int=i) for i in (1, 2, 3)]
DOCS = [
    {"name": "Rever", "length": 20.5, "tags": ["a", "b"], "inner": {"side": "right"}},
    {"name": "Nova", "length": 3, "tags": [], "inner": {"side": "left"}},
    None,
]
BLOBS = [np.arange(6.0).reshape(2, 3), {"a": [1, 2]}, np.array([[7.0]])]


THING = """
id : uuid  # thing id
---
n : int
data = null : longblob
doc = null : json
"""


@pytest.fixture
def things(db_params, connection, make_database):
    uuid_value = connection.dialect.uuid_value
    rows = [
        (uuid_value(i.bytes), n, dj_blob.pack(b), None if d is None else json.dumps(d))
        for n, (i, b, d) in enumerate(zip(IDS, BLOBS, DOCS))
    ]
    name = create_table(db_params, connection, make_database("types"), "thing", THING, rows)
    return FreeTable(connection, name)


def test_heading_of_special_columns(things):
    heading = things.heading
    assert heading["id"].uuid
    assert heading["data"].is_blob
    assert heading["doc"].json
    assert heading.non_blobs == ["id", "n"]


def test_decoding_in_every_form(things):
    array = things.fetch(order_by="n")
    assert list(array["id"]) == IDS
    np.testing.assert_array_equal(array["data"][0], BLOBS[0])
    assert array["data"][1] == BLOBS[1]
    assert array["doc"][0] == DOCS[0]
    assert array["doc"][2] is None
    dicts = things.fetch(as_dict=True, order_by="n")
    assert dicts[1]["id"] == IDS[1]
    assert dicts[1]["doc"] == DOCS[1]
    row = (things & {"id": IDS[0]}).fetch1()
    np.testing.assert_array_equal(row["data"], BLOBS[0])
    frame = things.fetch(format="frame")
    assert frame.index.name == "id"


def test_squeeze(things):
    value = (things & {"n": 2}).fetch1("data", squeeze=True)
    assert value == 7.0
    assert (things & {"n": 2}).fetch1("data").shape == (1, 1)


def test_restrict_by_uuid(things):
    assert (things & {"id": IDS[1]}).fetch1("n") == 1
    assert (things & {"id": str(IDS[2])}).fetch1("n") == 2
    assert len(things - {"id": IDS[0]}) == 2
    with pytest.raises(DataJointError, match="Badly formed UUID"):
        things & {"id": "not-a-uuid"}
    # in the server's form (MySQL: 16 bytes; PostgreSQL: uuid) in every restriction form
    assert (things.proj("n") & {"id": IDS[1].bytes}).fetch1("n") == 1
    assert len(things & [{"id": IDS[0]}, {"id": str(IDS[2])}]) == 2
    assert len(things & things.fetch(order_by="n")[:2]) == 2  # records
    assert len(things & (things & {"id": IDS[0]}).proj()) == 1  # semijoin on a uuid key


def test_json_paths_in_restriction_and_projection(things):
    assert (things & {"doc.name": "Rever"}).fetch1("n") == 0
    assert (things & {"doc.inner": {"side": "left"}}).fetch1("n") == 1
    assert (things & {"doc.length:decimal(4,1)": 20.5}).fetch1("n") == 0
    assert (things & {"doc": None}).fetch1("n") == 2
    lengths = things.proj(length="doc.length:decimal(4, 1)").fetch("length", order_by="n")
    assert [None if v is None else float(v) for v in lengths] == [20.5, 3.0, None]
    names = things.proj(name="doc.name").fetch("name", order_by="n")
    assert list(names) == ["Rever", "Nova", None]


def test_preview_hides_blob_like_columns(things):
    text = things.preview()
    assert "=BLOB=" in text
    assert "Rever" not in text
    html = things._repr_html_()
    assert "<td>=BLOB=</td>" in html
    assert "Rever" not in html


def test_blobs_in_aggregation_select_list(things, connection):
    # grouping by a selected blob column keeps the statement valid on MariaDB
    doubled = things.aggr(things.proj(m="n"), ..., k="count(*)")
    assert len(doubled.fetch()) == 3


class Doubler(AttributeAdapter):
    attribute_type = "longblob"

    def put(self, obj):
        return obj * 2

    def get(self, value):
        return value * 10


def test_adapted_handler_decodes_through_the_underlying_type():
    attribute = type("Attr", (), {"adapter": Doubler(), "name": "x"})()
    handler = get_handler("ADAPTED")
    ctx = TypeContext(attribute=attribute, extra={})
    raw = handler.encode(3, ctx)
    assert dj_blob.unpack(raw) == 6
    assert handler.decode_column([raw, None], ctx) == [60, None]
    column = handler.encode_column([1, None, 2], ctx)
    assert column[1] is None
    assert [dj_blob.unpack(v) for v in (column[0], column[2])] == [2, 4]


def test_blob_uuid_json_handlers_encode_columns():
    blob, uuid_, json_ = (get_handler(c) for c in ("INTERNAL_BLOB", "UUID", "JSON"))
    ctx = TypeContext(attribute=type("Attr", (), {"name": "x"})(), extra={})
    packed = blob.encode_column([np.arange(3.0), None], ctx)
    np.testing.assert_array_equal(dj_blob.unpack(packed[0]), np.arange(3.0))
    assert packed[1] is None
    assert uuid_.encode_column([IDS[0], str(IDS[1]), None], ctx) == [
        IDS[0].bytes,
        IDS[1].bytes,
        None,
    ]
    with pytest.raises(DataJointError, match="Badly formed UUID"):
        uuid_.encode(12, ctx)
    assert json_.encode_column([{"a": [1]}, None], ctx) == ['{"a": [1]}', None]


class RecordingAttach(AttributeType):
    """Stands in for dj-external's attach handler: records what fetch passes it."""

    category = "INTERNAL_ATTACH"

    def __init__(self):
        self.calls = []

    def decode_column(self, values, ctx):
        self.calls.append((list(values), ctx.extra["download_path"], ctx.extra["squeeze"]))
        folder = ctx.extra["download_path"]
        return [None if v is None else folder + "/" + v.split(b"\0")[0].decode() for v in values]


def test_special_columns_are_decoded_once_per_column_with_fetch_options(
    db_params, connection, make_database
):
    rows = [(1, b"a.txt\0hello"), (2, b"b.txt\0bye"), (3, None)]
    definition = "id : int\n---\nfile = null : attach  # the file"
    handler = RecordingAttach()
    with registered_types(handler):
        db = make_database("attach")
        table = FreeTable(
            connection, create_table(db_params, connection, db, "doc", definition, rows)
        )
        files = table.fetch("file", order_by="id", download_path="/dl", squeeze=True)
        assert list(files) == ["/dl/a.txt", "/dl/b.txt", None]
        assert len(handler.calls) == 1  # one call for the whole column
        assert handler.calls[0][1:] == ("/dl", True)
        row = (table & {"id": 2}).fetch1(download_path="/x")
        assert row["file"] == "/x/b.txt"


def test_fetched_records_with_blobs_restrict_by_their_other_fields(things):
    for record in things.fetch():
        assert (things & record).fetch1("n") == record["n"]
    assert len(things & {"data": None}) == 0
