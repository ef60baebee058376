"""The statistics as plain tables of cells (text, link): the same for the page, the export and the portal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from . import charts, selectors
from .filters import StatsFilter
from .labels import SECTIONS, Label

RATE_KEYS = set(selectors.RATES)


@dataclass
class Cell:
    text: str
    value: int | float | None
    href: str = ""


@dataclass
class Section:
    key: str
    title: str
    labels: list[Label]
    rows: list[tuple[str, list[Cell]]]


def value_text(key: str, value: int | float | None) -> str:
    if key in RATE_KEYS:
        return charts.percent(value)
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


def figure_link(key: str, f: StatsFilter, department_id: int | None) -> str:
    count = selectors.COUNTS.get(key)
    if count is None or count.list_name is None:
        return ""
    query = f.query(department=department_id) | {"stat": key}
    return f"{reverse(count.list_name)}?{urlencode(query)}"


def sections(table: selectors.Table, *, links: bool = True) -> list[Section]:
    out = []
    for key, title, labels in SECTIONS:
        rows = []
        for row in table.rows:
            dept = row.department.pk if row.department else table.filter.department
            cells = [
                Cell(
                    value_text(lb.key, row.values.get(lb.key)),
                    row.values.get(lb.key),
                    figure_link(lb.key, table.filter, dept) if links else "",
                )
                for lb in labels
            ]
            rows.append((row.label, cells))
        out.append(Section(key, title, labels, rows))
    return out


def on_time_chart(f: StatsFilter, today: datetime.date):
    months = selectors.on_time_by_month(f, today)
    return charts.bar_chart(
        "按月按时公示率（按检查月份）",
        [(f"{m}月", o / p if p else None, f"{o}/{p} 条" if p else "无") for m, o, p in months],
    )


def problem_chart(f: StatsFilter, today: datetime.date, limit: int = 15):
    items = selectors.problems_by_item(f, today)[:limit]
    return charts.bar_chart(
        "分事项问题发现率",
        [(f"{i.code} {i.name}", p / n if n else None, f"{p}/{n} 条") for i, p, n in items],
    )
