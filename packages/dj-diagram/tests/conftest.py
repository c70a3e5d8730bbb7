"""Fixtures for dj-diagram's tests; the schema builders live in dj_diagram_test_schemas."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dj_diagram_test_schemas import (
    chain_schema,
    dependency_graph,
    pipeline_schema,
    synthetic_schema,
)


@pytest.fixture
def chain_graph():
    return dependency_graph(chain_schema())


@pytest.fixture
def pipeline_graph():
    return dependency_graph(pipeline_schema())


@pytest.fixture
def big_graph():
    return dependency_graph(synthetic_schema(200))
