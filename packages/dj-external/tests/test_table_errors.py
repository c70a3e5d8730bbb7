"""Failures name the store, the path and the row, and leave nothing half-inserted;
downloads are verified; attachment naming, filepath versions, cache, adapters, switches."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from dj_core.attribute_adapter import AttributeAdapter
from dj_core.errors import BucketInaccessible, DataJointError, MissingExternalFile
from dj_core.schemas import Schema
from dj_external import ExternalChecksumError, layout
from external_catalog import pg_columns, pg_references


def _blob_key(lab, value_hash):
    return layout.blob_key(lab.schema.database, value_hash, lab.objects.subfolding)


def test_missing_blob_object_names_store_path_and_row(lab):
    lab.Item.insert1(dict(item_id=1, data=[1, 2, 3]))
    (key,) = lab.keys()
    lab.objects.remove(key)
    with pytest.raises(MissingExternalFile) as info:
        lab.Item.fetch("data")
    message = str(info.value)
    assert "'ext'" in message and key in message and "`data`" in message
    assert "{'item_id': 1}" in message  # the row holding it, by primary key


def test_corrupted_blob_fails_its_checksum(lab):
    lab.Item.insert1(dict(item_id=1, data=[1, 2, 3]))
    (key,) = lab.keys()
    lab.objects.put(key, b"not the blob")
    with pytest.raises(ExternalChecksumError, match="did not pass checksum") as info:
        lab.Item.proj(renamed="data").fetch1("renamed")
    assert key in str(info.value) and "{'item_id': 1}" in str(info.value)


def test_corrupted_attachment_is_not_returned(lab):
    doc = lab.stage.parent / "a.txt"
    doc.write_bytes(b"original")
    lab.Item.insert1(dict(item_id=1, doc=doc))
    (key,) = lab.keys()
    lab.objects.put(key, b"tampered")
    with pytest.raises(ExternalChecksumError):
        lab.Item.fetch1("doc", download_path=lab.downloads)
    assert not (lab.downloads / "a.txt").exists()


def test_missing_attachment_object(lab):
    doc = lab.stage.parent / "a.txt"
    doc.write_bytes(b"original")
    lab.Item.insert1(dict(item_id=1, doc=doc))
    lab.objects.remove(lab.keys()[0])
    with pytest.raises(MissingExternalFile, match=r"a\.txt"):
        lab.Item.fetch1("doc", download_path=lab.downloads)


def test_migrated_blob_is_read_from_its_legacy_path(lab):
    """0.11 blobs migrated to 0.12 keep their object at the row's `filepath`."""
    lab.Item.insert1(dict(item_id=1, data={"old": True}))
    (key,) = lab.keys()
    data = lab.objects.get(key)
    lab.objects.remove(key)
    lab.objects.put("legacy/blob-file", data)
    connection = lab.schema.connection
    connection.query(f"UPDATE {lab.external.full_table_name} SET filepath='legacy/blob-file'")
    assert lab.Item.fetch1("data") == {"old": True}


def test_missing_bucket_inserts_nothing(
    add_store, item_table, connection, make_database, monkeypatch
):
    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    spec = add_store("s3", "gone")
    schema = Schema(make_database("gone"), connection=connection)
    item = item_table(schema, "gone")
    spec["bucket"] = "no-such-bucket-here"
    with pytest.raises(BucketInaccessible, match="no-such-bucket-here") as info:
        item.insert1(dict(item_id=1, data=[1]))
    assert "row 0 of the insert into" in str(info.value)
    assert len(item()) == 0 and len(schema.external["gone"]) == 0


def test_unconfigured_store_is_refused_at_declaration(
    item_table, connection, make_database, monkeypatch
):
    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    schema = Schema(make_database("nostore"), connection=connection)
    with pytest.raises(DataJointError, match="Storage nowhere is requested but not configured"):
        item_table(schema, "nowhere")


def test_filepath_switch_off_refuses_declaration(
    add_store, item_table, connection, make_database, monkeypatch
):
    monkeypatch.delenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", raising=False)
    add_store("file", "ext")
    schema = Schema(make_database("switch"), connection=connection)
    with pytest.raises(DataJointError, match="DJ_SUPPORT_FILEPATH_MANAGEMENT"):
        item_table(schema, "ext")


def test_attachments_with_one_name_get_aliases(lab):
    first, second = lab.stage.parent / "one", lab.stage.parent / "two"
    first.mkdir()
    second.mkdir()
    (first / "x.img").write_bytes(b"first")
    (second / "x.img").write_bytes(b"second")
    lab.Item.insert1(dict(item_id=1, doc=first / "x.img", note=second / "x.img"))
    doc, note = lab.Item.fetch1("doc", "note", download_path=lab.downloads)
    assert doc == str(lab.downloads / "x.img")
    assert note == str(lab.downloads / "x_0000.img")
    assert open(note, "rb").read() == b"second"
    # fetched again: the same files, nothing new written
    assert list(lab.Item.fetch1("doc", "note", download_path=lab.downloads)) == [doc, note]
    assert sorted(p.name for p in lab.downloads.iterdir()) == ["x.img", "x_0000.img"]


def test_filepath_new_version_is_refused_and_stale_copy_refetched(lab):
    staged = lab.stage / "run" / "data.bin"
    staged.parent.mkdir()
    staged.write_bytes(b"version 1")
    lab.Item.insert1(dict(item_id=1, path=staged))
    staged.write_bytes(b"version 2")
    with pytest.raises(DataJointError, match=r"A different version of .run/data\.bin."):
        lab.Item.insert1(dict(item_id=2, path=staged))
    assert len(lab.Item()) == 1
    staged.unlink()
    assert lab.Item.fetch1("path") == str(staged.absolute())
    assert staged.read_bytes() == b"version 1"


def test_filepath_outside_stage(lab, tmp_path):
    outside = tmp_path / "elsewhere.dat"
    outside.write_bytes(b"x")
    with pytest.raises(DataJointError, match="is not in stage"):
        lab.Item.insert1(dict(item_id=1, path=outside))


def test_filepath_checksum_skip_on_fetch_is_logged(lab, caplog):
    staged = lab.stage / "big.bin"
    staged.write_bytes(b"z" * 2000)
    lab.Item.insert1(dict(item_id=1, path=staged))
    lab.schema.connection.config["filepath_checksum_size_limit"] = 1000
    with caplog.at_level(logging.WARNING, logger="datajoint"):
        assert lab.Item.fetch1("path") == str(staged.absolute())
    assert "Skipped checksum for file with hash:" in caplog.text


def test_blob_cache_is_filled_and_used(lab, tmp_path):
    cache = tmp_path / "cache"
    lab.schema.connection.config["cache"] = str(cache)
    lab.Item.insert1(dict(item_id=1, data=np.arange(10)))
    (hash_,) = lab.external.fetch("hash")
    assert np.array_equal(lab.Item.fetch1("data"), np.arange(10))
    cached = layout.cache_path(cache, hash_)
    assert cached.is_file()
    lab.objects.remove(lab.keys()[0])  # from now on only the cache has it
    assert np.array_equal(lab.Item.fetch1("data"), np.arange(10))


class Graph(AttributeAdapter):
    attribute_type = "blob@ext"

    def put(self, edges):
        return list(edges)

    def get(self, value):
        return tuple(tuple(e) for e in value)


def test_adapted_type_over_blob_at_store(lab, monkeypatch):
    import dj_query as dq

    monkeypatch.setenv("DJ_SUPPORT_ADAPTED_TYPES", "TRUE")
    graph = Graph()

    class Net(dq.Manual):
        definition = """
        net_id : int
        ---
        edges : <graph>   # adjacency
        """

    lab.schema(Net, context={"graph": graph})
    Net.insert1(dict(net_id=1, edges=[(1, 2), (2, 3)]))
    assert Net.fetch1("edges") == ((1, 2), (2, 3))
    connection, db = lab.schema.connection, lab.schema.database
    if lab.backend == "postgresql":
        assert pg_columns(connection, db, "net")["edges"][2] == ":<graph>:adjacency"
        ((referenced, _),) = pg_references(connection, db, "net")
        assert referenced.endswith('"~external_ext"')
    else:
        create = connection.query(f"SHOW CREATE TABLE `{db}`.`net`").fetchone()[1]
        assert ":<graph>:adjacency" in create and "REFERENCES `~external_ext`" in create
    assert len(lab.external) == 1


def test_filepath_switch_off_refuses_an_existing_table(lab, monkeypatch):
    lab.Item.insert1(dict(item_id=1, data=[1]))
    monkeypatch.delenv("DJ_SUPPORT_FILEPATH_MANAGEMENT")
    from dj_query import FreeTable

    with pytest.raises(DataJointError, match="DJ_SUPPORT_FILEPATH_MANAGEMENT"):
        connection = lab.schema.connection
        FreeTable(
            connection, connection.dialect.full_table_name(lab.schema.database, "item")
        ).fetch("data")


def test_adapted_switch_off_refuses_declaration(lab, monkeypatch):
    import dj_query as dq

    monkeypatch.delenv("DJ_SUPPORT_ADAPTED_TYPES", raising=False)

    class Net2(dq.Manual):
        definition = """
        net_id : int
        ---
        edges : <graph>
        """

    with pytest.raises(DataJointError, match="Adapted Attribute types is disabled"):
        lab.schema(Net2, context={"graph": Graph()})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"protocol": "ftp"}, "protocol"),
        ({"bucket": None}, 'is missing "bucket"'),
        ({"color": "red"}, 'Invalid key "color"'),
    ],
)
def test_bad_store_spec_is_refused_clearly(
    add_store, item_table, connection, make_database, monkeypatch, change, message
):
    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    spec = add_store("s3", "bad")
    for key, value in change.items():
        if value is None:
            del spec[key]
        else:
            spec[key] = value
    schema = Schema(make_database("badspec"), connection=connection)
    with pytest.raises(DataJointError, match=message):
        item_table(schema, "bad")


def test_file_store_location_must_exist(
    add_store, item_table, connection, make_database, monkeypatch
):
    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    spec = add_store("file", "gone")
    spec["location"] = spec["location"] + "-missing"
    schema = Schema(make_database("noloc"), connection=connection)
    with pytest.raises(FileNotFoundError, match="Inaccessible local directory"):
        item_table(schema, "gone")
