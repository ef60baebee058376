"""The statistics as plain tables of cells (text, link): the same for the page, the export and the portal."""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from . import breakdowns, charts, selectors
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

    @property
    def html_rows(self) -> list[SafeString]:
        """Each row as its <tr>, built here rather than by the template: a page holds some 900 cells, and the
        template engine's loops over them took more than half of a statistics request (ADR 0022, fifth pass).
        Every text and link is escaped."""
        return [
            mark_safe(f"<tr><th>{html.escape(label)}</th>{''.join(map(_cell_html, cells))}</tr>")  # noqa: S308
            for label, cells in self.rows
        ]


def _cell_html(c: Cell) -> str:
    # The standard library's escape (what django.utils.html.escape calls, without its lazy-string wrapper, which cost
    # more than the escaping over 900 cells): &, <, >, " and ' escaped.
    text = html.escape(c.text)
    if c.href:
        return f'<td class="num"><a href="{html.escape(c.href)}">{text}</a></td>'
    return f'<td class="num">{text}</td>'


def value_text(key: str, value: int | float | None) -> str:
    if key in RATE_KEYS:
        return charts.percent(value)
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


def figure_link(key: str, f: StatsFilter, department_id: int | None) -> str:
    count = selectors.COUNTS.get(key) or selectors.LISTED_ONLY.get(key)
    if count is None or count.list_name is None:
        return ""
    query = f.query(department=department_id) | {"stat": key}
    return f"{reverse(count.list_name)}?{urlencode(query)}"


def sections(table: selectors.Table, *, links: bool = True) -> list[Section]:
    out = []
    # The links as figure_link makes them, with the list URLs and each row's query built once (some 800 links a
    # page: building each from scratch cost ~0.3 s of a request at 1 M results; ADR 0022).
    paths = {name: reverse(name) for name in selectors.LIST_FIGURES}
    queries = {
        row.label: urlencode(
            table.filter.query(department=row.department.pk if row.department else table.filter.department)
        )
        for row in table.rows
    }

    stats: dict[str, str] = {}  # key: "stat=key", or "" for a figure without a list

    def link(key: str, row: selectors.Row) -> str:
        if key not in stats:
            count = selectors.COUNTS.get(key) or selectors.LISTED_ONLY.get(key)
            stats[key] = "" if count is None or count.list_name is None else urlencode({"stat": key})
        if not links or not stats[key]:
            return ""
        count = selectors.COUNTS.get(key) or selectors.LISTED_ONLY[key]
        query = queries[row.label]
        return f"{paths[count.list_name]}?{query}{'&' if query else ''}{stats[key]}"

    for key, title, labels in SECTIONS:
        rows = []
        for row in table.rows:
            cells = [
                Cell(value_text(lb.key, row.values.get(lb.key)), row.values.get(lb.key), link(lb.key, row))
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


def problem_chart(f: StatsFilter, today: datetime.date, limit: int = 15, items: list | None = None):
    """The items with the most results (`items`: selectors.problems_by_item's answer when the caller has it)."""
    items = (selectors.problems_by_item(f, today) if items is None else items)[:limit]
    return charts.bar_chart(
        "分事项问题发现率",
        [(f"{i.code} {i.name}", p / n if n else None, f"{p}/{n} 条") for i, p, n in items],
    )


def coverage_by_region_chart(region: breakdowns.Breakdown):
    """The divisions ranked by coverage (market entities checked at least once in the period)."""
    lines = sorted(
        (ln for ln in region.lines if ln.label != breakdowns.UNSET),
        key=lambda ln: (-(ln.coverage if ln.coverage is not None else -1), ln.label),
    )
    return charts.bar_chart(
        "各乡镇（街道）覆盖率",
        [
            (ln.label, ln.coverage, f"{ln.covered}/{ln.entities} 户" if ln.entities else "无市场主体")
            for ln in lines
        ],
    )


def joint_share_chart(table: selectors.Table):
    """Each department's share of joint tasks among its published tasks (the city last)."""
    bars = []
    for row in table.rows:
        joint, every = row.rate("joint_task_share")
        bars.append(
            (row.label, joint / every if every else None, f"{joint}/{every} 个" if every else "无任务")
        )
    return charts.bar_chart("各部门部门联合抽查占比（任务）", bars)


@dataclass
class BreakdownTable:
    key: str
    title: str
    header: list[str]  # column titles, the first the group
    units: list[str]  # per column after the first
    rows: list[list]  # [label, numbers…]; rates as 0–1 or None
    rate_columns: set[int]

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(title, unit) of each column after the group's."""
        return list(zip(self.header[1:], self.units, strict=True))

    @property
    def html_rows(self) -> list[SafeString]:
        """Each row as its <tr> (as Section.html_rows), every text escaped."""
        return [
            mark_safe(  # noqa: S308
                f"<tr><th>{html.escape(str(row[0]))}</th>"
                + "".join(f'<td class="num">{html.escape(str(v))}</td>' for v in row[1:])
                + "</tr>"
            )
            for row in self.text_rows
        ]

    @property
    def text_rows(self) -> list[list[str]]:
        return [
            [
                charts.percent(v) if i in self.rate_columns else (v if i == 0 else value_text("", v))
                for i, v in enumerate(row)
            ]
            for row in self.rows
        ]


def breakdown_table(b: breakdowns.Breakdown) -> BreakdownTable:
    """A breakdown as a table, the same for the page, the report, the export and the API."""
    if b.key == "inspector":
        return BreakdownTable(
            b.key,
            b.title,
            [b.group_label, "参加完成检查"],
            ["户次"],
            [[ln.label, ln.finished] for ln in b.lines],
            set(),
        )
    if b.key == "item":
        return BreakdownTable(
            b.key,
            b.title,
            [b.group_label, "检查该事项的有效结果", "发现问题", "问题发现率"],
            ["条", "条", "%"],
            [[ln.label, ln.concluded, ln.problems, ln.problem_rate] for ln in b.lines],
            {3},
        )
    header = [b.group_label, "完成检查", "有效检查结果", "发现问题", "问题发现率"]
    units = ["户次", "条", "条", "%"]
    rows = [[ln.label, ln.finished, ln.concluded, ln.problems, ln.problem_rate] for ln in b.lines]
    rates = {4}
    if b.key == "region":
        header += ["市场主体（存续）", "至少检查一次", "覆盖率"]
        units += ["户", "户", "%"]
        for row, ln in zip(rows, b.lines, strict=True):
            row += [ln.entities, ln.covered, ln.coverage]
        rates.add(7)
    return BreakdownTable(b.key, b.title, header, units, rows, rates)
