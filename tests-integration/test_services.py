"""The shared test services are real: a database server, an S3 endpoint, upstream 0.14.10."""

import pytest
from dj_testing.server import ServerParams, ServerUnavailable
from dj_testing.upstream import UPSTREAM_VERSION


def test_database_factory_creates_and_drops(db_params, make_database):
    name = make_database("probe")
    connection = db_params.open_connection()
    try:
        dialect = connection.dialect
        assert not dialect.schema_exists(connection, name)
        connection.query(dialect.create_schema_sql(name))
        assert dialect.schema_exists(connection, name)
        assert name in dialect.list_schemas(connection)
    finally:
        connection.close()


def test_database_names_are_unique(make_database):
    assert make_database() != make_database()


def test_unreachable_server_says_how_to_start_one(db_params):
    from dj_testing.s3 import free_port

    params = ServerParams("127.0.0.1", free_port(), "root", "", db_params.backend, "djtest")
    advice = "docker compose up -d" if db_params.backend == "mysql" else "DJ_PG_HOST"
    with pytest.raises(ServerUnavailable, match=advice):
        params.connect()


def test_s3_endpoint_stores_objects(s3, s3_bucket):
    client = s3.client()
    client.put_object(Bucket=s3_bucket, Key="a/b.bin", Body=b"\x00payload")
    assert s3.list_keys(s3_bucket) == ["a/b.bin"]
    assert client.get_object(Bucket=s3_bucket, Key="a/b.bin")["Body"].read() == b"\x00payload"


def test_upstream_oracle_connects_to_the_server(upstream):
    info = upstream.run_json(
        """
        import json, datajoint as dj
        dj.config['safemode'] = False
        conn = dj.conn()
        print(json.dumps({"version": dj.__version__, "connected": conn.is_connected}))
        """
    )
    assert info == {"version": UPSTREAM_VERSION, "connected": True}
