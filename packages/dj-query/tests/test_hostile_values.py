"""Values travel escaped: hostile strings in restrictions match exactly their own rows."""

from __future__ import annotations

import pytest
from dj_query import FreeTable, Not

pytestmark = pytest.mark.pending_postgresql

HOSTILE = [
    "plain",
    "O'Brien",
    'say "hi"',
    "back\\slash",
    "trailing\\",
    "\\'",
    '\\"',
    "''",
    "100%",
    "%",
    "%%",
    "%s",
    "%(name)s",
    "_",
    "a_b",
    "NUL\x00byte",
    "\x00",
    "--",
    "x -- comment",
    "/* c */",
    "#hash",
    "; DROP TABLE t; --",
    "' OR '1'='1",
    '" OR "1"="1',
    "`tick`",
    "line\nbreak",
    "tab\tcr\r",
    "ctrl-z\x1a",
    "ünïcödé",
    "日本語",
    "emoji 🎉",
    "\u202ertl",
    "\\0",
    "\\%",
    "\\_",
    "$0",
    "{}",
    "NULL",
    "null",
    "?",
    ":name",
]


@pytest.fixture(scope="module")
def hostile(db_params, connection):
    import uuid

    name = f"djtest_{uuid.uuid4().hex[:12]}_hostile"
    admin = db_params.connect()
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
        cursor.execute(
            f"""CREATE TABLE `{name}`.`word` (
                id int NOT NULL,
                text varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
                note varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,
                PRIMARY KEY (id))"""
        )
        cursor.executemany(
            f"INSERT INTO `{name}`.`word` VALUES (%s, %s, %s)",
            [(i, text, text[::-1]) for i, text in enumerate(HOSTILE)],
        )
    yield FreeTable(connection, f"`{name}`.`word`")
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE `{name}`")
    admin.close()


def test_the_corpus_was_stored_verbatim(hostile):
    assert list(hostile.fetch("text", order_by="id")) == HOSTILE


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_dict_restriction_matches_exactly_its_row(hostile, index):
    text = HOSTILE[index]
    assert (hostile & {"text": text}).fetch1("id") == index
    assert (hostile & {"text": text, "note": text[::-1]}).fetch1("id") == index
    assert len(hostile - {"text": text}) == len(HOSTILE) - 1
    assert len(hostile & Not({"text": text, "id": index})) == len(HOSTILE) - 1
    assert {"text": text} in hostile


def test_list_of_hostile_values(hostile):
    assert len(hostile & [{"text": t} for t in HOSTILE]) == len(HOSTILE)
    assert len(hostile - [{"text": t} for t in HOSTILE]) == 0
    assert len(hostile & [{"text": t + "x"} for t in HOSTILE]) == 0


def test_hostile_keys_outside_the_heading_are_ignored(hostile):
    assert len(hostile & {"text' OR 1=1 --": 1}) == len(HOSTILE)


def test_fetched_records_restrict_back(hostile):
    records = hostile.fetch()
    for record in records:
        assert (hostile & record).fetch1("text") == record["text"]


def test_hostile_values_in_projection_and_union(hostile):
    first = (hostile & {"text": "O'Brien"}).proj()
    second = (hostile & {"text": "100%"}).proj()
    assert sorted((first + second).fetch("id")) == [HOSTILE.index("O'Brien"), HOSTILE.index("100%")]
