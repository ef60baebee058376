"""Page forms rendered from the same column lists that validate imports and API payloads (directory/rows.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from shuangsuiji.directory.models import (
    METHOD_CHOICES,
    InspectorStatus,
    ItemCategory,
    ItemStatus,
    ObjectKind,
    RegStatus,
    RiskClass,
)
from shuangsuiji.directory.rows import COLUMNS
from shuangsuiji.directory.selectors import personal_fields
from shuangsuiji.labels import percent_text
from shuangsuiji.org.models import Department, Region

DATE_FIELDS = {"cert_issued", "cert_expires"}
BOOL_FIELDS = {"abnormal_list", "dishonest_list", "is_expert"}
TEXTAREA_FIELDS = {"sub_items", "legal_basis", "content"}
# Ratios are typed and shown as percentages on pages ("3" or "3%" is 3 %); imports keep their own format (issue 15).
PERCENT_FIELDS = {"default_ratio", "ratio_cap"}
PERCENT_NOTE = "百分数：填 5 或 5% 即 5%"


def _options(name: str, user) -> list[tuple[str, str]] | None:
    if name == "region_id":
        return [("", "（未指定）")] + [(r.name, r.name) for r in Region.objects.all()]
    if name == "risk_class_id":
        return [("", "（未评定）")] + [(r.code, str(r)) for r in RiskClass.objects.filter(active=True)]
    if name == "department_id":
        qs = Department.objects.filter(active=True)
        if user.department_id and user.role != "office":
            qs = qs.filter(pk=user.department_id)
        return [(d.name, d.name) for d in qs]
    enums = {"kind": ObjectKind, "reg_status": RegStatus}
    if name in enums:
        return [(label, label) for _, label in enums[name].choices]
    if name == "status":
        return None  # decided per kind below
    if name == "category":
        return [(c.value, c.label) for c in ItemCategory]
    if name in BOOL_FIELDS:
        return [("否", "否"), ("是", "是")]
    return None


def display_value(name: str, value: Any) -> str:
    """A model value as the text a user would type (and validate_row parses)."""
    if value is None:
        return ""
    if name == "region_id":
        return Region.objects.filter(pk=value).values_list("name", flat=True).first() or ""
    if name == "risk_class_id":
        return RiskClass.objects.filter(pk=value).values_list("code", flat=True).first() or ""
    if name == "department_id":
        return Department.objects.filter(pk=value).values_list("name", flat=True).first() or ""
    if name == "kind":
        return ObjectKind(value).label
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal) and name in PERCENT_FIELDS:
        return percent_text(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def form_fields(kind: str, user, values: dict[str, Any], errors: dict[str, str] | None = None) -> list[dict]:
    errors = errors or {}
    status_choices = {
        "inspectors": [(c.value, c.label) for c in InspectorStatus],
        "items": [(c.value, c.label) for c in ItemStatus],
    }
    fields = []
    for col in COLUMNS[kind]:
        options = status_choices.get(kind) if col.name == "status" else _options(col.name, user)
        widget = "select" if options else "text"
        if col.name in DATE_FIELDS:
            widget = "date"
        elif col.name in TEXTAREA_FIELDS:
            widget = "textarea"
        elif col.name == "methods":
            widget = "checkboxes"
            options = [(m, m) for m in METHOD_CHOICES]
        value = values.get(col.name, "")
        fields.append(
            {
                "name": col.name,
                "header": col.header,
                "required": col.required,
                "note": PERCENT_NOTE if col.name in PERCENT_FIELDS else col.note,
                "widget": widget,
                "options": options or [],
                "value": value,
                "values": value.split(";") if widget == "checkboxes" and isinstance(value, str) else [],
                "error": errors.get(col.header, ""),
            }
        )
    return fields


def values_from_post(kind: str, post) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for col in COLUMNS[kind]:
        if col.name == "methods":
            data[col.name] = ";".join(post.getlist("methods"))
        elif col.name in PERCENT_FIELDS and col.name in post:
            text = post.get(col.name, "").translate(_FULL_WIDTH_PERCENT).strip()
            data[col.name] = text + "%" if text and not text.endswith("%") else text
        elif col.name in post:
            data[col.name] = post.get(col.name, "")
    return data


_FULL_WIDTH_PERCENT = str.maketrans("０１２３４５６７８９．％", "0123456789.%")


def values_from_instance(kind: str, obj) -> dict[str, Any]:
    values = {col.name: display_value(col.name, getattr(obj, col.name)) for col in COLUMNS[kind]}
    if kind == "inspectors":
        # The edit form shows ID number and phone masked, like every other page: sent back unchanged, a masked value
        # keeps the stored number (services.inspector_update); seeing them in full is the audited reveal.
        values.update(personal_fields(obj))
    return values
