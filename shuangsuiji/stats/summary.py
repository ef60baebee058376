"""The summary path of the statistics (ADR 0022): `refresh()` rebuilds the summary tables (models.py) in one
transaction from the same conditions as the live figures (selectors._record_conditions), and the readers below answer
the selectors' questions from them.

Which path a request takes (`source(f)`): settings.STATS_SOURCE = "live" always computes from the records;
"summary" always reads the summary tables (empty until the first refresh); "auto" (the default) reads them once a
refresh has completed and computes live before. A filter on an item is always live (the summary has no item
dimension for the record figures; ADR 0022). "Overdue, not yet published" depends on today: its unpublished part is
always counted live (few records, index record_deadline_idx); the part published late comes from the summary.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, TruncDate
from django.utils import timezone

from shuangsuiji.accountability.selectors import CONCLUDED, EXECUTED
from shuangsuiji.directory.models import InspectionObject
from shuangsuiji.inspections.models import (
    InspectionRecord,
    ItemResult,
    ListingProposal,
    ProposalStatus,
    RecordKind,
    Transfer,
    TransferStatus,
)

from . import reading, selectors
from .filters import StatsFilter
from .models import (
    LEVELS,
    REGION,
    RISK,
    DaysCell,
    EntityCell,
    IndustryCell,
    ItemCell,
    ListingCell,
    PopulationCell,
    RecordCell,
    Refresh,
    TransferCell,
)

T = TypeVar("T")
CELLS = (RecordCell, IndustryCell, DaysCell, ItemCell, EntityCell, TransferCell, ListingCell, PopulationCell)

# The record figures the summary holds (RecordCell columns); results_overdue is published_late + the live part.
RECORD_KEYS = (
    "records_finished",
    "records_in_window",
    "results_published",
    "published_on_time",
    "records_concluded",
    "records_with_problems",
    "random_checks",
    "joint_checks",
    "triggered_checks",
    *selectors.TRIGGER_KEYS.values(),
)
BREAKDOWN_KEYS = ("records_finished", "records_concluded", "records_with_problems")
ENTITY_KEYS = ("covered", "covered_3y", "checked_once", "checked_twice", "checked_thrice")
ADVISORY_LOCK = 0x5354_4154  # "STAT": one refresh at a time on PostgreSQL


# --- which path -------------------------------------------------------------------------------------------------


def latest() -> Refresh | None:
    return reading.once("latest", lambda: Refresh.objects.order_by("-pk").first())


def source(f: StatsFilter) -> Refresh | None:
    """The refresh to read for `f`, or None to compute live."""
    mode = getattr(settings, "STATS_SOURCE", "auto")
    if mode == "live" or f.item:
        return None
    state = latest()
    if state is None and mode == "summary":
        # Forced summary before any refresh: empty figures (generation 0 has no rows), said on the page.
        return Refresh(pk=0, finished_at=timezone.now(), day=timezone.localdate(), seconds=0, records=0)
    return state


def as_of(f: StatsFilter) -> dict:
    """What the page says about the data it shows: {"live": bool, "at": aware datetime or None, "item": bool}."""
    mode = getattr(settings, "STATS_SOURCE", "auto")
    state = latest()
    return {
        "mode": mode,
        "summary": mode != "live" and not f.item and (state is not None or mode == "summary"),
        "at": state.finished_at if state else None,
        "item": bool(f.item),
    }


# --- refresh ----------------------------------------------------------------------------------------------------


def _joint(ids: list[int], prefix: str = "") -> Case:
    return Case(
        When(**{f"{prefix}selection__draw__scheme_id__in": ids}, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _half(month: str) -> Case:
    return Case(When(**{f"{month}__lte": 6}, then=Value(1)), default=Value(2), output_field=IntegerField())


def _insert_select(model, qs: QuerySet, **constants) -> None:
    """INSERT INTO model's table … SELECT the grouped query `qs` (one code path on both databases): the rows never
    travel to Python. Every column of `qs` is an annotation named like the model's field (or in FIELD_OF), so the outer
    SELECT picks them by alias whatever order the ORM put them in."""
    sql, params = qs.query.sql_with_params()
    qn = connection.ops.quote_name
    if any(f.name == "level" for f in model._meta.fields):
        constants = {"level": 0, **constants}  # the detail (roll-ups are added from it at the end)
    aliases = [*qs.query.values_select, *qs.query.annotation_select]
    columns = [model._meta.get_field(FIELD_OF.get(a, a)).column for a in aliases]
    columns += [model._meta.get_field(name).column for name in constants]
    select = [f"sub.{qn(a)}" for a in aliases] + ["%s"] * len(constants)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(map(qn, columns))}) "
            f"SELECT {', '.join(select)} FROM ({sql}) sub",
            [*constants.values(), *params],
        )


# Query aliases → cell fields (the aliases must not clash with the source models' own fields).
FIELD_OF = {
    "y": "year",
    "m": "month",
    "h": "half",
    "dept": "department_id",
    "r": "region_id",
    "rc": "risk_class_id",
    "jt": "joint",
    "code": "industry_code",
    "d": "days",
    "it": "item_id",
    "nc": "checked",
}


def refresh() -> Refresh:
    """Rebuild every summary table in one transaction: readers see the previous refresh until it commits."""
    started = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        day = timezone.localdate()
        state = Refresh.objects.create(finished_at=timezone.now(), day=day, seconds=0, records=0)
        g = state.pk
        ids = selectors.joint_scheme_ids()
        # The conditions depend on the filter only through its item (none here) and on today only for
        # results_overdue, which is not summarised.
        conditions = selectors._record_conditions(StatsFilter(2000), datetime.date(2000, 1, 1))
        conditions["published_late"] = (
            Q(corrects__isnull=True)
            & Q(published_at__isnull=False, deadline__isnull=False)
            & Q(published_at__date__gt=F("deadline"))
        )
        base = InspectionRecord.objects.order_by().annotate(
            y=ExtractYear("inspection_date"),
            m=ExtractMonth("inspection_date"),
            jt=_joint(ids),
            dept=F("department"),
            r=F("object__region"),
            rc=F("object__risk_class"),
        )
        base = base.annotate(h=_half("m"))
        keys = (*RECORD_KEYS, "published_late")
        _insert_select(
            RecordCell,
            base.values(*DIMS, "m").annotate(**{k: Count("pk", filter=conditions[k]) for k in keys}),
            generation=g,
        )
        # The GB/T 4754 section of each code in use (a few dozen to a few hundred codes), mapped in SQL: the cells
        # hold sections (≤ 21), not codes, so the industry breakdown sums few rows.
        from .breakdowns import UNSET, _section  # breakdowns reads this module

        codes = InspectionObject.objects.order_by().values_list("industry_code", flat=True).distinct()
        section = Case(
            *(When(object__industry_code=code, then=Value(_section(code))) for code in codes if code),
            default=Value(UNSET),
            output_field=CharField(),
        )
        _insert_select(
            IndustryCell,
            base.annotate(code=section)
            .values(*DIMS, "h", "code")
            .annotate(**{k: Count("pk", filter=conditions[k]) for k in BREAKDOWN_KEYS}),
            generation=g,
        )
        days = ExpressionWrapper(
            TruncDate("published_at") - Coalesce("result_date", "inspection_date"),
            output_field=DurationField(),
        )
        _insert_select(
            DaysCell,
            base.filter(conditions["results_published"])
            .annotate(d=days)
            .values(*DIMS, "h", "d")
            .annotate(n=Count("pk")),
            generation=g,
        )
        _insert_select(
            ItemCell,
            ItemResult.objects.filter(checked=True, record__status__in=CONCLUDED)
            .order_by()
            .annotate(
                y=ExtractYear("record__inspection_date"),
                m=ExtractMonth("record__inspection_date"),
                jt=_joint(ids, "record__"),
                dept=F("record__department"),
                r=F("record__object__region"),
                rc=F("record__object__risk_class"),
                it=F("item"),
            )
            .annotate(h=_half("m"))
            .values(*DIMS, "h", "it")
            .annotate(nc=Count("pk"), problems=Count("pk", filter=Q(problem_found=True))),
            generation=g,
        )
        EntityCell.objects.bulk_create(_entity_cells(g, ids), batch_size=5000)
        closed = Q(status=TransferStatus.CLOSED)
        sent = Transfer.objects.order_by().annotate(**_record_dims(ids, "sent_at"))
        _insert_select(
            TransferCell,
            sent.annotate(dept=F("record__department"))
            .values(*DIMS, "h")
            .annotate(
                opened=Count("pk"),
                closed=Count("pk", filter=closed),
                closed_late=Count("pk", filter=closed & Q(closed_at__date__gt=F("due"))),
                open_overdue=Count("pk", filter=~closed & Q(due__lt=day)),
            ),
            generation=g,
            side="sent",
        )
        _insert_select(
            TransferCell,
            sent.filter(to_department__isnull=False)
            .annotate(dept=F("to_department"))
            .values(*DIMS, "h")
            .annotate(opened=Count("pk")),
            generation=g,
            side="received",
            closed=0,
            closed_late=0,
            open_overdue=0,
        )
        _insert_select(
            ListingCell,
            ListingProposal.objects.filter(status__in=[ProposalStatus.LISTED, ProposalStatus.REJECTED])
            .order_by()
            .annotate(**_record_dims(ids, "decided_at"), dept=F("department"))
            .values(*DIMS, "h")
            .annotate(decided=Count("pk"), listed=Count("pk", filter=Q(status=ProposalStatus.LISTED))),
            generation=g,
        )
        _insert_select(
            PopulationCell,
            InspectionObject.objects.market_entities()
            .active()
            .order_by()
            .annotate(r=F("region"), rc=F("risk_class"))
            .values("r", "rc")
            .annotate(n=Count("pk")),
            generation=g,
        )

        for model in ROLLED_UP:
            _roll_up(model, g)
        # Keep the previous generation for the pages reading it now; older ones go.
        for model in CELLS:
            model.objects.filter(generation__lt=g - 1).delete()
        Refresh.objects.filter(pk__lt=g - 1).delete()
        state.finished_at = timezone.now()
        state.seconds = time.monotonic() - started
        state.records = (
            RecordCell.objects.filter(generation=g, level=0).aggregate(n=Sum("records_finished"))["n"] or 0
        )
        state.save(update_fields=["finished_at", "seconds", "records"])
    return state


DIMS = ("y", "dept", "r", "rc", "jt")
ROLLED_UP = (RecordCell, IndustryCell, DaysCell, ItemCell, TransferCell, ListingCell, EntityCell)


def _roll_up(model, g: int) -> None:
    """Add the roll-ups of generation g's detail rows (level 0): for each of LEVELS, the sums over every region, every
    risk class or both, grouped by the table's other dimensions. Summed from the cells, not the records, in one
    INSERT … SELECT per level (the same SQL on both databases). The measures are the table's plain integer columns
    other than the generation (the dimensions are small or big integers, booleans, text and durations)."""
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "level"]
    measures = [f.column for f in fields if type(f) is IntegerField and f.name != "generation"]
    dims = [
        f.column for f in fields if f.column not in measures and f.name not in ("region_id", "risk_class_id")
    ]
    table = qn(model._meta.db_table)
    for level in LEVELS:
        region = "NULL" if level & REGION else qn("region_id")
        risk = "NULL" if level & RISK else qn("risk_class_id")
        kept = [
            c
            for c, summed in ((qn("region_id"), level & REGION), (qn("risk_class_id"), level & RISK))
            if not summed
        ]
        group = ", ".join([*map(qn, dims), *kept])
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} ({qn('level')}, {qn('region_id')}, {qn('risk_class_id')}, "
                f"{', '.join(map(qn, dims))}, {', '.join(map(qn, measures))}) "
                f"SELECT %s, {region}, {risk}, {', '.join(map(qn, dims))}, "
                f"{', '.join(f'SUM({qn(m)})' for m in measures)} "
                f"FROM {table} WHERE {qn('generation')} = %s AND {qn('level')} = 0 GROUP BY {group}",
                [level, g],
            )


def _level(f: StatsFilter, by: Iterable[str] = ()) -> int:
    """The roll-up a reader of `f` reads: summed over the regions unless the filter names one or the reader groups
    by region, and likewise for the risk classes."""
    level = 0
    if not f.region and "region" not in by:
        level |= REGION
    if not f.risk_class and "risk" not in by:
        level |= RISK
    return level


def _record_dims(ids: list[int], date: str) -> dict:
    """Annotations giving DIMS and the half-year "h" to a table with a `record` (transfers, listing proposals)."""
    return {
        "y": ExtractYear(date),
        "h": Case(
            When(**{f"{date}__month__lte": 6}, then=Value(1)), default=Value(2), output_field=IntegerField()
        ),
        "r": F("record__object__region"),
        "rc": F("record__object__risk_class"),
        "jt": _joint(ids, "record__"),
    }


def _entity_cells(g: int, ids: list[int]) -> Iterable[EntityCell]:
    """Distinct market entities per (year, period, department or city, mode, region, risk class), counted in Python
    from one row per finished first version of a market entity in business (selectors.entity_checks, entity_checks_3y
    and _checks_per_entity: the same rows, the same distinct counts)."""
    objects = {
        pk: (region, risk)
        for pk, region, risk in InspectionObject.objects.market_entities()
        .active()
        .values_list("pk", "region_id", "risk_class_id")
    }
    entities = InspectionObject.objects.market_entities().active().values("pk")
    rows = (
        InspectionRecord.objects.filter(corrects__isnull=True, status__in=EXECUTED, object__in=entities)
        .order_by()
        .annotate(m=ExtractMonth("inspection_date"), jt=_joint(ids))
        .values_list("object", "department", "selection", "kind", "m", "jt")
    )
    span = rows.aggregate(lo=Min("inspection_date"), hi=Max("inspection_date"))
    if span["lo"] is None:
        return
    # Periods as bits: bit 2 * (year - y0) + half - 1. One mask of the checked half-years per (object, dc, mode),
    # where dc is the department or None for the city and mode "all" plus "joint" or "own".
    masks: dict[tuple, int] = defaultdict(int)
    years: set[int] = set()
    y0 = span["lo"].year - 2  # the first three-year window may start two years before the first record
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    # One year at a time (the distinct selections of a year are forgotten before the next one is read).
    for y in range(span["lo"].year, span["hi"].year + 1):
        # Random checks: the distinct selections per (object, dc, mode) and half.
        selections: dict[tuple, tuple[set, set]] = defaultdict(lambda: (set(), set()))
        for obj, dept, sel, kind, m, jt in rows.filter(inspection_date__year=y).iterator(chunk_size=20_000):
            if obj not in objects:  # became a market entity in business since the first query
                continue
            years.add(y)
            h = 1 if m <= 6 else 2
            bit = 1 << (2 * (y - y0) + h - 1)
            random = kind == RecordKind.RANDOM and sel is not None
            for dc in (dept, None):
                for mode in ("all", "joint" if jt else "own"):
                    masks[(obj, dc, mode)] |= bit
                    if random:
                        selections[(obj, dc, mode)][h - 1].add(sel)
        for (obj, dc, mode), (h1, h2) in selections.items():
            region, risk = objects[obj]
            for p, n in ((0, len(h1 | h2)), (1, len(h1)), (2, len(h2))):
                if n:
                    out[(y, p, dc, mode, region, risk)][1 + min(n, 3)] += 1
        del selections
    if not years:
        return
    targets = [(y, p) for y in range(min(years), max(years) + 3) for p in (0, 1, 2)]

    def bits(y: int, halves: Iterable[int]) -> int:
        return sum(1 << (2 * (y - y0) + h - 1) for h in halves)

    windows = {}
    for y, p in targets:
        period = bits(y, (1, 2) if p == 0 else (p,))
        last = (1, 2) if p != 1 else (1,)
        three = bits(y - 2, (1, 2)) | bits(y - 1, (1, 2)) | bits(y, last)
        windows[(y, p)] = (period, three)
    grouped = Counter((dc, mode, objects[obj], mask) for (obj, dc, mode), mask in masks.items())
    for (dc, mode, (region, risk), mask), n in grouped.items():
        for (y, p), (period, three) in windows.items():
            if mask & three:
                cell = out[(y, p, dc, mode, region, risk)]
                cell[1] += n
                if mask & period:
                    cell[0] += n
    for (y, p, dc, mode, region, risk), counts in out.items():
        yield EntityCell(
            generation=g,
            year=y,
            period=p,
            department_id=dc,
            mode=mode,
            region_id=region,
            risk_class_id=risk,
            **dict(zip(ENTITY_KEYS, counts, strict=True)),
        )


# --- readers ----------------------------------------------------------------------------------------------------

CELLS_CACHE_SECONDS = 3600


def _cells(qs: QuerySet, read: Callable[[], T] | None = None) -> T | list:
    """The rows of `qs` (or read()), a read of summary cells, from the cache when the same read of the same refresh
    was made before. A refresh's cells never change once it has committed (the next refresh writes a new
    generation), so the rows are exact, not stale. The key is the query's SQL and parameters, which name the
    generation, and the latest refresh's id and finish time (a generation number can come back after a restore from
    a backup). The parts of the figures that move with the date or between refreshes are not read here."""
    state = latest()
    sql, params = qs.query.sql_with_params()
    identity = (
        sql,
        tuple(map(str, params)),
        state.pk if state else 0,
        state.finished_at.isoformat() if state else "",
    )
    key = "stats-cells:" + hashlib.sha256(repr(identity).encode()).hexdigest()
    return cache.get_or_set(key, read or (lambda: list(qs)), CELLS_CACHE_SECONDS)


def _narrowed(qs: QuerySet, f: StatsFilter, *, period: str, by: Iterable[str] = ()) -> QuerySet:
    """The cells of `f`'s period and filter, at the roll-up level for a reader grouping `by` ("region", "risk")."""
    qs = qs.filter(level=_level(f, by), year=f.year)
    if f.half:
        qs = qs.filter(month__in=list(f.months)) if period == "month" else qs.filter(half=f.half)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.risk_class:
        qs = qs.filter(risk_class_id=f.risk_class)
    if f.joint == "joint":
        qs = qs.filter(joint=True)
    elif f.joint == "own":
        qs = qs.filter(joint=False)
    return qs.order_by()


def _entities(state: Refresh, f: StatsFilter, by: Iterable[str] = ()) -> QuerySet:
    qs = EntityCell.objects.filter(
        generation=state.pk, level=_level(f, by), year=f.year, period=f.half or 0, mode=f.joint or "all"
    ).order_by()
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.risk_class:
        qs = qs.filter(risk_class_id=f.risk_class)
    return qs


def _entity_scopes(
    state: Refresh, f: StatsFilter, *values: str, per_department: bool = True
) -> tuple[list[dict], list[dict]]:
    """(per department rows, the scope's rows): the scope is the city, or the filtered department."""

    def read() -> tuple[list[dict], list[dict]]:
        qs = _entities(state, f, ["region" for v in values if v == "region_id"])
        sums = {k: Sum(k) for k in ENTITY_KEYS}
        depts = qs.filter(department_id__isnull=False)
        if f.department:
            depts = depts.filter(department_id=f.department)
        by_dept = _cells(depts.values("department_id", *values).annotate(**sums)) if per_department else []
        scope = depts if f.department else qs.filter(department_id__isnull=True)
        if values:
            return by_dept, _cells(scope.values(*values).annotate(**sums))
        return by_dept, _cells(scope, lambda: [scope.aggregate(**sums)])

    return read()


def record_figures(
    state: Refresh, f: StatsFilter, today: datetime.date
) -> dict[str, tuple[dict[int, int], int]]:
    """{key: (per department, total)} of the record figures, results_overdue and the entities checked."""
    rows = _cells(
        _narrowed(RecordCell.objects.filter(generation=state.pk), f, period="month")
        .values("department_id")
        .annotate(**{k: Sum(k) for k in (*RECORD_KEYS, "published_late")})
    )
    out: dict[str, tuple[dict[int, int], int]] = {}
    for key in RECORD_KEYS:
        by = {r["department_id"]: r[key] or 0 for r in rows}
        out[key] = (by, sum(by.values()))
    overdue = {r["department_id"]: r["published_late"] or 0 for r in rows}
    late = Q(published_at__isnull=False, deadline__isnull=False, published_at__date__gt=F("deadline"))
    for dept, n in (
        selectors.records_first(f, today)
        .filter(status__in=selectors.AWAITING, deadline__lt=today)
        .exclude(late)
        .order_by()
        .values_list("department")
        .annotate(n=Count("pk"))
    ):
        overdue[dept] = overdue.get(dept, 0) + n
    out["results_overdue"] = (overdue, sum(overdue.values()))
    out |= _transfer_figures(state, f, today)
    listings = _cells(
        _narrowed(ListingCell.objects.filter(generation=state.pk), f, period="half")
        .values("department_id")
        .annotate(decided=Sum("decided"), listed=Sum("listed"))
    )
    for key, column in (("listings_decided", "decided"), ("listings_listed", "listed")):
        by = {r["department_id"]: r[column] or 0 for r in listings}
        out[key] = (by, sum(by.values()))
    by_dept, scope = _entity_scopes(state, f)
    for key, column in (("entities_checked", "covered"), ("entities_checked_3y", "covered_3y")):
        out[key] = ({r["department_id"]: r[column] or 0 for r in by_dept}, scope[0][column] or 0)
    return out


def _transfer_figures(state: Refresh, f: StatsFilter, today: datetime.date) -> dict:
    cells = _narrowed(TransferCell.objects.filter(generation=state.pk), f, period="half")
    sums = {k: Sum(k) for k in ("opened", "closed", "closed_late", "open_overdue")}
    sent = _cells(cells.filter(side="sent").values("department_id").annotate(**sums))
    received = {
        r["department_id"]: r["n"] or 0
        for r in _cells(cells.filter(side="received").values("department_id").annotate(n=Sum("opened")))
    }
    overdue = {r["department_id"]: (r["closed_late"] or 0) + (r["open_overdue"] or 0) for r in sent}
    if today > state.day:
        # Due since the refresh's day and still open now: the only part of the figure that moved with the date.
        for dept, n in (
            selectors.transfers_opened(f, today)
            .filter(due__gte=state.day, due__lt=today)
            .exclude(status=TransferStatus.CLOSED)
            .order_by()
            .values_list("record__department")
            .annotate(n=Count("pk"))
        ):
            overdue[dept] = overdue.get(dept, 0) + n
    out = {}
    for key, by in (
        ("transfers_opened", {r["department_id"]: r["opened"] or 0 for r in sent}),
        ("transfers_closed", {r["department_id"]: r["closed"] or 0 for r in sent}),
        ("transfers_overdue", overdue),
        ("transfers_received", received),
    ):
        out[key] = (by, sum(by.values()))
    return out


def market_entities(state: Refresh, f: StatsFilter, *, by_region: bool = False):
    qs = PopulationCell.objects.filter(generation=state.pk).order_by()
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.risk_class:
        qs = qs.filter(risk_class_id=f.risk_class)
    if by_region:
        return dict(_cells(qs.values_list("region_id").annotate(n=Sum("n"))))
    return _cells(qs, lambda: qs.aggregate(n=Sum("n"))["n"] or 0)


def checks_per_entity(state: Refresh, f: StatsFilter) -> tuple[dict[int, Counter], Counter]:
    by_dept, scope = _entity_scopes(state, f)

    def counter(r: dict) -> Counter:
        return Counter({1: r["checked_once"] or 0, 2: r["checked_twice"] or 0, 3: r["checked_thrice"] or 0})

    return {r["department_id"]: counter(r) for r in by_dept}, counter(scope[0])


def covered_by_region(state: Refresh, f: StatsFilter) -> dict[int | None, int]:
    _by_dept, scope = _entity_scopes(state, f, "region_id", per_department=False)
    return {r["region_id"]: r["covered"] or 0 for r in scope if r["covered"]}


def median_days(state: Refresh, f: StatsFilter) -> tuple[dict[int, Counter], Counter]:
    per_dept: dict[int, Counter] = defaultdict(Counter)
    every: Counter = Counter()
    for dept, days, n in _cells(
        _narrowed(DaysCell.objects.filter(generation=state.pk), f, period="half")
        .values_list("department_id", "days")
        .annotate(n=Sum("n"))
    ):
        per_dept[dept][days.days] += n
        every[days.days] += n
    return per_dept, every


def on_time_by_month(state: Refresh, f: StatsFilter) -> dict[int, tuple[int, int]]:
    return {
        m: (o or 0, p or 0)
        for m, o, p in _cells(
            _narrowed(RecordCell.objects.filter(generation=state.pk), f, period="month")
            .values_list("month")
            .annotate(o=Sum("published_on_time"), p=Sum("results_published"))
        )
    }


def problems_by_item(state: Refresh, f: StatsFilter) -> list[tuple[int, int, int]]:
    """[(item id, with a problem, checked)]."""
    return [
        (i, p or 0, n or 0)
        for i, p, n in _cells(
            _narrowed(ItemCell.objects.filter(generation=state.pk), f, period="half")
            .values_list("item_id")
            .annotate(p=Sum("problems"), n=Sum("checked"))
        )
        if n
    ]


def object_record_rows(state: Refresh, f: StatsFilter) -> list[dict]:
    """breakdowns.object_record_rows from the summary: one small query per breakdown, each at its roll-up level; a
    row says which breakdown it is for ("_field"), as its other object fields are summed over."""
    out = []
    for field, column, by in (
        ("object__region", "region_id", ("region",)),
        ("object__risk_class", "risk_class_id", ("risk",)),
        ("object__industry_code", "industry_code", ()),
    ):
        out += [
            {"_field": field, field: r[column], **{k: r[k] or 0 for k in BREAKDOWN_KEYS}}
            for r in _cells(
                _narrowed(IndustryCell.objects.filter(generation=state.pk), f, period="half", by=by)
                .values(column)
                .annotate(**{k: Sum(k) for k in BREAKDOWN_KEYS})
            )
        ]
    return out
