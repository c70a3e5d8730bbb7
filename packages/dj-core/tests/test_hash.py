"""Hashes: bit-exact with DataJoint 0.14."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from dj_core.hash import key_hash, uuid_from_buffer, uuid_from_file, uuid_from_stream


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ({"a": 1, "b": 2}, "c20ad4d76fe97759aa27a0c99bff6710"),
        ({"x": "1", "y": 2}, "c20ad4d76fe97759aa27a0c99bff6710"),
        ({"b": 2, "a": 1}, "c20ad4d76fe97759aa27a0c99bff6710"),
        ({"id": 2}, "c81e728d9d4c2f636f067f89cc14862c"),
        ({"subject_id": 7, "session_date": date(2024, 5, 1)}, "3a6b46620ada0eed1e644d9b7badf780"),
        ({"t": datetime(2024, 5, 1, 13, 45), "x": 0.1}, "0e793882251a714b80e842dfde4c098d"),
        ({"id": Decimal("1.500"), "u": uuid.UUID(int=1)}, "84a51a012c847f8ec335132ee183fe9c"),
    ],
)
def test_key_hash_vectors(mapping, expected):
    assert key_hash(mapping) == expected


@pytest.mark.parametrize(
    ("buffer", "init_string", "expected"),
    [
        (b"", "", "d41d8cd98f00b204e9800998ecf8427e"),
        (b"hello world\n", "notes.txt\0", "7adeff91af20987f7d122b0c6ec7d1e7"),
        (b"", "one/two/three/picture.dat", "573bf0e18c39d2f11800f23d74fda628"),
    ],
)
def test_uuid_vectors(buffer, init_string, expected, tmp_path):
    assert uuid_from_buffer(buffer, init_string=init_string).hex == expected
    assert uuid_from_stream(io.BytesIO(buffer), init_string=init_string).hex == expected
    path = tmp_path / "file.bin"
    path.write_bytes(buffer)
    assert uuid_from_file(path, init_string=init_string).hex == expected
    assert uuid_from_file(str(path), init_string=init_string).hex == expected


def test_uuid_of_a_large_stream_reads_it_all(tmp_path):
    data = bytes(range(256)) * 5000
    path = tmp_path / "large.bin"
    path.write_bytes(data)
    assert uuid_from_file(path) == uuid_from_buffer(data)
    assert uuid_from_buffer() == uuid.UUID("d41d8cd9-8f00-b204-e980-0998ecf8427e")
