import dj_query


def test_version_is_a_release_string():
    assert dj_query.__version__.count(".") == 2


def test_all_names_exist():
    for name in dj_query.__all__:
        assert hasattr(dj_query, name), name
