"""Schema validation errors in the same shape and language as the row validator's: {detail, errors: [{field, reason}]}.

Pydantic reports `loc=("body", "payload", "cert_expires"), type="date_from_datetime_parsing"`; an official (and the
provincial platform's operator reading a log) should read `有效期至：应为日期（YYYY-MM-DD）` instead.
"""

from __future__ import annotations

from typing import Any

from shuangsuiji.directory.rows import COLUMNS
from shuangsuiji.directory.selectors import INSPECTOR_FILTERS, ITEM_FILTERS, OBJECT_FILTERS

# Which directory a request path belongs to: its first segment under /api/v1/.
_DIRECTORY_OF_SEGMENT = {"objects": "entities", "inspectors": "inspectors", "items": "items"}
_FILTERS = {"entities": OBJECT_FILTERS, "inspectors": INSPECTOR_FILTERS, "items": ITEM_FILTERS}
_COMMON = {
    "page": "页码",
    "page_size": "每页条数",
    "id": "编号",
    "version": "版本",
    "tags": "专项库标签",
    "note": "备注",
    "object_id": "检查对象",
    "purpose": "查看用途",
    "reason_code": "公开理由",
    "lottery": "彩票名称",
    "period": "彩票期号",
    "draw_date": "开奖日期",
    "thrown_by": "掷骰人",
}

_TYPE_REASONS = {
    "missing": "必填项不能为空",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为布尔值（true/false）",
    "bool_type": "应为布尔值（true/false）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "finite_number": "应为有限的数字",
    "string_type": "应为文本",
    "string_unicode": "含有无效的字符",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "json_invalid": "不是有效的 JSON",
}


def _directory(path: str) -> str | None:
    after = path.split("/api/v1/", 1)[-1]
    return _DIRECTORY_OF_SEGMENT.get(after.split("/", 1)[0])


def _record_labels(path: str) -> dict[str, str]:
    from .records_schemas import FIELD_LABEL_SEGMENTS, FIELD_LABELS

    after = path.split("/api/v1/", 1)[-1]
    if after.split("/", 1)[0] in FIELD_LABEL_SEGMENTS or after.endswith("/record"):
        return FIELD_LABELS
    return {}


def _field(loc: tuple | list, path: str) -> str:
    names = [p for p in loc[1:] if isinstance(p, str) and p != "payload"]
    if not names:
        return "请求"
    # The first name is the field; later ones are pydantic's union branches ("int", "str") or list indexes.
    name = names[0]
    if name == "reason" and path.endswith("/absence"):
        return "未参加的理由"
    labels = _record_labels(path)
    if name in labels:
        return labels[name]
    if path.split("/api/v1/", 1)[-1].split("/", 1)[0] in ("caps", "cap-exemptions"):
        from shuangsuiji.caps.labels import FIELD_LABELS as CAPS_LABELS

        if name == "reason" and "cap-exemptions" in path:
            return CAPS_LABELS["exemption_reason"]
        if name in CAPS_LABELS:
            return CAPS_LABELS[name]
    directory = _directory(path)
    if name == "reason":
        return "回避理由" if "/conflicts" in path else "修改理由"
    if directory and loc[0] == "query" and name in _FILTERS[directory]:
        return _FILTERS[directory][name]
    if directory and loc[0] == "body":
        headers = {c.name: c.header for c in COLUMNS[directory]}
        if name in headers:
            return headers[name]
    return _COMMON.get(name, name)


def _reason(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in _TYPE_REASONS:
        return _TYPE_REASONS[kind]
    if kind == "literal_error" or kind == "enum":
        # pydantic says "'a', 'b' or 'c'"; the row validator says "a、b、c".
        expected = str(ctx.get("expected", "")).replace("' or '", "、").replace("', '", "、").strip("'")
        return f"不是可选值，应为：{expected}"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx.get('le')}"
    if kind == "greater_than":
        return f"应大于 {ctx.get('gt')}"
    if kind == "string_too_long":
        return f"长度不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"长度不能少于 {ctx.get('min_length')} 个字符"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind == "too_short":
        return f"至少 {ctx.get('min_length')} 项"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", "格式不正确"))


def validation_errors(errors: list[dict[str, Any]], path: str) -> dict[str, Any]:
    out = []
    for e in errors:
        item = {"field": _field(e.get("loc") or ("body",), path), "reason": _reason(e)}
        if item not in out:
            out.append(item)
    return {"detail": "请求参数校验未通过", "errors": out}
