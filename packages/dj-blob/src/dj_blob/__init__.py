"""The DataJoint blob codec: byte-exact with DataJoint 0.14 and DataJoint for MATLAB.

    >>> import dj_blob
    >>> blob = dj_blob.pack({"a": [1, 2.5, "x"]})
    >>> dj_blob.unpack(blob)
    {'a': [1, 2.5, 'x']}

``dj_blob.codec`` is the module behind ``datajoint.blob``; its settable switches
(``use_32bit_dims``, ``bypass_serialization``, ``max_unpacked_size``) live there.
"""

from .codec import (
    MatCell,
    MatStruct,
    compress_blob,
    pack,
    pack_many,
    set_option_source,
    unpack,
    unpack_many,
)
from .errors import BlobError, DataJointError
from .files import load, save

__version__ = "0.1.0"

__all__ = [
    "BlobError",
    "DataJointError",
    "MatCell",
    "MatStruct",
    "__version__",
    "compress_blob",
    "load",
    "pack",
    "pack_many",
    "save",
    "set_option_source",
    "unpack",
    "unpack_many",
]
