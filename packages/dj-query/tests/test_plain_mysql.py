"""Plain MySQL tables with column types DataJoint never declares still fetch and restrict."""

from __future__ import annotations

import datetime
import decimal

import numpy as np
import pytest
from dj_query import FreeTable, U

# MySQL column types DataJoint never declares (set, bit, year, mediumtext): MySQL itself;
# test_plain_postgresql.py does the same for PostgreSQL's own types
pytestmark = pytest.mark.mysql_only


@pytest.fixture
def plain(connection, db_admin, make_database):
    db = make_database("plain")
    with db_admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{db}`")
        cursor.execute(
            f"""CREATE TABLE `{db}`.`misc` (
                id bigint unsigned NOT NULL AUTO_INCREMENT,
                note text,
                body mediumtext NOT NULL,
                flags set('a','b','c') DEFAULT NULL,
                bits bit(8) DEFAULT NULL,
                raw varbinary(20) DEFAULT NULL,
                stamp timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
                yr year DEFAULT NULL,
                ok tinyint(1) NOT NULL DEFAULT 0,
                price decimal(8,2) NOT NULL,
                ratio double DEFAULT NULL,
                PRIMARY KEY (id),
                KEY (price))"""
        )
        cursor.executemany(
            f"INSERT INTO `{db}`.`misc` (note, body, flags, bits, raw, yr, ok, price, ratio) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                ("first", "long body", "a,c", b"\x05", b"\x00\x01", 2020, 1, "9.99", 0.5),
                (None, "", None, None, None, None, 0, "100.00", None),
            ],
        )
    return FreeTable(connection, f"`{db}`.`misc`")


def test_every_form(plain):
    array = plain.fetch(order_by="id")
    assert array.dtype["id"] == np.uint64  # bigint unsigned: all its values fit
    assert array.dtype["ratio"] == np.float64
    assert array["price"][0] == decimal.Decimal("9.99")
    assert array["flags"][0] == "a,c"
    assert array["raw"][0] == b"\x00\x01"
    rows = plain.fetch(as_dict=True, order_by="id")
    assert rows[1]["note"] is None
    assert isinstance(rows[0]["stamp"], datetime.datetime)
    assert rows[0]["yr"] == 2020
    frame = plain.fetch(format="frame")
    assert list(frame.index.names) == ["id"]
    assert "body" in plain.preview()


def test_restrictions(plain):
    assert (plain & {"note": "first"}).fetch1("ok") == 1
    assert (plain & {"note": None}).fetch1("body") == ""
    assert (plain & {"price": decimal.Decimal("100.00")}).fetch1("ok") == 0
    assert (plain & {"raw": b"\x00\x01"}).fetch1("note") == "first"
    assert len(plain & "price > 50") == 1
    assert len(U("ok") & plain) == 2
    assert plain.aggr(plain.proj(p2="price"), n="count(*)").fetch("n").tolist() == [1, 1]
