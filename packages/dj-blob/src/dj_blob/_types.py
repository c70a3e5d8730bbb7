"""MATLAB container classes and the table of array class ids."""

from __future__ import annotations

import numpy as np

__all__ = ["MatCell", "MatStruct"]


class MatCell(np.ndarray):
    """A numpy ndarray that is (or will be stored as) a MATLAB cell array (code ``C``)."""


class MatStruct(np.recarray):
    """A numpy record array that is (or will be stored as) a MATLAB struct array (code ``S``)."""


# class id -> dtype, for numeric, logical and datetime64 arrays (MATLAB's mxClassID plus
# DataJoint's datetime64 ids). char (4) and object (5) are handled separately.
LOGICAL, CHAR, OBJECT = 3, 4, 5
NUMERIC_CLASSES: dict[int, np.dtype] = {
    3: np.dtype("bool"),
    6: np.dtype("<f8"),
    7: np.dtype("<f4"),
    8: np.dtype("i1"),
    9: np.dtype("u1"),
    10: np.dtype("<i2"),
    11: np.dtype("<u2"),
    12: np.dtype("<i4"),
    13: np.dtype("<u4"),
    14: np.dtype("<i8"),
    15: np.dtype("<u8"),
}
DATETIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")
for _i, _unit in enumerate(DATETIME_UNITS):
    NUMERIC_CLASSES[65536 + _i] = np.dtype(f"<M8[{_unit}]")
FIRST_DATETIME_CLASS = 65536

CLASS_NAMES = {
    0: "unknown",
    1: "cell",
    2: "struct",
    3: "logical",
    4: "char",
    5: "object",
    6: "double",
    7: "single",
    8: "int8",
    9: "uint8",
    10: "int16",
    11: "uint16",
    12: "int32",
    13: "uint32",
    14: "int64",
    15: "uint64",
    16: "function",
    **{65536 + i: f"datetime64[{u}]" for i, u in enumerate(DATETIME_UNITS)},
}

# dtype -> class id for encoding. numpy dtypes that compare equal hash equal, so platform
# aliases (intc, longlong, ...) find their fixed-size entry; non-native byte orders do not.
CLASS_OF_DTYPE: dict[np.dtype, int] = {dt: cid for cid, dt in NUMERIC_CLASSES.items()}
CHAR_DTYPE = np.dtype("S1")
OBJECT_DTYPE = np.dtype("O")
# complex dtype -> (class id of its real part, real dtype)
COMPLEX_CLASSES: dict[np.dtype, tuple[int, np.dtype]] = {
    np.dtype("<c16"): (6, np.dtype("<f8")),
    np.dtype("<c8"): (7, np.dtype("<f4")),
}
