"""《市场主体执法检查登记表》 (art. 12): one row per drawn object, as a printable page and as an xlsx."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from shuangsuiji.directory.workbooks import literal_row

from .models import Draw, Selection


def register_rows(draw: Draw, selections) -> list[dict[str, Any]]:
    scheme = draw.scheme
    items = [f"{si.item.name}（{si.item.code}）" for si in scheme.items.select_related("item")]
    rows = []
    for sel in selections:
        team = [m for m in sel.team.all() if m.active]
        rows.append(
            {
                "selection": sel,
                # 核验码 (issue 14, part 2): the firm's key to this visit, printed with its QR code.
                "code": getattr(sel, "visit_code", None),
                "task_no": scheme.task_no,
                "object": sel.object,
                "items": items,
                "methods": scheme.methods,
                "window": f"{scheme.window_start:%Y-%m-%d} 至 {scheme.window_end:%Y-%m-%d}",
                "team": [(m.department.short_name, m.inspector.name, m.inspector.cert_no) for m in team],
            }
        )
    return rows


def active_selections(draw: Draw):
    return (
        Selection.objects.filter(draw=draw, active=True)
        .select_related("object", "object__region", "visit_code")
        .prefetch_related("team__inspector", "team__department")
        .order_by("stratum", "role", "rank")
    )


def register_workbook(draw: Draw, rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "登记表"
    ws.append(literal_row(ws, [f"市场主体执法检查登记表　{draw.scheme.task_no}　{draw.scheme.name}"]))
    ws["A1"].font = Font(bold=True, size=14)
    headers = [
        "序号",
        "任务编号",
        "统一社会信用代码/对象编码",
        "检查对象名称",
        "住所（经营场所）",
        "检查事项",
        "检查方式",
        "检查期限",
        "检查人员（部门·姓名·执法证号）",
        "核验码",
        "检查结果",
        "检查对象签字（盖章）",
    ]
    ws.append(headers)
    for c in ws[2]:
        c.font = Font(bold=True)
    for n, r in enumerate(rows, start=1):
        ws.append(
            literal_row(
                ws,
                [
                    n,
                    r["task_no"],
                    r["object"].code,
                    r["object"].name,
                    r["object"].address,
                    "；".join(r["items"]),
                    "、".join(r["methods"]),
                    r["window"],
                    "；".join(f"{d}·{name}·{cert}" for d, name, cert in r["team"]),
                    r["code"].display if r["code"] else "",
                    "",
                    "",
                ],
            )
        )
    for col, width in zip("ABCDEFGHIJKL", [6, 24, 22, 30, 30, 30, 14, 24, 40, 14, 16, 18], strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
