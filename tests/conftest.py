"""Shared fixtures. ``demo_database``: the demo account loaded once per test run into a DuckDB file;
tests that only read it share it (tests that write make their own copy)."""

import pytest

from core import sample


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    sample.load_sample(path)
    return path
