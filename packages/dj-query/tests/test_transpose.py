"""transpose: rows into dicts (a comprehension compiled per heading) and columns."""

from __future__ import annotations

from dj_query.transpose import column, dicts_of

ODD_NAMES = ("plain", "quote'd", 'double"d', "back\\slash", "new\nline", "µs", "{braces}")


def test_dicts_of_keeps_every_name_verbatim():
    rows = [tuple(range(len(ODD_NAMES))), tuple(range(10, 10 + len(ODD_NAMES)))]
    assert dicts_of(ODD_NAMES)(rows) == [dict(zip(ODD_NAMES, row)) for row in rows]


def test_dicts_of_one_and_no_names():
    assert dicts_of(("only",))([(1,), (None,)]) == [{"only": 1}, {"only": None}]
    assert dicts_of(())([(), ()]) == [{}, {}]
    assert dicts_of(("a", "b"))([]) == []


def test_dicts_of_is_compiled_once_per_heading():
    assert dicts_of(("a", "b")) is dicts_of(("a", "b"))


def test_dicts_are_independent():
    first, second = dicts_of(("a",))([(1,), (2,)])
    first["a"] = 5
    assert second == {"a": 2}


def test_column_reads_one_field_of_every_row():
    rows = [(1, "x"), (2, "y"), [3, "z"]]
    assert list(column(rows, 1)) == ["x", "y", "z"]
    assert list(column([], 0)) == []
