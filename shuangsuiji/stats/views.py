"""/stats/: the statistics for internal users (scoped), its charts and its xlsx export; /portal/stats/ for the public."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlsxwriter import Workbook

from shuangsuiji.accounts import scoping
from shuangsuiji.directory.models import CheckItem, RiskClass
from shuangsuiji.directory.workbooks import FORMULA_STARTS
from shuangsuiji.org.models import Region

from . import breakdowns, policy, public, reading, selectors, summary, tables
from .filters import FIRST_YEAR, HALF_CHOICES, JOINT_CHOICES, StatsFilter
from .labels import describe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _years(today) -> list[int]:
    return list(range(today.year + 1, max(FIRST_YEAR, today.year - 6) - 1, -1))


def _table(request):
    today = timezone.localdate()
    f, errors, departments = policy.scoped_filter(request.user, request.GET, today)
    table = selectors.department_table(f, departments, today, city=scoping.sees_city_statistics(request.user))
    return f, errors, departments, table, today


def _page_context(request) -> dict:
    f, errors, departments, table, today = _table(request)
    items = selectors.problems_by_item(f, today)  # one query for the item breakdown and the chart
    parts = breakdowns.all_breakdowns(f, today, items)
    region = next(b for b in parts if b.key == "region")
    return {
        "f": f,
        "errors": errors,
        "title": describe(f),
        "today": today,
        "sections": tables.sections(table),
        "breakdowns": [tables.breakdown_table(b) for b in parts],
        "on_time_chart": tables.on_time_chart(f, today),
        "problem_chart": tables.problem_chart(f, today, items=items),
        "coverage_chart": tables.coverage_by_region_chart(region),
        "joint_chart": tables.joint_share_chart(table),
        "export_query": urlencode(f.query()),
        "as_of": summary.as_of(f),
    }


@require_GET
@login_required
@reading.one_reading()
def stats_page(request):
    context = _page_context(request)
    departments = list(scoping.stats_departments_for(request.user))
    return render(
        request,
        "stats/stats.html",
        context
        | {
            "years": _years(context["today"]),
            "halves": HALF_CHOICES.items(),
            "joints": JOINT_CHOICES.items(),
            "departments": departments if len(departments) > 1 else [],
            "items": CheckItem.objects.filter(department__in=departments).order_by("code"),
            "regions": Region.objects.all(),
            "risk_classes": RiskClass.objects.all(),
        },
    )


@require_GET
@login_required
@reading.one_reading()
def stats_report(request):
    """The printable half-year / annual report (A4) the office sends to the joint meeting: the same tables and
    charts as /stats/ for the same filter."""
    context = _page_context(request)
    f = context["f"]
    period = "半年" if f.half else "年度"
    return render(request, "stats/report.html", context | {"period": period})


class _Book:
    """The export as an XlsxWriter workbook in memory (ADR 0029): a third of openpyxl's Python time for the same
    thirteen sheets. Every value is written with its type named (write_number, write_string), never guessed by
    write(), and the options below are set as well, so no text from the data can become a formula, a link or a
    number; a formula-like text also gets Excel's quote prefix, so editing the cell does not run it either."""

    OPTIONS = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }

    def __init__(self) -> None:
        self.body = io.BytesIO()
        self.wb = Workbook(self.body, self.OPTIONS)
        self._formats: dict[tuple[int, bool], object] = {}

    def _format(self, size: int, text: str | None):
        """Bold at `size` (0: plain), with the quote prefix for a formula-like text."""
        quoted = text is not None and text.startswith(FORMULA_STARTS)
        if not size and not quoted:
            return None
        key = (size, quoted)
        if key not in self._formats:
            props: dict[str, object] = {"quote_prefix": True} if quoted else {}
            if size:
                props |= {"bold": True, "font_size": size}
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def _row(self, ws, r: int, values: list, size: int = 0) -> None:
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                ws.write_number(r, c, float(value), self._format(size, None))
            else:
                # Control characters (pasted from other systems) are not allowed in xlsx: left out, as in every
                # other workbook of the platform (directory/workbooks.py).
                text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                ws.write_string(r, c, text, self._format(size, text))

    def sheet(self, title: str, heading: str, units: list[str], header: list[str], rows: list[list]) -> None:
        """A sheet: its title (bold, 13 pt), the units, the header (bold), then the rows."""
        ws = self.wb.add_worksheet(title)
        ws.set_column(0, 0, 28)
        self._row(ws, 0, [heading], 13)
        self._row(ws, 1, ["单位", *units])
        self._row(ws, 2, header, 11)
        for r, row in enumerate(rows, 3):
            self._row(ws, r, row)

    def content(self) -> bytes:
        self.wb.close()
        return self.body.getvalue()


@require_GET
@login_required
@reading.one_reading()
def stats_xlsx(request):
    f, _errors, _departments, table, today = _table(request)
    heading = f"“双随机、一公开”统计：{describe(f)}（{_as_of_text(f, today)}）"
    wb = _Book()
    for section in tables.sections(table, links=False):
        wb.sheet(
            section.title,
            f"{heading} · {section.title}",
            [lb.unit for lb in section.labels],
            ["部门", *[lb.label for lb in section.labels]],
            [
                [label, *[_xlsx_value(lb.key, c) for lb, c in zip(section.labels, cells, strict=True)]]
                for label, cells in section.rows
            ],
        )
    months = selectors.on_time_by_month(f, today)
    wb.sheet(
        "按月按时公示",
        f"{heading} · 按月按时公示（按检查月份）",
        ["条", "条", "%"],
        ["月份", "按时公示", "已公示", "按时公示率"],
        [[m, o, p, round(o / p * 100, 1) if p else None] for m, o, p in months],
    )
    items = selectors.problems_by_item(f, today)  # one query for this sheet and the item breakdown
    wb.sheet(
        "分事项问题发现率",
        f"{heading} · 分事项问题发现率",
        ["", "条", "条", "%"],
        ["事项编码", "事项名称", "发现问题", "检查结果", "问题发现率"],
        [[i.code, i.name, p, n, round(p / n * 100, 1) if n else None] for i, p, n in items],
    )
    for b in breakdowns.all_breakdowns(f, today, items):
        bt = tables.breakdown_table(b)
        wb.sheet(
            re.sub(r"[\[\]:*?/\\]", "", bt.title)[:31],
            f"{heading} · {bt.title}",
            bt.units,
            bt.header,
            [
                [
                    round(v * 100, 1) if i in bt.rate_columns and v is not None else v
                    for i, v in enumerate(row)
                ]
                for row in bt.rows
            ],
        )
    response = HttpResponse(wb.content(), content_type=XLSX)
    filename = f"统计-{f.year}{'-H' + str(f.half) if f.half else ''}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _as_of_text(f, today) -> str:
    state = summary.as_of(f)
    if state["summary"] and state["at"]:
        return f"数据截至 {timezone.localtime(state['at']):%Y年%-m月%-d日 %H:%M}（北京时间）"
    return f"截至 {today:%Y-%m-%d}，实时计算"


def _xlsx_value(key: str, cell: tables.Cell):
    """Numbers as numbers (rates in percent, one decimal), an absent value empty."""
    if cell.value is None:
        return None
    if key in tables.RATE_KEYS:
        return round(float(cell.value) * 100, 1)
    return cell.value


@require_GET
@reading.one_reading()
def portal_stats(request):
    today = timezone.localdate()
    year, errors = public.year_from(request.GET, today)
    # Anonymous and some forty aggregate queries: the answer is kept for settings.PUBLIC_STATS_CACHE_SECONDS (ADR 0015).
    # A new refresh is a new cache key: the portal never shows older figures than the summary holds.
    as_of = summary.as_of(StatsFilter(year))
    sections = cache.get_or_set(
        f"portal-stats:{year}:{today}:{as_of['at'].timestamp() if as_of['at'] else 'live'}",
        lambda: public.public_sections(year, today),
        settings.PUBLIC_STATS_CACHE_SECONDS,
    )
    return render(
        request,
        "stats/portal_stats.html",
        {
            "year": year,
            "years": _years(today)[1:],
            "errors": errors,
            "sections": sections,
            "today": today,
            "threshold": public.THRESHOLD,
            "as_of": as_of,
        },
    )
