"""Differential test: dj_blob packs a seeded corpus of values to the same bytes as upstream
DataJoint 0.14.10 (run in its own virtual environment), and decodes upstream's blobs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import dj_blob
import numpy as np
import pytest
from differential_values import canon, make_values
from dj_blob_test_helpers import deep_equal

HERE = Path(__file__).resolve().parent

SNIPPET = textwrap.dedent(
    f"""
    import json, sys
    sys.path.insert(0, {str(HERE)!r})
    from datajoint.blob import MatCell, MatStruct, pack, unpack
    from differential_values import canon, make_values
    out = []
    for i, v in enumerate(make_values(MatCell, MatStruct)):
        try:
            blob = pack(v, compress=i % 2 == 0)
        except Exception as e:
            out.append(["error: " + type(e).__name__, None, None])
            continue
        decoded = []
        for squeeze in (False, True):
            try:
                decoded.append(canon(unpack(blob, squeeze=squeeze)))
            except Exception as e:
                decoded.append("error: " + type(e).__name__)
        out.append([blob.hex(), *decoded])
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def upstream_blobs():
    from dj_testing.upstream import Upstream, ensure_upstream_venv

    return Upstream(ensure_upstream_venv()).run_json(SNIPPET)


def _changes_on_round_trip(v) -> bool:
    """Sets (iteration order), char arrays (come back as str data) and cells (stacked)."""
    if isinstance(v, (set, frozenset, dj_blob.MatCell)):
        return True
    if isinstance(v, np.ndarray):
        if v.dtype == "S1":
            return True
        if v.dtype.kind == "O" or v.dtype.names:
            return any(_changes_on_round_trip(x) for x in v.view(np.ndarray).ravel().tolist())
        return False
    if isinstance(v, (list, tuple)):
        return any(_changes_on_round_trip(x) for x in v)
    if isinstance(v, dict):
        return any(_changes_on_round_trip(x) for x in v.values())
    return False


def test_same_bytes_as_upstream(upstream_blobs):
    values = make_values(dj_blob.MatCell, dj_blob.MatStruct)
    assert len(values) == len(upstream_blobs)
    compared = 0
    for i, (value, (theirs, _, _)) in enumerate(zip(values, upstream_blobs)):
        compress = i % 2 == 0
        if theirs.startswith("error"):
            with pytest.raises(dj_blob.BlobError):
                dj_blob.pack(value, compress=compress)
            continue
        ours = dj_blob.pack(value, compress=compress)
        assert ours.hex() == theirs, f"value #{i}: {value!r}"
        compared += 1
        # upstream's blob decodes; what comes back packs to the same bytes
        got = dj_blob.unpack(bytes.fromhex(theirs))
        if not _changes_on_round_trip(value):
            assert dj_blob.pack(got, compress=compress) == ours, f"value #{i}: {value!r}"
    assert compared > 500


def test_corpus_round_trips():
    for value in make_values(dj_blob.MatCell, dj_blob.MatStruct):
        got = dj_blob.unpack(dj_blob.pack(value))
        if isinstance(value, (np.ndarray, np.generic)) and not isinstance(
            value, (dj_blob.MatCell, dj_blob.MatStruct, np.recarray)
        ):
            if value.dtype.kind in "biufcM" and value.ndim:
                deep_equal(value.view(np.ndarray), got)


def test_decodes_like_upstream(upstream_blobs):
    """Where upstream decodes a blob, dj_blob gives the same types, dtypes, shapes and values.

    (Where upstream fails — cells of arrays, record arrays under squeeze — dj_blob's result is
    its own; see the README's differences.)"""
    compared = 0
    for i, (blob, plain, squeezed) in enumerate(upstream_blobs):
        if blob.startswith("error"):
            continue
        data = bytes.fromhex(blob)
        unwrapped = "object array holding sequences" in json.dumps(canon(dj_blob.unpack(data)))
        for squeeze, theirs in ((False, plain), (True, squeezed)):
            if isinstance(theirs, str) and theirs.startswith("error"):
                continue
            if squeeze and unwrapped:
                continue  # 0.14 unwrapped sequences inside object arrays before squeezing
            ours = json.loads(json.dumps(canon(dj_blob.unpack(data, squeeze=squeeze))))
            assert _same(ours, theirs), f"blob #{i}, squeeze={squeeze}: {ours} != {theirs}"
            compared += 1
    assert compared > 900


def _same(ours, theirs) -> bool:
    """Equal descriptions, except where 0.14 stacked a cell that dj_blob keeps as an object
    cell (mixed strings and numbers, sequences) or unwrapped the sequences held by an object
    array (README, "Differences from DataJoint 0.14")."""
    if isinstance(ours, list) and isinstance(theirs, list):
        if ours[1:] == ["object array holding sequences"] and ours[0] == theirs[0]:
            return True  # 0.14's np.array(elements) unwraps one-element sequences
        if (
            len(ours) >= 2
            and ours[0] == "MatCell" == theirs[0]
            and ours[1]
            in (
                "object",
                "object array holding sequences",
            )
        ):
            return theirs[1] != ours[1] or ours == theirs
        return len(ours) == len(theirs) and all(_same(a, b) for a, b in zip(ours, theirs))
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours.keys() == theirs.keys() and all(_same(ours[k], theirs[k]) for k in ours)
    return ours == theirs
