"""Untrusted bytes: every length is checked before anything is read or allocated, and every
malformed blob raises BlobError naming the byte offset and the problem."""

from __future__ import annotations

import struct
import zlib

import dj_blob
import pytest
from dj_blob import BlobError, DataJointError
from dj_blob_test_helpers import DJ0, MYM, array_item, dims, double_item, framed, u32, u64

HUGE = 2**62


def fails(blob: bytes, match: str | None = None, **kwargs) -> BlobError:
    with pytest.raises(BlobError, match=match) as info:
        dj_blob.unpack(blob, **kwargs)
    assert "byte" in str(info.value) or "empty" in str(info.value)
    return info.value


def test_blob_error_is_a_datajoint_error_and_a_value_error():
    err = fails(MYM + b"Z")
    assert isinstance(err, DataJointError)
    assert isinstance(err, ValueError)
    assert "byte 4" in str(err)


@pytest.mark.parametrize(
    "blob, match",
    [
        (MYM + b"A" + u64(HUGE), "dimensions"),
        (MYM + b"A" + u64(2) + u64(2**32) + u64(2**32) + u32(6) + u32(0), "needs"),
        (MYM + b"A" + u64(2) + u64(2**63) + u64(4) + u32(6) + u32(0), "needs"),
        (MYM + b"A" + u64(1) + u64(HUGE) + u32(5) + u32(0), "object array"),
        (MYM + b"A" + u64(1) + u64(3) + u32(4) + u32(0) + b"a\0", "char"),
        (MYM + b"A" + u64(1) + u64(1) + u32(16) + u32(0) + u64(0), "class id 16"),
        (MYM + b"A" + u64(1) + u64(1) + u32(0) + u32(0) + u64(0), "class id 0"),
        (MYM + b"A" + u64(1) + u64(1) + u32(99) + u32(0) + u64(0), "class id 99"),
        (MYM + b"A" + u64(1) + u64(1) + u32(6), "class id"),
        (MYM + b"A" + u64(2) + u64(0) + u64(2**64 - 1) + u32(6) + u32(0), "shape"),
        (
            MYM + b"A" + u64(65) + b"".join(u64(1) for _ in range(65)) + u32(6) + u32(0) + u64(0),
            "shape",
        ),
        (MYM + b"C" + u64(1) + u64(HUGE), "cell"),
        (MYM + b"S" + u64(1) + u64(HUGE) + u32(1) + b"a\0", "struct"),
        (MYM + b"S" + u64(1) + u64(1) + u32(2**31) + b"a\0", "field names"),
        (MYM + b"S" + u64(1) + u64(1) + u32(1) + b"abc", "NUL"),
        (
            MYM
            + b"S"
            + u64(1)
            + u64(1)
            + u32(2)
            + b"a\0a\0"
            + framed(double_item([1], (1, 1))) * 2,
            "duplicate",
        ),
        (
            MYM + b"S" + u64(1) + u64(1) + u32(1) + b"\xff\0" + framed(double_item([1], (1, 1))),
            "UTF-8",
        ),
        (DJ0 + b"\x02" + u64(HUGE), "list length"),
        (DJ0 + b"\x04" + u64(2**61), "dict size"),
        (DJ0 + b"\x05" + u64(HUGE) + b"abc", "str"),
        (DJ0 + b"\x05" + u64(2) + b"\xc3\x28", "UTF-8"),
        (DJ0 + b"\x06" + u64(5) + b"abc", "bytes"),
        (DJ0 + b"\x0a" + struct.pack("<H", 65535) + b"\1", "int"),
        (DJ0 + b"d" + u64(3) + b"1x2", "Decimal"),
        (DJ0 + b"t" + struct.pack("<iq", 20211332, -1), "date/time"),
        (DJ0 + b"t" + struct.pack("<iq", -1, 25 * 10**10), "date/time"),
        (DJ0 + b"u" + b"\0" * 15, "UUID"),
        (DJ0 + b"F" + u32(1) + b"x\0" + b"\x05" + u64(0), "array item"),
        (
            DJ0
            + b"F"
            + u32(2)
            + b"x\0y\0"
            + double_item([1, 2], (2,))
            + double_item([1, 2, 3], (3,)),
            "shape",
        ),
        (DJ0 + b"\x02" + u64(1) + u64(100) + b"\xff", "overruns"),
        (DJ0 + b"\x02" + u64(1) + u64(2) + b"\xff\xff", "declared 2 bytes"),
        (MYM + b"P" + u64(0), "sparse"),
        (DJ0 + b"\xff\xff", "follow the end"),
        (b"mYm", "protocol tag"),
        (b"ZL123\0" + u64(10), "truncated"),
        (b"ZL123\0" + u64(10) + b"not zlib at all", "zlib"),
    ],
)
def test_malformed(blob, match):
    fails(blob, match)


def test_nesting_depth_is_bounded():
    depth = 100_000
    blob = bytearray(DJ0)
    for level in range(depth):
        remaining = depth - level - 1
        blob += b"\x02" + u64(1) + u64(17 * remaining + 9)
    blob += b"\x02" + u64(0)
    fails(bytes(blob), "nested")


def test_deep_nesting_within_the_limit_decodes():
    value: list = []
    for _ in range(200):
        value = [value]
    assert dj_blob.unpack(dj_blob.pack(value)) == value


def test_packing_a_self_containing_list_fails_cleanly():
    a: list = []
    a.append(a)
    with pytest.raises(BlobError, match="nested"):
        dj_blob.pack(a)


def test_declared_size_above_the_limit_is_refused_before_inflating():
    bomb = b"ZL123\0" + u64(2**40) + zlib.compress(b"\0" * 1000)
    fails(bomb, "exceeds the limit")


def test_inflation_is_bounded_by_the_declared_size():
    # a real bomb: 100 MB of zeros in ~100 KB, declaring 10 bytes
    inner = MYM + array_item((1, 100_000_000), 9, b"")
    stream = zlib.compressobj()
    z = stream.compress(inner) + stream.compress(b"\0" * 100_000_000) + stream.flush()
    fails(b"ZL123\0" + u64(10) + z, "more than the declared")


def test_configurable_limit():
    blob = dj_blob.pack(bytes(5000))
    assert blob.startswith(b"ZL123\0")
    fails(blob, "exceeds the limit", max_size=4000)
    dj_blob.codec.max_unpacked_size = 4000
    fails(blob, "exceeds the limit")
    dj_blob.codec.max_unpacked_size = 2**32
    assert dj_blob.unpack(blob) == bytes(5000)


def test_bytes_after_the_zlib_stream_are_rejected():
    blob = dj_blob.pack(bytes(5000))
    fails(blob + b"junk", "follow the end of the zlib stream")


def test_declared_size_must_match():
    blob = dj_blob.pack(bytes(5000))
    size = struct.unpack("<Q", blob[6:14])[0]
    fails(blob[:6] + u64(size + 1) + blob[14:], "truncated|declared")
    fails(blob[:6] + u64(size - 1) + blob[14:], "more than the declared")


def test_bool_bytes_other_than_0_and_1_become_true():
    got = dj_blob.unpack(MYM + array_item((1, 3), 3, b"\x00\x02\xff"))
    assert got.dtype == bool and got.tolist() == [[False, True, True]]


def test_32bit_sizes():
    blob = MYM + b"A" + u32(2) + u32(1) + u32(2) + u32(6) + u32(0) + struct.pack("<2d", 1, 2)
    assert dj_blob.unpack(blob, use_32bit_dims=True).tolist() == [[1.0, 2.0]]
    fails(blob)
    dj_blob.codec.use_32bit_dims = True
    assert dj_blob.unpack(blob).tolist() == [[1.0, 2.0]]
    fails(MYM + b"C" + u32(1) + u32(2**31))


def test_decoded_arrays_do_not_alias_mutable_input():
    blob = bytearray(dj_blob.pack(dims((1,)) and __import__("numpy").arange(3.0)))
    got = dj_blob.unpack(blob)
    blob[-8:] = b"\0" * 8
    assert got.tolist() == [0.0, 1.0, 2.0]


def test_non_bytes_input():
    with pytest.raises(BlobError, match="blobs are bytes"):
        dj_blob.unpack("mYm\0")


@pytest.mark.parametrize("flush", [zlib.Z_SYNC_FLUSH, zlib.Z_FULL_FLUSH, None])
@pytest.mark.parametrize("level", [1, 9])
def test_any_valid_zlib_stream_is_accepted(flush, level):
    raw = dj_blob.pack(list(range(300)), compress=False)
    c = zlib.compressobj(level)
    z = c.compress(raw[:100]) + (c.flush(flush) if flush is not None else b"")
    z += c.compress(raw[100:]) + (c.flush(flush) if flush is not None else b"") + c.flush()
    assert dj_blob.unpack(b"ZL123\0" + u64(len(raw)) + z) == list(range(300))


def test_declared_size_zero_is_not_unbounded():
    # zlib's max_length=0 means "no limit": a declared size of 0 must not get there
    z = zlib.compress(b"\0" * 10_000_000)
    fails(b"ZL123\0" + u64(0) + z, "too small")
    fails(b"ZL123\0" + u64(4) + z, "too small|more than the declared")
