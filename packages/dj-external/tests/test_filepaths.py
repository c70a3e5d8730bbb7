"""`filepath@store` transfers on a real directory and S3."""

from __future__ import annotations

import logging
import os

import pytest
from dj_blob.errors import DataJointError
from dj_external import encoding
from dj_external.errors import MissingExternalFile
from dj_external.filepaths import download_filepath, prepare_filepath, upload_filepath
from dj_external.storage import FileStore


@pytest.fixture
def stage(tmp_path):
    path = tmp_path / "stage"
    path.mkdir()
    return path


def put_local(stage, rel, data):
    path = stage / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_prepare_computes_relative_path_hashes_and_size(stage):
    local = put_local(stage, "one/two/three/picture.dat", b"pixels")
    value = prepare_filepath(local, stage)
    assert value.relative_path == "one/two/three/picture.dat"
    assert value.hash.hex == "573bf0e18c39d2f11800f23d74fda628"
    assert value.contents_hash == encoding.contents_hash(local)
    assert value.size == 6


def test_prepare_skips_the_checksum_of_large_files(stage, caplog):
    local = put_local(stage, "big.dat", b"x" * 100)
    with caplog.at_level(logging.WARNING, logger="datajoint"):
        value = prepare_filepath(local, stage, checksum_size_limit=50)
    assert value.contents_hash is None
    assert "Skipping checksum for 'big.dat' (100 bytes > 50 byte limit)" in caplog.text


def test_prepare_refuses_files_outside_the_stage_and_stores_without_stage(stage, tmp_path):
    outside = put_local(tmp_path, "elsewhere/x.dat", b"x")
    with pytest.raises(DataJointError, match="is not in stage"):
        prepare_filepath(outside, stage)
    with pytest.raises(DataJointError, match="has no 'stage'"):
        prepare_filepath(outside, None, store_name="share")


def test_upload_then_download_round_trip(store, stage):
    data = os.urandom(3000)
    local = put_local(stage, "one/picture.dat", data)
    value = prepare_filepath(local, stage)
    assert upload_filepath(store, value) is True
    assert store.get("one/picture.dat") == data
    local.unlink()
    path = download_filepath(
        store, "one/picture.dat", stage, size=3000, contents_hash=value.contents_hash
    )
    assert path == str(local.absolute())
    assert local.read_bytes() == data


def test_s3_upload_carries_the_contents_hash_and_is_not_repeated(s3_spec, s3_bucket, stage):
    from dj_external.storage import open_store

    store = open_store("cloud", s3_spec(s3_bucket, "loc"))
    local = put_local(stage, "a/b.dat", b"abc")
    value = prepare_filepath(local, stage)
    assert upload_filepath(store, value) is True
    assert store.stat("a/b.dat").metadata == {"contents_hash": str(value.contents_hash)}
    assert upload_filepath(store, value) is False  # same size, same contents hash
    local.write_bytes(b"abd")  # same size, different contents
    assert upload_filepath(store, prepare_filepath(local, stage)) is True
    assert store.get("a/b.dat") == b"abd"


def test_s3_upload_without_checksum_has_empty_metadata(s3_spec, s3_bucket, stage):
    from dj_external.storage import open_store

    store = open_store("cloud", s3_spec(s3_bucket))
    local = put_local(stage, "big.dat", b"x" * 10)
    value = prepare_filepath(local, stage, checksum_size_limit=5)
    upload_filepath(store, value)
    assert store.stat("big.dat").metadata == {"contents_hash": ""}


def test_stage_equal_to_location_transfers_nothing(stage):
    store = FileStore("share", stage)
    local = put_local(stage, "one/p.dat", b"in place")
    value = prepare_filepath(local, stage)
    assert upload_filepath(store, value) is False
    path = download_filepath(store, "one/p.dat", stage, size=8, contents_hash=value.contents_hash)
    assert path == str(local.absolute())
    assert local.read_bytes() == b"in place"


def test_valid_local_copy_is_used_without_transfer(store, stage):
    local = put_local(stage, "p.dat", b"local copy")
    value = prepare_filepath(local, stage)
    upload_filepath(store, value)
    store.remove("p.dat")  # a transfer would now fail
    assert download_filepath(store, "p.dat", stage, size=10, contents_hash=value.contents_hash)


def test_stale_local_copy_is_replaced(store, stage):
    local = put_local(stage, "p.dat", b"stored")
    value = prepare_filepath(local, stage)
    upload_filepath(store, value)
    local.write_bytes(b"edited!")  # other size
    download_filepath(store, "p.dat", stage, size=6, contents_hash=value.contents_hash)
    assert local.read_bytes() == b"stored"
    local.write_bytes(b"STORED")  # same size, other contents
    download_filepath(store, "p.dat", stage, size=6, contents_hash=value.contents_hash)
    assert local.read_bytes() == b"stored"


def test_wrong_checksum_is_reported_with_store_and_path(store, stage):
    local = put_local(stage, "p.dat", b"stored")
    value = prepare_filepath(local, stage)
    upload_filepath(store, value)
    store.put("p.dat", b"STORED")  # tampered in the store, same size
    local.unlink()
    with pytest.raises(DataJointError, match="did not pass checksum") as caught:
        download_filepath(store, "p.dat", stage, size=6, contents_hash=value.contents_hash)
    assert store.name in str(caught.value)
    assert store.full_path("p.dat") in str(caught.value)


def test_wrong_size_is_reported(store, stage):
    local = put_local(stage, "p.dat", b"stored")
    value = prepare_filepath(local, stage)
    upload_filepath(store, value)
    store.put("p.dat", b"longer contents")
    local.unlink()
    with pytest.raises(DataJointError, match="size did not match"):
        download_filepath(store, "p.dat", stage, size=6, contents_hash=value.contents_hash)


def test_skipped_checksum_on_fetch_is_logged(store, stage, caplog):
    local = put_local(stage, "p.dat", b"stored")
    value = prepare_filepath(local, stage)
    upload_filepath(store, value)
    local.unlink()
    with caplog.at_level(logging.WARNING, logger="datajoint"):
        download_filepath(
            store, "p.dat", stage, size=6, contents_hash=value.contents_hash, checksum_size_limit=3
        )
    assert "Skipped checksum for file with hash:" in caplog.text
    assert local.read_bytes() == b"stored"


def test_null_contents_hash_is_accepted_with_a_warning(store, stage, caplog):
    store.put("p.dat", b"stored")
    with caplog.at_level(logging.WARNING, logger="datajoint"):
        download_filepath(store, "p.dat", stage, size=6, contents_hash=None)
    assert "cannot be verified" in caplog.text


def test_missing_object(store, stage):
    with pytest.raises(MissingExternalFile):
        download_filepath(store, "gone.dat", stage, size=1, contents_hash=None)
