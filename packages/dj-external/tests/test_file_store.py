"""What is particular to the `file` protocol: atomic writes, permissions, the location."""

from __future__ import annotations

import os
import threading

import pytest
from dj_blob.errors import DataJointError
from dj_core.settings import Config
from dj_external.errors import StoreLocationError
from dj_external.storage import FileStore, open_store, store_from_config
from dj_external.storage.file import TEMP_PREFIX


@pytest.fixture
def store(tmp_path):
    return FileStore("raw", tmp_path, subfolding=(1, 1))


def test_objects_are_plain_files_under_location(store, tmp_path):
    key = store.blob_key("djtest_extern", "4c16e9e15b64474e4b56ba22bb17faae")
    store.put(key, b"packed")
    path = tmp_path / "djtest_extern/4/c/4c16e9e15b64474e4b56ba22bb17faae"
    assert path.read_bytes() == b"packed"
    assert store.full_path(key) == path.as_posix()


def test_missing_location_is_a_datajoint_error_and_a_file_not_found(tmp_path):
    with pytest.raises(StoreLocationError, match=r"Inaccessible local directory .*absent.*'raw'"):
        FileStore("raw", tmp_path / "absent")
    with pytest.raises(FileNotFoundError):
        FileStore("raw", tmp_path / "absent")
    with pytest.raises(DataJointError):
        FileStore("raw", tmp_path / "absent")


def test_location_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(StoreLocationError):
        FileStore("raw", tmp_path / "plain")


def test_relative_location_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rel").mkdir()
    store = FileStore("raw", "rel")
    store.put("a/b", b"x")
    assert (tmp_path / "rel/a/b").read_bytes() == b"x"


def test_files_get_the_usual_permissions(store, tmp_path):
    old = os.umask(0o022)
    try:
        store.put("a/blob", b"x")
        source = tmp_path / "source"
        source.write_bytes(b"y")
        store.put_file("a/file", source)
    finally:
        os.umask(old)
    assert (tmp_path / "a/blob").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "a/file").stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_neither_object_nor_temporary(store, tmp_path):
    class Interrupted(Exception):
        pass

    def half_then_crash(file):
        file.write(b"partial")
        raise Interrupted

    target = tmp_path / "x" / "object"
    with pytest.raises(Interrupted):
        store._write_atomically(target, half_then_crash)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_readers_never_see_a_partial_object(store):
    first, second = b"A" * 2_000_000, b"B" * 3_000_000
    store.put("obj", first)
    stop = threading.Event()
    seen = set()

    def reader():
        while not stop.is_set():
            data = store.get("obj")
            seen.add((len(data), data[:1], data[-1:]))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(20):
            store.put("obj", second if i % 2 == 0 else first)
    finally:
        stop.set()
        thread.join()
    assert seen <= {(2_000_000, b"A", b"A"), (3_000_000, b"B", b"B")}
    assert seen


def test_list_ignores_leftover_temporaries(store, tmp_path):
    store.put("a/real", b"x")
    (tmp_path / "a" / f"{TEMP_PREFIX}0123").write_bytes(b"debris")
    assert list(store.list()) == ["a/real"]


def test_put_file_onto_itself_is_a_no_op(tmp_path):
    """A stage that is the store's own location: the file is already in place."""
    store = FileStore("share", tmp_path)
    path = tmp_path / "one" / "picture.dat"
    path.parent.mkdir()
    path.write_bytes(b"pixels")
    assert store.put_file("one/picture.dat", path) is False
    assert path.read_bytes() == b"pixels"
    assert store.get_file("one/picture.dat", path) == path
    assert path.read_bytes() == b"pixels"


def test_put_file_replaces_a_different_file(store, tmp_path):
    store.put("one/p.dat", b"old")
    source = tmp_path / "p.dat"
    source.write_bytes(b"new")
    assert store.put_file("one/p.dat", source) is True
    assert store.get("one/p.dat") == b"new"


def test_open_store_from_a_validated_config(tmp_path):
    config = Config.independent()
    config["stores"] = {"raw": {"protocol": "file", "location": str(tmp_path)}}
    store = store_from_config(config, "raw")
    assert isinstance(store, FileStore)
    assert store.subfolding == (2, 2)  # written into the spec by get_store_spec
    assert config["stores"]["raw"]["subfolding"] == (2, 2)


def test_subfolding_from_a_json_round_trip_and_none(tmp_path):
    spec = {"protocol": "file", "location": str(tmp_path), "subfolding": [1, 3]}
    assert open_store("raw", spec).blob_key("s", "0123456789abcdef0123456789abcdef") == (
        "s/0/123/0123456789abcdef0123456789abcdef"
    )
    spec["subfolding"] = None
    assert open_store("raw", spec).subfolding == ()


def test_unconfigured_store_is_reported_by_the_config():
    with pytest.raises(DataJointError, match="Storage nowhere is requested but not configured"):
        store_from_config(Config.independent(), "nowhere")


def test_unknown_protocol_is_refused(tmp_path):
    with pytest.raises(DataJointError, match="Unknown protocol 'ftp'"):
        open_store("raw", {"protocol": "ftp", "location": str(tmp_path)})


def test_repr_names_store_protocol_and_location(store, tmp_path):
    assert repr(store) == f"<FileStore 'raw' file:{tmp_path}>"


def test_shared_store_is_one_object_per_spec(tmp_path):
    from dj_external.storage import clear_shared_stores, shared_store

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    spec = {"protocol": "file", "location": str(tmp_path / "a"), "subfolding": [2, 2]}
    first = shared_store("raw", spec)
    assert shared_store("raw", dict(spec)) is first
    assert shared_store("raw", {**spec, "subfolding": (2, 2)}) is first
    assert shared_store("raw", {**spec, "location": str(tmp_path / "b")}) is not first
    assert shared_store("raw", spec, max_workers=2) is not first
    clear_shared_stores()
    assert shared_store("raw", spec) is not first


def test_a_killed_writer_leaves_no_partial_object(tmp_path):
    """SIGKILL a process in the middle of writing an object: the object does not appear."""
    import signal
    import subprocess
    import sys
    import textwrap
    import time

    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from dj_external.storage import FileStore
        store = FileStore("raw", {str(tmp_path)!r})

        def fill(file):
            file.write(b"x" * 1_000_000)
            file.flush()
            print("half", flush=True)
            time.sleep(60)

        store._write_atomically(Path({str(tmp_path)!r}) / "lab" / "object", fill)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "half"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    time.sleep(0.05)
    leftovers = os.listdir(tmp_path / "lab")
    assert not (tmp_path / "lab" / "object").exists()
    assert len(leftovers) == 1 and leftovers[0].startswith(TEMP_PREFIX)
    assert list(FileStore("raw", tmp_path).list()) == []
