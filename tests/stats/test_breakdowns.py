"""The breakdowns (item, region, industry section, risk class, inspector) and the figures added with them (three-year
coverage, non-random checks by source, transfers received, listing proposals decided) equal the counts the test makes
itself from the rows of random histories (hypothesis draws the history's seed and the filter)."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji.codes.industry import SECTIONS as INDUSTRY_SECTIONS
from shuangsuiji.directory.models import Inspector, RiskClass
from shuangsuiji.org.models import Region
from shuangsuiji.stats import breakdowns, selectors
from shuangsuiji.stats.filters import JOINT_CHOICES, StatsFilter

from . import oracle
from .history import TODAY, YEAR, build

pytestmark = [pytest.mark.django_db, pytest.mark.today(TODAY.isoformat())]

NEW_FIGURES = [
    "entities_checked_3y",
    "coverage_3y",
    "triggered_checks",
    "triggered_complaint",
    "triggered_referral",
    "triggered_monitoring",
    "triggered_share",
    "transfers_received",
    "listings_decided",
    "listings_listed",
]


def a_filter(h, choice: dict) -> StatsFilter:
    return StatsFilter(
        choice["year"],
        half=choice["half"],
        department=h.departments[choice["dept"]].pk if choice["dept"] is not None else None,
        item=h.items[0].pk if choice["item"] else None,
        region=h.regions[0].pk if choice["region"] else None,
        risk_class=h.risks[1].pk if choice["risk"] else None,
        joint=choice["joint"],
    )


filters = st.fixed_dictionaries(
    {
        "year": st.sampled_from([YEAR, YEAR, YEAR - 1]),
        "half": st.sampled_from([None, 1, 2]),
        "dept": st.sampled_from([None, 0, 1, 2]),
        "item": st.booleans(),
        "region": st.booleans(),
        "risk": st.booleans(),
        "joint": st.sampled_from([None, *JOINT_CHOICES]),
    }
)


def labelled(h, f, key: str) -> dict:
    """The oracle's breakdown with each group named as the page names it."""
    counts = oracle.breakdown(h, f, TODAY, key)
    if key == "region":
        names = {r.pk: r.name for r in Region.objects.all()} | {None: breakdowns.UNSET}
    elif key == "risk":
        names = {c.pk: c.name for c in RiskClass.objects.all()} | {None: "未评定"}
    elif key == "industry":
        names = {k: f"{k} {v}" for k, v in INDUSTRY_SECTIONS.items()} | {breakdowns.UNSET: breakdowns.UNSET}
    else:
        names = {
            i.pk: f"{i.department.short_name} {i.name}"
            for i in Inspector.objects.select_related("department")
        }
    return {names[g]: v for g, v in counts.items()}


def check_history(h, f: StatsFilter) -> None:
    table = selectors.department_table(f, h.departments, TODAY, city=True)
    for row in table.rows:
        dept = row.department.pk if row.department else None
        expected = oracle.figures(h, f, TODAY, dept)
        got = {k: row.values[k] for k in NEW_FIGURES}
        assert got == pytest.approx({k: expected[k] for k in NEW_FIGURES}), (f, row.label)
    for fn, key in (
        (breakdowns.by_region, "region"),
        (breakdowns.by_risk_class, "risk"),
        (breakdowns.by_industry, "industry"),
        (breakdowns.inspector_load, "inspector"),
    ):
        expected = labelled(h, f, key)
        got = {}
        for line in fn(f, TODAY).lines:
            values = (
                (line.finished,) if key == "inspector" else (line.finished, line.concluded, line.problems)
            )
            if key == "region":
                values += (line.entities, line.covered)
            got[line.label] = values
        expected_nonzero = {k: v if key != "inspector" else (v,) for k, v in expected.items()}
        zero = {k: v for k, v in got.items() if k not in expected_nonzero}
        assert all(not any(v) for v in zero.values()), (key, f, zero)
        assert {k: v for k, v in got.items() if k in expected_nonzero} == expected_nonzero, (key, f)


def test_the_new_figures_and_every_breakdown_are_the_counts_of_their_rows(alice):
    @settings(
        max_examples=8,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(seed=st.integers(0, 10_000), choice=filters)
    def check(seed, choice):
        with transaction.atomic():
            h = build(seed, alice)
            check_history(h, a_filter(h, choice))
            transaction.set_rollback(True)

    check()


@pytest.mark.parametrize("seed", [21, 22])
def test_the_whole_year_of_a_history_adds_up_in_every_breakdown(seed, alice):
    h = build(seed, alice)
    f = StatsFilter(YEAR)
    check_history(h, f)
    city = selectors.department_table(f, h.departments, TODAY, city=True).rows[-1].values
    region = breakdowns.by_region(f, TODAY)
    assert sum(ln.finished for ln in region.lines) == city["records_finished"]
    assert sum(ln.entities or 0 for ln in region.lines) == city["market_entities"]
    assert sum(ln.finished for ln in breakdowns.by_risk_class(f, TODAY).lines) == city["records_finished"]
    assert sum(ln.problems for ln in breakdowns.by_industry(f, TODAY).lines) == city["records_with_problems"]


def test_the_inspector_load_is_listed_by_department_and_name_not_ranked_by_count(alice):
    h = build(23, alice)
    lines = breakdowns.inspector_load(StatsFilter(YEAR), TODAY).lines
    by_name = {
        f"{i.department.short_name} {i.name}": i for i in Inspector.objects.select_related("department")
    }
    keys = [
        (by_name[ln.label].department.sort, by_name[ln.label].department_id, by_name[ln.label].name)
        for ln in lines
    ]
    assert keys == sorted(keys)
    assert h.inspectors  # the history has inspectors


@pytest.mark.parametrize(
    "seed, choice",
    [
        (31, {"half": None, "dept": None, "region": False, "risk": False, "joint": None}),
        (32, {"half": 1, "dept": None, "region": True, "risk": False, "joint": None}),
        (33, {"half": None, "dept": None, "region": False, "risk": True, "joint": "joint"}),
        (34, {"half": 2, "dept": 1, "region": True, "risk": True, "joint": "own"}),
        (35, {"half": None, "dept": 0, "region": False, "risk": False, "joint": "own"}),
        (36, {"half": None, "dept": None, "region": False, "risk": True, "joint": None}),
        (37, {"half": None, "dept": None, "region": True, "risk": False, "joint": None}),
    ],
)
def test_every_breakdown_filtered_by_an_item_is_the_count_of_its_rows(seed, choice, alice, stats_source):
    """The item filter with the half, a department, the region, the risk class and joint/own: from the item cells on
    the summary path (ADR 0022, sixth pass), each breakdown and the added figures equal the oracle's counts."""
    h = build(seed, alice)
    for item in h.items:
        f = a_filter(h, {"year": YEAR, "item": True, **choice})
        check_history(h, StatsFilter(**{**f.__dict__, "item": item.pk}))


@pytest.mark.parametrize("seed", [33, 36])
def test_the_coverage_by_region_filtered_by_an_item_and_a_risk_class_is_the_count_of_its_rows(
    seed, alice, stats_source
):
    """The coverage by region needs the item entity cells' (region, risk class) detail: every item with every risk
    class."""
    h = build(seed, alice)
    for item in h.items:
        for risk in h.risks:
            f = StatsFilter(YEAR, item=item.pk, risk_class=risk.pk)
            expected = {k: v[3:] for k, v in labelled(h, f, "region").items()}
            got = {ln.label: (ln.entities, ln.covered) for ln in breakdowns.by_region(f, TODAY).lines}
            assert {k: v for k, v in got.items() if k in expected} == expected, f
            assert not any(v[1] for k, v in got.items() if k not in expected), f
