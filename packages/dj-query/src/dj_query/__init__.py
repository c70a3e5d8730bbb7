"""DataJoint's query algebra and fetch (`import dj_query`).

Open a dj-core `Connection`, wrap existing tables with `FreeTable`, and query them:
restriction `&`/`-`, join `*`, `proj`, `aggr`, union `+`, `U`, `Top`, then `fetch`,
`fetch1`, `len`, iteration. Importing this package registers the handlers of the
blob, uuid, json and adapted attribute types with dj-core.
"""

from dj_query import bind as _bind
from dj_query import types as _types
from dj_query.condition import AndList, Not, key
from dj_query.expression import Aggregation, QueryExpression, Union
from dj_query.fetch import Fetch, Fetch1
from dj_query.free_table import FreeTable
from dj_query.table import Table, forward_class_attributes
from dj_query.top import Top
from dj_query.universal import U
from dj_query.user_tables import Lookup, Manual, Part, UserTable

__version__ = "0.1.0"

__all__ = [
    "Aggregation",
    "AndList",
    "Fetch",
    "Fetch1",
    "FreeTable",
    "Lookup",
    "Manual",
    "Not",
    "Part",
    "QueryExpression",
    "Table",
    "Top",
    "U",
    "Union",
    "UserTable",
    "__version__",
    "forward_class_attributes",
    "key",
]

_types.register()
_bind.register()
