"""The `Store` contract, run against a real directory and a real S3 endpoint (moto)."""

from __future__ import annotations

import os
import threading
import time

import pytest
from dj_blob.errors import DataJointError
from dj_external.errors import MissingExternalFile
from dj_external.storage import ObjectInfo

KEY = "lab/4c/16/4c16e9e15b64474e4b56ba22bb17faae"


def test_put_then_get_returns_the_same_bytes(store):
    data = os.urandom(80_000)
    assert store.put(KEY, data) is True
    assert store.get(KEY) == data


def test_put_replaces_an_existing_object(store):
    store.put(KEY, b"old")
    store.put(KEY, b"new contents")
    assert store.get(KEY) == b"new contents"


def test_put_skip_existing_keeps_the_object(store):
    store.put(KEY, b"first")
    assert store.put(KEY, b"second", skip_existing=True) is False
    assert store.get(KEY) == b"first"


def test_stat_exists_size(store):
    assert store.stat(KEY) is None
    assert store.exists(KEY) is False
    store.put(KEY, b"12345")
    info = store.stat(KEY)
    assert isinstance(info, ObjectInfo)
    assert (info.key, info.size) == (KEY, 5)
    assert store.exists(KEY) is True
    assert store.size(KEY) == 5


def test_empty_object(store):
    store.put(KEY, b"")
    assert store.get(KEY) == b""
    assert store.size(KEY) == 0


def test_missing_object_names_store_and_path(store):
    with pytest.raises(MissingExternalFile) as caught:
        store.get("lab/no/ne/none")
    message = str(caught.value)
    assert store.name in message
    assert store.full_path("lab/no/ne/none") in message
    with pytest.raises(MissingExternalFile):
        store.size("lab/no/ne/none")


def test_missing_object_is_a_datajoint_error(store):
    with pytest.raises(DataJointError):
        store.get("lab/missing")


def test_remove_deletes_and_tolerates_absent_objects(store):
    store.put(KEY, b"x")
    store.remove(KEY)
    assert not store.exists(KEY)
    store.remove(KEY)  # already gone: not an error
    assert not store.exists(KEY)


def test_list_is_recursive_and_relative_to_the_root(store):
    keys = ["lab/aa/bb/one", "lab/aa/cc/two", "other/three", "top"]
    for key in keys:
        store.put(key, key.encode())
    assert sorted(store.list()) == sorted(keys)
    assert sorted(store.list("lab")) == ["lab/aa/bb/one", "lab/aa/cc/two"]
    assert list(store.list("lab/aa/cc")) == ["lab/aa/cc/two"]


def test_list_of_a_missing_folder_is_empty(store):
    assert list(store.list("nothing/here")) == []


def test_put_file_and_get_file(store, tmp_path):
    source = tmp_path / "in" / "picture.dat"
    source.parent.mkdir()
    source.write_bytes(os.urandom(3000))
    assert store.put_file("one/two/three/picture.dat", source) is True
    assert store.get("one/two/three/picture.dat") == source.read_bytes()
    target = tmp_path / "out" / "deep" / "copy.dat"
    assert store.get_file("one/two/three/picture.dat", target) == target
    assert target.read_bytes() == source.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["copy.dat"]  # no temporary left


def test_get_file_overwrites_a_stale_local_copy(store, tmp_path):
    store.put(KEY, b"fresh")
    target = tmp_path / "local"
    target.write_bytes(b"stale and longer")
    store.get_file(KEY, target)
    assert target.read_bytes() == b"fresh"


def test_get_file_of_a_missing_object_writes_nothing(store, tmp_path):
    target = tmp_path / "dl" / "x.dat"
    with pytest.raises(MissingExternalFile):
        store.get_file("lab/missing.dat", target)
    assert not target.exists()
    assert not target.parent.exists() or list(target.parent.iterdir()) == []


def test_put_file_of_a_missing_local_file(store, tmp_path):
    with pytest.raises(DataJointError, match="no such file"):
        store.put_file("x", tmp_path / "absent")


def test_invalid_keys_are_refused(store):
    with pytest.raises(DataJointError, match="Invalid object key"):
        store.put("../escape", b"x")


def test_key_helpers_follow_the_store_subfolding(store):
    assert store.subfolding == (2, 2)
    assert store.blob_key("lab", "4c16e9e15b64474e4b56ba22bb17faae") == KEY
    assert store.attachment_key("lab", "7adeff91af20987f7d122b0c6ec7d1e7", "n.txt") == (
        "lab/7a/de/7adeff91af20987f7d122b0c6ec7d1e7.n.txt"
    )
    assert store.filepath_key("a/b.dat") == "a/b.dat"


# ---- batches -------------------------------------------------------------------------


def test_put_many_get_many_round_trip_in_order(store):
    items = [(f"lab/{i:02x}/{i:04d}", os.urandom(100 + i)) for i in range(60)]
    assert store.put_many(items) == [True] * 60
    assert store.get_many([key for key, _ in items]) == [data for _, data in items]
    assert store.exists_many([items[0][0], "lab/none"]) == [True, False]
    assert [info.size for info in store.stat_many([k for k, _ in items[:3]])] == [100, 101, 102]


def test_put_many_skip_existing_reports_what_was_written(store):
    store.put("a/1", b"kept")
    assert store.put_many([("a/1", b"new"), ("a/2", b"two")], skip_existing=True) == [
        False,
        True,
    ]
    assert store.get("a/1") == b"kept"


def test_get_many_raises_for_a_missing_object(store):
    store.put("a/1", b"x")
    with pytest.raises(MissingExternalFile, match="a/2"):
        store.get_many(["a/1", "a/2", "a/1"])


def test_put_files_and_get_files(store, tmp_path):
    sources = []
    for i in range(5):
        path = tmp_path / f"src{i}.bin"
        path.write_bytes(os.urandom(1000 + i))
        sources.append(path)
    store.put_files([(f"files/{p.name}", p) for p in sources])
    targets = store.get_files([(f"files/{p.name}", tmp_path / "dl" / p.name) for p in sources])
    assert [t.read_bytes() for t in targets] == [p.read_bytes() for p in sources]


def test_remove_many_reports_per_object_results(store):
    store.put_many([("r/1", b"1"), ("r/2", b"2")])
    assert store.remove_many(["r/1", "r/2", "r/absent"]) == [None, None, None]
    assert list(store.list("r")) == []


def test_map_runs_concurrently_but_bounded(store):
    store.max_workers = 4
    lock = threading.Lock()
    running, peak = 0, 0

    def work(item):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return item * 2

    assert store.map(work, range(20)) == [i * 2 for i in range(20)]
    assert peak == 4


def test_map_raises_the_earliest_failure_and_stops_the_rest(store):
    store.max_workers = 2
    started = []

    def work(item):
        started.append(item)
        if item in (3, 5):
            raise ValueError(f"item {item}")
        time.sleep(0.01)
        return item

    with pytest.raises(ValueError, match="item 3"):
        store.map(work, range(200))
    assert len(started) < 200


def test_batch_errors_name_the_row_when_labelled(store):
    store.put("a/1", b"x")
    with pytest.raises(MissingExternalFile) as caught:
        store.get_many(["a/1", "a/2"], labels=["row {'id': 1}", "row {'id': 2}"])
    message = str(caught.value)
    assert store.full_path("a/2") in message
    assert store.name in message
    assert message.endswith("(for row {'id': 2})")
    assert isinstance(caught.value.__cause__, MissingExternalFile)


def test_single_item_batch_errors_are_labelled_too(store):
    with pytest.raises(MissingExternalFile, match=r"\(for key 7\)$"):
        store.get_many(["a/none"], labels=["key 7"])


def test_labels_must_match_items(store):
    with pytest.raises(ValueError, match="2 labels for 1 items"):
        store.get_many(["a"], labels=["x", "y"])
