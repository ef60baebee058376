"""Row validation shared by the pages, the API and the Excel/CSV import.

Every directory has one column list (Chinese headers, as officials see them in the template). `validate_row` turns
one row of raw strings into clean values plus a list of (column, reason) errors, so that a page form, a JSON payload
and line 1,234 of an uploaded file are judged by the same rules and the same Chinese messages.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from shuangsuiji.codes.errors import CodeError, FrequencyError
from shuangsuiji.codes.frequency import times_per_year
from shuangsuiji.codes.idcard import validate_id_number
from shuangsuiji.codes.industry import validate_industry_code
from shuangsuiji.codes.phone import validate_phone
from shuangsuiji.codes.uscc import validate_uscc

from .models import METHOD_CHOICES, InspectorStatus, ItemCategory, ItemStatus, ObjectKind, RegStatus

OBJECT_CODE_RE = re.compile(r"^[0-9A-Z]{1,64}$")
INSPECTOR_CODE_RE = re.compile(r"^[0-9A-Z]{1,16}$")
LIST_SPLIT_RE = re.compile(r"[;；、,，\n]+")


class RowInvalid(Exception):
    """Raised by services when a row does not validate; carries the (column, reason) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("；".join(f"{c}：{r}" for c, r in errors))


def length_errors(model: Any, **values: Any) -> list[tuple[str, str]]:
    """(label, reason) for each text longer than its column allows: PostgreSQL refuses it with a DataError (a 500)
    where SQLite would store it."""
    errors = []
    for name, value in values.items():
        field_ = model._meta.get_field(name)
        limit = getattr(field_, "max_length", None)
        if limit and isinstance(value, str) and len(value.strip()) > limit:
            errors.append((str(field_.verbose_name), f"不超过 {limit} 个字符，实为 {len(value.strip())} 个"))
    return errors


@dataclass
class Lookups:
    """Reference data resolved by name or code, loaded once per import rather than once per row."""

    regions: dict[str, int] = field(default_factory=dict)  # name or code -> id
    departments: dict[str, int] = field(default_factory=dict)  # name, short name or code -> id
    risk_classes: dict[str, int] = field(default_factory=dict)  # code -> id

    @classmethod
    def load(cls) -> Lookups:
        from shuangsuiji.org.models import Department, Region

        from .models import RiskClass

        lk = cls()
        for r in Region.objects.all():
            lk.regions[r.name] = r.id
            lk.regions[r.code] = r.id
        for d in Department.objects.filter(active=True):
            lk.departments[d.name] = d.id
            lk.departments[d.code] = d.id
            lk.departments[d.short_name] = d.id
        for rc in RiskClass.objects.filter(active=True):
            lk.risk_classes[rc.code] = rc.id
        return lk


class _Err(Exception):
    pass


def _text(max_len: int) -> Callable[[str, Lookups], str]:
    def parse(v: str, lk: Lookups) -> str:
        if len(v) > max_len:
            raise _Err(f"长度不能超过 {max_len} 个字符（实为 {len(v)}）")
        return v

    return parse


def _frequency(v: str, lk: Lookups) -> str:
    if len(v) > 50:
        raise _Err(f"长度不能超过 50 个字符（实为 {len(v)}）")
    try:
        times_per_year(v)  # the draw reads the text as a number of times a year: refuse what it cannot read
    except FrequencyError as e:
        raise _Err(str(e)) from None
    return v


def _choice(choices: list[str]) -> Callable[[str, Lookups], str]:
    def parse(v: str, lk: Lookups) -> str:
        if v not in choices:
            raise _Err(f"“{v}”不是可选值，应为：{'、'.join(choices)}")
        return v

    return parse


def _label_choice(enum) -> Callable[[str, Lookups], str]:
    labels = {label: value for value, label in enum.choices}
    values = {value: value for value, _ in enum.choices}

    def parse(v: str, lk: Lookups) -> str:
        if v in labels:
            return labels[v]
        if v in values:
            return v
        raise _Err(f"“{v}”不是可选值，应为：{'、'.join(labels)}")

    return parse


def _bool(v: str, lk: Lookups) -> bool:
    if v in ("是", "Y", "y", "1", "true", "True", "TRUE", "√"):
        return True
    if v in ("否", "N", "n", "0", "false", "False", "FALSE"):
        return False
    raise _Err(f"“{v}”应填“是”或“否”")


# The largest value an integer column holds on PostgreSQL; "1e30" or "Infinity" must be a row error, not a 500.
MAX_INT_COLUMN = 2_147_483_647


def _int_nonneg(v: str, lk: Lookups) -> int:
    try:
        d = Decimal(v)
        if not d.is_finite() or d != d.to_integral_value():
            raise InvalidOperation
        if d > MAX_INT_COLUMN:
            raise _Err(f"“{v}”过大（不超过 {MAX_INT_COLUMN:,}）")
        n = int(d)
    except (InvalidOperation, ValueError):
        raise _Err(f"“{v}”不是整数") from None
    if n < 0:
        raise _Err("不能为负数")
    return n


def _date(v: str, lk: Lookups) -> datetime.date:
    s = v.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").replace("日", "")
    if " " in s:
        s = s.split(" ", 1)[0]
    try:
        parts = [int(p) for p in s.split("-")]
        if len(parts) != 3:
            raise ValueError
        return datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        raise _Err(f"“{v}”不是有效日期，应为 YYYY-MM-DD") from None


def _ratio(v: str, lk: Lookups) -> Decimal:
    s = v.strip()
    try:
        d = Decimal(s[:-1]) / 100 if s.endswith("%") else Decimal(s)
    except InvalidOperation:
        raise _Err(f"“{v}”不是比例，应为 (0, 1] 之间的小数如 0.05，或百分数如 5%") from None
    if not d.is_finite():  # NaN cannot even be compared (InvalidOperation)
        raise _Err(f"“{v}”不是比例，应为 (0, 1] 之间的小数如 0.05，或百分数如 5%")
    if not (Decimal(0) < d <= Decimal(1)):
        raise _Err(f"比例 {v} 应大于 0 且不超过 1（100%）")
    if d.normalize().as_tuple().exponent < -6:  # type: ignore[operator]
        raise _Err(f"比例 {v} 最多保留 6 位小数")
    return d.normalize()


def _code(validator) -> Callable[[str, Lookups], str]:
    def parse(v: str, lk: Lookups) -> str:
        try:
            return validator(v)
        except CodeError as e:
            raise _Err(str(e)) from None

    return parse


def _lookup(attr: str, what: str) -> Callable[[str, Lookups], int]:
    def parse(v: str, lk: Lookups) -> int:
        table = getattr(lk, attr)
        if v in table:
            return table[v]
        raise _Err(f"未找到{what}“{v}”")

    parse.lookup = (attr, what)  # type: ignore[attr-defined]
    return parse


def _str_list(v: str, lk: Lookups) -> list[str]:
    return [p.strip() for p in LIST_SPLIT_RE.split(v) if p.strip()]


def _methods(v: str, lk: Lookups) -> list[str]:
    methods = _str_list(v, lk)
    bad = [m for m in methods if m not in METHOD_CHOICES]
    if bad:
        raise _Err(f"检查方式“{'、'.join(bad)}”不是可选值，应为：{'、'.join(METHOD_CHOICES)}")
    if not methods:
        raise _Err("至少填写一种检查方式")
    return list(dict.fromkeys(methods))


@dataclass(frozen=True)
class Column:
    name: str  # model field / API field
    header: str  # Chinese header in templates and error reports
    required: bool
    parse: Callable[[str, Lookups], Any]
    example: str = ""
    note: str = ""
    default: Any = None


ENTITY_COLUMNS = [
    Column(
        "code",
        "统一社会信用代码/对象编码",
        True,
        _text(64),
        "91410481MA00000000",
        "市场主体填18位统一社会信用代码",
    ),
    Column("name", "名称", True, _text(200), "舞钢市某某商贸有限公司"),
    Column(
        "kind",
        "类别",
        True,
        _label_choice(ObjectKind),
        "企业",
        "企业/个体工商户/农民专业合作社/产品/项目/行为",
    ),
    Column("industry_code", "行业代码", False, _code(validate_industry_code), "F5212", "GB/T 4754-2017", ""),
    Column("region_id", "乡镇（街道）", False, _lookup("regions", "乡镇（街道）"), "寺坡街道"),
    Column("address", "住所（经营场所）", False, _text(300), "舞钢市寺坡街道某路1号", default=""),
    Column("legal_rep", "法定代表人（负责人、经营者）", False, _text(100), "张三", default=""),
    Column(
        "reg_status",
        "登记状态",
        False,
        _label_choice(RegStatus),
        "存续",
        "存续/注销/吊销/撤销/迁出",
        RegStatus.ACTIVE,
    ),
    Column("risk_class_id", "信用风险分类", False, _lookup("risk_classes", "信用风险分类"), "B"),
    Column("abnormal_list", "列入经营异常名录", False, _bool, "否", "是/否", False),
    Column("dishonest_list", "列入严重违法失信名单", False, _bool, "否", "是/否", False),
    Column("complaints_12m", "近12个月投诉举报数", False, _int_nonneg, "0", "", 0),
]

INSPECTOR_COLUMNS = [
    Column(
        "department_id",
        "所属部门",
        True,
        _lookup("departments", "部门"),
        "舞钢市市场监督管理局",
        "部门全称、简称或代码",
    ),
    Column("name", "姓名", True, _text(50), "李四"),
    Column("cert_no", "执法证号", True, _text(50), "41048100001"),
    Column("cert_issued", "发证日期", False, _date, "2022-01-01"),
    Column("cert_expires", "有效期至", True, _date, "2027-12-31"),
    Column("id_number", "身份证号", False, _code(validate_id_number), "11010519491231002X", default=""),
    Column("phone", "联系电话", False, _code(validate_phone), "13812341234", default=""),
    Column("region_id", "工作区域", False, _lookup("regions", "乡镇（街道）"), "垭口街道"),
    Column("qualifications", "资格/专长", False, _str_list, "食品;特种设备", "多项以分号分隔", []),
    Column("is_expert", "专家", False, _bool, "否", "是/否", False),
    Column(
        "status",
        "状态",
        False,
        _label_choice(InspectorStatus),
        "在岗",
        "在岗/休假/借调/调离",
        InspectorStatus.ON_DUTY,
    ),
]

ITEM_COLUMNS = [
    Column("code", "事项编码", True, _text(32), "SCJG-001"),
    Column("name", "事项名称", True, _text(200), "企业公示信息抽查"),
    Column("department_id", "责任部门", True, _lookup("departments", "部门"), "舞钢市市场监督管理局"),
    Column("sub_items", "检查子项", False, _text(5000), "年度报告公示信息", "多项以换行或分号分隔", ""),
    Column("legal_basis", "检查依据", True, _text(5000), "《企业信息公示暂行条例》第十四条"),
    Column("content", "检查内容", False, _text(5000), "企业年度报告公示信息情况", default=""),
    Column("object_scope", "检查对象", False, _text(200), "辖区内企业", default=""),
    Column("default_ratio", "默认抽查比例", False, _ratio, "0.05", "小数如 0.05 或百分数如 5%"),
    Column("ratio_cap", "比例上限", False, _ratio, "0.1", "一般检查事项必填；重点检查事项不设上限"),
    Column(
        "frequency", "抽查频次", False, _frequency, "每年1次", "每年N次、每半年1次、每季度1次；留空为不限", ""
    ),
    Column("methods", "检查方式", True, _methods, "实地核查;书面检查", "、".join(METHOD_CHOICES)),
    Column("category", "事项类别", True, _choice([c.value for c in ItemCategory]), "一般", "重点/一般"),
    Column("qualification", "检查人员资格要求", False, _text(100), "", default=""),
    Column(
        "status", "状态", False, _choice([c.value for c in ItemStatus]), "有效", "有效/停用", ItemStatus.VALID
    ),
]

COLUMNS = {"entities": ENTITY_COLUMNS, "inspectors": INSPECTOR_COLUMNS, "items": ITEM_COLUMNS}
KIND_LABELS = {"entities": "检查对象名录库", "inspectors": "执法检查人员名录库", "items": "随机抽查事项清单"}
# The natural key each directory upserts on.
KEYS = {"entities": "code", "inspectors": "cert_no", "items": "code"}


def _cross_checks(kind: str, out: dict[str, Any], errors: list[tuple[str, str]]) -> None:
    headers = {c.name: c.header for c in COLUMNS[kind]}
    if kind == "entities" and "code" in out and "kind" in out:
        code = out["code"] = out["code"].strip().upper()
        if out["kind"] in (ObjectKind.ENTERPRISE, ObjectKind.INDIVIDUAL, ObjectKind.COOPERATIVE):
            try:
                out["code"] = validate_uscc(code)
            except CodeError as e:
                errors.append((headers["code"], str(e)))
                return
            expected = {"1": ObjectKind.ENTERPRISE, "2": ObjectKind.INDIVIDUAL, "3": ObjectKind.COOPERATIVE}
            if code[0] == "9" and expected.get(code[1]) not in (None, out["kind"]):
                errors.append(
                    (
                        headers["kind"],
                        f"类别“{ObjectKind(out['kind']).label}”与统一社会信用代码第2位“{code[1]}”"
                        f"（{ObjectKind(expected[code[1]]).label}）不符",
                    )
                )
        elif not OBJECT_CODE_RE.match(code):
            errors.append((headers["code"], "对象编码只能由数字和大写字母组成，最长64位"))
    if kind == "inspectors":
        if out.get("cert_issued") and out.get("cert_expires") and out["cert_issued"] > out["cert_expires"]:
            errors.append((headers["cert_expires"], "有效期至早于发证日期"))
    if kind == "items" and "category" in out:
        cap, ratio = out.get("ratio_cap"), out.get("default_ratio")
        if out["category"] == ItemCategory.GENERAL and cap is None:
            errors.append((headers["ratio_cap"], "一般检查事项必须设置比例上限（第八条）"))
        if out["category"] == ItemCategory.KEY and cap is not None:
            errors.append((headers["ratio_cap"], "重点检查事项抽查比例不设上限（第八条），请留空"))
        if cap is not None and ratio is not None and ratio > cap:
            errors.append((headers["default_ratio"], f"默认抽查比例 {ratio} 超过比例上限 {cap}"))


def validate_row(
    kind: str, raw: dict[str, Any], lookups: Lookups, *, partial: bool = False
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validate one row. `raw` is keyed by Chinese header or by field name; values may be str or None.

    With `partial=True` (updates through the API) missing keys are left out instead of being required/defaulted.
    Returns the clean values keyed by field name and the list of (header, reason) errors.
    """
    out: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for col in COLUMNS[kind]:
        present = col.header in raw or col.name in raw
        value = raw.get(col.header, raw.get(col.name))
        if partial and not present:
            continue
        lookup = getattr(col.parse, "lookup", None)
        if lookup and isinstance(value, int) and not isinstance(value, bool):
            # A primary key — from a stored record merged by services.row_of, or an id in a JSON payload — rather
            # than a name or code typed into a file.
            if value in getattr(lookups, lookup[0]).values():
                out[col.name] = value
            else:
                errors.append((col.header, f"未找到编号为 {value} 的{lookup[1]}"))
            continue
        text = "" if value is None else str(value).strip()
        if isinstance(value, bool):
            text = "是" if value else "否"
        elif isinstance(value, list):
            text = ";".join(str(v) for v in value)
        elif isinstance(value, datetime.datetime):
            text = value.date().isoformat()
        elif isinstance(value, datetime.date):
            text = value.isoformat()
        if text == "":
            if col.required:
                errors.append((col.header, "必填项不能为空"))
            else:
                out[col.name] = col.default
            continue
        try:
            out[col.name] = col.parse(text, lookups)
        except _Err as e:
            errors.append((col.header, str(e)))
    _cross_checks(kind, out, errors)
    return out, errors
