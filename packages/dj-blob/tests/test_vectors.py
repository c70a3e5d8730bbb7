"""Every golden vector passes both ways: pack gives identical bytes, unpack an equal value."""

from __future__ import annotations

import zlib

import dj_blob
import pytest
from dj_blob_test_helpers import deep_equal, load_vectors, vector_namespace

VECTORS = load_vectors()


def _same_blob(got: bytes, want: bytes) -> bool:
    if got == want:
        return True
    # another deflate implementation may produce a different, equally valid stream
    if got[:14] == want[:14] and want.startswith(b"ZL123\0"):
        return zlib.decompress(got[14:]) == zlib.decompress(want[14:])
    return False


@pytest.mark.parametrize("v", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(v):
    blob = bytes.fromhex(v["blob_hex"]) if v["blob_hex"] else None
    check = v.get("check", "both")
    ns = vector_namespace()
    if check in ("both", "pack"):
        obj = eval(v["value"], ns)
        if "error" in v:
            with pytest.raises(dj_blob.BlobError):
                dj_blob.pack(obj, compress=v["compress"])
        else:
            got = dj_blob.pack(obj, compress=v["compress"])
            assert type(got) is bytes
            assert _same_blob(got, blob), f"\n got {got.hex()}\nwant {blob.hex()}"
    if check in ("both", "unpack"):
        kwargs = {
            "squeeze": v.get("squeeze", False),
            "use_32bit_dims": v.get("use_32bit_dims", False),
        }
        if "error" in v:
            with pytest.raises(dj_blob.BlobError) as info:
                dj_blob.unpack(blob, **kwargs)
            assert "byte" in str(info.value)
        else:
            got = dj_blob.unpack(blob, **kwargs)
            want = eval(v["decoded"] or v["value"], ns)
            deep_equal(want, got)


def test_vector_count():
    assert len(VECTORS) >= 162
