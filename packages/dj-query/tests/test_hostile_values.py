"""Values travel escaped: hostile strings in restrictions match exactly their own rows."""

from __future__ import annotations

import pytest
from dj_query import FreeTable, Not
from dj_query.errors import DataJointError

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


def _corpus(backend: str) -> list[str]:
    """The values the server can store: PostgreSQL's text holds no NUL character."""
    if backend == "mysql":
        return HOSTILE
    return [text for text in HOSTILE if "\0" not in text]


@pytest.fixture(scope="module")
def hostile(db_params, connection):
    import uuid

    name = f"djtest_{uuid.uuid4().hex[:12]}_hostile"
    q = db_params.quote
    word = f"{q(name)}.{q('word')}"
    # MySQL: a binary collation, so that only the very same text matches (as on PostgreSQL)
    collate = " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" if db_params.backend == "mysql" else ""
    admin = db_params.connect()
    with admin.cursor() as cursor:
        cursor.execute(connection.dialect.create_schema_sql(name))
        cursor.execute(
            f"""CREATE TABLE {word} (
                id int NOT NULL,
                {q("text")} varchar(64){collate} NOT NULL,
                note varchar(64){collate} DEFAULT NULL,
                PRIMARY KEY (id))"""
        )
        cursor.executemany(
            f"INSERT INTO {word} VALUES (%s, %s, %s)",
            [(HOSTILE.index(t), t, t[::-1]) for t in _corpus(db_params.backend)],
        )
    yield FreeTable(connection, word)
    with admin.cursor() as cursor:
        db_params.drop_database(cursor, name)
    admin.close()


def test_the_corpus_was_stored_verbatim(hostile, backend):
    assert list(hostile.fetch("text", order_by="id")) == _corpus(backend)


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_dict_restriction_matches_exactly_its_row(hostile, backend, index):
    text = HOSTILE[index]
    size = len(_corpus(backend))
    if text not in _corpus(backend):  # NUL on PostgreSQL: refused before reaching the server
        with pytest.raises(DataJointError, match="NUL character"):
            len(hostile & {"text": text})
        return
    assert (hostile & {"text": text}).fetch1("id") == index
    assert (hostile & {"text": text, "note": text[::-1]}).fetch1("id") == index
    assert len(hostile - {"text": text}) == size - 1
    assert len(hostile & Not({"text": text, "id": index})) == size - 1
    assert {"text": text} in hostile


def test_list_of_hostile_values(hostile, backend):
    corpus = _corpus(backend)
    assert len(hostile & [{"text": t} for t in corpus]) == len(corpus)
    assert len(hostile - [{"text": t} for t in corpus]) == 0
    assert len(hostile & [{"text": t + "x"} for t in corpus]) == 0


def test_hostile_keys_outside_the_heading_are_ignored(hostile, backend):
    assert len(hostile & {"text' OR 1=1 --": 1}) == len(_corpus(backend))


def test_fetched_records_restrict_back(hostile):
    records = hostile.fetch()
    for record in records:
        assert (hostile & record).fetch1("text") == record["text"]


def test_hostile_values_in_projection_and_union(hostile):
    first = (hostile & {"text": "O'Brien"}).proj()
    second = (hostile & {"text": "100%"}).proj()
    assert sorted((first + second).fetch("id")) == [HOSTILE.index("O'Brien"), HOSTILE.index("100%")]
