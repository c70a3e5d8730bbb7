"""Insert and fetch of blob@store, attach@store, attach and filepath@store through tables,
on a real directory and a real (moto) S3 bucket; the tracking rows and object paths."""

from __future__ import annotations

from uuid import UUID

import numpy as np
import pytest
from dj_blob import pack
from dj_core.hash import uuid_from_buffer
from dj_external import layout
from external_catalog import pg_columns, pg_references, pg_table_comment


def test_round_trip_every_type(lab):
    stage_file = lab.stage / "one" / "two" / "trace.dat"
    stage_file.parent.mkdir(parents=True)
    stage_file.write_bytes(b"trace bytes" * 100)
    doc = lab.stage.parent / "notes.txt"
    doc.write_bytes(b"hello world\n")
    value = np.arange(1000.0)
    lab.Item.insert1(dict(item_id=1, data=value, doc=doc, note=doc, path=stage_file))
    lab.Item.insert1(dict(item_id=2, data=[1, 2, 3]))
    lab.Item.insert1(dict(item_id=3))
    rows = (lab.Item & "item_id<3").fetch(
        as_dict=True, order_by="item_id", download_path=lab.downloads
    )
    assert np.array_equal(rows[0]["data"], value)
    assert rows[1]["data"] == [1, 2, 3]
    assert rows[1]["doc"] is None and rows[1]["path"] is None
    assert open(rows[0]["doc"], "rb").read() == b"hello world\n"
    assert rows[0]["doc"] == str(lab.downloads / "notes.txt")
    # the in-row attachment of the same file is the same file: reused, not aliased
    assert rows[0]["note"] == rows[0]["doc"]
    assert rows[0]["path"] == str(stage_file.absolute())
    assert (lab.Item & "item_id=3").fetch1("data") is None


def test_tracking_rows_and_object_paths_follow_the_layout(lab):
    doc = lab.stage.parent / "notes.txt"
    doc.write_bytes(b"hello world\n")
    stage_file = lab.stage / "one/two/three/picture.dat"
    stage_file.parent.mkdir(parents=True)
    stage_file.write_bytes(b"x" * 3000)
    lab.Item.insert1(dict(item_id=1, data=[1, 2, 3], doc=doc, path=stage_file))
    db = lab.schema.database
    rows = {r["hash"]: r for r in lab.external.fetch(as_dict=True)}
    blob = UUID("4c16e9e15b64474e4b56ba22bb17faae")
    attachment = UUID("7adeff91af20987f7d122b0c6ec7d1e7")
    filepath = UUID("573bf0e18c39d2f11800f23d74fda628")
    assert set(rows) == {blob, attachment, filepath}
    assert rows[blob]["size"] == len(pack([1, 2, 3]))
    assert rows[blob]["attachment_name"] is None and rows[blob]["filepath"] is None
    assert (rows[attachment]["size"], rows[attachment]["attachment_name"]) == (12, "notes.txt")
    assert rows[filepath]["filepath"] == "one/two/three/picture.dat"
    assert rows[filepath]["contents_hash"] == uuid_from_buffer(b"x" * 3000)
    assert lab.keys() == sorted(
        [
            f"{db}/4c/16/{blob.hex}",
            f"{db}/7a/de/{attachment.hex}.notes.txt",
            "one/two/three/picture.dat",
        ]
    )
    paths = dict(lab.external.fetch_external_paths())
    assert str(paths[blob]) == lab.objects.full_path(layout.blob_key(db, blob))
    # the column holds the raw digest
    connection = lab.schema.connection
    raw = connection.query(
        f"SELECT {connection.dialect.quote('data')} FROM "
        f"{connection.dialect.full_table_name(db, 'item')} WHERE item_id=1"
    ).fetchone()[0]
    # MySQL: binary(16) as in 0.14; PostgreSQL: a native uuid column
    assert (raw if lab.backend == "postgresql" else UUID(bytes=bytes(raw))) == blob


def test_same_value_in_many_rows_is_one_object(lab):
    lab.Item.insert([dict(item_id=i, data={"same": 1}) for i in range(5)])
    assert len(lab.external) == 1
    assert len(lab.keys()) == 1
    values = lab.Item.fetch("data", order_by="item_id")
    assert all(v == {"same": 1} for v in values)
    assert values[0] is not values[1]


def test_tracking_table_declaration_matches_upstream(lab):
    db = lab.schema.database
    connection = lab.schema.connection
    if lab.backend == "postgresql":  # the same comments; uuid columns are native uuids
        columns = pg_columns(connection, db, "~external_ext")
        hash_type, not_null, comment = columns["hash"]
        assert (hash_type, not_null) == ("uuid", True)
        assert comment.startswith(":uuid:hash of contents (blob)")
        assert columns["contents_hash"][0] == "uuid" and not columns["contents_hash"][1]
        assert columns["contents_hash"][2].startswith(":uuid:used for the filepath")
        assert pg_table_comment(connection, db, "~external_ext") == "external storage tracking"
        references = pg_references(connection, db, "item")  # data, doc and path
        assert len(references) == 3
        assert all(r.endswith('"~external_ext"') and "(hash)" in d for r, d in references)
        assert pg_columns(connection, db, "item")["data"] == (
            "uuid",
            False,
            ":blob@ext:a value in the store",
        )
        return
    create = lab.schema.connection.query(f"SHOW CREATE TABLE `{db}`.`~external_ext`").fetchone()[1]
    assert "`hash` binary(16) NOT NULL COMMENT ':uuid:hash of contents (blob)" in create
    assert "`contents_hash` binary(16) DEFAULT NULL COMMENT ':uuid:used for the filepath" in create
    assert "COMMENT='external storage tracking'" in create
    item = lab.schema.connection.query(f"SHOW CREATE TABLE `{db}`.`item`").fetchone()[1]
    assert "REFERENCES `~external_ext` (`hash`)" in item
    assert "`data` binary(16) DEFAULT NULL COMMENT ':blob@ext:a value in the store'" in item


@pytest.mark.parametrize("count", [200])
def test_many_rows_insert_and_fetch(lab, count):
    values = [np.full(100, i, dtype=np.int32) for i in range(count)]
    lab.Item.insert(dict(item_id=i, data=v) for i, v in enumerate(values))
    assert len(lab.keys()) == count
    fetched = lab.Item.fetch("data", order_by="item_id")
    assert all(np.array_equal(a, b) for a, b in zip(values, fetched))


def test_update1_replaces_the_value_and_leaves_the_old_object_unused(lab):
    lab.Item.insert1(dict(item_id=1, data="first"))
    lab.Item.update1(dict(item_id=1, data="second"))
    assert lab.Item.fetch1("data") == "second"
    assert len(lab.external) == 2 and len(lab.external.unused()) == 1
    assert lab.external.delete(delete_external_files=True) == []
    assert len(lab.keys()) == 1


def test_external_table_object_api(lab, tmp_path):
    ext = lab.external
    packed = pack({"x": 1})
    hash_ = ext.put(packed)
    assert hash_ == uuid_from_buffer(packed)
    assert ext.get(hash_) == packed
    (path,) = [p for h, p in ext.fetch_external_paths() if h == hash_]
    assert ext.exists(str(path))
    doc = tmp_path / "report.pdf"
    doc.write_bytes(b"%PDF")
    attachment = ext.upload_attachment(doc)
    assert ext.get_attachment_name(attachment) == "report.pdf"
    ext.download_attachment(attachment, "report.pdf", tmp_path / "copy.pdf")
    assert (tmp_path / "copy.pdf").read_bytes() == b"%PDF"
    staged = lab.stage / "f.txt"
    staged.write_bytes(b"staged")
    filepath = ext.upload_filepath(staged)
    assert ext.download_filepath(filepath) == (str(staged.absolute()), uuid_from_buffer(b"staged"))
    assert ext.download_filepath(None) is None
    # nothing refers to these rows: all three are unused, and cleanup removes all objects
    assert len(ext.unused()) == 3
    assert ext.delete(delete_external_files=True) == []
    assert lab.keys() == []


def test_fetch_through_a_free_table_without_a_schema(lab):
    from dj_query import FreeTable

    lab.Item.insert1(dict(item_id=1, data=[4, 5]))
    connection = lab.schema.connection
    del connection.schemas[lab.schema.database]
    try:
        table = FreeTable(
            connection, connection.dialect.full_table_name(lab.schema.database, "item")
        )
        assert table.fetch1("data") == [4, 5]
    finally:
        connection.schemas[lab.schema.database] = lab.schema


@pytest.mark.parametrize("folds", [[1, 1], (2, 4), ()])
def test_configured_subfolding_sets_the_object_paths(lab, folds):
    lab.spec["subfolding"] = folds
    lab.Item.insert1(dict(item_id=1, data=[1, 2, 3]))
    blob = UUID("4c16e9e15b64474e4b56ba22bb17faae")
    expected = layout.blob_key(lab.schema.database, blob, folds)
    assert sorted(lab.external.objects.list()) == [expected]
    assert lab.Item.fetch1("data") == [1, 2, 3]
