"""Cleanup is exact: after user rows are deleted, `delete(delete_external_files=True)`
removes exactly the objects no row refers to; orphans of failed inserts are found."""

from __future__ import annotations

import pytest
from dj_core.errors import DataJointError, DuplicateError, IntegrityError
from dj_external import layout


def _insert_blobs(lab, ids):
    lab.Item.insert(dict(item_id=i, data={"value": i}) for i in ids)


def test_used_unused_and_exact_delete(lab):
    _insert_blobs(lab, range(6))
    lab.Item.insert1(dict(item_id=10, data={"value": 0}))  # shares item 0's object
    before = lab.keys()
    assert len(before) == 6
    (lab.Item & "item_id in (1, 2, 10)").delete()
    # soft delete: the store and the tracking table are untouched
    assert lab.keys() == before
    assert len(lab.external) == 6
    assert len(lab.external.used()) == 4
    unused = lab.external.unused().fetch("hash")
    assert len(unused) == 2
    expected_gone = {
        layout.blob_key(lab.schema.database, h, lab.objects.subfolding) for h in unused
    }
    assert lab.external.delete(delete_external_files=True) == []
    assert set(before) - set(lab.keys()) == expected_gone
    assert len(lab.external) == 4 and len(lab.external.unused()) == 0
    values = sorted(v["value"] for v in lab.Item.fetch("data"))
    assert values == [0, 3, 4, 5]


def test_delete_rows_only_keeps_objects_then_orphans_are_found(lab):
    _insert_blobs(lab, range(3))
    (lab.Item & "item_id=0").delete()
    assert lab.external.delete(delete_external_files=False) is None
    assert len(lab.external) == 2
    assert len(lab.keys()) == 3
    orphans = lab.external.orphans()
    assert len(orphans) == 1
    assert lab.external.delete_orphans() == orphans
    assert orphans[0] not in lab.keys() and len(lab.keys()) == 2
    assert len(lab.Item.fetch("data")) == 2


def test_delete_with_limit_takes_the_smallest_hashes(lab):
    _insert_blobs(lab, range(5))
    lab.Item.delete()
    hashes = sorted(lab.external.fetch("hash"), key=lambda h: h.bytes)
    assert lab.external.delete(delete_external_files=True, limit=2) == []
    assert sorted(lab.external.fetch("hash"), key=lambda h: h.bytes) == hashes[2:]
    assert len(lab.keys()) == 3


def test_attachments_and_filepaths_are_cleaned_too(lab):
    doc = lab.stage.parent / "doc.bin"
    doc.write_bytes(b"abc")
    staged = lab.stage / "sub" / "f.dat"
    staged.parent.mkdir()
    staged.write_bytes(b"data")
    lab.Item.insert1(dict(item_id=1, doc=doc, path=staged))
    assert len(lab.keys()) == 2
    lab.Item.delete()
    assert lab.external.delete(delete_external_files=True) == []
    assert lab.keys() == []
    assert len(lab.external) == 0


@pytest.mark.parametrize("value", [None, 1, "yes"])
def test_delete_requires_an_explicit_mode(lab, value):
    with pytest.raises(DataJointError, match="either True or False"):
        lab.external.delete(delete_external_files=value)


def test_a_used_row_cannot_be_deleted_by_hand(lab):
    _insert_blobs(lab, [1])
    with pytest.raises(IntegrityError):
        lab.external.delete_quick()


def test_failed_insert_leaves_no_tracking_row(lab):
    _insert_blobs(lab, [1])
    with pytest.raises(DuplicateError):
        lab.Item.insert([dict(item_id=2, data="new"), dict(item_id=1, data="again")])
    assert len(lab.Item()) == 1
    assert len(lab.external) == 1
    # the objects written before the failure are untracked orphans, found and removable
    assert len(lab.external.orphans()) == 2
    lab.external.delete_orphans()
    assert lab.external.orphans() == []
    assert len(lab.keys()) == 1


def test_cleanup_refuses_an_open_transaction(lab):
    connection = lab.schema.connection
    connection.start_transaction()
    try:
        with pytest.raises(DataJointError, match="inside a transaction"):
            lab.external.delete(delete_external_files=True)
    finally:
        connection.cancel_transaction()


def test_schema_external_mapping(lab):
    assert list(lab.schema.external) == ["ext"]
    assert len(lab.schema.external) == 1
    assert f'"ext" {lab.protocol}:' in repr(lab.schema.external)
    assert lab.Item().external["ext"] is lab.external
    refs = lab.external.references
    assert {r["column_name"] for r in refs} == {"data", "doc", "path"}
    with pytest.raises(DataJointError, match="drop the tables"):
        lab.external.drop()


@pytest.mark.parametrize("name", ["1abc", "a`b", "has space", ""])
def test_invalid_store_names_are_refused(lab, name):
    from dj_external import ExternalTable

    with pytest.raises(DataJointError, match="Invalid store name"):
        ExternalTable(lab.schema.connection, name, lab.schema.database)


def test_small_batches_everywhere(lab, monkeypatch):
    """Chunked tracking statements, pipeline steps and cleanup transactions give the same
    result as one big batch (duplicates spread over several chunks included)."""
    from dj_external import blobs, cleanup, external

    monkeypatch.setattr(external, "_QUERY_CHUNK", 7)
    monkeypatch.setattr(blobs, "_CHUNK", 5)
    monkeypatch.setattr(cleanup, "_BATCH", 4)
    lab.Item.insert(dict(item_id=i, data=i % 23) for i in range(60))
    assert len(lab.external) == 23 and len(lab.keys()) == 23
    assert [v for v in lab.Item.fetch("data", order_by="item_id")] == [i % 23 for i in range(60)]
    (lab.Item & "item_id >= 23").delete()
    (lab.Item & "item_id < 10").delete()
    assert len(lab.external.unused()) == 10
    assert lab.external.delete(delete_external_files=True) == []
    assert len(lab.external) == 13 and len(lab.keys()) == 13
    assert sorted(lab.Item.fetch("data")) == list(range(10, 23))


def test_missing_attachment_file_inserts_nothing(lab):
    present = lab.stage.parent / "present.txt"
    present.write_bytes(b"here")
    with pytest.raises(DataJointError, match="no such file"):
        lab.Item.insert(
            [dict(item_id=1, doc=present), dict(item_id=2, doc=lab.stage.parent / "absent.txt")]
        )
    assert len(lab.Item()) == 0 and len(lab.external) == 0


def test_objects_that_cannot_be_removed_keep_their_rows(
    add_store, item_table, connection, make_database, monkeypatch, s3
):
    import urllib3
    from dj_core.schemas import Schema
    from minio import Minio

    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    add_store("s3", "ext")
    schema = Schema(make_database("norm"), connection=connection)
    item = item_table(schema, "ext")
    item.insert(dict(item_id=i, data=i) for i in range(3))
    item.delete()
    ext = schema.external["ext"]
    hashes = set(ext.fetch("hash"))
    original = ext.s3.client
    # an endpoint that refuses connections, without retries (moto checks no credentials)
    ext.s3.client = Minio(
        "127.0.0.1:1",
        access_key=s3.access_key,
        secret_key=s3.secret_key,
        secure=False,
        http_client=urllib3.PoolManager(retries=urllib3.Retry(total=0)),
    )
    try:
        errors = ext.delete(delete_external_files=True)
    finally:
        ext.s3.client = original
    assert {h for h, _, _ in errors} == hashes
    assert all(isinstance(e, str) and "Failed to delete" in e for _, _, e in errors)
    assert all(str(path).startswith("lab/v1/") for _, path, _ in errors)
    assert set(ext.fetch("hash")) == hashes  # rows restored: the objects are still there
    assert ext.delete(delete_external_files=True) == []
    assert len(ext) == 0 and list(ext.objects.list()) == []
