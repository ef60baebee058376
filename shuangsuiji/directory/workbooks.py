"""The xlsx files officials handle: blank templates, error reports and exports, all with the same column headers.

An export has exactly the template's columns, so it can be edited and imported again (masked ID numbers and phones
are then kept as stored, see importing.py).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shuangsuiji.codes.mask import mask_id_number, mask_phone

from .models import METHOD_CHOICES, InspectorStatus, ItemCategory, ItemStatus, ObjectKind, RegStatus
from .rows import COLUMNS, KIND_LABELS, Column

EXCEL_MAX_DATA_ROWS = 1_048_575
# Columns holding codes: formatted as text in the template so that Excel keeps all 18 digits and leading zeros.
TEXT_COLUMNS = {"code", "cert_no", "id_number", "phone", "industry_code"}
BOOL_COLUMNS = {"abnormal_list", "dishonest_list", "is_expert"}
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="FCE4D6")
ERROR_HEADER = "错误原因"


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _width(header: str) -> float:
    return max(10, min(40, len(header) * 2 + 4))


def allowed_values(kind: str, col: Column) -> list[str] | None:
    """The values a column accepts, when they form a short list (for the instructions and the dropdowns)."""
    from shuangsuiji.org.models import Department, Region

    from .models import RiskClass

    if col.name in BOOL_COLUMNS:
        return ["是", "否"]
    if kind == "entities" and col.name == "kind":
        return [label for _, label in ObjectKind.choices]
    if col.name == "reg_status":
        return [v for v, _ in RegStatus.choices]
    if col.name == "risk_class_id":
        return list(RiskClass.objects.filter(active=True).values_list("code", flat=True))
    if col.name == "region_id":
        return list(Region.objects.values_list("name", flat=True))
    if col.name == "department_id":
        return list(Department.objects.filter(active=True).values_list("name", flat=True))
    if kind == "inspectors" and col.name == "status":
        return [v for v, _ in InspectorStatus.choices]
    if kind == "items" and col.name == "category":
        return [v for v, _ in ItemCategory.choices]
    if kind == "items" and col.name == "status":
        return [v for v, _ in ItemStatus.choices]
    return None


def template_workbook(kind: str) -> bytes:
    """A blank template: the header row (required columns in red), dropdowns for enumerations, and a 填写说明 sheet."""
    columns = COLUMNS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = KIND_LABELS[kind]
    ws.append([c.header for c in columns])
    ws.freeze_panes = "A2"
    choices = wb.create_sheet("可选值")
    guide = wb.create_sheet("填写说明")
    guide.append(["列名", "是否必填", "填写要求", "可选值", "示例"])
    for cell in guide[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    choice_col = 0
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        head = ws.cell(row=1, column=i)
        head.font = REQUIRED_FONT if col.required else HEADER_FONT
        head.fill = HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[letter].width = _width(col.header)
        if col.name in TEXT_COLUMNS:
            ws.column_dimensions[letter].number_format = "@"
        values = allowed_values(kind, col)
        if values:
            choice_col += 1
            cl = get_column_letter(choice_col)
            choices.cell(row=1, column=choice_col, value=col.header).font = HEADER_FONT
            for j, v in enumerate(values, start=2):
                choices.cell(row=j, column=choice_col, value=v)
            dv = DataValidation(
                type="list",
                formula1=f"'可选值'!${cl}$2:${cl}${len(values) + 1}",
                allow_blank=not col.required,
                showErrorMessage=True,
                errorTitle="不是可选值",
                error=f"“{col.header}”请从下拉列表中选择",
            )
            dv.add(f"{letter}2:{letter}{EXCEL_MAX_DATA_ROWS + 1}")
            ws.add_data_validation(dv)
        requirement = col.note
        if col.name == "methods":
            requirement = f"可填多项，以分号分隔；可选：{'、'.join(METHOD_CHOICES)}"
        if col.name in TEXT_COLUMNS:
            requirement = (requirement + "；" if requirement else "") + "请以文本格式填写，勿转为数字"
        guide.append(
            [
                col.header,
                "必填" if col.required else "选填",
                requirement,
                "、".join(values) if values else "",
                col.example,
            ]
        )
    guide.append([])
    guide.append(
        ["说明：第1行为列名，请勿修改；从第2行起每行一条记录。已存在的记录按唯一编码更新，未变化的记录跳过。"]
    )
    for letter, width in zip("ABCDE", (28, 10, 50, 50, 36), strict=True):
        guide.column_dimensions[letter].width = width
    choices.sheet_state = "hidden"
    return _save(wb)


# Text that Excel or WPS would take for a formula (CWE-1236: "=HYPERLINK(…)", "+1", "@SUM", a leading tab or CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def literal(ws: Any, value: Any) -> Any:
    """`value` as it should go into a cell: a formula-like text becomes a text cell with a quote prefix, so that
    neither opening nor editing the file runs it. Every workbook the platform writes passes its values through this."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return as_text(WriteOnlyCell(ws, value=value))
    return value


def as_text(cell: Any) -> Any:
    """Keep a formula-like text in `cell` as text (see literal)."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def literal_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    return [literal(ws, v) for v in values]


def _display(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    if isinstance(value, str):
        return _safe(value)
    return value


def _safe(text: str) -> str:
    # Control characters (pasted from other systems) are not allowed in xlsx; openpyxl would refuse the file.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def error_workbook(
    kind: str,
    headers: list[str],
    rows: Iterable[tuple[int, list[Any]]],
    errors: Iterable[tuple[int, str, str]],
    *,
    truncated: bool = False,
) -> bytes:
    """The invalid rows as uploaded, with their row number and an added 错误原因 column; a second sheet lists 行/列/原因."""
    by_row: dict[int, list[str]] = {}
    error_list = list(errors)
    for number, column, reason in error_list:
        by_row.setdefault(number, []).append(f"{column}：{reason}")
    headers = headers or [c.header for c in COLUMNS[kind]]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误行")
    ws.column_dimensions["A"].width = 8
    for i, h in enumerate(headers, start=2):
        ws.column_dimensions[get_column_letter(i)].width = _width(h)
    ws.column_dimensions[get_column_letter(len(headers) + 2)].width = 60

    def header_cell(value: str, font: Font = HEADER_FONT, fill: PatternFill = HEADER_FILL) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        c.font, c.fill = font, fill
        return c

    ws.append(
        [header_cell("行号"), *(header_cell(h) for h in headers), header_cell(ERROR_HEADER, fill=ERROR_FILL)]
    )
    for number, cells in rows:
        padded = list(cells) + [None] * (len(headers) - len(cells))
        reason = as_text(WriteOnlyCell(ws, value=_safe("；".join(by_row.get(number, [])))))
        reason.fill = ERROR_FILL
        ws.append([number, *literal_row(ws, (_display(v) for v in padded[: len(headers)])), reason])
    detail = wb.create_sheet("错误明细")
    detail.column_dimensions["B"].width = 28
    detail.column_dimensions["C"].width = 80
    detail.append([header_cell("行"), header_cell("列"), header_cell("原因")])
    for number, column, reason in error_list:
        detail.append(literal_row(detail, [number, column, _safe(reason)]))
    if truncated:
        detail.append([None, None, "错误过多，仅列出前面的部分；请修正后重新校验"])
    return _save(wb)


# --- export -----------------------------------------------------------------------------------------------------------


class ExportTooLarge(Exception):
    pass


def _names() -> dict[str, dict[int, str]]:
    from shuangsuiji.org.models import Department, Region

    from .models import RiskClass

    return {
        "region_id": dict(Region.objects.values_list("id", "name")),
        "department_id": dict(Department.objects.values_list("id", "name")),
        "risk_class_id": dict(RiskClass.objects.values_list("id", "code")),
    }


def _export_value(kind: str, name: str, value: Any, names: dict[str, dict[int, str]], unmasked: bool) -> Any:
    if value is None:
        return None
    if name in names:
        return names[name].get(value, "")
    if isinstance(value, str):
        value = _safe(value)
    if name in BOOL_COLUMNS:
        return "是" if value else "否"
    if kind == "entities" and name == "kind":
        return ObjectKind(value).label
    if name == "id_number" and not unmasked:
        return mask_id_number(value)
    if name == "phone" and not unmasked:
        return mask_phone(value)
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, int):
        return value
    if isinstance(value, datetime.date):
        return value
    return _safe(str(value))


def write_export(kind: str, queryset, *, unmasked: bool) -> tuple[bytes, int]:
    """(xlsx bytes, row count) of `queryset` with the template's columns."""
    columns = COLUMNS[kind]
    names = _names()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(KIND_LABELS[kind])
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(col.header)
    ws.freeze_panes = "A2"
    heads = []
    for col in columns:
        c = WriteOnlyCell(ws, value=col.header)
        c.font, c.fill = (REQUIRED_FONT if col.required else HEADER_FONT), HEADER_FILL
        heads.append(c)
    ws.append(heads)
    count = 0
    for obj in queryset.iterator(chunk_size=2000):
        count += 1
        if count > EXCEL_MAX_DATA_ROWS:
            raise ExportTooLarge(f"导出行数超过 Excel 上限（{EXCEL_MAX_DATA_ROWS} 行），请缩小筛选范围")
        ws.append(
            literal_row(
                ws, (_export_value(kind, c.name, getattr(obj, c.name), names, unmasked) for c in columns)
            )
        )
    return _save(wb), count


def export_workbook(kind: str, queryset, *, unmasked: bool) -> bytes:
    return write_export(kind, queryset, unmasked=unmasked)[0]
