import datajoint


def test_version_continues_the_classic_line():
    assert datajoint.__version__.startswith("0.15.")
    assert len(datajoint.__version__) <= 10


def test_all_names_exist():
    for name in datajoint.__all__:
        assert hasattr(datajoint, name), name
