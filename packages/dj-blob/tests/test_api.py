"""The public surface: switches read at call time, the python-native option, column helpers,
blob files and the command line, and a light import."""

from __future__ import annotations

import subprocess
import sys

import dj_blob
import numpy as np
import pytest
from dj_blob import BlobError, codec
from dj_blob_test_helpers import deep_equal


def test_all_names_exist_and_codec_module_holds_the_switches():
    for name in dj_blob.__all__:
        assert hasattr(dj_blob, name), name
    for name in (
        "pack",
        "unpack",
        "MatCell",
        "MatStruct",
        "use_32bit_dims",
        "bypass_serialization",
    ):
        assert hasattr(codec, name), name
    assert dj_blob.pack is codec.pack and dj_blob.MatStruct is codec.MatStruct
    assert issubclass(dj_blob.MatStruct, np.recarray) and issubclass(dj_blob.MatCell, np.ndarray)


def test_public_names():
    assert set(dj_blob.__all__) == {
        "BlobError", "DataJointError", "MatCell", "MatStruct", "__version__", "compress_blob",
        "load", "pack", "pack_many", "save", "set_option_source", "unpack", "unpack_many",
    }  # fmt: skip
    assert dj_blob.BlobError.__mro__[1:3] == (dj_blob.DataJointError, ValueError)


def test_unpack_none():
    assert dj_blob.unpack(None) is None


def test_bypass_serialization_is_read_at_call_time():
    blob = dj_blob.pack([1, 2])
    codec.bypass_serialization = True
    assert dj_blob.unpack(blob) is blob
    assert dj_blob.pack(blob) is blob
    with pytest.raises(BlobError):
        dj_blob.pack([1, 2])
    codec.bypass_serialization = False
    assert dj_blob.unpack(blob) == [1, 2]


def test_native_blobs_switch_and_option_source():
    assert dj_blob.pack(1).startswith(b"dj0")
    with pytest.raises(BlobError, match="dj0"):
        dj_blob.pack(1, enable_python_native_blobs=False)
    options = {"enable_python_native_blobs": False}
    dj_blob.set_option_source(options.get)
    with pytest.raises(BlobError, match="an int needs"):
        dj_blob.pack(1)
    for value in (
        np.float64(1),
        np.array(2.0),
        np.array(["a"]),
        [np.zeros(2)],
        np.zeros(2, "M8[D]"),
    ):
        with pytest.raises(BlobError, match="dj0"):
            dj_blob.pack(value)
    # explicit argument wins, MATLAB-compatible values pass
    assert dj_blob.pack(1, enable_python_native_blobs=True).startswith(b"dj0")
    assert dj_blob.pack(np.zeros((2, 2))).startswith(b"mYm")
    assert dj_blob.pack(np.array(b"a")).startswith(b"mYm")
    cell = np.empty(2, dtype=object)
    cell[:] = [np.zeros(2), np.ones(3)]
    assert dj_blob.pack(cell.view(dj_blob.MatCell)).startswith(b"mYm")
    options["enable_python_native_blobs"] = True  # the live value is read at every call
    assert dj_blob.pack(1).startswith(b"dj0")
    options.clear()  # None means "not set": enabled
    assert dj_blob.pack(1).startswith(b"dj0")
    dj_blob.set_option_source(None)
    assert dj_blob.unpack(dj_blob.pack(1)) == 1


def test_column_helpers():
    values = [np.arange(3.0), None, {"a": 1}, "x" * 5000]
    blobs = dj_blob.pack_many(values)
    assert blobs[1] is None
    assert blobs == [None if v is None else dj_blob.pack(v) for v in values]
    got = dj_blob.unpack_many(blobs)
    deep_equal(values, got)
    assert dj_blob.unpack_many([dj_blob.pack(np.array([[5.0]]))], squeeze=True) == [5.0]


def test_unpack_accepts_bytes_like():
    blob = dj_blob.pack(np.arange(4))
    for data in (bytearray(blob), memoryview(blob)):
        assert dj_blob.unpack(data).tolist() == [0, 1, 2, 3]


def test_unsupported_values():
    for value in (object(), (i for i in range(2)), np.zeros(2, "f2"), np.zeros(2, ">i4"),
                  np.zeros(1, [("a", int)])[0], 2 ** (8 * 65535), "\ud800"):  # fmt: skip
        with pytest.raises(BlobError):
            dj_blob.pack(value)


def test_incompressible_large_blob_is_stored_raw_without_full_deflate(monkeypatch):
    data = np.random.default_rng(0).bytes(3 * 2**20)
    calls = []
    real = codec.zlib.compress

    def spy(buf, *args):
        calls.append(len(buf))
        return real(buf, *args)

    monkeypatch.setattr(codec.zlib, "compress", spy)
    blob = dj_blob.pack(data)
    assert blob[:4] == b"dj0\0" and dj_blob.unpack(blob) == data
    assert max(calls) == codec.PROBE_WINDOW  # only the probe's windows were deflated
    assert sum(calls) == 4096 + codec.PROBE_WINDOWS * codec.PROBE_WINDOW
    calls.clear()
    compressible = data[: 2**20] + bytes(2 * 2**20)
    assert dj_blob.pack(compressible).startswith(b"ZL123\0")
    assert max(calls) > 3 * 2**20


def test_save_load_and_show(tmp_path):
    struct = np.empty((1, 2), dtype=[("name", object), ("trace", object)])
    struct[0, 0] = (np.frombuffer(b"alpha", "S1").reshape(1, -1), np.arange(6.0).reshape(2, 3))
    struct[0, 1] = (np.frombuffer(b"beta", "S1").reshape(1, -1), np.zeros((1, 0)))
    value = struct.view(dj_blob.MatStruct)
    path = tmp_path / "session.blob"
    size = dj_blob.save(path, value, protocol="mYm")
    data = path.read_bytes()
    assert len(data) == size and data == dj_blob.pack(value) and data.startswith(b"mYm\0")
    got = dj_blob.load(path)
    assert got[0, 0]["name"].tolist() == ["alpha"] and got[0, 1]["trace"].shape == (1, 0)

    with pytest.raises(BlobError, match=r"cannot save .* as mYm: a dict needs"):
        dj_blob.save(tmp_path / "x.blob", {"a": 1}, protocol="mYm")
    assert not (tmp_path / "x.blob").exists()
    dj_blob.save(tmp_path / "y.blob", {"a": 1})
    assert dj_blob.load(tmp_path / "y.blob") == {"a": 1}

    out = subprocess.run(
        [sys.executable, "-m", "dj_blob", "show", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "protocol mYm" in out and "MatStruct 1x2, fields: name, trace" in out
    assert "ndarray float64 2x3, 48 bytes" in out and "0.0" not in out

    (tmp_path / "bad.blob").write_bytes(b"mYm\0Z")
    bad = subprocess.run(
        [sys.executable, "-m", "dj_blob", "show", str(tmp_path / "bad.blob")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "byte 4" in bad.stderr


def test_import_is_light():
    code = (
        "import sys; before = set(sys.modules); import dj_blob; "
        "new = set(sys.modules) - before; "
        "print('\\n'.join(sorted(m for m in new if m.split('.')[0] not in sys.stdlib_module_names)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    third_party = {m.split(".")[0] for m in out.split()}
    assert third_party <= {"numpy", "dj_blob"}, third_party
    heavy = {
        m
        for m in out.split()
        if m == "numpy.ma"
        or m.startswith(("numpy.ma.", "numpy.testing", "numpy.polynomial", "numpy.random"))
    }
    assert not heavy, heavy


def test_inflate_cache_returns_fresh_values_and_stays_bounded():
    from dj_blob import _decode

    codec.clear_inflate_cache()
    value = [{"a": i} for i in range(200)]
    blob = dj_blob.pack(value)
    assert blob.startswith(b"ZL123\0") and _decode._inflated  # remembered when packed
    first = dj_blob.unpack(blob)
    first[0]["a"] = "changed"
    assert dj_blob.unpack(bytes(blob)) == value  # values are decoded anew every time
    with pytest.raises(BlobError, match="exceeds the limit"):
        dj_blob.unpack(blob, max_size=100)  # the size limit holds for cached blobs too
    with pytest.raises(BlobError):
        dj_blob.unpack(blob, use_32bit_dims=True)  # a different reading, not the cached one

    codec.inflate_cache_size = 50_000
    for i in range(50):
        dj_blob.unpack(dj_blob.pack([i] * 300))
    assert 0 < _decode._inflated_total <= 50_000
    assert _decode._inflated_total == sum(len(raw) for raw in _decode._inflated.values())

    codec.clear_inflate_cache()
    codec.inflate_cache_size = 0
    assert dj_blob.unpack(dj_blob.pack(value)) == value
    assert not _decode._inflated


def test_datetime64_arrays_decode_far_faster_than_object_arrays_of_datetimes():
    """DataJoint 0.14's own test asks for 900x; this checks the work, not the clock: the
    datetime64 blob, read back, takes no per-element Python objects at all."""
    from datetime import datetime

    arr = np.array([np.datetime64("2022-10-13 03:03:13") for _ in range(10_000)])
    got = dj_blob.unpack(dj_blob.pack(arr))
    assert got.dtype == arr.dtype and not got.flags.owndata  # a view on the blob's bytes
    objects = dj_blob.unpack(dj_blob.pack(np.array([datetime(2022, 10, 13, 3, 3, 13)] * 10)))
    assert objects.dtype == object
