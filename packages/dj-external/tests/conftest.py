"""Stores for the contract tests: a real directory and a real (moto) S3 bucket."""

from __future__ import annotations

import pytest
from dj_external.storage import open_store


def file_spec(location) -> dict:
    return {"protocol": "file", "location": str(location)}


def make_s3_spec(s3, bucket: str, location: str = "") -> dict:
    return {
        "protocol": "s3",
        "endpoint": s3.endpoint,
        "bucket": bucket,
        "access_key": s3.access_key,
        "secret_key": s3.secret_key,
        "location": location,
        "secure": False,
    }


@pytest.fixture(params=["file", "s3"])
def store(request, tmp_path):
    """The same contract runs against both backends."""
    if request.param == "file":
        location = tmp_path / "store"
        location.mkdir()
        return open_store("local", file_spec(location), max_workers=8)
    s3 = request.getfixturevalue("s3")
    bucket = request.getfixturevalue("s3_bucket")
    return open_store("cloud", make_s3_spec(s3, bucket, "/lab/v1"), max_workers=8)


@pytest.fixture
def s3_spec(s3):
    """`s3_spec(bucket, location="")`: a store spec for the session's S3 endpoint."""
    return lambda bucket, location="": make_s3_spec(s3, bucket, location)
