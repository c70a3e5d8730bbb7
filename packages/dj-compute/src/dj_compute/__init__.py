"""DataJoint computation: populate, make, key_source and the jobs table (`import dj_compute`).

`Imported` and `Computed` tables fill themselves: `Table.populate()` runs the class's
`make(key)` for every key of its key source not yet computed, in one transaction per
key, optionally in worker processes and coordinated with other workers (also DataJoint
0.14 workers) through the schema's `~jobs` table. Importing this package registers the
two tiers and `schema.jobs` with dj-core.
"""

from dj_compute import user_tables as _user_tables
from dj_compute.autopopulate import AutoPopulate
from dj_compute.jobs import ERROR_MESSAGE_LENGTH, TRUNCATION_APPENDIX, JobTable
from dj_compute.user_tables import Computed, Imported

__version__ = "0.1.0"

__all__ = [
    "ERROR_MESSAGE_LENGTH",
    "TRUNCATION_APPENDIX",
    "AutoPopulate",
    "Computed",
    "Imported",
    "JobTable",
    "__version__",
]

_user_tables.register()
