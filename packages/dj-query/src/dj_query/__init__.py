"""DataJoint's query algebra and fetch (`import dj_query`).

Open a dj-core `Connection`, wrap existing tables with `FreeTable`, and query them:
restriction `&`/`-`, join `*`, `proj`, `aggr`, union `+`, `U`, `Top`, then `fetch`,
`fetch1`, `len`, iteration. Importing this package registers the handlers of the
blob, uuid, json and adapted attribute types with dj-core.
"""

from dj_query import types as _types
from dj_query.condition import AndList, Not, key
from dj_query.expression import Aggregation, QueryExpression, Union
from dj_query.fetch import Fetch, Fetch1
from dj_query.free_table import FreeTable
from dj_query.top import Top
from dj_query.universal import U

__version__ = "0.1.0"

__all__ = [
    "Aggregation",
    "AndList",
    "Fetch",
    "Fetch1",
    "FreeTable",
    "Not",
    "QueryExpression",
    "Top",
    "U",
    "Union",
    "__version__",
    "key",
]

_types.register()
