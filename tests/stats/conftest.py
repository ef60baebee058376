"""The figures are tested on both paths: computed live from the records, and read from the summary tables that
refresh_stats fills (history.build refreshes them when the summary path is on; ADR 0022)."""

import pytest

BOTH_PATHS = {"test_selectors", "test_breakdowns", "test_pages"}


def pytest_generate_tests(metafunc):
    if metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_PATHS:
        metafunc.fixturenames.append("stats_source")
        metafunc.parametrize("stats_source", ["live", "summary"], indirect=True)


@pytest.fixture
def stats_source(request, settings):
    settings.STATS_SOURCE = request.param
    return request.param
