import dj_compute
import dj_core.tiers
import dj_query
from dj_core.schemas import Schema


def test_version_is_a_release_string():
    assert dj_compute.__version__.count(".") == 2


def test_exported_names():
    assert set(dj_compute.__all__) == {
        "ERROR_MESSAGE_LENGTH",
        "TRUNCATION_APPENDIX",
        "AutoPopulate",
        "Computed",
        "Imported",
        "JobTable",
        "__version__",
    }
    for name in dj_compute.__all__:
        assert hasattr(dj_compute, name), name


def test_tiers_and_extension_are_registered():
    assert dj_core.tiers.tier_class("Computed") is dj_compute.Computed
    assert dj_core.tiers.tier_class("Imported") is dj_compute.Imported
    assert dj_core.tiers.registered_tier("Computed").prefix == "__"
    assert dj_core.tiers.registered_tier("Imported").prefix == "_"
    assert "jobs" in Schema._extensions
    assert {"populate", "progress", "key_source"} <= dj_query.Table.__class__.forwarded
    assert issubclass(dj_compute.Computed, dj_query.UserTable)
    assert issubclass(dj_compute.Imported, dj_compute.AutoPopulate)


def test_table_names():
    class FilteredImage(dj_compute.Computed):
        pass

    class RawScan(dj_compute.Imported):
        pass

    assert FilteredImage.table_name == "__filtered_image"
    assert RawScan.table_name == "_raw_scan"
