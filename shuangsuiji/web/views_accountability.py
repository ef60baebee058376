"""Accountability (art. 20): the per-department, per-year report with its xlsx export, and the per-inspection
照单免责 evidence pack. Reads only."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from shuangsuiji.accountability import evidence, selectors
from shuangsuiji.accounts import scoping
from shuangsuiji.directory.workbooks import literal_row
from shuangsuiji.inspections.models import ABSENT_LABEL, draft_overdue_label

from . import params

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request) -> selectors.Report:
    departments = selectors.departments_for(request.user)
    if not departments.exists():
        raise PermissionDenied("只有联席会议办公室、系统管理员和部门管理员可以查看问责报告")
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    wanted = request.GET.get("department", "")
    if wanted:
        if params.int_or_none(wanted) is None:
            raise Http404
        # A department outside the user's reach is simply not found, as everywhere else (accounts/scoping.py).
        department = get_object_or_404(departments, pk=int(wanted))
    else:
        department = departments.filter(pk=request.user.department_id).first() or departments.first()
    return selectors.accountability_report(department, year, today)


def _sections(report: selectors.Report) -> list[dict[str, Any]]:
    """The report as titled sections of uniform lines: what, object, date, why, link."""
    scheme_lines = [
        {
            "what": f"{s.task_no or '（未编号）'} {s.name}",
            "object": "",
            "date": s.window_start,
            "why": f"已公示，检查期 {s.window_start} 开始后仍未抽取",
            "url": f"/schemes/{s.pk}/",
        }
        for s in report.tasks_not_drawn
    ] + [
        {
            "what": f"{sel.scheme.task_no or '（未编号）'} {sel.scheme.name}",
            "object": sel.object.name,
            "date": sel.scheme.window_end,
            "why": f"联合检查{ABSENT_LABEL}：{sel.absence.reason}"
            if sel.absence
            else f"{draft_overdue_label(sel.scheme.window_end)}：检查记录 {sel.draft.pk} 仍为暂存，未提交检查结果"
            if sel.draft
            else f"检查期已于 {sel.scheme.window_end} 结束，本部门未提交检查结果",
            "url": f"/records/{sel.draft.pk}/" if sel.draft else f"/draws/{sel.draw_id}/",
        }
        for sel in report.objects_not_inspected
    ]
    late_lines = [
        {
            "what": f"检查记录 {r.pk}（v{r.version}）",
            "object": r.object.name,
            "date": r.deadline,
            "why": f"公示期限 {r.deadline_label}，实际公示于 {timezone.localtime(r.published_at):%Y-%m-%d}",
            "url": f"/records/{r.pk}/",
        }
        for r in report.published_late
    ] + [
        {
            "what": f"检查记录 {r.pk}（v{r.version}）",
            "object": r.object.name,
            "date": r.deadline,
            "why": f"公示期限 {r.deadline_label} 已过，仍为“{r.get_status_display()}”",
            "url": f"/records/{r.pk}/",
        }
        for r in report.unpublished_overdue
    ]

    def finding_lines(findings: list[selectors.Finding]) -> list[dict[str, Any]]:
        return [
            {
                "what": f"检查记录 {f.record.pk}（v{f.record.version}）",
                "object": f.record.object.name,
                "date": f.record.inspection_date,
                "why": "；".join(f.reasons),
                "url": f"/records/{f.record.pk}/",
            }
            for f in findings
        ]

    return [
        {"key": "tasks", "title": "不执行或者拖延执行抽查任务", "lines": scheme_lines},
        {"key": "late", "title": "未依法及时公示抽查检查结果", "lines": late_lines},
        {"key": "transfers", "title": "发现问题未按规定移交", "lines": finding_lines(report.not_transferred)},
        {
            "key": "police",
            "title": "涉嫌犯罪案件未依法移送公安机关",
            "lines": finding_lines(report.not_moved_to_police),
        },
    ]


@require_GET
@login_required
def accountability_report(request):
    report = _report(request)
    return render(
        request,
        "web/accountability_report.html",
        {
            "report": report,
            "sections": _sections(report),
            "departments": selectors.departments_for(request.user),
            "years": range(report.today.year + 1, report.today.year - 5, -1),
        },
    )


@require_GET
@login_required
def accountability_xlsx(request):
    report = _report(request)
    wb = Workbook()
    ws = wb.active
    ws.title = "问责报告"
    ws.append([f"{report.department.name} {report.year} 年度“双随机、一公开”履职情况（截至 {report.today}）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["类别", "事项", "检查对象", "日期", "情况", "链接"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for section in _sections(report):
        for line in section["lines"]:
            ws.append(
                literal_row(
                    ws,
                    [
                        section["title"],
                        line["what"],
                        line["object"],
                        line["date"],
                        line["why"],
                        request.build_absolute_uri(line["url"]),
                    ],
                )
            )
    ws.append([])
    for section in _sections(report):
        ws.append([section["title"], f"{len(section['lines'])} 项"])
    for col, width in zip("ABCDEF", (28, 36, 30, 12, 60, 40), strict=True):
        ws.column_dimensions[col].width = width
    body = io.BytesIO()
    wb.save(body)
    response = HttpResponse(body.getvalue(), content_type=XLSX)
    filename = f"问责报告-{report.department.code}-{report.year}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_GET
@login_required
def evidence_pack(request, pk: int):
    rec = get_object_or_404(scoping.records_for(request.user), pk=pk)
    if not scoping.reads_record_history(request.user):
        raise PermissionDenied("证据包含有审计记录：系统管理员、安全管理员不能下载（三员分立）")
    # No audit event for the download. A GET must not change state: it is safe and repeatable (browsers prefetch,
    # proxies and users retry), and every audit write takes the chain head's row lock, so a read would queue behind
    # and contend with the business writes. Nor does the pack need one: it holds only what the user may already read
    # on the record and draw pages, and no personal data (no ID numbers, no phones) — seeing those in full is what
    # writes an audit event. The web server's access log keeps who downloaded what.
    return FileResponse(
        evidence.evidence_zip(rec, user=request.user),
        as_attachment=True,
        filename=f"照单免责证据包-检查记录{rec.pk}.zip",
        content_type="application/zip",
    )
