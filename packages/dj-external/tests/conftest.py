"""Stores for the contract tests: a real directory and a real (moto) S3 bucket."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dj_external.storage import open_store

sys.path.insert(0, str(Path(__file__).parent))  # tests import external_catalog


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


# --- tables: a schema on its own connection, with one store of each protocol ---------------

import types  # noqa: E402

from dj_core.schemas import Schema  # noqa: E402
from dj_core.settings import Config  # noqa: E402


@pytest.fixture
def connection(db_params):
    conn = db_params.open_connection(Config.independent(safemode=False))
    yield conn
    conn.close()


def configure_store(request, connection, tmp_path, protocol: str, name: str = "ext") -> dict:
    """Add store `name` of `protocol` (a fresh directory or bucket) to the connection's
    config; its stage is a fresh directory."""
    stage = tmp_path / f"stage-{name}"
    stage.mkdir()
    if protocol == "file":
        location = tmp_path / f"store-{name}"
        location.mkdir()
        spec = {**file_spec(location), "stage": str(stage)}
    else:
        s3 = request.getfixturevalue("s3")
        spec = {**make_s3_spec(s3, s3.make_bucket(), "lab/v1"), "stage": str(stage)}
    stores = dict(connection.config.get("stores") or {})
    stores[name] = spec
    connection.config["stores"] = stores
    return spec


def declare_item(schema: Schema, store: str = "ext"):
    import dj_query as dq

    @schema
    class Item(dq.Manual):
        definition = f"""
        item_id : int
        ---
        data = null : blob@{store}   # a value in the store
        doc = null : attach@{store}
        note = null : attach
        path = null : filepath@{store}
        """

    return Item


@pytest.fixture(params=["file", "s3"])
def lab(request, connection, make_database, tmp_path, monkeypatch, backend):
    """An `Item` table with every external type on store `ext` (file or s3)."""
    import dj_external  # noqa: F401  (registers the types)

    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    spec = configure_store(request, connection, tmp_path, request.param)
    schema = Schema(make_database("ext"), connection=connection)
    item = declare_item(schema)
    external = schema.external["ext"]
    return types.SimpleNamespace(
        protocol=request.param,
        backend=backend,
        spec=spec,
        schema=schema,
        Item=item,
        external=external,
        objects=external.objects,
        stage=tmp_path / "stage-ext",
        downloads=tmp_path / "downloads",
        keys=lambda: sorted(external.objects.list()),
    )


@pytest.fixture
def add_store(request, connection, tmp_path):
    """`add_store(protocol, name)`: configure one more store on the connection."""
    return lambda protocol, name: configure_store(request, connection, tmp_path, protocol, name)


@pytest.fixture
def item_table():
    """`item_table(schema, store)`: declare the `Item` table on `store`."""
    return declare_item
