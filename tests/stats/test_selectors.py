"""Every figure of the statistics equals the count the test makes itself from the rows of a random history."""

import random

import pytest

from shuangsuiji.stats import selectors, summary
from shuangsuiji.stats.filters import JOINT_CHOICES, StatsFilter

from . import oracle
from .history import TODAY, YEAR, build

pytestmark = [pytest.mark.django_db, pytest.mark.today(TODAY.isoformat())]


def filters_for(h, rng: random.Random) -> list[StatsFilter]:
    """The whole year, and a few random combinations of every filter."""
    out = [StatsFilter(YEAR)]
    for _ in range(5):
        out.append(
            StatsFilter(
                YEAR,
                half=rng.choice([None, 1, 2]),
                department=rng.choice([None, h.departments[0].pk, h.departments[1].pk]),
                item=rng.choice([None, None, h.items[0].pk]),
                region=rng.choice([None, None, h.regions[0].pk]),
                risk_class=rng.choice([None, None, h.risks[1].pk]),
                joint=rng.choice([None, None, *JOINT_CHOICES]),
            )
        )
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_per_department_and_for_the_city_is_the_count_of_its_rows(seed, alice):
    h = build(seed, alice)
    for f in filters_for(h, random.Random(seed)):
        table = selectors.department_table(f, h.departments, TODAY, city=True)
        for row in table.rows:
            dept = row.department.pk if row.department else None
            expected = oracle.figures(h, f, TODAY, dept)
            got = {k: row.values[k] for k in expected}
            assert got == pytest.approx(expected), (seed, f, row.label)


def test_a_department_filter_leaves_one_row_and_no_city_total(alice):
    h = build(4, alice)
    table = selectors.department_table(
        StatsFilter(YEAR, department=h.departments[1].pk), h.departments, TODAY, city=True
    )
    assert [r.department for r in table.rows] == [h.departments[1]]


def test_the_rows_behind_a_count_are_the_rows_it_counts(alice):
    h = build(5, alice)
    f = StatsFilter(YEAR)
    table = selectors.department_table(f, h.departments, TODAY, city=True)
    city = table.rows[-1]
    for key, count in selectors.COUNTS.items():
        if count.distinct == "pk":
            assert selectors.figure_rows(key, f, TODAY).distinct().count() == city.values[key], key


def test_the_monthly_on_time_chart_and_the_problem_rate_by_item_add_up_to_the_table(alice):
    h = build(6, alice)
    f = StatsFilter(YEAR, half=2)
    city = selectors.department_table(f, h.departments, TODAY, city=True).rows[-1]
    months = selectors.on_time_by_month(f, TODAY)
    assert [m for m, _o, _p in months] == [7, 8, 9, 10, 11, 12]
    assert sum(o for _m, o, _p in months) == city.values["published_on_time"]
    assert sum(p for _m, _o, p in months) == city.values["results_published"]
    for item, problems, checked in selectors.problems_by_item(f, TODAY):
        expected = oracle.figures(h, StatsFilter(YEAR, half=2, item=item.pk), TODAY, None)
        assert (problems, checked) == (expected["records_with_problems"], expected["records_concluded"])


def item_filters(h, rng: random.Random) -> list[StatsFilter]:
    """Each item of the history alone, with each other filter in turn, and a few random combinations of them all."""
    out = [StatsFilter(YEAR, item=i.pk) for i in h.items]
    first = h.items[0].pk
    out += [
        StatsFilter(YEAR, item=first, half=1),
        StatsFilter(YEAR, item=first, half=2),
        StatsFilter(YEAR - 1, item=first),
        StatsFilter(YEAR, item=first, department=h.departments[1].pk),
        StatsFilter(YEAR, item=first, region=h.regions[1].pk),
        StatsFilter(YEAR, item=first, risk_class=h.risks[0].pk),
        StatsFilter(YEAR, item=first, joint="joint"),
        StatsFilter(YEAR, item=first, joint="own"),
        StatsFilter(YEAR, item=first, region=h.regions[0].pk, risk_class=h.risks[1].pk, joint="own", half=2),
    ]
    for _ in range(4):
        out.append(
            StatsFilter(
                YEAR,
                half=rng.choice([None, 1, 2]),
                department=rng.choice([None, h.departments[0].pk, h.departments[1].pk]),
                item=rng.choice(h.items).pk,
                region=rng.choice([None, *(r.pk for r in h.regions)]),
                risk_class=rng.choice([None, *(r.pk for r in h.risks)]),
                joint=rng.choice([None, *JOINT_CHOICES]),
            )
        )
    return out


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_every_figure_filtered_by_an_item_is_the_count_of_its_rows(seed, alice, stats_source):
    """An item filter alone and combined with half, department, region, risk class and joint/own: read from the item
    cells on the summary path (ADR 0022, sixth pass), computed live on the other, equal to the oracle's count on both."""
    h = build(seed, alice)
    for f in item_filters(h, random.Random(seed)):
        assert (summary.source(f) is not None) == (stats_source == "summary"), f
        table = selectors.department_table(f, h.departments, TODAY, city=True)
        for row in table.rows:
            dept = row.department.pk if row.department else None
            expected = oracle.figures(h, f, TODAY, dept)
            got = {k: row.values[k] for k in expected}
            assert got == pytest.approx(expected), (seed, f, row.label)
        city = oracle.figures(h, f, TODAY, f.department)
        months = selectors.on_time_by_month(f, TODAY)
        assert sum(o for _m, o, _p in months) == city["published_on_time"], f
        assert sum(p for _m, _o, p in months) == city["results_published"], f
        by_item = [(i.pk, p, n) for i, p, n in selectors.problems_by_item(f, TODAY)]
        checked = city["records_concluded"]
        assert by_item == ([(f.item, city["records_with_problems"], checked)] if checked else []), f
