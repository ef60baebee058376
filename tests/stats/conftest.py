"""The figures are tested on both paths: computed live from the records, and read from the summary tables that
refresh_stats fills (history.build refreshes them when the summary path is on; ADR 0022)."""

import pytest

BOTH_PATHS = {"test_selectors", "test_breakdowns", "test_pages"}


def pytest_generate_tests(metafunc):
    if metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_PATHS:
        metafunc.fixturenames.append("stats_source")
        metafunc.parametrize("stats_source", ["live", "summary"], indirect=True)


@pytest.fixture(autouse=True)
def stats_source(request, settings):
    """Autouse: a fixture name appended in pytest_generate_tests is parametrized but never set up unless the test asks
    for it by name, so without autouse every "summary" case of these modules ran with the default source ("auto",
    never refreshed by history.build: live)."""
    source = getattr(request, "param", None)
    if source is not None:
        settings.STATS_SOURCE = source
    return source
