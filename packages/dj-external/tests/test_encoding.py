"""Attachment bytes and the hashes of external values (test vectors of 0.14's values)."""

from __future__ import annotations

from uuid import UUID

import pytest
from dj_blob.errors import DataJointError
from dj_external import encoding


def test_empty_buffer_hash():
    assert encoding.blob_hash(b"").hex == "d41d8cd98f00b204e9800998ecf8427e"


def test_attachment_hash_vector(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world\n")
    assert encoding.attachment_hash(path).hex == "7adeff91af20987f7d122b0c6ec7d1e7"


def test_attachment_hash_is_md5_of_the_in_row_value(tmp_path):
    path = tmp_path / "scan.img"
    path.write_bytes(bytes(range(256)) * 10)
    value = encoding.encode_attachment(path)
    assert encoding.attachment_hash(path) == encoding.blob_hash(value)


def test_filepath_hash_vector():
    assert encoding.filepath_hash("one/two/three/picture.dat") == UUID(
        "573bf0e18c39d2f11800f23d74fda628"
    )


def test_contents_hash_is_md5_of_the_bytes(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"")
    assert encoding.contents_hash(path).hex == "d41d8cd98f00b204e9800998ecf8427e"


def test_attachment_bytes_round_trip(tmp_path):
    path = tmp_path / "archive.tar.gz"
    path.write_bytes(b"\x00\x01binary\x00data")
    value = encoding.encode_attachment(path)
    assert value == b"archive.tar.gz\x00\x00\x01binary\x00data"
    assert encoding.decode_attachment(value) == ("archive.tar.gz", b"\x00\x01binary\x00data")


def test_attachment_name_is_utf8(tmp_path):
    path = tmp_path / "données.txt"
    path.write_bytes(b"x")
    value = encoding.encode_attachment(path)
    assert value.startswith("données.txt".encode() + b"\0")
    assert encoding.decode_attachment(value)[0] == "données.txt"


def test_decode_refuses_a_value_without_separator():
    with pytest.raises(DataJointError, match="zero byte"):
        encoding.decode_attachment(b"no separator")


def test_attachment_name_refuses_paths_without_a_file_name():
    with pytest.raises(DataJointError, match="names no file"):
        encoding.attachment_name("/")


def test_external_blob_hash_vectors():
    """The hash is over dj-blob's packed bytes, byte-identical with 0.14."""
    import numpy as np

    list_blob = encoding.pack_external_blob([1, 2, 3])
    assert len(list_blob) == 49
    assert encoding.blob_hash(list_blob).hex == "4c16e9e15b64474e4b56ba22bb17faae"
    array_blob = encoding.pack_external_blob(np.array([1, 2, 3]))
    assert len(array_blob) == 53
    assert encoding.blob_hash(array_blob).hex == "ea5894dc3a465ebe4bbde80ebf08b161"


def test_external_blob_round_trip():
    import numpy as np

    value = {"trace": np.linspace(0, 1, 1000), "label": "cell 7"}
    back = encoding.unpack_external_blob(encoding.pack_external_blob(value))
    assert back["label"] == "cell 7"
    assert np.array_equal(back["trace"], value["trace"])
