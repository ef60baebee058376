"""Breakdowns for a department head (issue 12): the filter's records by item, region, industry section (GB/T 4754),
risk class and inspector. Internal only: the portal shows none of them (risk classes and inspectors never).

Each breakdown counts the same named querysets as the department table (selectors.records_finished, records_concluded,
records_with_problems), grouped by one attribute of the record's object (its current region, industry code, risk
class), so a row of a breakdown adds up with the filter of the same name on /stats/.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from shuangsuiji.codes.industry import SECTIONS as INDUSTRY_SECTIONS
from shuangsuiji.codes.industry import industry_section
from shuangsuiji.directory.models import Inspector, RiskClass
from shuangsuiji.inspections.models import RecordMember
from shuangsuiji.org.models import Department, Region

from . import selectors, summary
from .filters import StatsFilter

UNSET = "未填写"


@dataclass
class Line:
    label: str
    finished: int = 0  # finished checks (户次)
    concluded: int = 0  # results in force
    problems: int = 0  # results in force with a problem
    entities: int | None = None  # market entities in business (coverage denominator; regions only)
    covered: int | None = None  # of which checked at least once in the period

    @property
    def problem_rate(self) -> float | None:
        return self.problems / self.concluded if self.concluded else None

    @property
    def coverage(self) -> float | None:
        return self.covered / self.entities if self.entities else None


@dataclass
class Breakdown:
    key: str
    title: str
    group_label: str
    lines: list[Line]
    internal: bool = True  # never on the portal


def _by(qs, field: str) -> dict:
    return dict(
        qs.order_by().values_list(field).annotate(n=Count("pk", distinct=True)).values_list(field, "n")
    )


OBJECT_FIELDS = ("object__region", "object__industry_code", "object__risk_class")
RECORD_KEYS = ("records_finished", "records_concluded", "records_with_problems")


def object_record_rows(f: StatsFilter, today: datetime.date) -> list[dict]:
    """(finished, concluded, with problems) per (region, industry code, risk class) of the record's object, from one
    grouped query with conditional counts (the conditions of selectors.records_finished, records_concluded,
    records_with_problems). Each record is one row of the query, so the counts add up over any of the three fields:
    the region, industry and risk breakdowns share this one pass over the period's records (ADR 0022)."""
    state = summary.source(f)
    if state is not None:
        return summary.object_record_rows(state, f)
    conditions = selectors._record_conditions(f, today)
    return list(
        selectors.records_in_period(f)
        .order_by()
        .values(*OBJECT_FIELDS)
        .annotate(**{k: Count("pk", filter=conditions[k]) for k in RECORD_KEYS})
    )


def _record_counts(
    f: StatsFilter, today: datetime.date, field: str, rows: list[dict] | None = None
) -> tuple[dict, dict, dict]:
    """(finished, concluded, with problems) per value of `field` (one of OBJECT_FIELDS), summed from `rows`
    (object_record_rows, queried when not given)."""
    out: tuple[dict, dict, dict] = ({}, {}, {})
    for row in object_record_rows(f, today) if rows is None else rows:
        if row.get("_field", field) != field:  # a summary row for another breakdown
            continue
        for k, counts in zip(RECORD_KEYS, out, strict=True):
            counts[row[field]] = counts.get(row[field], 0) + row[k]
    return out


def _lines(keys_labels: list[tuple[object, str]], counts: tuple[dict, dict, dict]) -> list[Line]:
    finished, concluded, problems = counts
    return [
        Line(label, finished.get(key, 0), concluded.get(key, 0), problems.get(key, 0))
        for key, label in keys_labels
    ]


def by_region(f: StatsFilter, today: datetime.date, rows: list[dict] | None = None) -> Breakdown:
    """The 13 divisions (乡镇/街道) with the coverage of each: market entities checked at least once in the period."""
    counts = _record_counts(f, today, "object__region", rows)
    state = summary.source(f)
    entities = (
        summary.market_entities(state, f, by_region=True)
        if state is not None
        else _by(selectors.market_entities(f, today), "region")
    )
    covered = (
        summary.covered_by_region(state, f)
        if state is not None
        else dict(
            selectors.entity_checks(f, today)
            .order_by()
            .values_list("object__region")
            .annotate(n=Count("object", distinct=True))
            .values_list("object__region", "n")
        )
    )
    regions = list(Region.objects.order_by("sort", "id"))
    if f.region:
        regions = [r for r in regions if r.pk == f.region]
    keys: list[tuple[object, str]] = [(r.pk, r.name) for r in regions]
    if not f.region and any(None in c for c in (*counts, entities)):
        keys.append((None, UNSET))
    lines = _lines(keys, counts)
    for line, (key, _label) in zip(lines, keys, strict=True):
        line.entities = entities.get(key, 0)
        line.covered = covered.get(key, 0)
    return Breakdown("region", "分乡镇（街道）", "乡镇（街道）", lines, internal=False)


def by_industry(f: StatsFilter, today: datetime.date, rows: list[dict] | None = None) -> Breakdown:
    """By GB/T 4754 section (门类), from each object's industry code; a missing or invalid code is 未填写."""
    merged: list[dict] = [defaultdict(int), defaultdict(int), defaultdict(int)]
    for counts, out in zip(_record_counts(f, today, "object__industry_code", rows), merged, strict=True):
        for code, n in counts.items():
            out[_section(code)] += n
    present = {k for m in merged for k in m}
    keys: list[tuple[object, str]] = [
        (letter, f"{letter} {name}") for letter, name in INDUSTRY_SECTIONS.items() if letter in present
    ]
    if UNSET in present:
        keys.append((UNSET, UNSET))
    return Breakdown("industry", "分行业门类（GB/T 4754）", "行业门类", _lines(keys, tuple(merged)))  # type: ignore[arg-type]


def _section(code: str | None) -> str:
    if not code:
        return UNSET
    try:
        return industry_section(code)
    except ValueError:
        return UNSET


def by_risk_class(f: StatsFilter, today: datetime.date, rows: list[dict] | None = None) -> Breakdown:
    counts = _record_counts(f, today, "object__risk_class", rows)
    classes = list(RiskClass.objects.order_by("sort", "id"))
    if f.risk_class:
        classes = [c for c in classes if c.pk == f.risk_class]
    keys: list[tuple[object, str]] = [(c.pk, c.name) for c in classes]
    if not f.risk_class:
        keys.append((None, "未评定"))
    return Breakdown("risk", "分信用风险分类（内部）", "信用风险分类", _lines(keys, counts))


def by_item(f: StatsFilter, today: datetime.date, items: list | None = None) -> Breakdown:
    """Per item: results in force that checked the item, and those that found a problem with it (`items`: the
    answer of selectors.problems_by_item when the caller already has it)."""
    if items is None:
        items = selectors.problems_by_item(f, today)
    lines = [Line(f"{i.code} {i.name}", n, n, p) for i, p, n in items]
    return Breakdown("item", "分抽查事项", "抽查事项", lines, internal=False)


def inspector_load(f: StatsFilter, today: datetime.date) -> Breakdown:
    """Finished checks each inspector took part in, by department and name (a load, not a ranking; internal only)."""
    finished = selectors.records_finished(f, today).values("pk")
    rows = (
        RecordMember.objects.filter(record__in=finished)
        .order_by()
        .values_list("inspector")
        .annotate(n=Count("record", distinct=True))
        .values_list("inspector", "n")
    )
    counts = dict(rows)
    inspectors = Inspector.objects.filter(pk__in=counts).select_related("department")
    departments = {d.pk: d.sort for d in Department.objects.all()}
    ordered = sorted(
        inspectors, key=lambda i: (departments.get(i.department_id, 0), i.department_id, i.name, i.pk)
    )
    lines = [Line(f"{i.department.short_name} {i.name}", counts[i.pk]) for i in ordered]
    return Breakdown("inspector", "检查人员工作量（内部，不作排名）", "检查人员", lines)


def all_breakdowns(f: StatsFilter, today: datetime.date, items: list | None = None) -> list[Breakdown]:
    rows = object_record_rows(f, today)
    return [
        by_item(f, today, items),
        by_region(f, today, rows),
        by_industry(f, today, rows),
        by_risk_class(f, today, rows),
        inspector_load(f, today),
    ]
