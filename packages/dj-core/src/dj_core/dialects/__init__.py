"""SQL dialects: every piece of server-specific SQL lives in one dialect class.

`Dialect` (in `base`) is the abstract interface; `MySQLDialect` (in `mysql`) serves
MySQL 5.7/8.x and MariaDB 10.x, `PostgreSQLDialect` (in `postgresql`) PostgreSQL 13+. A `Connection` exposes its dialect as
`connection.dialect`; layers above never write catalog queries, quoting rules, locking
clauses, literals, DDL or server error codes themselves — they ask the dialect.
A new server family is one new module here: a `Dialect` subclass, added to `DIALECTS`.
"""

from dj_core.dialects.base import Dialect, ServerVersion
from dj_core.dialects.mysql import MySQLDialect
from dj_core.dialects.postgresql import PostgreSQLDialect

__all__ = ["DIALECTS", "Dialect", "MySQLDialect", "PostgreSQLDialect", "ServerVersion"]

#: one instance of every dialect, the default (a new connection's) first; names in any of
#: their quotings are read by `dj_core.table_names`
DIALECTS: tuple[Dialect, ...] = (MySQLDialect(), PostgreSQLDialect())
