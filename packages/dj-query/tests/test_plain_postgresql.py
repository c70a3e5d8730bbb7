"""Plain PostgreSQL tables with column types DataJoint never declares still fetch and restrict."""

from __future__ import annotations

import datetime
import decimal

import dj_blob
import numpy as np
import pytest
from dj_query import FreeTable, U

# PostgreSQL's own column types (text, boolean, bytea, timestamptz, identity): PostgreSQL
# itself; test_plain_mysql.py does the same for MySQL's
pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def plain(connection, db_admin, make_database):
    db = make_database("plain")
    with db_admin.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{db}"')
        cursor.execute(
            f"""CREATE TABLE "{db}"."misc" (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                note text,
                body text NOT NULL,
                raw bytea,
                stamp timestamptz NOT NULL DEFAULT now(),
                ok boolean NOT NULL DEFAULT false,
                price numeric(8,2) NOT NULL,
                ratio double precision)"""
        )
        cursor.execute(f'CREATE INDEX ON "{db}"."misc" (price)')
        cursor.executemany(
            f'INSERT INTO "{db}"."misc" (note, body, raw, ok, price, ratio) '
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                ("first", "long body", dj_blob.pack([1, 2]), True, "9.99", 0.5),
                (None, "", None, False, "100.00", None),
            ],
        )
    return FreeTable(connection, f'"{db}"."misc"')


def test_every_form(plain):
    array = plain.fetch(order_by="id")
    assert array.dtype["id"] == np.int64
    assert array.dtype["ratio"] == np.float64
    assert array["price"][0] == decimal.Decimal("9.99")
    # a bytea column reads as a longblob (what DataJoint declares as bytea): unpacked
    assert plain.heading["raw"].is_blob and array["raw"][0] == [1, 2]
    rows = plain.fetch(as_dict=True, order_by="id")
    assert rows[1]["note"] is None
    assert isinstance(rows[0]["stamp"], datetime.datetime)
    assert rows[0]["ok"] is True
    frame = plain.fetch(format="frame")
    assert list(frame.index.names) == ["id"]
    assert "body" in plain.preview()


def test_restrictions(plain):
    assert (plain & {"note": "first"}).fetch1("price") == decimal.Decimal("9.99")
    assert (plain & {"note": None}).fetch1("body") == ""
    assert (plain & {"price": decimal.Decimal("100.00")}).fetch1("note") is None
    assert len(plain & {"raw": None}) == 1
    assert len(plain & "price > 50") == 1
    assert len(plain & "ok") == 1
    assert len(U("ok") & plain) == 2
    assert plain.aggr(plain.proj(p2="price"), n="count(*)").fetch("n").tolist() == [1, 1]
