"""Fixtures for dj-blob's tests; the helpers live in dj_blob_test_helpers (importable here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dj_blob


@pytest.fixture(autouse=True)
def _restore_codec_switches():
    codec = dj_blob.codec
    saved = (
        codec.use_32bit_dims,
        codec.bypass_serialization,
        codec.max_unpacked_size,
        codec.inflate_cache_size,
    )
    yield
    (
        codec.use_32bit_dims,
        codec.bypass_serialization,
        codec.max_unpacked_size,
        codec.inflate_cache_size,
    ) = saved
    dj_blob.set_option_source(None)
