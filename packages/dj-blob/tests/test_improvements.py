"""Where DataJoint 0.14 fails, corrupts or is not reproducible, dj-blob does better (README).

The blobs here are built by hand from the byte layout in the spec, the way DataJoint for
MATLAB writes them.
"""

from __future__ import annotations

import os
import subprocess
import sys

import dj_blob
import numpy as np
import pytest
from dj_blob import MatCell
from dj_blob_test_helpers import (
    DJ0,
    MYM,
    array_item,
    cell_item,
    char_item,
    deep_equal,
    double_item,
    framed,
    load_vectors,
    u32,
    u64,
)

VECTORS = {v["name"]: v for v in load_vectors()}


def obj_array(values, shape=None):
    arr = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        arr[i] = v
    return arr if shape is None else arr.reshape(shape, order="F")


# -- MATLAB cells of arrays of different shapes, and of empties ----------------------------


def test_cell_of_arrays_of_different_shapes():
    # MATLAB: {[1 2 3], [], 'ab'; magic(2)', 7, {}}  (a 2x3 cell)
    items = [
        double_item([1, 2, 3], (1, 3)),
        double_item([1, 4, 3, 2], (2, 2)),
        double_item([], (0, 0)),
        double_item([7], (1, 1)),
        char_item(["ab"]),
        cell_item((0, 0), []),
    ]
    got = dj_blob.unpack(MYM + cell_item((2, 3), items))
    want = obj_array(
        [
            np.array([[1.0, 2.0, 3.0]]),
            np.array([[1.0, 3.0], [4.0, 2.0]]),
            np.zeros((0, 0)),
            np.array([[7.0]]),
            np.array(["ab"]),
            np.zeros((0, 0)).view(MatCell),
        ],
        (2, 3),
    ).view(MatCell)
    deep_equal(want, got)


def test_cell_of_empties():
    got = dj_blob.unpack(MYM + cell_item((1, 2), [double_item([], (0, 0))] * 2))
    deep_equal(obj_array([np.zeros((0, 0)), np.zeros((0, 0))], (1, 2)).view(MatCell), got)


def test_cell_holding_one_vector():
    got = dj_blob.unpack(MYM + cell_item((1, 1), [double_item([1, 2], (1, 2))]))
    deep_equal(obj_array([np.array([[1.0, 2.0]])], (1, 1)).view(MatCell), got)


@pytest.mark.parametrize("name", ["cell_ragged_pack_only", "cell_1x1_vector_pack_only"])
def test_pack_only_cell_vectors_now_decode(name):
    v = VECTORS[name]
    ns_value = eval(v["value"], __import__("dj_blob_test_helpers").vector_namespace())
    got = dj_blob.unpack(bytes.fromhex(v["blob_hex"]))
    deep_equal(ns_value.view(np.ndarray).view(MatCell), got)
    assert dj_blob.pack(got) == bytes.fromhex(v["blob_hex"])


def test_cell_of_mixed_strings_and_numbers_keeps_each_element():
    got = dj_blob.unpack(dj_blob.pack(obj_array(["abc", 5]).view(MatCell)))
    deep_equal(obj_array(["abc", 5]).view(MatCell), got)


def test_cell_of_strings_squeezed():
    blob = MYM + cell_item((1, 2), [char_item(["ab"]), char_item(["cde"])])
    deep_equal(np.array(["ab", "cde"]).view(MatCell), dj_blob.unpack(blob, squeeze=True))


# -- MATLAB char arrays: non-ASCII, several rows -------------------------------------------


def test_multirow_non_ascii_char():
    got = dj_blob.unpack(MYM + char_item(["Łód", "żąć"]))
    deep_equal(np.array([["Ł", "ó", "d"], ["ż", "ą", "ć"]]), got)


def test_non_ascii_string_row_and_surrogate_pairs():
    text = "Grüße, Łódź, 日本 😀"
    blob = MYM + char_item([text])
    deep_equal(np.array([text]), dj_blob.unpack(blob))
    assert dj_blob.unpack(blob, squeeze=True) == text


def test_char_keeps_embedded_and_trailing_nul_when_squeezed():
    blob = MYM + char_item(["a\0b\0"])
    assert dj_blob.unpack(blob, squeeze=True) == "a\0b\0"
    assert dj_blob.unpack(blob)[0] == "a\0b"  # numpy strips trailing NULs of its strings


def test_multirow_char_array_packs_column_major():
    arr = np.array([[b"a", b"b", b"c"], [b"d", b"e", b"f"]])
    blob = dj_blob.pack(arr)
    assert blob == MYM + char_item(["abc", "def"])
    deep_equal(np.array([["a", "b", "c"], ["d", "e", "f"]]), dj_blob.unpack(blob))


def test_high_latin1_bytes_decode():
    arr = np.frombuffer("café".encode("latin-1"), dtype="S1").reshape(1, -1)
    assert dj_blob.unpack(dj_blob.pack(arr), squeeze=True) == "café"


# -- record arrays survive squeeze --------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        np.array([(1.0, 2), (3.0, 4)], dtype=[("x", float), ("y", int)]),
        np.array([[(1.0, 2)], [(3.0, 4)]], dtype=[("x", float), ("y", int)]),
        np.array([(1.0, 2)], dtype=[("x", float), ("y", int)]),
        np.array((1, 2.5), dtype=[("a", "i4"), ("b", "f8")]),
        np.array([(1, "xy"), (2, "z")], dtype=[("n", "i2"), ("s", "U2")]),
    ],
)
def test_recarray_squeeze(value):
    got = dj_blob.unpack(dj_blob.pack(value), squeeze=True)
    assert type(got) is np.recarray
    assert got.shape == value.squeeze().shape
    for name in value.dtype.names:
        assert list(np.asarray(got[name]).ravel()) == list(np.asarray(value[name]).ravel())


def test_recarray_with_subarray_field_round_trips():
    value = np.zeros(2, dtype=[("x", "<f8", (3,)), ("n", "<i4")])
    value["x"] = [[1, 2, 3], [4, 5, 6]]
    value["n"] = [7, 8]
    got = dj_blob.unpack(dj_blob.pack(value))
    deep_equal(value.view(np.recarray), got)


def test_object_array_of_equal_length_sequences():
    value = obj_array([(1, 2), (3, 4)])
    deep_equal(value, dj_blob.unpack(dj_blob.pack(value)))
    value = obj_array([[5]])
    deep_equal(value, dj_blob.unpack(dj_blob.pack(value)))


# -- sets: the same bytes in every process ------------------------------------------------


SET_SCRIPT = (
    "import dj_blob, datetime, uuid; "
    "print(dj_blob.pack({'alpha', 'beta', 'gamma', 'delta', b'x', ('t', 1), "
    "frozenset({'p', 'q'}), datetime.date(2020, 1, 1), None}, compress=False).hex())"
)


def test_set_of_strings_packs_identically_in_every_process():
    outputs = set()
    for seed in ("1", "2", "3", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", SET_SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(out.stdout.strip())
    assert len(outputs) == 1


def test_set_order_is_sorted_encoded_elements():
    blob = dj_blob.pack({"b", "a", "c"}, compress=False)
    items = [framed(b"\x05" + u64(1) + c.encode()) for c in "abc"]
    assert blob == DJ0 + b"\x03" + u64(3) + b"".join(items)
    assert dj_blob.unpack(blob) == {"a", "b", "c"}


def test_set_of_numbers_keeps_iteration_order():
    s = {8, 1}
    blob = dj_blob.pack(s, compress=False)
    items = b"".join(framed(b"\x0a" + b"\x01\x00" + bytes([v])) for v in s)
    assert list(s) == [8, 1]
    assert blob == DJ0 + b"\x03" + u64(2) + items


# -- clear errors where upstream leaks other exceptions --------------------------------------


def test_frozenset_key_decodes_to_unhashable_set_clear_error():
    blob = dj_blob.pack({frozenset({1}): 2})
    with pytest.raises(dj_blob.BlobError, match="hashable"):
        dj_blob.unpack(blob)


def test_imaginary_signed_zero_kept():
    got = dj_blob.unpack(dj_blob.pack(np.array([complex(1.0, -0.0)])))
    assert np.signbit(got.imag[0])


def test_struct_without_fields_and_unknown_tag():
    blob = MYM + b"S" + u64(2) + u64(1) + u64(1) + u32(0)
    assert dj_blob.unpack(blob).shape == ()
    with pytest.raises(dj_blob.BlobError, match="protocol tag"):
        dj_blob.unpack(b"xyz\0\xff")
    with pytest.raises(dj_blob.BlobError, match="empty"):
        dj_blob.unpack(b"")


def test_complex_logical_and_integer_arrays_decode_as_complex128():
    payload = np.array([1, 0], "u1").tobytes() + np.array([0, 1], "u1").tobytes()
    got = dj_blob.unpack(MYM + array_item((1, 2), 3, payload, is_complex=1))
    deep_equal(np.array([[1 + 0j, 1j]]), got)
