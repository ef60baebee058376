"""The summary path of the statistics (ADR 0022): `refresh()` rebuilds the summary tables (models.py) in one
transaction from the same conditions as the live figures (selectors._record_conditions), and the readers below answer
the selectors' questions from them.

Which path a request takes (`source(f)`): settings.STATS_SOURCE = "live" always computes from the records;
"summary" always reads the summary tables (empty until the first refresh); "auto" (the default) reads them once a
refresh has completed and computes live before. A filter on an item reads the item versions of the tables (ITEM_TABLE:
the same cells with an item_id, summed over the records that have a result for the item, "with problems" being that
item's result; ADR 0022, sixth pass) and, for the problems by item, ItemCell's row of the item. "Overdue, not yet
published" depends on today: its unpublished part is always counted live (few records, index record_deadline_idx); the
part published late comes from the summary. Task counts (a few hundred schemes a year) and the inspector load are live.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
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
    ItemDaysCell,
    ItemEntityCell,
    ItemIndustryCell,
    ItemListingCell,
    ItemRecordCell,
    ItemTransferCell,
    ListingCell,
    PopulationCell,
    RecordCell,
    Refresh,
    TransferCell,
)

T = TypeVar("T")
# Each table of the record figures and its version with the item dimension (ADR 0022, sixth pass).
ITEM_TABLE = {
    RecordCell: ItemRecordCell,
    IndustryCell: ItemIndustryCell,
    DaysCell: ItemDaysCell,
    TransferCell: ItemTransferCell,
    ListingCell: ItemListingCell,
    EntityCell: ItemEntityCell,
}
CELLS = (
    RecordCell,
    IndustryCell,
    DaysCell,
    ItemCell,
    EntityCell,
    TransferCell,
    ListingCell,
    PopulationCell,
    *ITEM_TABLE.values(),
)

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
    if mode == "live":
        return None
    state = latest()
    if state is None and mode == "summary":
        # Forced summary before any refresh: empty figures (generation 0 has no rows), said on the page.
        return Refresh(pk=0, finished_at=timezone.now(), day=timezone.localdate(), seconds=0, records=0)
    return state


def as_of(f: StatsFilter) -> dict:
    """What the page says about the data it shows: {"mode": STATS_SOURCE, "summary": bool, "at": aware datetime or
    None}. The same for every filter, an item filter included (the item cells; ADR 0022, sixth pass)."""
    mode = getattr(settings, "STATS_SOURCE", "auto")
    state = latest()
    return {
        "mode": mode,
        "summary": mode != "live" and (state is not None or mode == "summary"),
        "at": state.finished_at if state else None,
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
        # The cells without and with the item dimension, from the same conditions (ADR 0022, sixth pass).
        for item in (False, True):
            _record_tables(g, ids, conditions, item=item)
            _transfer_and_listing_tables(g, ids, day, item=item)
            _insert_rows(ItemEntityCell if item else EntityCell, _entity_cells(g, ids, item=item))
            if not item:
                _item_cells(g, ids)
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


def _record_base(ids: list[int], *, item: bool) -> QuerySet:
    """The records with the cell dimensions; with `item`, one row per (record, item result), the result's item as
    "it" and whether it found a problem as "ip" (uniq_record_item: a record is in an item's cells once)."""
    base = InspectionRecord.objects.order_by()
    if item:
        base = base.filter(item_results__isnull=False).annotate(
            it=F("item_results__item"), ip=F("item_results__problem_found")
        )
    return base.annotate(
        y=ExtractYear("inspection_date"),
        m=ExtractMonth("inspection_date"),
        jt=_joint(ids),
        dept=F("department"),
        r=F("object__region"),
        rc=F("object__risk_class"),
    ).annotate(h=_half("m"))


FACTS = "stats_refresh_facts"  # a temporary table of one refresh (_record_tables)


def _record_tables(g: int, ids: list[int], conditions: dict[str, Q], *, item: bool) -> None:
    """RecordCell, IndustryCell and DaysCell, or their item versions, from one pass over the records: the records
    (with `item`, joined to their item results) are written once to a temporary table with their dimensions and one
    0/1 column per condition, and the three tables are grouped from it. Three INSERT … SELECT over the join took
    78 s at 1 M results (1.5 M item results); the temporary table is written by an ORM query too, and read by plain
    SQL that both databases run."""
    base = _record_base(ids, item=item)
    it = ("it",) if item else ()
    if item:
        # With an item filter "with problems" is that item's result (selectors._problem_records).
        conditions = conditions | {"records_with_problems": Q(status__in=CONCLUDED) & Q(ip=True)}
    keys = (*RECORD_KEYS, "published_late")
    # The GB/T 4754 section of each code in use (a few dozen to a few hundred codes), mapped in SQL: the cells
    # hold sections (≤ 21), not codes, so the industry breakdown sums few rows.
    from .breakdowns import UNSET, _section  # breakdowns reads this module

    codes = InspectionObject.objects.order_by().values_list("industry_code", flat=True).distinct()
    section = Case(
        *(When(object__industry_code=code, then=Value(_section(code))) for code in codes if code),
        default=Value(UNSET),
        output_field=CharField(),
    )
    days = ExpressionWrapper(
        TruncDate("published_at") - Coalesce("result_date", "inspection_date"),
        output_field=DurationField(),
    )
    flags = {
        f"f_{k}": Case(When(conditions[k], then=Value(1)), default=Value(0), output_field=IntegerField())
        for k in keys
    }
    facts = base.annotate(code=section, d=days, **flags).values(*DIMS, "m", "h", "code", "d", *it, *flags)
    sql, params = facts.query.sql_with_params()
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {FACTS}")
        cur.execute(f"CREATE TEMPORARY TABLE {FACTS} AS {sql}", params)
        for model, dims, measures, where in (
            (ItemRecordCell if item else RecordCell, (*DIMS, "m", *it), {k: f"SUM(f_{k})" for k in keys}, ""),
            (
                ItemIndustryCell if item else IndustryCell,
                (*DIMS, "h", "code", *it),
                {k: f"SUM(f_{k})" for k in BREAKDOWN_KEYS},
                "",
            ),
            (
                ItemDaysCell if item else DaysCell,
                (*DIMS, "h", "d", *it),
                {"n": "COUNT(*)"},
                "WHERE f_results_published = 1",
            ),
        ):
            columns = [model._meta.get_field(FIELD_OF[a]).column for a in dims]
            columns += [model._meta.get_field(k).column for k in measures]
            columns += [model._meta.get_field(k).column for k in ("generation", "level")]
            group = ", ".join(map(qn, dims))
            cur.execute(
                f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(map(qn, columns))}) "
                f"SELECT {group}, {', '.join(measures.values())}, %s, 0 FROM {FACTS} {where} GROUP BY {group}",
                [g],
            )
        cur.execute(f"DROP TABLE {FACTS}")


def _item_cells(g: int, ids: list[int]) -> None:
    """ItemCell: the checked item results of the results in force per item (problems_by_item; with an item filter
    its row of the item, as a record is in the item's filter exactly when it has a result for the item)."""
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


def _by_record_item(qs: QuerySet, *, item: bool) -> QuerySet:
    """A table with a `record` (transfers, listing proposals); with `item`, one row per item result of the record."""
    if not item:
        return qs
    return qs.filter(record__item_results__isnull=False).annotate(it=F("record__item_results__item"))


def _transfer_and_listing_tables(g: int, ids: list[int], day: datetime.date, *, item: bool) -> None:
    it = ("it",) if item else ()
    closed = Q(status=TransferStatus.CLOSED)
    sent = _by_record_item(Transfer.objects.order_by(), item=item).annotate(**_record_dims(ids, "sent_at"))
    model = ItemTransferCell if item else TransferCell
    _insert_select(
        model,
        sent.annotate(dept=F("record__department"))
        .values(*DIMS, "h", *it)
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
        model,
        sent.filter(to_department__isnull=False)
        .annotate(dept=F("to_department"))
        .values(*DIMS, "h", *it)
        .annotate(opened=Count("pk")),
        generation=g,
        side="received",
        closed=0,
        closed_late=0,
        open_overdue=0,
    )
    decided = ListingProposal.objects.filter(status__in=[ProposalStatus.LISTED, ProposalStatus.REJECTED])
    _insert_select(
        ItemListingCell if item else ListingCell,
        _by_record_item(decided.order_by(), item=item)
        .annotate(**_record_dims(ids, "decided_at"), dept=F("department"))
        .values(*DIMS, "h", *it)
        .annotate(decided=Count("pk"), listed=Count("pk", filter=Q(status=ProposalStatus.LISTED))),
        generation=g,
    )


DIMS = ("y", "dept", "r", "rc", "jt")
# ItemEntityCell is rolled up in Python as it is counted (_entity_cells).
ROLLED_UP = (
    RecordCell,
    IndustryCell,
    DaysCell,
    ItemCell,
    TransferCell,
    ListingCell,
    EntityCell,
    *(m for m in ITEM_TABLE.values() if m is not ItemEntityCell),
)


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


def _entity_cells(g: int, ids: list[int], *, item: bool = False) -> Iterable[dict]:
    """Distinct market entities per (year, period, department or city, mode, region, risk class), counted in Python
    from one row per finished first version of a market entity in business (selectors.entity_checks, entity_checks_3y
    and _checks_per_entity: the same rows, the same distinct counts), as the column values of EntityCell rows of the
    detail (level 0). With `item`, one row per (record, item result) and the counts per item (ItemEntityCell: the
    entities among the records with a result for the item), with its roll-up levels summed here. The item detail
    per (region, risk class) is some 840,000 rows at 1 M results: kept, so that a filter naming an item, a region and a
    risk class together, and the coverage by region of an item and a risk class, read cells too (live, they took
    1.5–2 s a page)."""
    objects = {
        pk: (region, risk)
        for pk, region, risk in InspectionObject.objects.market_entities()
        .active()
        .values_list("pk", "region_id", "risk_class_id")
    }
    entities = InspectionObject.objects.market_entities().active().values("pk")
    records = InspectionRecord.objects.filter(corrects__isnull=True, status__in=EXECUTED, object__in=entities)
    span = records.aggregate(lo=Min("inspection_date"), hi=Max("inspection_date"))
    if item:
        records = records.filter(item_results__isnull=False).annotate(it=F("item_results__item"))
    else:
        records = records.annotate(it=Value(None, output_field=IntegerField()))
    rows = (
        records.order_by()
        .annotate(m=ExtractMonth("inspection_date"), jt=_joint(ids))
        .values_list("object", "department", "selection", "kind", "m", "jt", "it")
    )
    if span["lo"] is None:
        return
    # Periods as bits: bit 2 * (year - y0) + half - 1. One mask of the checked half-years per (object, dc, mode, item),
    # where dc is the department or None for the city, mode "all" plus "joint" or "own", and item None without `item`.
    masks: dict[tuple, int] = defaultdict(int)
    years: set[int] = set()
    y0 = span["lo"].year - 2  # the first three-year window may start two years before the first record
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    # One year at a time (the distinct selections of a year are forgotten before the next one is read).
    for y in range(span["lo"].year, span["hi"].year + 1):
        # Random checks: the distinct (selection, half) per (object, dc, mode, item); one set per key, not one per
        # half (millions of keys with items, most of them with one selection).
        selections: dict[tuple, set] = defaultdict(set)
        for obj, dept, sel, kind, m, jt, it in rows.filter(inspection_date__year=y).iterator(
            chunk_size=20_000
        ):
            if obj not in objects:  # became a market entity in business since the first query
                continue
            years.add(y)
            h = 1 if m <= 6 else 2
            bit = 1 << (2 * (y - y0) + h - 1)
            random = kind == RecordKind.RANDOM and sel is not None
            for dc in (dept, None):
                for mode in ("all", "joint" if jt else "own"):
                    key = (obj, dc, mode, it)
                    masks[key] |= bit
                    if random:
                        selections[key].add((sel, h))
        for (obj, dc, mode, it), pairs in selections.items():
            region, risk = objects[obj]
            h1 = sum(1 for _s, h in pairs if h == 1)
            # A selection checked in both halves counts once in the year.
            year = len({sel for sel, _h in pairs}) if 0 < h1 < len(pairs) else len(pairs)
            for p, n in ((0, year), (1, h1), (2, len(pairs) - h1)):
                if n:
                    out[(y, p, dc, mode, region, risk, it)][1 + min(n, 3)] += 1
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
    grouped = Counter((dc, mode, objects[obj], it, mask) for (obj, dc, mode, it), mask in masks.items())
    for (dc, mode, (region, risk), it, mask), n in grouped.items():
        for (y, p), (period, three) in windows.items():
            if mask & three:
                cell = out[(y, p, dc, mode, region, risk, it)]
                cell[1] += n
                if mask & period:
                    cell[0] += n
    if item:
        rolled: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        for (y, p, dc, mode, region, risk, it), counts in out.items():
            for level in (0, *LEVELS):  # the detail too: item + region + risk class reads it
                cell = rolled[
                    (
                        y,
                        p,
                        dc,
                        mode,
                        None if level & REGION else region,
                        None if level & RISK else risk,
                        it,
                        level,
                    )
                ]
                for i, n in enumerate(counts):
                    cell[i] += n
        cells: Iterable = rolled.items()
    else:
        cells = ((key + (0,), counts) for key, counts in out.items())
    for (y, p, dc, mode, region, risk, it, level), counts in cells:
        yield {
            "generation": g,
            "level": level,
            "year": y,
            "period": p,
            "department_id": dc,
            "mode": mode,
            "region_id": region,
            "risk_class_id": risk,
            **({"item_id": it} if item else {}),
            **dict(zip(ENTITY_KEYS, counts, strict=True)),
        }


def _insert_rows(model, rows: Iterable[dict], batch: int = 500) -> None:
    """INSERT the rows (dicts of integers, None and text, all with the same keys) as multi-row VALUES of `batch`
    rows, written as SQL literals: 324,000 item entity rows at 1 M results took 55 s with bound parameters (each
    adapted in Python by the driver) and over a minute as model instances (bulk_create)."""
    qn = connection.ops.quote_name
    head = None
    chunk: list[str] = []
    with connection.cursor() as cur:
        for row in rows:
            if head is None:
                columns = [model._meta.get_field(name).column for name in row]
                head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(map(qn, columns))}) VALUES "
            chunk.append(f"({', '.join(map(_literal, row.values()))})")
            if len(chunk) == batch:
                cur.execute(head + ", ".join(chunk))
                chunk.clear()
        if chunk:
            cur.execute(head + ", ".join(chunk))


def _literal(value: int | str | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(value)


# --- readers ----------------------------------------------------------------------------------------------------

CELLS_CACHE_SECONDS = 3600


# The readers' code is part of a cached answer's identity: with CACHES pointed at a shared cache (Redis), a deploy that
# changes how cells are read must not serve answers computed by the previous code.
_READER_CODE = hashlib.sha256(
    b"".join((Path(__file__).with_name(n)).read_bytes() for n in ("summary.py", "models.py", "filters.py"))
).hexdigest()[:16]


def per_refresh(read: Callable[..., T]) -> Callable[..., T]:
    """A reader of summary cells, read(state, f, *args), answered from the cache when it was asked the same before
    for the same refresh. A refresh's cells never change once it has committed (the next refresh writes a new
    generation), so the answer is exact, not stale. The key names the reader, the filter and the arguments, and the
    refresh's id and finish time (a generation number can come back after a restore from a backup); it is built
    without building a query, which on a warm page was a fifth of its Python time (ADR 0022, seventh pass). The parts
    of the figures that move with the date or between refreshes are never read through here."""

    @functools.wraps(read)
    def cached(state: Refresh, f: StatsFilter, *args, **kwargs) -> T:
        if not state.pk:  # the empty reading before any refresh: nothing worth keeping
            return read(state, f, *args, **kwargs)
        identity = (
            _READER_CODE,
            read.__qualname__,
            state.pk,
            state.finished_at.isoformat(),
            f,
            args,
            sorted(kwargs.items()),
        )
        key = "stats-cells:" + hashlib.sha256(repr(identity).encode()).hexdigest()
        return cache.get_or_set(key, lambda: read(state, f, *args, **kwargs), CELLS_CACHE_SECONDS)

    return cached


def _cells(model, state: Refresh, f: StatsFilter) -> QuerySet:
    """The rows of `state`'s generation of `model`, or of its item version when `f` names an item."""
    return (ITEM_TABLE[model] if f.item else model).objects.filter(generation=state.pk)


def _narrowed(qs: QuerySet, f: StatsFilter, *, period: str, by: Iterable[str] = ()) -> QuerySet:
    """The cells of `f`'s period and filter, at the roll-up level for a reader grouping `by` ("region", "risk"); the
    cells of the filter's item when it names one (an item table, or ItemCell)."""
    qs = qs.filter(level=_level(f, by), year=f.year)
    if f.item:
        qs = qs.filter(item_id=f.item)
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
    qs = _cells(EntityCell, state, f).filter(
        level=_level(f, by), year=f.year, period=f.half or 0, mode=f.joint or "all"
    )
    if f.item:
        qs = qs.filter(item_id=f.item)
    qs = qs.order_by()
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.risk_class:
        qs = qs.filter(risk_class_id=f.risk_class)
    return qs


@per_refresh
def _entity_scopes(
    state: Refresh, f: StatsFilter, *values: str, per_department: bool = True
) -> tuple[list[dict], list[dict]]:
    """(per department rows, the scope's rows): the scope is the city, or the filtered department."""
    qs = _entities(state, f, ["region" for v in values if v == "region_id"])
    sums = {k: Sum(k) for k in ENTITY_KEYS}
    depts = qs.filter(department_id__isnull=False)
    if f.department:
        depts = depts.filter(department_id=f.department)
    by_dept = list(depts.values("department_id", *values).annotate(**sums)) if per_department else []
    scope = depts if f.department else qs.filter(department_id__isnull=True)
    if values:
        return by_dept, list(scope.values(*values).annotate(**sums))
    return by_dept, [scope.aggregate(**sums)]


@per_refresh
def _record_cells(state: Refresh, f: StatsFilter) -> tuple[list[dict], list[dict]]:
    """(record sums, listing sums) per department."""
    records = (
        _narrowed(_cells(RecordCell, state, f), f, period="month")
        .values("department_id")
        .annotate(**{k: Sum(k) for k in (*RECORD_KEYS, "published_late")})
    )
    listings = (
        _narrowed(_cells(ListingCell, state, f), f, period="half")
        .values("department_id")
        .annotate(decided=Sum("decided"), listed=Sum("listed"))
    )
    return list(records), list(listings)


def record_figures(
    state: Refresh, f: StatsFilter, today: datetime.date
) -> dict[str, tuple[dict[int, int], int]]:
    """{key: (per department, total)} of the record figures, results_overdue and the entities checked."""
    rows, listings = _record_cells(state, f)
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
    for key, column in (("listings_decided", "decided"), ("listings_listed", "listed")):
        by = {r["department_id"]: r[column] or 0 for r in listings}
        out[key] = (by, sum(by.values()))
    by_dept, scope = _entity_scopes(state, f)
    for key, column in (("entities_checked", "covered"), ("entities_checked_3y", "covered_3y")):
        out[key] = ({r["department_id"]: r[column] or 0 for r in by_dept}, scope[0][column] or 0)
    return out


@per_refresh
def _transfer_cells(state: Refresh, f: StatsFilter) -> tuple[list[dict], dict[int, int]]:
    """(the sending side's sums per department, received per department)."""
    cells = _narrowed(_cells(TransferCell, state, f), f, period="half")
    sums = {k: Sum(k) for k in ("opened", "closed", "closed_late", "open_overdue")}
    sent = list(cells.filter(side="sent").values("department_id").annotate(**sums))
    received = {
        r["department_id"]: r["n"] or 0
        for r in cells.filter(side="received").values("department_id").annotate(n=Sum("opened"))
    }
    return sent, received


def _transfer_figures(state: Refresh, f: StatsFilter, today: datetime.date) -> dict:
    sent, received = _transfer_cells(state, f)
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


@per_refresh
def market_entities(state: Refresh, f: StatsFilter, *, by_region: bool = False):
    qs = PopulationCell.objects.filter(generation=state.pk).order_by()
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.risk_class:
        qs = qs.filter(risk_class_id=f.risk_class)
    if by_region:
        return dict(qs.values_list("region_id").annotate(n=Sum("n")))
    return qs.aggregate(n=Sum("n"))["n"] or 0


def checks_per_entity(state: Refresh, f: StatsFilter) -> tuple[dict[int, Counter], Counter]:
    by_dept, scope = _entity_scopes(state, f)

    def counter(r: dict) -> Counter:
        return Counter({1: r["checked_once"] or 0, 2: r["checked_twice"] or 0, 3: r["checked_thrice"] or 0})

    return {r["department_id"]: counter(r) for r in by_dept}, counter(scope[0])


def covered_by_region(state: Refresh, f: StatsFilter) -> dict[int | None, int]:
    _by_dept, scope = _entity_scopes(state, f, "region_id", per_department=False)
    return {r["region_id"]: r["covered"] or 0 for r in scope if r["covered"]}


@per_refresh
def median_days(state: Refresh, f: StatsFilter) -> tuple[dict[int, Counter], Counter]:
    per_dept: dict[int, Counter] = defaultdict(Counter)
    every: Counter = Counter()
    for dept, days, n in (
        _narrowed(_cells(DaysCell, state, f), f, period="half")
        .values_list("department_id", "days")
        .annotate(n=Sum("n"))
    ):
        per_dept[dept][days.days] += n
        every[days.days] += n
    return per_dept, every


@per_refresh
def on_time_by_month(state: Refresh, f: StatsFilter) -> dict[int, tuple[int, int]]:
    return {
        m: (o or 0, p or 0)
        for m, o, p in _narrowed(_cells(RecordCell, state, f), f, period="month")
        .values_list("month")
        .annotate(o=Sum("published_on_time"), p=Sum("results_published"))
    }


@per_refresh
def problems_by_item(state: Refresh, f: StatsFilter) -> list[tuple[int, int, int]]:
    """[(item id, with a problem, checked)]."""
    return [
        (i, p or 0, n or 0)
        for i, p, n in _narrowed(ItemCell.objects.filter(generation=state.pk), f, period="half")
        .values_list("item_id")
        .annotate(p=Sum("problems"), n=Sum("checked"))
        if n
    ]


@per_refresh
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
            for r in _narrowed(_cells(IndustryCell, state, f), f, period="half", by=by)
            .values(column)
            .annotate(**{k: Sum(k) for k in BREAKDOWN_KEYS})
        ]
    return out
