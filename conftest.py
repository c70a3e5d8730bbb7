"""Root conftest: every package's tests and tests-integration load the one shared plugin."""

pytest_plugins = ["dj_testing.plugin"]
