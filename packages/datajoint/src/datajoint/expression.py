"""`datajoint.expression`: the query expression classes, gathered from dj-query.

A re-export rather than an alias because `U` lives in its own dj-query module; nothing
patches this module's globals, so a thin copy of the names is safe.
"""

from dj_query.expression import Aggregation, QueryExpression, Union
from dj_query.universal import U

__all__ = ["Aggregation", "QueryExpression", "U", "Union"]
