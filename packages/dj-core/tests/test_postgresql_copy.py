"""Which columns PostgreSQL's COPY may carry: exactly those it writes as INSERT would."""

import datetime
import decimal

import numpy as np
import pytest
from dj_core.dialects.postgresql_copy import bindable, loadable


@pytest.mark.parametrize(
    ("values", "category", "nullable"),
    [
        ([1, 2, 3], "INTEGER", False),
        (["1", 2], "INTEGER", False),
        ([1.5, 2, decimal.Decimal("3.25")], "DECIMAL", False),
        ([0.5, None], "FLOAT", True),
        (["a", "b"], "STRING", False),
        (["fast"], "ENUM", False),
        (
            [datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 3), "2024-01-02"],
            "TEMPORAL",
            True,
        ),
    ],
)
def test_columns_with_the_inserts_effect_load(values, category, nullable):
    assert loadable(values, category=category, nullable=nullable)


@pytest.mark.parametrize(
    ("values", "category", "nullable", "why"),
    [
        ([1, None], "INTEGER", False, "None means the default, which COPY cannot say"),
        ([1.5], "INTEGER", False, "a float's text is no integer's text"),
        ([float("nan")], "FLOAT", True, "NaN is inserted as DEFAULT"),
        ([decimal.Decimal("NaN")], "DECIMAL", True, "NaN is inserted as DEFAULT"),
        (["a\0b"], "STRING", False, "the INSERT path refuses NUL, naming the column"),
        ([True, False], "BOOL", False, "booleans are written 1/0"),
        ([np.int64(3)], "INTEGER", False, "numpy scalars go the INSERT way"),
        ([5], "ENUM", False, "only text for an enum"),
        ([b"\x00"], "INTERNAL_BLOB", False, "blobs have their own path"),
        ([1], "TEMPORAL", False, "an integer is no date's literal"),
    ],
)
def test_columns_the_insert_writes_otherwise_do_not(values, category, nullable, why):
    assert not loadable(values, category=category, nullable=nullable), why


def test_bound_parameters_take_blob_bytes_but_no_float_for_a_decimal():
    assert bindable([b"mYm\0"], category="INTERNAL_BLOB", nullable=False)
    assert not bindable([None], category="INTERNAL_BLOB", nullable=True)  # DEFAULT
    assert bindable([decimal.Decimal("1.25"), 3], category="DECIMAL", nullable=False)
    assert not bindable([1 / 3], category="DECIMAL", nullable=False)  # fewer digits bound
    assert bindable([1 / 3], category="FLOAT", nullable=False)
    assert not bindable([1, None], category="INTEGER", nullable=False)
