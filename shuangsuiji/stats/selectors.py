"""Statistics (art. 15, 18) as named reads: each figure is a count of a named queryset, grouped by department.

Every figure is defined as a plain ORM aggregate (COUNT … GROUP BY) over the live tables (ADR 0015); the same querysets
back the lists a figure links to, so a number on the page and the rows behind it cannot disagree. At scale the figures
are read from the summary tables that `refresh_stats` fills from these same conditions (summary.py, ADR 0022); the tests
compare both paths with counts of their own.

Conventions (written on the page as well):
- A task (抽查任务) is a published scheme of the year, counted for its lead department; the half-year is that of its
  window's start. Planned tasks are the batches of the year's approved annual plans.
- A record is placed in the period by its inspection date and counted for the department that inspected it
  (谁检查、谁录入). Finished records, timeliness and coverage look at the first version of each record (the one that
  was due); the problem-found rate looks at the results in force (submitted, published or withheld).
- A problem was found when any item result of the record says so (with an item filter: that item's result).
- Region and risk class narrow the objects (drawn objects, records, coverage, transfers), not the task counts.
- Coverage: market entities (enterprises, individual businesses, cooperatives) in business, checked at least once.
- Checks per entity: random checks of a market entity, a joint check counted once however many departments recorded it.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractMonth, TruncDate

from shuangsuiji.accountability.selectors import CONCLUDED, EXECUTED
from shuangsuiji.directory.models import CheckItem, InspectionObject
from shuangsuiji.draws.models import Draw, DrawStatus, Selection
from shuangsuiji.inspections.models import (
    InspectionRecord,
    ItemResult,
    ListingProposal,
    ProposalStatus,
    RecordKind,
    RecordStatus,
    Transfer,
    TransferStatus,
)
from shuangsuiji.org.models import Department
from shuangsuiji.planning.models import PlanBatch, PlanKind, SchemeStatus, TaskScheme

from . import reading
from .filters import StatsFilter

AWAITING = [RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.RETURNED]


def joint_scheme_ids() -> list[int]:
    """Schemes with team slots of more than one department (TaskScheme.is_joint); team_slots is JSON, so this is
    decided in Python over two columns of the scheme table (hundreds of rows a year)."""
    return reading.once(
        "joint",
        lambda: [
            pk for pk, slots in TaskScheme.objects.values_list("pk", "team_slots") if len(slots or {}) > 1
        ],
    )


# --- tasks --------------------------------------------------------------------------------------------------------


def tasks_planned(f: StatsFilter, today: datetime.date) -> QuerySet:
    qs = PlanBatch.objects.filter(plan__year=f.year, plan__versions__isnull=False)
    if f.half:
        qs = qs.filter(month__in=f.months)
    if f.department:
        qs = qs.filter(plan__department_id=f.department)
    if f.item:
        qs = qs.filter(plan__items__item_id=f.item)
    if f.joint == "joint":
        qs = qs.filter(plan__kind=PlanKind.JOINT)
    elif f.joint == "own":
        qs = qs.exclude(plan__kind=PlanKind.JOINT)
    return qs


def tasks_published(f: StatsFilter, today: datetime.date, *, joint: bool = True) -> QuerySet:
    qs = TaskScheme.objects.filter(year=f.year).exclude(status=SchemeStatus.DRAFT)
    if f.half:
        qs = qs.filter(window_start__month__in=f.months)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.item:
        qs = qs.filter(items__item_id=f.item)
    if joint and f.joint == "joint":
        qs = qs.filter(pk__in=joint_scheme_ids())
    elif joint and f.joint == "own":
        qs = qs.exclude(pk__in=joint_scheme_ids())
    return qs


def tasks_drawn(f: StatsFilter, today: datetime.date) -> QuerySet:
    drawn = Draw.objects.filter(scheme=OuterRef("pk"), status=DrawStatus.DRAWN)
    return tasks_published(f, today).filter(Exists(drawn))


def tasks_finished(f: StatsFilter, today: datetime.date) -> QuerySet:
    return tasks_published(f, today).filter(status=SchemeStatus.CLOSED)


def tasks_all_for_share(f: StatsFilter, today: datetime.date) -> QuerySet:
    """All published tasks whatever the joint/own filter: the denominator of the joint share."""
    return tasks_published(f, today, joint=False)


def tasks_joint(f: StatsFilter, today: datetime.date) -> QuerySet:
    return tasks_published(f, today, joint=False).filter(pk__in=joint_scheme_ids())


def objects_drawn(f: StatsFilter, today: datetime.date) -> QuerySet:
    qs = Selection.objects.filter(
        active=True, draw__status=DrawStatus.DRAWN, draw__scheme__in=tasks_published(f, today).values("pk")
    )
    return _objects_narrowed(qs, f, "object__")


# --- records ------------------------------------------------------------------------------------------------------


def _objects_narrowed(qs: QuerySet, f: StatsFilter, prefix: str) -> QuerySet:
    if f.region:
        qs = qs.filter(**{f"{prefix}region_id": f.region})
    if f.risk_class:
        qs = qs.filter(**{f"{prefix}risk_class_id": f.risk_class})
    return qs


def _records_narrowed(qs: QuerySet, f: StatsFilter, prefix: str = "") -> QuerySet:
    if f.department:
        qs = qs.filter(**{f"{prefix}department_id": f.department})
    if f.item:
        qs = qs.filter(**{f"{prefix}item_results__item_id": f.item})
    qs = _objects_narrowed(qs, f, f"{prefix}object__")
    if f.joint == "joint":
        qs = qs.filter(**{f"{prefix}selection__draw__scheme_id__in": joint_scheme_ids()})
    elif f.joint == "own":
        qs = qs.exclude(**{f"{prefix}selection__draw__scheme_id__in": joint_scheme_ids()})
    return qs


def records_first(f: StatsFilter, today: datetime.date) -> QuerySet:
    """First versions of the records inspected in the period, whatever their state."""
    qs = InspectionRecord.objects.filter(corrects__isnull=True, inspection_date__range=(f.start, f.end))
    return _records_narrowed(qs, f)


def records_finished(f: StatsFilter, today: datetime.date) -> QuerySet:
    return records_first(f, today).filter(status__in=EXECUTED)


def records_in_window(f: StatsFilter, today: datetime.date) -> QuerySet:
    """Finished random checks inspected inside their task's window."""
    return records_finished(f, today).filter(
        kind=RecordKind.RANDOM,
        inspection_date__gte=F("selection__draw__scheme__window_start"),
        inspection_date__lte=F("selection__draw__scheme__window_end"),
    )


def results_published(f: StatsFilter, today: datetime.date) -> QuerySet:
    """First versions that were published and had a deadline (20 working days from the result, art. 13)."""
    return records_first(f, today).filter(published_at__isnull=False, deadline__isnull=False)


def published_on_time(f: StatsFilter, today: datetime.date) -> QuerySet:
    # The publication day counts in local time, as in the accountability report (art. 20).
    return results_published(f, today).filter(published_at__date__lte=F("deadline"))


def results_overdue(f: StatsFilter, today: datetime.date) -> QuerySet:
    """Published after the deadline, or still unpublished with the deadline passed."""
    return records_first(f, today).filter(
        Q(published_at__isnull=False, deadline__isnull=False, published_at__date__gt=F("deadline"))
        | Q(status__in=AWAITING, deadline__lt=today)
    )


def records_concluded(f: StatsFilter, today: datetime.date) -> QuerySet:
    qs = InspectionRecord.objects.filter(status__in=CONCLUDED, inspection_date__range=(f.start, f.end))
    return _records_narrowed(qs, f)


def _problem_records(f: StatsFilter) -> QuerySet:
    """Ids of the records with an item result that found a problem (with an item filter: that item's result).

    Uncorrelated on purpose: `pk IN (this)` is hashed once by PostgreSQL, where a correlated EXISTS probed the item
    results once per record of the period (314,000 index look-ups, ~2 s at 1 M results; ADR 0022)."""
    qs = ItemResult.objects.filter(problem_found=True)
    return (qs.filter(item_id=f.item) if f.item else qs).values("record_id")


def records_with_problems(f: StatsFilter, today: datetime.date) -> QuerySet:
    return records_concluded(f, today).filter(pk__in=_problem_records(f))


def random_checks(f: StatsFilter, today: datetime.date) -> QuerySet:
    """Finished random checks (the denominator of the joint share of checks)."""
    return records_finished(f, today).filter(kind=RecordKind.RANDOM)


def joint_checks(f: StatsFilter, today: datetime.date) -> QuerySet:
    return random_checks(f, today).filter(selection__draw__scheme_id__in=joint_scheme_ids())


# --- coverage -----------------------------------------------------------------------------------------------------


def market_entities(f: StatsFilter, today: datetime.date) -> QuerySet:
    """The coverage denominator: market entities in business, narrowed by region and risk class (not department)."""
    return _objects_narrowed(InspectionObject.objects.market_entities().active(), f, "")


def entity_checks(f: StatsFilter, today: datetime.date) -> QuerySet:
    """Finished records of the period whose object is in the coverage denominator."""
    return records_finished(f, today).filter(object__in=market_entities(f, today).values("pk"))


def entity_checks_3y(f: StatsFilter, today: datetime.date) -> QuerySet:
    """Finished records of the three years ending with the period (the year and the two before) whose object is in
    the coverage denominator."""
    qs = InspectionRecord.objects.filter(
        corrects__isnull=True,
        status__in=EXECUTED,
        inspection_date__range=(datetime.date(f.year - 2, 1, 1), f.end),
    )
    return _records_narrowed(qs, f).filter(object__in=market_entities(f, today).values("pk"))


# --- non-random checks (art. 19) ----------------------------------------------------------------------------------

# InspectionRecord.trigger holds the source of a non-random check (inspections.categories.TRIGGERS).
TRIGGER_KEYS = {
    "投诉举报": "triggered_complaint",
    "转办交办": "triggered_referral",
    "数据监测": "triggered_monitoring",
}


def triggered_checks(f: StatsFilter, today: datetime.date) -> QuerySet:
    """Finished non-random checks (投诉举报 / 转办交办 / 数据监测)."""
    return records_finished(f, today).filter(kind=RecordKind.TRIGGERED)


def _triggered(source: str) -> Callable[[StatsFilter, datetime.date], QuerySet]:
    def rows(f: StatsFilter, today: datetime.date) -> QuerySet:
        return triggered_checks(f, today).filter(trigger=source)

    rows.__name__ = TRIGGER_KEYS[source]
    return rows


# --- transfers ----------------------------------------------------------------------------------------------------


def transfers_opened(f: StatsFilter, today: datetime.date) -> QuerySet:
    qs = Transfer.objects.filter(sent_at__date__range=(f.start, f.end))
    return _records_narrowed(qs, f, "record__")


def transfers_received(f: StatsFilter, today: datetime.date) -> QuerySet:
    """Transfers sent in the period to a department (grouped by the receiving department; the department filter
    names the receiver)."""
    qs = Transfer.objects.filter(sent_at__date__range=(f.start, f.end), to_department__isnull=False)
    if f.department:
        qs = qs.filter(to_department_id=f.department)
    return _records_narrowed(qs, replace(f, department=None), "record__")


def transfers_closed(f: StatsFilter, today: datetime.date) -> QuerySet:
    return transfers_opened(f, today).filter(status=TransferStatus.CLOSED)


def transfers_overdue(f: StatsFilter, today: datetime.date) -> QuerySet:
    """Not closed by the due day: open past it, or closed after it."""
    return transfers_opened(f, today).filter(
        Q(~Q(status=TransferStatus.CLOSED), due__lt=today)
        | Q(status=TransferStatus.CLOSED, closed_at__date__gt=F("due"))
    )


# --- listing proposals (经营异常名录) ---------------------------------------------------------------------------


def listings_decided(f: StatsFilter, today: datetime.date) -> QuerySet:
    """Listing proposals decided in the period (listed or not), counted for the deciding (registering) department."""
    qs = ListingProposal.objects.filter(
        status__in=[ProposalStatus.LISTED, ProposalStatus.REJECTED], decided_at__date__range=(f.start, f.end)
    )
    if f.department:
        qs = qs.filter(department_id=f.department)
    return _records_narrowed(qs, replace(f, department=None), "record__")


def listings_listed(f: StatsFilter, today: datetime.date) -> QuerySet:
    return listings_decided(f, today).filter(status=ProposalStatus.LISTED)


# --- the figures --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count_:
    """A count figure: how many distinct `distinct` of `rows`, grouped by `group` (a department id)."""

    rows: Callable[[StatsFilter, datetime.date], QuerySet]
    group: str
    distinct: str = "pk"
    list_name: str | None = None  # the internal list page showing exactly these rows (with ?stat=key)


COUNTS: dict[str, Count_] = {
    "tasks_planned": Count_(tasks_planned, "plan__department"),
    "tasks_published": Count_(tasks_published, "department", list_name="scheme_list"),
    "tasks_drawn": Count_(tasks_drawn, "department", list_name="scheme_list"),
    "tasks_finished": Count_(tasks_finished, "department", list_name="scheme_list"),
    "tasks_all_for_share": Count_(tasks_all_for_share, "department", list_name="scheme_list"),
    "tasks_joint": Count_(tasks_joint, "department", list_name="scheme_list"),
    "objects_drawn": Count_(objects_drawn, "draw__scheme__department"),
    "records_finished": Count_(records_finished, "department", list_name="record_list"),
    "records_in_window": Count_(records_in_window, "department", list_name="record_list"),
    "results_published": Count_(results_published, "department", list_name="record_list"),
    "published_on_time": Count_(published_on_time, "department", list_name="record_list"),
    "results_overdue": Count_(results_overdue, "department", list_name="record_list"),
    "records_concluded": Count_(records_concluded, "department", list_name="record_list"),
    "records_with_problems": Count_(records_with_problems, "department", list_name="record_list"),
    "random_checks": Count_(random_checks, "department", list_name="record_list"),
    "joint_checks": Count_(joint_checks, "department", list_name="record_list"),
    "entities_checked": Count_(entity_checks, "department", distinct="object"),
    "entities_checked_3y": Count_(entity_checks_3y, "department", distinct="object"),
    "triggered_checks": Count_(triggered_checks, "department", list_name="record_list"),
    **{
        key: Count_(_triggered(source), "department", list_name="record_list")
        for source, key in TRIGGER_KEYS.items()
    },
    "transfers_opened": Count_(transfers_opened, "record__department", list_name="transfer_list"),
    "transfers_received": Count_(transfers_received, "to_department", list_name="transfer_list"),
    "transfers_closed": Count_(transfers_closed, "record__department", list_name="transfer_list"),
    "transfers_overdue": Count_(transfers_overdue, "record__department", list_name="transfer_list"),
    "listings_decided": Count_(listings_decided, "department"),
    "listings_listed": Count_(listings_listed, "department"),
}


def checked_thrice_records(f: StatsFilter, today: datetime.date) -> QuerySet:
    """The random checks of the market entities checked three times or more in the period (art. 9: 原则上不超过2次),
    counted as _checks_per_entity counts them (a joint check once): so that an office can see which entities the
    figure “随机抽查 3 次及以上” names. Narrowed to the filter's department, as that department's figure is."""
    random = entity_checks(f, today).filter(kind=RecordKind.RANDOM)
    thrice = (
        random.order_by()
        .values("object")
        .annotate(n=Count("selection", distinct=True))
        .filter(n__gte=3)
        .values("object")
    )
    return random.filter(object__in=thrice)


# Figures counted elsewhere (department_table) whose rows a list page still shows.
LISTED_ONLY: dict[str, Count_] = {
    "checked_thrice": Count_(
        checked_thrice_records, "department", distinct="object", list_name="record_list"
    ),
}
# rate key: (numerator, denominator)
RATES: dict[str, tuple[str, str]] = {
    "on_time_rate": ("published_on_time", "results_published"),
    "problem_rate": ("records_with_problems", "records_concluded"),
    "joint_task_share": ("tasks_joint", "tasks_all_for_share"),
    "joint_check_share": ("joint_checks", "random_checks"),
    "coverage": ("entities_checked", "market_entities"),
    "coverage_3y": ("entities_checked_3y", "market_entities"),
    "triggered_share": ("triggered_checks", "checks_all"),
}
# Counts that are only denominators on the page, named for their lists.
EXTRA_LABELS = {"tasks_all_for_share": "全部已公示任务", "joint_checks": "部门联合随机抽查（检查）"}
LIST_FIGURES = {
    name: [k for k, c in (COUNTS | LISTED_ONLY).items() if c.list_name == name]
    for name in ("record_list", "scheme_list", "transfer_list")
}


def figure_rows(key: str, f: StatsFilter, today: datetime.date) -> QuerySet:
    """The rows behind a count figure (for its list page)."""
    return (COUNTS | LISTED_ONLY)[key].rows(f, today)


@dataclass
class Row:
    department: Department | None  # None: the city
    values: dict[str, int | float | None] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.department.name if self.department else "全市"

    def rate(self, key: str) -> tuple[int, int]:
        num, den = RATES[key]
        return int(self.values[num] or 0), int(self.values[den] or 0)


@dataclass
class Table:
    filter: StatsFilter
    today: datetime.date
    rows: list[Row]


def _grouped(count: Count_, f: StatsFilter, today: datetime.date) -> tuple[dict[int, int], int]:
    qs = count.rows(f, today).order_by()
    by = {
        g: n
        for g, n in qs.values_list(count.group)
        .annotate(n=Count(count.distinct, distinct=True))
        .values_list(count.group, "n")
    }
    if count.distinct == "pk":
        # Every group is reached through to-one relations (a row is in exactly one group, NULL included), so the
        # distinct rows of the whole are the sum of the groups': no second query.
        return by, sum(by.values())
    # COUNT(*) over SELECT DISTINCT: PostgreSQL hashes the distinct values in memory, where COUNT(DISTINCT …) sorted
    # every row on disk (three years of records for the 3-year coverage: 2.7 s → 1.4 s at 1 M results; ADR 0022).
    total = qs.filter(**{f"{count.distinct}__isnull": False}).values(count.distinct).distinct().count()
    return by, total


def _median_days(f: StatsFilter, today: datetime.date) -> tuple[dict[int, float | None], float | None]:
    """Median calendar days from the result (or the inspection day) to publication (its local date), per department
    and overall. The database returns how many records took each number of days; the median is read from that."""
    days = ExpressionWrapper(
        TruncDate("published_at") - Coalesce("result_date", "inspection_date"), output_field=DurationField()
    )
    rows = (
        results_published(f, today)
        .order_by()
        .annotate(days=days)
        .values_list("department", "days")
        .annotate(n=Count("pk"))  # one row per record (records_in_period): no DISTINCT
        .values_list("department", "days", "n")
    )
    per_dept: dict[int, Counter] = defaultdict(Counter)
    every: Counter = Counter()
    for dept, delta, n in rows:
        per_dept[dept][delta.days] += n
        every[delta.days] += n
    return {dept: _median(h) for dept, h in per_dept.items()}, _median(every)


def _median(histogram: Counter) -> float | None:
    """The median of values given as {value: how many times}."""
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def nth(k: int) -> int:  # the k-th smallest value, from 0
        seen = 0
        for value, n in ordered:
            seen += n
            if k < seen:
                return value
        raise IndexError(k)

    return float(nth((total - 1) // 2) + nth(total // 2)) / 2


def _checks_per_entity(f: StatsFilter, today: datetime.date) -> tuple[dict[int, Counter], Counter]:
    """How many entities had 1, 2, 3+ random checks, per department and for the city (a joint check once)."""
    qs = entity_checks(f, today).filter(kind=RecordKind.RANDOM).order_by()
    per_dept: dict[int, Counter] = defaultdict(Counter)
    for dept, _obj, n in (
        qs.values_list("department", "object")
        .annotate(n=Count("selection", distinct=True))
        .values_list("department", "object", "n")
    ):
        per_dept[dept][min(n, 3)] += 1
    city: Counter = Counter()
    for _obj, n in (
        qs.values_list("object").annotate(n=Count("selection", distinct=True)).values_list("object", "n")
    ):
        city[min(n, 3)] += 1
    return per_dept, city


def records_in_period(f: StatsFilter) -> QuerySet:
    """Every version of the records inspected in the period, narrowed by the filter. One row per record: the item
    filter joins at most one item result (uniq_record_item) and the scheme is reached through to-one relations, so
    counts over it need no DISTINCT (a COUNT(DISTINCT) per figure made PostgreSQL sort the rows once per figure)."""
    return _records_narrowed(InspectionRecord.objects.filter(inspection_date__range=(f.start, f.end)), f)


def _record_conditions(f: StatsFilter, today: datetime.date) -> dict[str, Q]:
    """The record figures as conditions on the period's narrowed records (every version), so that one grouped query
    with conditional counts gives them all (one pass over the year's records instead of one per figure). Each
    condition is the named queryset of the same key above (records_finished, …), which the lists show and which the
    tests compare it with."""
    first = Q(corrects__isnull=True)
    finished = first & Q(status__in=EXECUTED)
    random = finished & Q(kind=RecordKind.RANDOM)
    published = first & Q(published_at__isnull=False, deadline__isnull=False)
    concluded = Q(status__in=CONCLUDED)
    out = {
        "records_finished": finished,
        "records_in_window": random
        & Q(
            inspection_date__gte=F("selection__draw__scheme__window_start"),
            inspection_date__lte=F("selection__draw__scheme__window_end"),
        ),
        "results_published": published,
        "published_on_time": published & Q(published_at__date__lte=F("deadline")),
        "results_overdue": first
        & (
            Q(published_at__isnull=False, deadline__isnull=False, published_at__date__gt=F("deadline"))
            | Q(status__in=AWAITING, deadline__lt=today)
        ),
        "records_concluded": concluded,
        "records_with_problems": concluded & Q(pk__in=_problem_records(f)),
        "random_checks": random,
        "joint_checks": random & Q(selection__draw__scheme_id__in=joint_scheme_ids()),
        "triggered_checks": finished & Q(kind=RecordKind.TRIGGERED),
    }
    for source, key in TRIGGER_KEYS.items():
        out[key] = finished & Q(kind=RecordKind.TRIGGERED, trigger=source)
    return out


def _record_figures(f: StatsFilter, today: datetime.date) -> dict[str, tuple[dict[int, int], int]]:
    """{key: (per department, city)} of every record figure, from one grouped query."""
    conditions = _record_conditions(f, today)
    rows = (
        records_in_period(f)
        .order_by()
        .values("department")
        .annotate(**{key: Count("pk", filter=q) for key, q in conditions.items()})
    )
    out: dict[str, tuple[dict[int, int], int]] = {key: ({}, 0) for key in conditions}
    for row in rows:
        for key in conditions:
            by, total = out[key]
            by[row["department"]] = row[key]
            out[key] = (by, total + row[key])
    return out


def _task_figures(f: StatsFilter, today: datetime.date) -> dict[str, tuple[dict[int, int], int]]:
    """tasks_published, tasks_drawn, tasks_finished, tasks_all_for_share and tasks_joint from one grouped query with
    the conditions of those querysets (which the lists show and the tests compare with)."""
    joint = Q(pk__in=joint_scheme_ids())
    published = joint if f.joint == "joint" else ~joint if f.joint == "own" else None
    drawn = Exists(Draw.objects.filter(scheme=OuterRef("pk"), status=DrawStatus.DRAWN))
    finished = Q(status=SchemeStatus.CLOSED)
    conditions: dict[str, Q | Exists | None] = {
        "tasks_published": published,
        "tasks_drawn": drawn if published is None else published & Q(drawn),
        "tasks_finished": finished if published is None else published & finished,
        "tasks_all_for_share": None,
        "tasks_joint": joint,
    }
    rows = (
        tasks_all_for_share(f, today)
        .order_by()
        .values("department")
        .annotate(**{k: Count("pk", distinct=True, filter=q) for k, q in conditions.items()})
    )
    out: dict[str, tuple[dict[int, int], int]] = {}
    for key in conditions:
        by = {row["department"]: row[key] for row in rows}
        out[key] = (by, sum(by.values()))  # a scheme has one department
    return out


def department_table(
    f: StatsFilter, departments: Iterable[Department], today: datetime.date, *, city: bool
) -> Table:
    """Every figure per department (and for the city when `city`), for the filter `f`."""
    departments = [d for d in departments if not f.department or d.pk == f.department]
    rows = [Row(d) for d in departments]
    from . import summary  # summary builds on this module

    city_row = Row(None)
    state = summary.source(f)
    if state is None:
        records = _record_figures(f, today)
        medians, city_median = _median_days(f, today)
        per_dept, city_checks = _checks_per_entity(f, today)
    else:
        records = summary.record_figures(state, f, today)
        histograms, every = summary.median_days(state, f)
        medians, city_median = {d: _median(h) for d, h in histograms.items()}, _median(every)
        per_dept, city_checks = summary.checks_per_entity(state, f)
    records |= _task_figures(f, today)
    for key, count in COUNTS.items():
        by, total = records[key] if key in records else _grouped(count, f, today)
        for row in rows:
            row.values[key] = by.get(row.department.pk, 0)  # type: ignore[union-attr]
        city_row.values[key] = total
    entities = market_entities(f, today).count() if state is None else summary.market_entities(state, f)
    for row in rows:
        row.values["market_entities"] = entities
        row.values["median_days"] = medians.get(row.department.pk)  # type: ignore[union-attr]
        checks = per_dept.get(row.department.pk, Counter())  # type: ignore[union-attr]
        row.values |= {"checked_once": checks[1], "checked_twice": checks[2], "checked_thrice": checks[3]}
    city_row.values |= {
        "market_entities": entities,
        "median_days": city_median,
        "checked_once": city_checks[1],
        "checked_twice": city_checks[2],
        "checked_thrice": city_checks[3],
    }
    for row in [*rows, city_row]:
        row.values["checks_all"] = int(row.values["random_checks"] or 0) + int(
            row.values["triggered_checks"] or 0
        )
        for key in RATES:
            num, den = row.rate(key)
            row.values[key] = num / den if den else None
    if city and not f.department:
        rows.append(city_row)
    return Table(f, today, rows)


# --- charts -------------------------------------------------------------------------------------------------------


def on_time_by_month(f: StatsFilter, today: datetime.date) -> list[tuple[int, int, int]]:
    """[(month, on time, published)] for each month of the period, by inspection month: one grouped query with the
    conditions of results_published and published_on_time (one row per record, so no DISTINCT)."""
    from . import summary

    state = summary.source(f)
    if state is not None:
        by_month = summary.on_time_by_month(state, f)
        return [(m, *by_month.get(m, (0, 0))) for m in f.months]
    conditions = _record_conditions(f, today)
    keys = ("published_on_time", "results_published")
    rows = (
        records_in_period(f)
        .order_by()
        .annotate(m=ExtractMonth("inspection_date"))
        .values("m")
        .annotate(**{k: Count("pk", filter=conditions[k]) for k in keys})
    )
    by_month = {row["m"]: (row["published_on_time"], row["results_published"]) for row in rows}
    return [(m, *by_month.get(m, (0, 0))) for m in f.months]


def problems_by_item(f: StatsFilter, today: datetime.date) -> list[tuple[CheckItem, int, int]]:
    """[(item, results with a problem, results checked)] of the results in force, most checked first."""
    from . import summary

    state = summary.source(f)
    if state is not None:
        counts = summary.problems_by_item(state, f)
    else:
        qs = ItemResult.objects.filter(record__in=records_concluded(f, today).values("pk"), checked=True)
        if f.item:
            qs = qs.filter(item_id=f.item)
        counts = list(
            qs.order_by()
            .values_list("item")
            .annotate(n=Count("pk"), p=Count("pk", filter=Q(problem_found=True)))
            .values_list("item", "p", "n")
        )
    items = CheckItem.objects.in_bulk([i for i, _p, _n in counts])
    return sorted(((items[i], p, n) for i, p, n in counts), key=lambda t: (-t[2], t[0].code))
