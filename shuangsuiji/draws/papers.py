"""The papers inspectors carry to a visit (issue 14, part 1): 检查通知书 and 随机抽查检查记录表, one set per drawn object.

Built here as plain values from the draw, so the templates and the workbook reach no other field: team members give
their name, department and 执法证号 only — never an ID number or a phone. Papers are numbered by the object's place
among the draw's active selections (the 登记表's order), so a paper keeps its number whatever batch prints it.
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from shuangsuiji.accounts import scoping
from shuangsuiji.directory.models import METHOD_CHOICES
from shuangsuiji.directory.workbooks import literal, literal_row
from shuangsuiji.inspections import categories as cat
from shuangsuiji.inspections.models import SignatureStatus
from shuangsuiji.org.models import Department
from shuangsuiji.planning.models import SchemeItem

from .forms_register import active_selections
from .models import Draw, Selection
from .selectors import draw_inspector_choices

# The sheet's own name for the visit codes of a batch (openpyxl refuses these characters in sheet titles).
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_SUB_ITEM_SPLIT = re.compile(r"[\n；;]+")
# A record sheet's check point: each sub-item is ticked one of these on paper (the record form's 分事项结果).
CHECK_MARKS = ("符合", "不符合", "未检查")


def sub_items(text: str) -> list[str]:
    """The check points of an item: its 检查子项, one a line (imports also separate them with semicolons)."""
    return [s.strip() for s in _SUB_ITEM_SPLIT.split(text or "") if s.strip()]


def paper_number(task_no: str | None, n: int) -> str:
    """文号 of an object's papers: the task number and the object's number in the draw."""
    return f"{task_no or '（未编号）'}-{n:03d}"


def numbered_selections(draw: Draw) -> list[tuple[int, Selection]]:
    """(number, selection) of the draw's active selections, in the 登记表's order, teams prefetched."""
    return list(enumerate(active_selections(draw), start=1))


def paper_sets(
    draw: Draw,
    numbered: list[tuple[int, Selection]],
    *,
    department_id: int | None,
    inspector_id: int | None = None,
) -> list[dict[str, Any]]:
    """One set of papers per selection of `numbered`. `department_id`: only that department's team members and items
    (a participating department's view: its record sheet lists its own items, the notice every item of the visit);
    None for the whole joint team. `inspector_id`: only the visits this
    inspector is an active member of (a team's assignment)."""
    scheme = draw.scheme
    lead = scheme.department
    slot_codes = list(scheme.team_slots or {})
    names = dict(Department.objects.filter(code__in=slot_codes).values_list("code", "name"))
    departments = [lead.name] + [names.get(c, c) for c in sorted(slot_codes) if c != lead.code]
    items = []
    for si in SchemeItem.objects.filter(scheme=scheme).select_related("item", "department").order_by("pk"):
        items.append(
            {
                "department_id": si.department_id,
                "code": si.item.code,
                "name": si.item.name,
                "basis": si.item.legal_basis,
                "department": si.department.name,
                "department_short": si.department.short_name,
                "sub_items": sub_items(si.item.sub_items),
            }
        )
    # The notice tells the firm every item of the joint visit (they are public on the portal); a department's record
    # sheet lists the items that department checks, as the record form does.
    own_items = [i for i in items if department_id is None or i["department_id"] == department_id]
    sets = []
    for n, sel in numbered:
        active = [m for m in sel.team.all() if m.active]
        if inspector_id is not None and inspector_id not in {m.inspector_id for m in active}:
            continue
        visible = [m for m in active if department_id is None or m.department_id == department_id]
        visible.sort(key=lambda m: m.order)
        code = getattr(sel, "visit_code", None)
        obj = sel.object
        sets.append(
            {
                "n": n,
                "selection_id": sel.pk,
                "number": paper_number(scheme.task_no, n),
                "task_no": scheme.task_no or "",
                "task_name": scheme.name,
                "lead": lead.name,
                "departments": departments,
                "object": {
                    "name": obj.name,
                    "code": obj.code,
                    "address": obj.address,
                    "legal_rep": obj.legal_rep,
                },
                "items": items,
                "record_items": own_items,
                "methods": list(scheme.methods),
                "window_start": scheme.window_start,
                "window_end": scheme.window_end,
                "team": [
                    {
                        "department": m.department.short_name,
                        "department_name": m.department.name,
                        "name": m.inspector.name,
                        "cert_no": m.inspector.cert_no,
                    }
                    for m in visible
                ],
                "code": code.display if code else "",
                "raw_code": code.code if code else "",
            }
        )
    return sets


def batch_papers(
    user, draw: Draw, *, member: int | None = None, selection_id: int | None = None
) -> tuple[list[dict[str, Any]], int | None, dict[int, str]]:
    """The papers of one batch for `user`: the whole draw, the visits of team member `member` (an inspector id, kept
    only if the user may see that member; otherwise None and the whole draw), or one selection (`selection_id`, None
    if it is not an active selection of the draw). Returns (papers, member kept, {inspector id: name} to choose from)."""
    department = None if scoping.sees_whole_team(user, draw.scheme) else user.department_id
    member, choices = scoping.paper_member_for(
        user, member, draw_inspector_choices(draw, department=department)
    )
    numbered = scoping.paper_selections_for(user, draw, numbered_selections(draw))
    if selection_id is not None:
        numbered = [(n, s) for n, s in numbered if s.pk == selection_id]
    return paper_sets(draw, numbered, department_id=department, inspector_id=member), member, choices


def result_choices() -> dict[str, Any]:
    """The result categories and measures of the record form, for the paper's tick boxes."""
    return {
        "method_choices": METHOD_CHOICES,
        "no_problem": cat.NO_PROBLEM,
        "pending": cat.PENDING,
        "pending_subkinds": cat.PENDING_SUBKINDS,
        "other_categories": [
            c for c in cat.LEAF_CATEGORIES if c != cat.NO_PROBLEM and c not in cat.PENDING_SUBKINDS
        ],
        "measures": cat.MEASURES,
        "signatures": [label for _, label in SignatureStatus.choices],
    }


# --- the record sheets as a workbook, for officials who fill them in on a computer -----------------------------------

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _sheet_title(paper: dict[str, Any], used: set[str]) -> str:
    base = (
        _SHEET_UNSAFE.sub("", f"{paper['n']:03d} {paper['object']['name']}")[:31].strip()
        or f"{paper['n']:03d}"
    )
    title, k = base, 1
    while title in used:
        k += 1
        title = f"{base[:27]}({k})"
    used.add(title)
    return title


def _row(ws: Worksheet, label: str, value: Any = "", *, height: float | None = None) -> None:
    ws.append(literal_row(ws, [label, value]))
    r = ws.max_row
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
    ws.cell(r, 1).font = Font(bold=True)
    for c in range(1, 5):
        ws.cell(r, c).border = _BOX
        ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
    if height:
        ws.row_dimensions[r].height = height


def _record_sheet(ws: Worksheet, paper: dict[str, Any]) -> None:
    ws.append([literal(ws, "随机抽查检查记录表")])
    ws.merge_cells("A1:D1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(literal_row(ws, [f"编号：{paper['number']}"]))
    ws.merge_cells("A2:D2")
    ws["A2"].alignment = Alignment(horizontal="right")
    obj = paper["object"]
    _row(ws, "任务编号", f"{paper['task_no']}　{paper['task_name']}")
    _row(ws, "检查对象名称", obj["name"])
    _row(ws, "统一社会信用代码/对象编码", obj["code"])
    _row(ws, "住所（经营场所）", obj["address"])
    _row(ws, "法定代表人（负责人）", obj["legal_rep"])
    _row(ws, "检查期限", f"{paper['window_start']:%Y-%m-%d} 至 {paper['window_end']:%Y-%m-%d}")
    _row(ws, "检查方式（抽查方案）", "、".join(paper["methods"]))
    _row(ws, "实际检查方式", "　".join(f"□ {m}" for m in METHOD_CHOICES))
    _row(ws, "检查日期", "")
    _row(
        ws,
        "检查人员（部门·姓名·执法证号）",
        "；".join(f"{m['department']}·{m['name']}·{m['cert_no']}" for m in paper["team"]),
    )
    _row(ws, "到场检查人员", "")
    _row(ws, "已出示执法证件", "□ 是　□ 否")
    ws.append(
        literal_row(
            ws, ["检查事项", "检查子项（检查要点）", "检查情况（符合／不符合／未检查）", "发现的问题及处置"]
        )
    )
    header = ws.max_row
    for c in range(1, 5):
        ws.cell(header, c).font = Font(bold=True)
        ws.cell(header, c).border = _BOX
        ws.cell(header, c).alignment = Alignment(wrap_text=True, vertical="top")
    for item in paper["record_items"]:
        points = item["sub_items"] or ["（本事项全部检查内容）"]
        for point in points:
            ws.append(literal_row(ws, [f"{item['code']} {item['name']}", point, "", ""]))
            for c in range(1, 5):
                ws.cell(ws.max_row, c).border = _BOX
                ws.cell(ws.max_row, c).alignment = Alignment(wrap_text=True, vertical="top")
    choices = result_choices()
    _row(ws, "检查情况", "", height=90)
    _row(
        ws,
        "检查结果（可多选）",
        "；".join([choices["no_problem"], *choices["pending_subkinds"], *choices["other_categories"]]),
    )
    _row(ws, "后续处置措施", "；".join(choices["measures"]))
    _row(ws, "检查对象签字（盖章）", "", height=40)
    _row(ws, "无法取得签字（盖章）的原因", "")
    _row(ws, "见证人（姓名、单位）", "")
    _row(ws, "检查人员签字", "", height=40)
    for col, width in zip("ABCD", [26, 36, 26, 36], strict=True):
        ws.column_dimensions[col].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def papers_workbook(papers: list[dict[str, Any]]) -> bytes:
    """The record sheets of a batch, one worksheet per object (named by its number and name)."""
    wb = Workbook()
    used: set[str] = set()
    first = True
    for paper in papers:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = _sheet_title(paper, used)
        _record_sheet(ws, paper)
    if first:
        wb.active.title = "记录表"
        wb.active.append(["本批没有检查对象。"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
