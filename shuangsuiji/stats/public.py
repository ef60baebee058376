"""The public statistics of the portal (art. 18): the city's figures per year and department, nothing else.

Never a risk class, never an inspector, never a figure that could single out a firm: a count under THRESHOLD is shown
as "<5", and a rate is withheld when its numerator or its denominator is under THRESHOLD (a shown rate and a shown
denominator would give the suppressed count back). The same selector as /stats/ and the API computes the figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from shuangsuiji.org.models import Department
from shuangsuiji.web import params

from . import selectors, tables
from .filters import FIRST_YEAR, StatsFilter
from .labels import SECTIONS

THRESHOLD = 5
SUPPRESSED = f"<{THRESHOLD}"
WITHHELD = "—"


def year_from(query: Mapping[str, Any], today: datetime.date) -> tuple[int, list[str]]:
    text = str(query.get("year", "") or "").strip()[:20]
    if not text:
        return today.year, []
    year = params.int_or_none(text, lo=FIRST_YEAR, hi=today.year)
    if year is None:
        return today.year, [f"年度应为 {FIRST_YEAR} 至 {today.year} 之间的年份，已显示 {today.year} 年"]
    return year, []


def public_value(key: str, row: selectors.Row) -> str:
    value = row.values.get(key)
    if key in selectors.RATES:
        num, den = row.rate(key)
        return WITHHELD if num < THRESHOLD or den < THRESHOLD else tables.value_text(key, value)
    if key == "median_days":
        shown = value is not None and int(row.values["results_published"] or 0) >= THRESHOLD
        return f"{value:.1f}" if shown else WITHHELD
    count = int(value or 0)
    return SUPPRESSED if count < THRESHOLD else str(count)


def public_table(year: int, today: datetime.date) -> selectors.Table:
    departments = Department.objects.filter(active=True).order_by("sort", "id")
    return selectors.department_table(StatsFilter(year), departments, today, city=True)


def public_sections(year: int, today: datetime.date) -> list[tables.Section]:
    table = public_table(year, today)
    out = []
    for key, title, labels in SECTIONS:
        shown = [lb for lb in labels if lb.public]
        rows = [
            (row.label, [tables.Cell(public_value(lb.key, row), None) for lb in shown]) for row in table.rows
        ]
        out.append(tables.Section(key, title, shown, rows))
    return out
