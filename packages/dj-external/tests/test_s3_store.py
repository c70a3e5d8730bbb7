"""What is particular to the `s3` protocol: key prefixes, metadata, bucket errors."""

from __future__ import annotations

import pytest
from dj_core.settings import Config
from dj_external.errors import BucketInaccessible, MissingExternalFile, StoreError
from dj_external.storage import S3Store, open_store, store_from_config
from dj_testing.s3 import free_port
from minio import Minio


def test_location_becomes_the_key_prefix(s3_spec, s3, s3_bucket):
    store = open_store("cloud", s3_spec(s3_bucket, "f:\\pipelines\\v1"))
    key = store.attachment_key("lab", "7adeff91af20987f7d122b0c6ec7d1e7", "notes.txt")
    store.put(key, b"hello world\n")
    assert s3.list_keys(s3_bucket) == [
        "pipelines/v1/lab/7a/de/7adeff91af20987f7d122b0c6ec7d1e7.notes.txt"
    ]
    assert store.full_path(key) == s3.list_keys(s3_bucket)[0]


def test_empty_location_is_the_bucket_root(s3_spec, s3, s3_bucket):
    store = open_store("cloud", s3_spec(s3_bucket, "/"))
    store.put("lab/ab/cd/abcd", b"x")
    assert s3.list_keys(s3_bucket) == ["lab/ab/cd/abcd"]
    assert list(store.list()) == ["lab/ab/cd/abcd"]


def test_list_stays_inside_the_prefix(s3_spec, s3, s3_bucket):
    s3.client().put_object(Bucket=s3_bucket, Key="elsewhere/x", Body=b"x")
    s3.client().put_object(Bucket=s3_bucket, Key="pre/fixed/y", Body=b"y")
    store = open_store("cloud", s3_spec(s3_bucket, "pre/fix"))
    store.put("a/b", b"1")
    assert list(store.list()) == ["a/b"]


def test_filepath_metadata_is_the_contents_hash_header(s3_spec, s3, s3_bucket, tmp_path):
    store = open_store("cloud", s3_spec(s3_bucket))
    source = tmp_path / "picture.dat"
    source.write_bytes(b"pixels")
    digest = "9f0c0a4e-7d6c-4a3b-8e8f-0c7e3b4b2a10"
    store.put_file("one/picture.dat", source, metadata={"contents_hash": digest})
    head = s3.client().head_object(Bucket=s3_bucket, Key="one/picture.dat")
    assert head["Metadata"] == {"contents_hash": digest}
    info = store.stat("one/picture.dat")
    assert info.metadata == {"contents_hash": digest}
    assert info.size == 6


def test_blob_objects_carry_no_metadata(s3_spec, s3, s3_bucket):
    store = open_store("cloud", s3_spec(s3_bucket))
    store.put("lab/ab/cd/abcd", b"x")
    assert s3.client().head_object(Bucket=s3_bucket, Key="lab/ab/cd/abcd")["Metadata"] == {}
    assert store.stat("lab/ab/cd/abcd").metadata == {}


def test_missing_key_names_store_bucket_and_key(s3_spec, s3, s3_bucket):
    store = open_store("cloud", s3_spec(s3_bucket, "root"))
    with pytest.raises(MissingExternalFile) as caught:
        store.get("lab/ab/cd/abcd")
    message = str(caught.value)
    assert "Missing s3 key root/lab/ab/cd/abcd" in message
    assert s3_bucket in message
    assert "'cloud'" in message


def test_missing_bucket_is_bucket_inaccessible(s3_spec, s3):
    store = open_store("cloud", s3_spec("no-such-bucket-here"))
    with pytest.raises(BucketInaccessible, match="Inaccessible s3 bucket no-such-bucket-here"):
        store.get("x")
    with pytest.raises(BucketInaccessible, match="store 'cloud'"):
        store.put("x", b"x")


def test_invalid_bucket_name_is_bucket_inaccessible(s3_spec):
    store = open_store("cloud", s3_spec("Not_A_Bucket!"))
    with pytest.raises(BucketInaccessible, match="invalid bucket name"):
        store.exists("x")


def test_unreachable_endpoint_is_bucket_inaccessible():
    endpoint = f"127.0.0.1:{free_port()}"  # nothing listens there
    store = S3Store(
        "cloud", endpoint=endpoint, bucket="lab-data", access_key="k", secret_key="s", retries=0
    )
    with pytest.raises(BucketInaccessible, match=f"cannot reach .*{endpoint}"):
        store.exists("x")


def test_bucket_deleted_after_first_use(s3_spec, s3):
    bucket = s3.make_bucket()
    store = open_store("cloud", s3_spec(bucket))
    store.put("a", b"x")
    s3.remove_bucket(bucket)
    with pytest.raises(BucketInaccessible, match="NoSuchBucket"):
        store.get("a")
    with pytest.raises(BucketInaccessible):
        store.put("a", b"x")


def test_remove_failure_is_a_store_error(s3_spec, s3):
    bucket = s3.make_bucket()
    store = open_store("cloud", s3_spec(bucket))
    store.put("a", b"x")
    s3.remove_bucket(bucket)
    with pytest.raises(StoreError, match="Failed to delete a from s3 storage"):
        store.remove("a")
    assert store.remove_many(["a"])[0] is not None


def test_client_is_created_once_and_can_be_replaced(s3_spec, s3, s3_bucket):
    store = open_store("cloud", s3_spec(s3_bucket))
    assert store.client is store.client
    other = Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)
    store.client = other
    store.put("a", b"x")
    assert store.client is other
    assert s3.list_keys(s3_bucket) == ["a"]


def test_many_objects_concurrently(s3_spec, s3, s3_bucket):
    store = open_store("cloud", s3_spec(s3_bucket, "bulk"), max_workers=16)
    items = [(store.blob_key("lab", f"{i:032x}"), bytes([i]) * 2000) for i in range(200)]
    store.put_many(items)
    assert len(s3.list_keys(s3_bucket)) == 200
    assert store.get_many([k for k, _ in items]) == [d for _, d in items]


def test_store_from_config(s3_spec, s3, s3_bucket):
    config = Config.independent()
    config["stores"] = {"cloud": s3_spec(s3_bucket, "x")}
    store = store_from_config(config, "cloud")
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix, store.secure) == (s3_bucket, "x", False)


def test_requests_go_through_the_proxy_server(s3, s3_bucket):
    """Nothing listens at the endpoint; only the proxy (moto itself) can answer."""
    store = S3Store(
        "cloud",
        endpoint="127.0.0.2:1",
        bucket=s3_bucket,
        access_key=s3.access_key,
        secret_key=s3.secret_key,
        proxy_server=s3.url,
        retries=0,
    )
    store.put("via/proxy", b"x")
    assert s3.list_keys(s3_bucket) == ["via/proxy"]
    assert store.get("via/proxy") == b"x"


def test_secure_must_be_a_boolean(s3, s3_bucket):
    from dj_blob.errors import DataJointError

    with pytest.raises(DataJointError, match="Invalid 'secure' setting 'false'"):
        S3Store(
            "cloud",
            endpoint=s3.endpoint,
            bucket=s3_bucket,
            access_key=s3.access_key,
            secret_key=s3.secret_key,
            secure="false",
        )
