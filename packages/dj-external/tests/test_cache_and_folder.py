"""The blob cache folder and DataJoint 0.14's `s3.Folder` face."""

from __future__ import annotations

import os

import pytest
from dj_external.cache import BlobCache
from dj_external.errors import BucketInaccessible, MissingExternalFile
from dj_external.s3 import Folder

H = "4c16e9e15b64474e4b56ba22bb17faae"


def test_cache_files_by_hash_with_fixed_folding(tmp_path):
    cache = BlobCache(tmp_path / "cache")
    assert cache.get(H) is None
    cache.put(H, b"packed")
    assert (tmp_path / "cache/4c/16" / H).read_bytes() == b"packed"
    assert cache.get(H) == b"packed"


def test_cache_never_overwrites(tmp_path):
    cache = BlobCache(tmp_path)
    cache.put(H, b"first")
    cache.put(H, b"second")
    assert cache.get(H) == b"first"
    assert os.listdir(tmp_path / "4c/16") == [H]


def test_unwritable_cache_is_not_an_error(tmp_path, caplog):
    (tmp_path / "file").write_text("not a folder")
    cache = BlobCache(tmp_path / "file")
    cache.put(H, b"x")
    assert cache.get(H) is None
    assert "Could not write the blob cache" in caplog.text


def test_folder_uses_full_keys(s3, s3_bucket, tmp_path):
    folder = Folder(s3.endpoint, s3_bucket, s3.access_key, s3.secret_key, secure=False)
    folder.put("a/b/c", b"abc")
    assert s3.list_keys(s3_bucket) == ["a/b/c"]
    assert folder.get("a/b/c") == b"abc"
    assert folder.exists("a/b/c") and not folder.exists("a/b/d")
    assert folder.get_size("a/b/c") == 3
    local = tmp_path / "in.dat"
    local.write_bytes(b"file")
    folder.fput(local, "f/in.dat", metadata={"contents_hash": ""})
    assert folder.stat("f/in.dat").metadata == {"contents_hash": ""}
    folder.fget("f/in.dat", tmp_path / "out" / "x.dat")
    assert (tmp_path / "out" / "x.dat").read_bytes() == b"file"
    folder.remove_object("a/b/c")
    assert folder.stat("a/b/c") is None
    with pytest.raises(MissingExternalFile):
        folder.get("a/b/c")


def test_folder_missing_bucket(s3):
    folder = Folder(s3.endpoint, "absent-bucket", s3.access_key, s3.secret_key)
    with pytest.raises(BucketInaccessible, match="absent-bucket"):
        folder.get("x")
