"""DataJoint for Python, assembled from the layered dj-* packages.

`import datajoint as dj` gives the familiar API. Names appear here as the layers
that provide them are built.
"""

from datajoint.version import __version__

__author__ = "DataJoint Contributors"
__date__ = "November 7, 2020"

__all__: list[str] = ["__author__", "__version__"]
