"""Shared fixtures. ``demo_database``: the demo account loaded once per test run into a DuckDB file;
tests that only read it share it (tests that write make their own copy)."""

import pytest

from core import sample


def pytest_collection_modifyitems(items):
    """The browser tests run one after another on one worker (each starts a server and a Chromium; two at
    once on two cores starve each other), while the other worker runs the rest."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    sample.load_sample(path)
    return path
