"""Files that come in from outside and change the object directory as a delta, keyed by 统一社会信用代码.

Two kinds (docs/用户手册.md “名录同步文件”, docs/adr/0021):

- the registration authority's daily change file (登记变更文件): new entities, changes of name/address, and status
  changes; an entity that left the market (注销/吊销/撤销/迁出) keeps its record but gets that registration status,
  which the draw already turns into an exclusion with its reason (draws/freezing.py, STATUS_REASONS);
- the province's credit-risk class file (信用风险分类文件): each object's class and the date it was rated; every change
  keeps the previous class in RiskClassHistory. Risk classes are never public.

The rules, the same for both: every row is validated first, any invalid row → nothing is written (errors name the row
as Excel shows it and the column); the whole file is then applied in one transaction with one SyncBatch and one audit
event carrying the counts; a row that would change nothing is counted as unchanged, so importing the same file again
changes nothing and says so (no batch, no audit event). A dry run computes the same counts and writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from shuangsuiji.accounts.scoping import ensure_perm
from shuangsuiji.audit.services import record
from shuangsuiji.codes.errors import CodeError
from shuangsuiji.codes.industry import validate_industry_code
from shuangsuiji.codes.uscc import validate_uscc

from .models import InspectionObject, ObjectKind, RegStatus, RiskClass, RiskClassHistory, SyncBatch, SyncKind
from .rows import Lookups
from .tables import TableError, cell_text, file_digest, is_blank, read_rows

BATCH = 2000
MAX_ERRORS = 10_000
MAX_AUDITED_CHANGES = 1000
KINDS = tuple(SyncKind.values)
SYNC_PERM = "directory.sync"


class SyncFileError(Exception):
    """The file as a whole cannot be applied (unreadable, wrong columns, unknown kind). The message is for users."""


# --- columns ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncColumn:
    name: str
    header: str  # the header shown in messages and the documentation
    aliases: tuple[str, ...]  # other headers accepted (other systems' exports)
    required: bool


REGISTRATION_COLUMNS = [
    SyncColumn("code", "统一社会信用代码", ("统一社会信用代码/对象编码", "社会信用代码", "信用代码"), True),
    SyncColumn("name", "名称", ("企业名称", "主体名称", "市场主体名称"), False),
    SyncColumn("address", "住所", ("住所（经营场所）", "经营场所", "地址"), False),
    SyncColumn("reg_status", "登记状态", ("经营状态", "状态"), False),
    SyncColumn("changed_on", "变更日期", ("核准日期", "日期"), True),
    SyncColumn("change_type", "变更类型", ("业务类型",), True),
    SyncColumn("kind", "主体类型", ("类别", "市场主体类型"), False),
    SyncColumn("legal_rep", "法定代表人", ("法定代表人（负责人、经营者）", "负责人", "经营者"), False),
    SyncColumn("industry_code", "行业代码", (), False),
    SyncColumn("region", "乡镇（街道）", ("所属乡镇（街道）", "乡镇街道"), False),
]
RISK_COLUMNS = [
    SyncColumn("code", "统一社会信用代码", ("统一社会信用代码/对象编码", "社会信用代码", "信用代码"), True),
    SyncColumn("risk", "信用风险分类", ("风险分类", "风险等级", "分类结果", "信用风险等级"), True),
    SyncColumn("rated_on", "评定日期", ("分类日期", "日期"), True),
    SyncColumn("name", "名称", ("企业名称", "主体名称"), False),  # for the reader's convenience; not applied
]
COLUMNS = {SyncKind.REGISTRATION: REGISTRATION_COLUMNS, SyncKind.RISK: RISK_COLUMNS}

# 变更类型 → the registration status it implies (None: the status column, if any, decides).
CHANGE_TYPES: dict[str, str | None] = {
    "新设": RegStatus.ACTIVE,
    "设立": RegStatus.ACTIVE,
    "迁入": RegStatus.ACTIVE,
    "变更": None,
    "备案": None,
    "注销": RegStatus.DEREGISTERED,
    "吊销": RegStatus.REVOKED,
    "撤销": RegStatus.CANCELLED,
    "迁出": RegStatus.MOVED_OUT,
}
# 登记状态 as registration systems write it → the directory's status. 在业/开业/正常 are 存续 in the directory.
STATUSES: dict[str, str] = {
    "存续": RegStatus.ACTIVE,
    "在业": RegStatus.ACTIVE,
    "开业": RegStatus.ACTIVE,
    "正常": RegStatus.ACTIVE,
    "注销": RegStatus.DEREGISTERED,
    "已注销": RegStatus.DEREGISTERED,
    "吊销": RegStatus.REVOKED,
    "已吊销": RegStatus.REVOKED,
    "吊销，未注销": RegStatus.REVOKED,
    "撤销": RegStatus.CANCELLED,
    "迁出": RegStatus.MOVED_OUT,
    "已迁出": RegStatus.MOVED_OUT,
}
LEFT_STATUSES = {RegStatus.DEREGISTERED, RegStatus.REVOKED, RegStatus.CANCELLED, RegStatus.MOVED_OUT}
KIND_BY_DIGIT = {"1": ObjectKind.ENTERPRISE, "2": ObjectKind.INDIVIDUAL, "3": ObjectKind.COOPERATIVE}
# Provinces with three levels write 低/中/高; they map onto Henan's four classes (豫市监办〔2022〕100号).
RISK_ALIASES = {"低": "A", "低风险": "A", "中": "B", "一般": "B", "较高": "C", "高": "D"}
UNRATED = {"未评定", "未分类", "无"}
# Fields of the directory a registration row may change, in the order the audit event lists them.
REG_FIELDS = ("name", "address", "reg_status", "kind", "legal_rep", "industry_code", "region_id")


def _canonical(text: Any) -> str:
    s = "" if text is None else str(text)
    s = s.replace("(", "（").replace(")", "）").replace(" ", "").replace("\u3000", "").strip()
    return s.lstrip("*＊\ufeff").rstrip("*＊")


def _map_header(kind: str, cells: list[Any]) -> tuple[dict[int, SyncColumn], list[str]]:
    known: dict[str, SyncColumn] = {}
    for col in COLUMNS[kind]:
        for h in (col.header, *col.aliases):
            known[_canonical(h)] = col
    mapping: dict[int, SyncColumn] = {}
    ignored: list[str] = []
    for i, cell in enumerate(cells):
        canon = _canonical(cell)
        if not canon:
            continue
        col = known.get(canon)
        if col is None:
            ignored.append(str(cell).strip()[:50])
            continue
        if col in mapping.values():
            raise SyncFileError(f"表头中“{col.header}”列出现了两次")
        mapping[i] = col
    missing = [c.header for c in COLUMNS[kind] if c.required and c not in mapping.values()]
    if missing:
        label = SyncKind(kind).label
        raise SyncFileError(
            f"{label}缺少必填列：{'、'.join(missing)}（第1行应为列名，格式见用户手册“名录同步文件”）"
        )
    return mapping, ignored


def detect_kind(cells: list[Any]) -> str | None:
    """The kind of file a header row belongs to: a risk-class column → risk, a change-type column → registration."""
    heads = {_canonical(c) for c in cells}
    risk = {_canonical(h) for c in RISK_COLUMNS if c.name == "risk" for h in (c.header, *c.aliases)}
    change = {
        _canonical(h) for c in REGISTRATION_COLUMNS if c.name == "change_type" for h in (c.header, *c.aliases)
    }
    if heads & risk:
        return SyncKind.RISK
    if heads & change:
        return SyncKind.REGISTRATION
    return None


# --- result ----------------------------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    kind: str
    filename: str
    sha256: str
    dry_run: bool = False
    rows: int = 0  # non-blank data rows
    new: int = 0  # registration: entities created
    changed: int = 0  # name/address/… changed (registration) or risk class changed (risk)
    left: int = 0  # registration: active entities that left the market
    unchanged: int = 0
    skipped: int = 0  # not in the city's directory (risk), or left the market before the directory knew them
    stale: int = 0  # risk: rated earlier than the class already applied
    invalid: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    error_rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    errors_truncated: bool = False
    headers: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False
    batch_id: int | None = None
    audit_event_id: int | None = None
    # Earlier batches of the very same file: (applied at, applied by).
    previous: list[tuple[datetime.datetime, str]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return SyncKind(self.kind).label

    @property
    def ok(self) -> bool:
        return self.invalid == 0

    @property
    def changes(self) -> int:
        return self.new + self.changed + self.left

    @property
    def nothing_to_change(self) -> bool:
        """Valid, and every row is already in the directory as the file says (e.g. the same file again)."""
        return self.ok and self.changes == 0

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "left": self.left,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "stale": self.stale,
        }

    def summary(self) -> str:
        if self.kind == SyncKind.RISK:
            parts = [f"分类变化 {self.changed}", f"未变 {self.unchanged}", f"不在本市名录 {self.skipped}"]
            if self.stale:
                parts.append(f"早于已适用的评定 {self.stale}")
        else:
            parts = [
                f"新设 {self.new}",
                f"变更 {self.changed}",
                f"退出市场 {self.left}",
                f"未变 {self.unchanged}",
            ]
            if self.skipped:
                parts.append(f"名录中没有且已退出市场 {self.skipped}")
        return f"共 {self.rows} 行：" + "，".join(parts) + f"，无效 {self.invalid}"


# --- row parsing -----------------------------------------------------------------------------------------------------


class _Err(Exception):
    pass


def _date(v: str, today: datetime.date) -> datetime.date:
    s = v.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").replace("日", "")
    s = s.split(" ", 1)[0].split("T", 1)[0]
    if len(s) == 8 and s.isdigit():  # 20261207, as some systems write it
        s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
    try:
        parts = [int(p) for p in s.split("-")]
        if len(parts) != 3:
            raise ValueError
        day = datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        raise _Err(f"“{v}”不是有效日期，应为 YYYY-MM-DD") from None
    if day > today:
        raise _Err(f"日期 {day:%Y-%m-%d} 晚于今天")
    if day.year < 1949:
        raise _Err(f"日期 {day:%Y-%m-%d} 不合理")
    return day


def _uscc(v: str) -> str:
    try:
        code = validate_uscc(v)
    except CodeError as e:
        raise _Err(str(e)) from None
    if code[0] != "9" or code[1] not in KIND_BY_DIGIT:
        raise _Err(f"{code} 不是市场主体（企业、个体工商户、农民专业合作社）的统一社会信用代码")
    return code


def _text(limit: int) -> Callable[[str], str]:
    def parse(v: str) -> str:
        if len(v) > limit:
            raise _Err(f"长度不能超过 {limit} 个字符（实为 {len(v)}）")
        return v

    return parse


def _raw_text(value: Any) -> str:
    value = cell_text(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


@dataclass
class _Row:
    number: int
    cells: list[Any]
    clean: dict[str, Any]


class _Reader:
    """Pass 1: reads and validates every row, keeps the valid ones by USCC (several rows of one entity are kept in
    file order and applied by date), and the errors for the report."""

    def __init__(self, kind: str, result: SyncResult):
        self.kind, self.result = kind, result
        self.lookups = Lookups.load()
        self.risk_names = self._risk_names() if kind == SyncKind.RISK else {}
        self.by_code: dict[str, list[_Row]] = {}
        self.today = (
            timezone.localdate()
        )  # the business date (Beijing), once: it costs more than parsing the date

    @staticmethod
    def _risk_names() -> dict[str, int | None]:
        names: dict[str, int | None] = {}
        classes = list(RiskClass.objects.filter(active=True))
        by_code = {rc.code.upper(): rc.id for rc in classes}
        for alias, code in RISK_ALIASES.items():
            if code in by_code:
                names[alias] = by_code[code]
        for rc in classes:
            names[rc.name] = rc.id
            names[f"{rc.code}类".upper()] = rc.id
        names |= by_code
        for word in UNRATED:
            names[word] = None
        return names

    def fail(self, number: int, cells: list[Any], errors: list[tuple[str, str]]) -> None:
        r = self.result
        r.invalid += 1
        if len(r.errors) < MAX_ERRORS:
            r.errors.extend((number, col, reason) for col, reason in errors)
            r.error_rows.append((number, cells))
        else:
            r.errors_truncated = True

    def row(self, number: int, cells: list[Any], raw: dict[SyncColumn, str]) -> None:
        errors: list[tuple[str, str]] = []
        clean: dict[str, Any] = {}
        for col, text in raw.items():
            if text == "":
                if col.required:
                    errors.append((col.header, "必填项不能为空"))
                continue
            try:
                clean[col.name] = self.parse(col, text)
            except _Err as e:
                errors.append((col.header, str(e)))
        if not errors:
            if self.kind == SyncKind.REGISTRATION:
                self._registration_checks(clean, errors)
        if errors:
            self.fail(number, cells, errors)
            return
        self.by_code.setdefault(clean["code"], []).append(_Row(number, cells, clean))

    def parse(self, col: SyncColumn, v: str) -> Any:
        name = col.name
        if name == "code":
            return _uscc(v)
        if name in ("changed_on", "rated_on"):
            return _date(v, self.today)
        if name == "change_type":
            if v not in CHANGE_TYPES:
                raise _Err(f"“{v}”不是可选值，应为：{'、'.join(CHANGE_TYPES)}")
            return v
        if name == "reg_status":
            if v not in STATUSES:
                raise _Err(f"“{v}”不是可选值，应为：存续（在业）、注销、吊销、撤销、迁出")
            return STATUSES[v]
        if name == "kind":
            labels = {ObjectKind(k).label: k for k in KIND_BY_DIGIT.values()}
            if v not in labels:
                raise _Err(f"“{v}”不是可选值，应为：{'、'.join(labels)}")
            return labels[v]
        if name == "industry_code":
            try:
                return validate_industry_code(v)
            except CodeError as e:
                raise _Err(str(e)) from None
        if name == "region":
            if v not in self.lookups.regions:
                raise _Err(f"未找到乡镇（街道）“{v}”")
            return self.lookups.regions[v]
        if name == "risk":
            key = v.upper() if v.isascii() else v
            if key not in self.risk_names:
                allowed = "、".join(f"{rc.code}（{rc.name}）" for rc in RiskClass.objects.filter(active=True))
                raise _Err(f"“{v}”不是信用风险分类，应为：{allowed}，或 低/中/较高/高，或“未评定”")
            return self.risk_names[key]
        if name == "name":
            return _text(200)(v)
        if name == "address":
            return _text(300)(v)
        if name == "legal_rep":
            return _text(100)(v)
        return v  # pragma: no cover - every column is handled above

    def _registration_checks(self, clean: dict[str, Any], errors: list[tuple[str, str]]) -> None:
        change = clean["change_type"]
        implied = CHANGE_TYPES[change]
        status = clean.get("reg_status")
        if implied is not None and status is not None and status != implied:
            errors.append(("登记状态", f"登记状态“{status}”与变更类型“{change}”不符（应为“{implied}”）"))
        if status is None and implied is not None:
            clean["reg_status"] = implied
        expected = KIND_BY_DIGIT[clean["code"][1]]
        if clean.get("kind") not in (None, expected):
            errors.append(
                (
                    "主体类型",
                    f"主体类型“{ObjectKind(clean['kind']).label}”与统一社会信用代码第2位"
                    f"（{ObjectKind(expected).label}）不符",
                )
            )
        clean["kind"] = expected


def _read(kind: str | None, file: IO[bytes], filename: str, result: SyncResult) -> _Reader:
    reader: _Reader | None = None
    mapping: dict[int, SyncColumn] = {}
    width = 0
    try:
        rows: Iterator[tuple[int, list[Any]]] = read_rows(file, filename)
        for number, cells in rows:
            if reader is None:
                if is_blank(cells):
                    continue
                found = detect_kind(cells)
                if kind is None:
                    if found is None:
                        raise SyncFileError(
                            "无法判断文件类型：第1行应为列名，登记变更文件含“变更类型”列，信用风险分类文件含“信用风险分类”列"
                        )
                    kind = found
                elif found is not None and found != kind:
                    raise SyncFileError(
                        f"这是一份{SyncKind(found).label}，不是{SyncKind(kind).label}；请选择正确的文件类型"
                    )
                result.kind = kind
                mapping, result.ignored_columns = _map_header(kind, cells)
                result.headers = [_raw_text(c) for c in cells]
                width = max(mapping) + 1
                reader = _Reader(kind, result)
                continue
            if is_blank(cells):
                continue
            result.rows += 1
            if len(cells) < width:
                cells = cells + [None] * (width - len(cells))
            reader.row(number, cells, {col: _raw_text(cells[i]) for i, col in mapping.items()})
    except TableError as e:
        raise SyncFileError(str(e)) from None
    if reader is None:
        raise SyncFileError("文件是空的：第1行应为列名，第2行起为数据")
    return reader


# --- applying --------------------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)  # object id -> changed fields
    history: list[dict[str, Any]] = field(default_factory=list)  # risk: object id, previous, new, rated_on
    audited: dict[str, dict[str, list[Any]]] = field(default_factory=dict)


def _chunks(codes: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(codes), BATCH):
        yield codes[i : i + BATCH]


def _existing(codes: list[str], fields: list[str], lock: bool) -> dict[str, dict[str, Any]]:
    qs = InspectionObject.objects.filter(code__in=codes)
    if lock:
        qs = qs.select_for_update()
    return {row["code"]: row for row in qs.values("id", "code", *fields)}


def _plan_registration(reader: _Reader, result: SyncResult, lock: bool) -> _Plan:
    plan = _Plan()
    fields = list(REG_FIELDS)
    for codes in _chunks(sorted(reader.by_code)):
        existing = _existing(codes, fields, lock)
        for code in codes:
            rows = sorted(reader.by_code[code], key=lambda r: (r.clean["changed_on"], r.number))
            target: dict[str, Any] = {}
            for r in rows:
                for f in REG_FIELDS:
                    key = "region" if f == "region_id" else f
                    if key in r.clean:
                        target[f] = r.clean[key]
            stored = existing.get(code)
            if stored is None:
                if target.get("reg_status") in LEFT_STATUSES:
                    result.skipped += 1  # left the market before the directory ever held it: nothing to draw
                    continue
                if not target.get("name"):
                    first = rows[0]
                    reader.fail(
                        first.number, first.cells, [("名称", "名录中没有该主体，新设（迁入）时必须填写名称")]
                    )
                    continue
                result.new += 1
                plan.creates.append({"code": code, "reg_status": RegStatus.ACTIVE} | target)
                continue
            diff = {f: v for f, v in target.items() if stored[f] != v}
            if not diff:
                result.unchanged += 1
                continue
            if diff.get("reg_status") in LEFT_STATUSES and stored["reg_status"] not in LEFT_STATUSES:
                result.left += 1
            else:
                result.changed += 1
            plan.updates[stored["id"]] = diff
            if len(plan.audited) < MAX_AUDITED_CHANGES:
                plan.audited[code] = {f: [stored[f], v] for f, v in diff.items()}
    return plan


def _plan_risk(reader: _Reader, result: SyncResult, lock: bool) -> _Plan:
    plan = _Plan()
    for codes in _chunks(sorted(reader.by_code)):
        existing = _existing(codes, ["risk_class_id"], lock)
        ids = [row["id"] for row in existing.values()]
        latest = dict(
            RiskClassHistory.objects.filter(object_id__in=ids)
            .values("object_id")
            .annotate(last=Max("rated_on"))
            .values_list("object_id", "last")
        )
        for code in codes:
            rows = sorted(reader.by_code[code], key=lambda r: (r.clean["rated_on"], r.number))
            last = rows[-1]
            clash = [r for r in rows[:-1] if r.clean["rated_on"] == last.clean["rated_on"]]
            if any(r.clean.get("risk") != last.clean.get("risk") for r in clash):
                reader.fail(
                    last.number,
                    last.cells,
                    [("信用风险分类", f"与第{clash[0].number}行同一评定日期的分类不同，请核对")],
                )
                continue
            stored = existing.get(code)
            if stored is None:
                result.skipped += 1
                continue
            new, rated_on = last.clean.get("risk"), last.clean["rated_on"]
            if latest.get(stored["id"]) and latest[stored["id"]] > rated_on:
                result.stale += 1
                continue
            if stored["risk_class_id"] == new:
                result.unchanged += 1
                continue
            result.changed += 1
            plan.updates[stored["id"]] = {"risk_class_id": new}
            if len(plan.audited) < MAX_AUDITED_CHANGES:
                plan.audited[code] = {
                    "risk_class_id": [stored["risk_class_id"], new],
                    "rated_on": [None, rated_on],
                }
            plan.history.append(
                {
                    "object_id": stored["id"],
                    "previous_id": stored["risk_class_id"],
                    "risk_class_id": new,
                    "rated_on": rated_on,
                }
            )
    return plan


def _write(kind: str, plan: _Plan, batch: SyncBatch) -> None:
    now = timezone.now()
    if plan.creates:
        InspectionObject.objects.bulk_create([InspectionObject(**c) for c in plan.creates], batch_size=BATCH)
    # Most changes repeat a value (a risk class, 注销): one UPDATE … WHERE id IN (…) per value. The rest (names,
    # addresses) are one UPDATE each, of the changed fields only: Django's bulk_update spent ~8 ms a row building its
    # CASE expressions (measured: 16 s for 2,000 renamed entities) and writes every named field of every object.
    same: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for pk, diff in plan.updates.items():
        same.setdefault(tuple(sorted(diff.items())), []).append(pk)
    objects = InspectionObject.objects
    for values, pks in same.items():
        for i in range(0, len(pks), BATCH):
            chunk = pks[i : i + BATCH]
            qs = objects.filter(id__in=chunk) if len(chunk) > 1 else objects.filter(id=chunk[0])
            qs.update(updated_at=now, **dict(values))
    if plan.history:
        RiskClassHistory.objects.bulk_create(
            [RiskClassHistory(batch=batch, **h) for h in plan.history], batch_size=BATCH
        )


def directory_sync(
    *, actor, file: IO[bytes], filename: str, kind: str | None = None, dry_run: bool = False
) -> SyncResult:
    """Apply a registration change file or a risk-class file (kind None: told by its header). All or nothing.

    Raises PermissionDenied, or SyncFileError when the file as a whole cannot be applied."""
    ensure_perm(actor, SYNC_PERM)
    if kind is not None and kind not in KINDS:
        raise SyncFileError(f"未知的文件类型：{kind}")
    result = SyncResult(kind=kind or "", filename=filename[:200], sha256=file_digest(file), dry_run=dry_run)
    try:
        _sync(actor=actor, kind=kind, file=file, filename=filename, result=result)
    except IntegrityError:
        raise SyncFileError(
            "导入时有人同时新增了相同统一社会信用代码的对象，本次未写入任何数据，请重新导入"
        ) from None
    return result


def _sync(*, actor, kind: str | None, file: IO[bytes], filename: str, result: SyncResult) -> None:
    reader = _read(kind, file, filename, result)
    kind = result.kind
    result.previous = [
        (b.applied_at, b.applied_by_name)
        for b in SyncBatch.objects.filter(sha256=result.sha256, kind=kind).order_by("applied_at")[:5]
    ]
    with transaction.atomic():
        lock = not result.dry_run and result.invalid == 0
        planner = _plan_risk if kind == SyncKind.RISK else _plan_registration
        plan = planner(reader, result, lock)
        if result.dry_run or result.invalid or result.changes == 0:
            return
        batch = SyncBatch.objects.create(
            kind=kind,
            filename=result.filename,
            sha256=result.sha256,
            counts=result.counts(),
            applied_by=actor if actor.is_authenticated else None,
            applied_by_name=actor.display_name[:100],
        )
        _write(kind, plan, batch)
        event = record(
            actor=actor,
            action="directory.sync_risk" if kind == SyncKind.RISK else "directory.sync_registration",
            target=batch,
            after={
                "filename": result.filename,
                "sha256": result.sha256,
                **result.counts(),
                "changes": plan.audited,
            },
        )
        result.written = True
        result.batch_id = batch.pk
        result.audit_event_id = event.pk
