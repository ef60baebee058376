"""Plans and task schemes: one service per business action, atomic, permission-checked, audited."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scoping import ensure_own_department
from shuangsuiji.audit.services import record
from shuangsuiji.caps.selectors import yearly_cap as city_yearly_cap
from shuangsuiji.directory.models import CheckItem, ItemCategory, ItemStatus, RiskClass
from shuangsuiji.directory.rows import RowInvalid, length_errors
from shuangsuiji.inspections.notify import department_users, notify, office_users
from shuangsuiji.labels import percent_text
from shuangsuiji.org.models import Department
from shuangsuiji.outbox.services import outbox_emit

from .archiving import ensure_task_open
from .models import (
    RAISED_STRATUM,
    TRUSTED_STRATUM,
    UNRATED_STRATUM,
    AnnualPlan,
    PlanBatch,
    PlanItem,
    PlanKind,
    PlanStatus,
    PlanVersion,
    PublishListAt,
    SchemeConsent,
    SchemeItem,
    SchemeStatus,
    TaskCounter,
    TaskScheme,
)
from .states import PLAN_TRANSITIONS, SCHEME_TRANSITIONS, check_transition

ON_SITE = "实地核查"


def _ensure_planner(actor, department_id: int) -> None:
    from django.core.exceptions import PermissionDenied

    if actor.role not in (Role.DEPT_ADMIN, Role.SYSTEM):
        raise PermissionDenied("只有部门管理员可以制定和修改计划、方案")
    ensure_own_department(actor, department_id)


def _ensure_office(actor) -> None:
    from django.core.exceptions import PermissionDenied

    if actor.role not in (Role.OFFICE, Role.SYSTEM):
        raise PermissionDenied("只有联席会议办公室可以审核计划")


def parse_ratio(value: Any, field: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        d = Decimal("NaN")
    if not d.is_finite():  # "NaN" parses but cannot be compared: refuse it with the same message
        raise RowInvalid([(field, f"“{value}”不是比例，应为 (0, 1] 之间的小数，如 0.05")])
    if not (Decimal(0) < d <= 1) or d.as_tuple().exponent < -6:  # type: ignore[operator]
        raise RowInvalid([(field, f"比例 {value} 应大于 0、不超过 1，最多 6 位小数")])
    return d


# --- 年度抽查计划 ---------------------------------------------------------------------------------------------------


def plan_snapshot(plan: AnnualPlan) -> dict[str, Any]:
    return {
        "title": plan.title,
        "kind": plan.kind,
        "year": plan.year,
        "department": plan.department.name,
        "participants": [d.name for d in plan.participants.all()],
        "description": plan.description,
        "items": [
            {
                "code": pi.item.code,
                "name": pi.item.name,
                "item_version": pi.item_version,
                "department": pi.department.name,
                "ratio": str(pi.ratio) if pi.ratio is not None else None,
                "category": pi.item.category,
                "legal_basis": pi.item.legal_basis,
            }
            for pi in plan.items.select_related("item", "department")
        ],
        "batches": [{"seq": b.seq, "name": b.name, "month": b.month} for b in plan.batches.all()],
        "extra_batches_reason": plan.extra_batches_reason,
    }


@transaction.atomic
def plan_create(
    *,
    actor,
    kind: str,
    year: int,
    title: str,
    description: str = "",
    participant_ids: list[int] | None = None,
) -> AnnualPlan:
    _ensure_planner(actor, actor.department_id)
    errors = []
    if kind not in PlanKind.values:
        errors.append(("计划类型", "应为年度抽查计划或年度部门联合抽查计划"))
    if not title.strip():
        errors.append(("计划名称", "必填项不能为空"))
    if not (2000 <= int(year) <= 2100):
        errors.append(("年度", f"年度 {year} 不合理"))
    participants = [p for p in (participant_ids or []) if p != actor.department_id]
    if kind == PlanKind.JOINT and not participants:
        errors.append(("参与部门", "联合抽查计划至少需要一个参与部门"))
    if errors:
        raise RowInvalid(errors)
    plan = AnnualPlan.objects.create(
        department_id=actor.department_id,
        kind=kind,
        year=year,
        title=title.strip(),
        description=description,
        created_by=actor,
    )
    if kind == PlanKind.JOINT:
        plan.participants.set(Department.objects.filter(pk__in=participants, active=True))
    record(actor=actor, action="plan.create", target=plan, after=plan_snapshot(plan))
    return plan


def _ensure_editable(actor, plan: AnnualPlan) -> AnnualPlan:
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    _ensure_planner(actor, plan.department_id)
    if not plan.is_editable:
        raise RowInvalid(
            [("状态", f"计划当前为“{plan.get_status_display()}”，不能修改；如需调整请先发起调整")]
        )
    return plan


@transaction.atomic
def plan_item_add(
    *,
    actor,
    plan: AnnualPlan,
    item: CheckItem,
    department_id: int | None = None,
    ratio: Any = None,
    note: str = "",
) -> PlanItem:
    plan = _ensure_editable(actor, plan)
    department_id = department_id or item.department_id
    allowed = {plan.department_id, *plan.participants.values_list("id", flat=True)}
    errors = []
    if department_id not in allowed:
        errors.append(("实施部门", "实施部门必须是牵头部门或参与部门"))
    if item.department_id != department_id:
        errors.append(
            ("抽查事项", f"事项“{item.name}”属于{item.department}，只能由该部门实施（谁检查谁负责）")
        )
    if item.status != ItemStatus.VALID:
        errors.append(("抽查事项", f"事项“{item.name}”已停用"))
    if not item.legal_basis.strip():
        errors.append(("抽查事项", f"事项“{item.name}”没有检查依据，不能列入计划（第三条：于法有据）"))
    parsed = parse_ratio(ratio, "计划抽查比例") if ratio not in (None, "") else item.default_ratio
    if (
        item.category == ItemCategory.GENERAL
        and parsed is not None
        and item.ratio_cap is not None
        and parsed > item.ratio_cap
    ):
        errors.append(
            (
                "计划抽查比例",
                f"一般检查事项“{item.name}”的比例 {percent_text(parsed)} 超过上限 {percent_text(item.ratio_cap)}（第八条）",
            )
        )
    if PlanItem.objects.filter(plan=plan, item=item).exists():
        errors.append(("抽查事项", f"事项“{item.name}”已在计划中"))
    if errors:
        raise RowInvalid(errors)
    pi = PlanItem.objects.create(
        plan=plan, item=item, item_version=item.version, department_id=department_id, ratio=parsed, note=note
    )
    record(
        actor=actor,
        action="plan.item_add",
        target=plan,
        after={"item": item.code, "version": item.version, "ratio": parsed},
    )
    return pi


@transaction.atomic
def plan_item_remove(*, actor, plan_item: PlanItem) -> None:
    plan = _ensure_editable(actor, plan_item.plan)
    record(actor=actor, action="plan.item_remove", target=plan, before={"item": plan_item.item.code})
    plan_item.delete()


@transaction.atomic
def plan_batch_add(*, actor, plan: AnnualPlan, name: str, month: int, note: str = "") -> PlanBatch:
    plan = _ensure_editable(actor, plan)
    errors = []
    if not name.strip():
        errors.append(("批次名称", "必填项不能为空"))
    try:
        month = int(month)
        if not 1 <= month <= 12:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(("计划月份", f"“{str(month)[:20]}”应为 1 到 12 的月份"))
    errors += length_errors(PlanBatch, name=name, note=note)
    if errors:
        raise RowInvalid(errors)
    seq = (plan.batches.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    batch = PlanBatch.objects.create(plan=plan, seq=seq, name=name.strip(), month=month, note=note)
    record(
        actor=actor,
        action="plan.batch_add",
        target=plan,
        after={"seq": seq, "name": batch.name, "month": month},
    )
    return batch


@transaction.atomic
def plan_batch_remove(*, actor, batch: PlanBatch) -> None:
    plan = _ensure_editable(actor, batch.plan)
    if batch.schemes.exists():
        raise RowInvalid([("批次", "已有工作方案使用该批次，不能删除")])
    record(
        actor=actor, action="plan.batch_remove", target=plan, before={"seq": batch.seq, "name": batch.name}
    )
    batch.delete()


def plan_check(plan: AnnualPlan) -> tuple[list[str], list[str]]:
    """Errors that block submission and warnings the office should see (art. 3, 8, 9)."""
    errors, warnings = [], []
    items = list(plan.items.select_related("item"))
    if not items:
        errors.append("计划中没有抽查事项")
    for pi in items:
        if not pi.item.legal_basis.strip():
            errors.append(f"事项“{pi.item.name}”没有检查依据")
        if pi.item.status != ItemStatus.VALID:
            errors.append(f"事项“{pi.item.name}”已停用，请移出计划")
        cap = pi.item.ratio_cap
        if (
            pi.item.category == ItemCategory.GENERAL
            and pi.ratio is not None
            and cap is not None
            and pi.ratio > cap
        ):
            errors.append(
                f"一般检查事项“{pi.item.name}”的比例 {percent_text(pi.ratio)} 超过上限 {percent_text(cap)}"
            )
        if pi.item.version != pi.item_version:
            warnings.append(
                f"事项“{pi.item.name}”已更新到 v{pi.item.version}，计划使用的是 v{pi.item_version}"
            )
    if not plan.batches.exists():
        errors.append("计划中没有抽查批次")
    extra = extra_batches(plan)
    if extra:
        listed = "、".join(f"“{name}”{n} 批" for name, n in extra.items())
        if not plan.extra_batches_reason.strip():
            errors.append(
                f"{plan.year} 年度事项 {listed}，超过第九条每年 1—2 次；请写明“超过两批次的理由”，"
                "由联席会议办公室批准计划时一并批准"
            )
        else:
            warnings.append(
                f"{plan.year} 年度事项 {listed}，超过第九条每年 1—2 次；理由：{plan.extra_batches_reason}"
                "（批准计划即批准该理由）"
            )
    return errors, warnings


# Art. 9: each department runs 1–2 random-check rounds a year.
BATCHES_PER_YEAR = 2


def extra_batches(plan: AnnualPlan) -> dict[str, int]:
    """Items of `plan` planned in more than two batches in its year: {item name: batches}.

    Counts this plan's batches and those of every other plan of the same year that holds the item and was submitted
    or approved once, so that a second plan for the same item cannot add rounds without a reason."""
    own = plan.batches.count()
    items = list(plan.items.select_related("item"))
    if not items:
        return {}
    others = (
        AnnualPlan.objects.filter(year=plan.year, items__item__in=[pi.item_id for pi in items])
        .exclude(pk=plan.pk)
        .filter(
            models.Q(status__in=[PlanStatus.SUBMITTED, PlanStatus.APPROVED])
            | models.Q(versions__isnull=False)
        )
        .distinct()
    )
    batches_of = {p.pk: p.batches.count() for p in others}
    per_item: dict[int, int] = {}
    for p in others:
        for item_id in p.items.values_list("item_id", flat=True):
            per_item[item_id] = per_item.get(item_id, 0) + batches_of[p.pk]
    return {
        pi.item.name: own + per_item.get(pi.item_id, 0)
        for pi in items
        if own + per_item.get(pi.item_id, 0) > BATCHES_PER_YEAR
    }


@transaction.atomic
def plan_extra_batches_reason_set(*, actor, plan: AnnualPlan, reason: str) -> AnnualPlan:
    """The department writes why an item needs more than two batches this year; the office's approval covers it."""
    plan = _ensure_editable(actor, plan)
    reason = (reason or "").strip()
    errors = length_errors(AnnualPlan, extra_batches_reason=reason)
    if errors:
        raise RowInvalid(errors)
    before = plan.extra_batches_reason
    plan.extra_batches_reason = reason
    plan.save(update_fields=["extra_batches_reason", "updated_at"])
    record(
        actor=actor,
        action="plan.extra_batches_reason",
        target=plan,
        before={"extra_batches_reason": before},
        after={"extra_batches_reason": reason},
        reason=reason,
    )
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: AnnualPlan) -> list[str]:
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    _ensure_planner(actor, plan.department_id)
    check_transition(PLAN_TRANSITIONS, plan.status, PlanStatus.SUBMITTED, PlanStatus)
    errors, warnings = plan_check(plan)
    if errors:
        raise RowInvalid([("计划", e) for e in errors])
    before = plan.status
    plan.status = PlanStatus.SUBMITTED
    plan.save(update_fields=["status", "updated_at"])
    event = record(
        actor=actor,
        action="plan.submit",
        target=plan,
        before={"status": before},
        after={"status": plan.status, "warnings": warnings},
    )
    notify(
        users=office_users(),
        event=event,
        message=f"【待审核】{plan.department.short_name}报送了{plan.year} 年计划“{plan.title}”，请审核",
        link=reverse("plan_detail", args=[plan.pk]),
    )
    return warnings


@transaction.atomic
def plan_approve(
    *, actor, plan: AnnualPlan, comment: str = "", approve_extra_batches: bool = False
) -> PlanVersion:
    """Approve and publish. A plan with more than two batches of an item in its year is approved only when the office
    also approves its reason explicitly (`approve_extra_batches`); the audit event names the reason."""
    _ensure_office(actor)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    check_transition(PLAN_TRANSITIONS, plan.status, PlanStatus.APPROVED, PlanStatus)
    errors, _warnings = plan_check(plan)
    if errors:
        raise RowInvalid([("计划", e) for e in errors])
    extra = extra_batches(plan)
    if extra and not approve_extra_batches:
        raise RowInvalid(
            [
                (
                    "超过两批次的理由",
                    f"事项{'、'.join(f'“{n}”' for n in extra)}本年度超过 2 个批次；批准计划须同时明确批准理由"
                    f"“{plan.extra_batches_reason}”，否则请退回",
                )
            ]
        )
    plan.status = PlanStatus.APPROVED
    plan.office_comment = comment
    plan.save(update_fields=["status", "office_comment", "updated_at"])
    version = PlanVersion.objects.create(
        plan=plan,
        version=plan.version,
        data=plan_snapshot(plan),
        reason=plan.adjust_reason or "首次批准",
        approved_by_name=actor.display_name,
        approved_at=timezone.now(),
    )
    after: dict[str, Any] = {"version": plan.version}
    if extra:
        after["extra_batches"] = {"items": extra, "reason": plan.extra_batches_reason, "approved": True}
    event = record(actor=actor, action="plan.approve", target=plan, after=after, reason=comment)
    # A first approval publishes the plan; a later one publishes its adjustment (第十条). A draft adjustment in
    # progress is not a public fact: the approved version stays public until the new one is approved.
    outbox_emit("plan.adjusted" if version.version > 1 else "plan.approved", version)
    _notify_planners(plan, event, f"【已批准】{plan.year} 年计划“{plan.title}”已批准并公示")
    return version


@transaction.atomic
def plan_return(*, actor, plan: AnnualPlan, comment: str) -> AnnualPlan:
    _ensure_office(actor)
    if not comment.strip():
        raise RowInvalid([("意见", "退回时必须写明修改意见")])
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    check_transition(PLAN_TRANSITIONS, plan.status, PlanStatus.RETURNED, PlanStatus)
    plan.status = PlanStatus.RETURNED
    plan.office_comment = comment.strip()
    plan.save(update_fields=["status", "office_comment", "updated_at"])
    event = record(actor=actor, action="plan.return", target=plan, reason=comment.strip())
    _notify_planners(
        plan,
        event,
        f"【已退回】{plan.year} 年计划“{plan.title}”被退回修改：{comment.strip()}",
        participants=False,
    )
    return plan


def _notify_planners(plan: AnnualPlan, event, message: str, *, participants: bool = True) -> None:
    """The lead department's administrators (and, for an approved joint plan, the participants') must act next."""
    departments = [plan.department_id]
    if participants:
        departments += list(plan.participants.values_list("pk", flat=True))
    users = [u for d in departments for u in department_users(d, [Role.DEPT_ADMIN])]
    notify(users=users, event=event, message=message, link=reverse("plan_detail", args=[plan.pk]))


@transaction.atomic
def plan_adjust(*, actor, plan: AnnualPlan, reason: str) -> AnnualPlan:
    """Start a new version of an approved plan; the approved version stays public until the new one is approved."""
    if not reason.strip():
        raise RowInvalid([("调整理由", "调整计划必须写明理由（第十条：动态调整）")])
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    _ensure_planner(actor, plan.department_id)
    check_transition(PLAN_TRANSITIONS, plan.status, PlanStatus.DRAFT, PlanStatus)
    plan.status = PlanStatus.DRAFT
    plan.version = F("version") + 1
    plan.adjust_reason = reason.strip()
    plan.save(update_fields=["status", "version", "adjust_reason", "updated_at"])
    plan.refresh_from_db()
    record(
        actor=actor, action="plan.adjust", target=plan, after={"version": plan.version}, reason=reason.strip()
    )
    return plan


# --- 抽查工作方案 ---------------------------------------------------------------------------------------------------


# One set of bounds for the pages and the API (issue 11, item 9): years the platform runs, and integers that fit
# their columns and keep the window arithmetic (window_start − same_item_days) inside Python's dates.
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)
MAX_COUNT = 10_000_000
MAX_RESERVE = 100_000
MAX_SLOTS = 100


def bounded_int(value: Any, field: str, *, default: int, lo: int, hi: int, errors: list) -> int:
    """`value` as an integer in [lo, hi]; blank gives `default`; anything else adds a Chinese error for `field`."""
    if value in (None, ""):
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        # isdecimal, not isdigit: "²" is a digit that int() refuses; 12 digits bound the work on hostile input.
        if not (text.isdecimal() and len(text) <= 12):
            errors.append((field, f"应为 {lo}—{hi} 之间的整数"))
            return default
        number = int(text)
    if not lo <= number <= hi:
        errors.append((field, f"应为 {lo}—{hi} 之间的整数，实为 {number}"))
        return default
    return number


def _clean_strata(strata: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if not strata:
        raise RowInvalid([("分层抽查比例", "至少设置一个分层的比例或数量")])
    known = set(RiskClass.objects.filter(active=True).values_list("code", flat=True)) | {
        RAISED_STRATUM,
        UNRATED_STRATUM,
        TRUSTED_STRATUM,
    }
    clean: dict[str, dict[str, Any]] = {}
    errors = []
    for code, spec in strata.items():
        field = f"分层 {code}"
        if code not in known:
            errors.append(
                (
                    field,
                    f"未知分层“{code}”，应为风险分类代码、{RAISED_STRATUM}、{UNRATED_STRATUM} 或 {TRUSTED_STRATUM}",
                )
            )
            continue
        spec = spec or {}
        entry: dict[str, Any] = {}
        try:
            if spec.get("ratio") not in (None, "") and spec.get("count") not in (None, ""):
                raise RowInvalid([(field, "比例与数量只能设置其一")])
            if spec.get("ratio") not in (None, ""):
                entry["ratio"] = format(parse_ratio(spec["ratio"], field).normalize(), "f")
            elif spec.get("count") not in (None, ""):
                bad: list[tuple[str, str]] = []
                entry["count"] = bounded_int(
                    spec["count"], f"{field} 数量", default=0, lo=0, hi=MAX_COUNT, errors=bad
                )
                if bad:
                    raise RowInvalid(bad)
            else:
                raise RowInvalid([(field, "请设置比例或数量")])
            bad = []
            entry["reserve"] = bounded_int(
                spec.get("reserve"), f"{field} 候补数", default=0, lo=0, hi=MAX_RESERVE, errors=bad
            )
            if bad:
                raise RowInvalid(bad)
        except RowInvalid as e:
            errors.extend(e.errors)
            continue
        except (TypeError, ValueError):
            errors.append((field, "数量与候补数应为非负整数"))
            continue
        clean[code] = entry
    if errors:
        raise RowInvalid(errors)
    return clean


# Strata that are not an ordinary class stratum: the raised one (art. 9) and the 守信 one (包容审慎). Item ratio caps
# bound the ordinary strata (the 守信 ratio is below them anyway); the raised stratum is exempt (ADR 0018).
SPECIAL_STRATA = (RAISED_STRATUM, TRUSTED_STRATUM)


def _trusted_errors(strata: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """The 守信 stratum lowers a ratio, never raises one (包容审慎, ADR 0028): a ratio (a count would say nothing
    about the share), strictly below every ordinary stratum's ratio; at least one ordinary stratum to be below.
    Ordinary strata set as counts are compared at freeze time (draws.services.effective_ratio_errors)."""
    trusted = strata.get(TRUSTED_STRATUM)
    if trusted is None:
        return []
    field = f"分层 {TRUSTED_STRATUM}"
    if "ratio" not in trusted:
        return [(field, "守信（包容审慎）层只能按比例设置，不能按数量设置")]
    ordinary = {c: spec for c, spec in strata.items() if c not in SPECIAL_STRATA}
    if not ordinary:
        return [(field, "守信（包容审慎）层须与至少一个普通分层同设：其比例应低于普通分层")]
    ratio = Decimal(trusted["ratio"])
    ratios = [Decimal(spec["ratio"]) for spec in ordinary.values() if "ratio" in spec]
    if ratios and ratio >= min(ratios):
        return [
            (
                field,
                f"守信（包容审慎）层的比例 {percent_text(trusted['ratio'])} 不低于普通分层的最低比例 "
                f"{percent_text(min(ratios))}；守信对象只能按较低比例抽取（第八条、第十五条）",
            )
        ]
    return []


def _scheme_errors(
    scheme_data: dict[str, Any], items: list[CheckItem], lead_code: str
) -> list[tuple[str, str]]:
    errors = []
    start, end = scheme_data["window_start"], scheme_data["window_end"]
    if start > end:
        errors.append(("检查结束日期", "检查结束日期早于开始日期"))
    if not items:
        errors.append(("抽查事项", "至少选择一个抽查事项"))
    methods = scheme_data["methods"]
    if not methods:
        errors.append(("检查方式", "至少选择一种检查方式"))
    slots = scheme_data["team_slots"]
    if lead_code not in slots:
        errors.append(("检查组人数", "牵头部门必须派出检查人员"))
    if any(int(n) < 1 for n in slots.values()):
        errors.append(("检查组人数", "每个参与部门至少 1 人"))
    if ON_SITE in methods and sum(int(n) for n in slots.values()) < 2:
        errors.append(("检查组人数", "实地核查时执法检查人员不得少于 2 人（第十三条）"))
    strata = scheme_data["strata"]
    raised = strata.get(RAISED_STRATUM, {})
    ordinary = [
        Decimal(spec["ratio"]) for c, spec in strata.items() if c not in SPECIAL_STRATA and "ratio" in spec
    ]
    errors += _trusted_errors(strata)
    if "ratio" in raised and ordinary and Decimal(raised["ratio"]) < max(ordinary):
        # Art. 9 适当提高: counts are compared at freeze time, when the strata's sizes are known.
        errors.append(
            (
                f"分层 {RAISED_STRATUM}",
                f"提高比例层的比例 {percent_text(raised['ratio'])} 低于普通分层的最高比例 {percent_text(max(ordinary))}；"
                "提高比例层应不低于普通分层（第九条“适当提高”）",
            )
        )
    for item in items:
        if item.status != ItemStatus.VALID:
            errors.append(("抽查事项", f"事项“{item.name}”已停用"))
        if item.department.code not in slots:
            errors.append(("抽查事项", f"事项“{item.name}”由{item.department}实施，该部门须参加检查组"))
        if item.category == ItemCategory.GENERAL and item.ratio_cap is not None:
            for code, spec in scheme_data["strata"].items():
                if code not in SPECIAL_STRATA and "ratio" in spec and Decimal(spec["ratio"]) > item.ratio_cap:
                    errors.append(
                        (
                            f"分层 {code}",
                            f"比例 {percent_text(spec['ratio'])} 超过一般检查事项“{item.name}”的上限 {percent_text(item.ratio_cap)}",
                        )
                    )
    return errors


@transaction.atomic
def scheme_create(*, actor, data: dict[str, Any]) -> TaskScheme:
    """Create a draft scheme from a plan batch, or ad hoc with a mandatory reason."""
    _ensure_planner(actor, actor.department_id)
    errors = []
    batch = None
    if data.get("batch_id"):
        batch = PlanBatch.objects.select_related("plan").filter(pk=data["batch_id"]).first()
        if batch is None or batch.plan.status != PlanStatus.APPROVED and not batch.plan.versions.exists():
            errors.append(("计划批次", "只能依据已批准的计划批次制定方案"))
        elif batch.plan.department_id != actor.department_id:
            errors.append(("计划批次", "只能依据本部门牵头的计划制定方案"))
    elif not (data.get("adhoc_reason") or "").strip():
        errors.append(("计划外方案理由", "不依据计划批次制定方案时必须写明理由"))
    try:
        window_start = datetime.date.fromisoformat(str(data.get("window_start"))[:20])
        window_end = datetime.date.fromisoformat(str(data.get("window_end"))[:20])
    except ValueError:
        errors.append(("检查期限", "请填写有效的开始与结束日期（YYYY-MM-DD）"))
        window_start = window_end = None
    else:
        if not (FIRST_DAY <= window_start <= LAST_DAY and FIRST_DAY <= window_end <= LAST_DAY):
            errors.append(("检查期限", f"检查期限应在 {FIRST_DAY.year}—{LAST_DAY.year} 年之间"))
    city_cap = city_yearly_cap()
    numbers = {
        # A scheme may be stricter than the city-wide cap, never laxer (art. 9; issue 17, item 2).
        "yearly_cap": bounded_int(
            data.get("yearly_cap"), "年度抽查次数上限", default=0, lo=1, hi=100, errors=errors
        )
        or None,
        "same_item_days": bounded_int(
            data.get("same_item_days"), "同一事项间隔天数", default=365, lo=0, hi=3650, errors=errors
        ),
        # 0 is a setting (complaints do not raise the ratio), not "use the default".
        "raise_complaints": bounded_int(
            data.get("raise_complaints"), "投诉举报次数", default=3, lo=0, hi=100_000, errors=errors
        ),
    }
    if numbers["yearly_cap"] is not None and numbers["yearly_cap"] > city_cap:
        errors.append(
            (
                "年度抽查次数上限",
                f"方案不能提高全市年度抽查次数上限（{city_cap} 次，联席会议办公室确定，第九条）；"
                "可留空或设更严格的上限；确需超过的，请为具体对象申请联席会议办公室核准",
            )
        )
    if not (data.get("name") or "").strip():
        errors.append(("方案名称", "必填项不能为空"))
    if errors:
        raise RowInvalid(errors)
    strata = _clean_strata(data.get("strata") or {})
    lead = actor.department
    slot_errors: list[tuple[str, str]] = []
    raw_slots = data.get("team_slots") or {lead.code: 2}
    if not isinstance(raw_slots, dict) or len(raw_slots) > 50:
        raise RowInvalid([("检查组人数", "应为按部门代码的人数，至多 50 个部门")])
    slots = {
        str(k)[:20]: bounded_int(
            v, f"检查组人数（{str(k)[:20]}）", default=1, lo=1, hi=MAX_SLOTS, errors=slot_errors
        )
        for k, v in raw_slots.items()
    }
    if slot_errors:
        raise RowInvalid(slot_errors)
    unknown = set(slots) - set(Department.objects.filter(active=True).values_list("code", flat=True))
    if unknown:
        raise RowInvalid([("检查组人数", f"未知部门代码：{'、'.join(sorted(unknown))}")])
    items = list(CheckItem.objects.select_related("department").filter(pk__in=data.get("item_ids") or []))
    methods = list(dict.fromkeys(data.get("methods") or []))
    clean = {
        "window_start": window_start,
        "window_end": window_end,
        "methods": methods,
        "team_slots": slots,
        "strata": strata,
    }
    errors = _scheme_errors(clean, items, lead.code)
    publish_at = data.get("publish_list_at") or PublishListAt.DRAW
    if publish_at not in PublishListAt.values:
        errors.append(("名单公示时间", "应为抽取后立即公示或检查期结束后公示"))
    if errors:
        raise RowInvalid(errors)
    scheme = TaskScheme.objects.create(
        department=lead,
        plan=batch.plan if batch else None,
        batch=batch,
        adhoc_reason=(data.get("adhoc_reason") or "").strip(),
        year=window_start.year,
        name=data["name"].strip(),
        directed=bool(data.get("directed")),
        filters=data.get("filters") or {} if data.get("directed") else {},
        strata=strata,
        methods=methods,
        window_start=window_start,
        window_end=window_end,
        team_slots=slots,
        publish_list_at=publish_at,
        yearly_cap=numbers["yearly_cap"],
        same_item_days=numbers["same_item_days"],
        raise_abnormal=bool(data.get("raise_abnormal", True)),
        raise_dishonest=bool(data.get("raise_dishonest", True)),
        raise_complaints=numbers["raise_complaints"],
        # Read afresh: the rule may have been switched since the actor's department was loaded.
        raise_problems=Department.objects.filter(pk=lead.pk).values_list("raise_problems", flat=True).get(),
        created_by=actor,
    )
    SchemeItem.objects.bulk_create(
        [SchemeItem(scheme=scheme, item=i, item_version=i.version, department=i.department) for i in items]
    )
    record(actor=actor, action="scheme.create", target=scheme, after=scheme_snapshot(scheme))
    return scheme


def scheme_snapshot(scheme: TaskScheme) -> dict[str, Any]:
    return {
        "name": scheme.name,
        "task_no": scheme.task_no,
        "directed": scheme.directed,
        "filters": scheme.filters,
        "strata": scheme.strata,
        "methods": scheme.methods,
        "window": [scheme.window_start.isoformat(), scheme.window_end.isoformat()],
        "team_slots": scheme.team_slots,
        "items": [f"{si.item.code} v{si.item_version}" for si in scheme.items.select_related("item")],
        "publish_list_at": scheme.publish_list_at,
        "yearly_cap": scheme.yearly_cap,
        "same_item_days": scheme.same_item_days,
        "adhoc_reason": scheme.adhoc_reason,
        "raise_problems": scheme.raise_problems,
    }


@transaction.atomic
def department_set_raise_problems(*, actor, on: bool) -> Department:
    """The department's administrator switches the rule that objects found with problems in its published results
    of the last 12 months go to the raised stratum of its next schemes (issue 12 item 4). Schemes already made keep
    the rule they were made with."""
    if actor.role != Role.DEPT_ADMIN or actor.department_id is None:
        raise PermissionDenied("只有部门管理员可以设置本部门的提高比例规则")
    department = Department.objects.select_for_update().get(pk=actor.department_id)
    if department.raise_problems == on:
        return department
    before = department.raise_problems
    department.raise_problems = on
    department.save(update_fields=["raise_problems"])
    record(
        actor=actor,
        action="department.raise_problems",
        target=department,
        before={"raise_problems": before},
        after={"raise_problems": on},
    )
    return department


def next_task_no(department: Department, year: int) -> str:
    """`{部门简称}抽查〔{年}〕{N}号`, unique under concurrent creation: the counter row is locked while incremented."""
    counter, _ = TaskCounter.objects.get_or_create(department=department, year=year)
    TaskCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    last = TaskCounter.objects.select_for_update().values_list("last", flat=True).get(pk=counter.pk)
    return f"{department.short_name}抽查〔{year}〕{last}号"


@transaction.atomic
def scheme_publish(*, actor, scheme: TaskScheme) -> TaskScheme:
    scheme = TaskScheme.objects.select_for_update().get(pk=scheme.pk)
    _ensure_planner(actor, scheme.department_id)
    ensure_task_open(scheme.pk)
    check_transition(SCHEME_TRANSITIONS, scheme.status, SchemeStatus.PUBLISHED, SchemeStatus)
    if scheme.task_no is None:
        scheme.task_no = next_task_no(scheme.department, scheme.year)
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at = timezone.now()
    scheme.save(update_fields=["task_no", "status", "published_at", "updated_at"])
    record(actor=actor, action="scheme.publish", target=scheme, after=scheme_snapshot(scheme))
    outbox_emit("scheme.published", scheme)
    return scheme


@transaction.atomic
def scheme_close(*, actor, scheme: TaskScheme) -> TaskScheme:
    scheme = TaskScheme.objects.select_for_update().get(pk=scheme.pk)
    _ensure_planner(actor, scheme.department_id)
    ensure_task_open(scheme.pk)
    check_transition(SCHEME_TRANSITIONS, scheme.status, SchemeStatus.CLOSED, SchemeStatus)
    scheme.status = SchemeStatus.CLOSED
    scheme.save(update_fields=["status", "updated_at"])
    record(actor=actor, action="scheme.close", target=scheme)
    return scheme


def scheme_set_status(scheme: TaskScheme, target: str) -> None:
    """Used by the draw services, inside their transaction, after their own checks."""
    ensure_task_open(scheme.pk)
    check_transition(SCHEME_TRANSITIONS, scheme.status, target, SchemeStatus)
    TaskScheme.objects.filter(pk=scheme.pk).update(status=target, updated_at=timezone.now())
    scheme.status = target


# --- participating departments (art. 11; issue 11, item 7) --------------------------------------------------------


def slots_without_consent(scheme: TaskScheme) -> list[Department]:
    """Departments with team slots in `scheme` that have neither an approved joint plan naming them nor consented."""
    others = [code for code in scheme.team_slots if code != scheme.department.code]
    if not others:
        return []
    covered: set[int] = set()
    plan = scheme.plan
    if plan is not None and plan.kind == PlanKind.JOINT and plan.versions.exists():
        covered |= set(plan.participants.values_list("pk", flat=True)) | {plan.department_id}
    covered |= set(scheme.consents.values_list("department_id", flat=True))
    return [
        d for d in Department.objects.filter(code__in=others).order_by("sort", "code") if d.pk not in covered
    ]


@transaction.atomic
def scheme_accept(*, actor, scheme: TaskScheme) -> SchemeConsent:
    """A participating department's administrator agrees to send inspectors to another department's task."""
    scheme = TaskScheme.objects.select_for_update().select_related("department").get(pk=scheme.pk)
    if actor.role != Role.DEPT_ADMIN or actor.department_id is None:
        raise PermissionDenied("只有参加部门的部门管理员可以确认参加")
    ensure_task_open(scheme.pk)
    code = actor.department.code
    if code not in scheme.team_slots or actor.department_id == scheme.department_id:
        raise PermissionDenied("本部门不是该任务的参加部门")
    if scheme.status not in (SchemeStatus.DRAFT, SchemeStatus.PUBLISHED):
        raise RowInvalid([("方案状态", f"方案当前为“{scheme.get_status_display()}”，名单冻结后不再需要确认")])
    if scheme.consents.filter(department_id=actor.department_id).exists():
        raise RowInvalid([("参加部门", f"{actor.department.name}已确认参加该任务")])
    consent = SchemeConsent.objects.create(
        scheme=scheme, department_id=actor.department_id, accepted_by=actor
    )
    record(
        actor=actor,
        action="scheme.accept",
        target=scheme,
        after={"department": code, "slots": scheme.team_slots[code]},
    )
    return consent


def window_warnings(start: datetime.date, end: datetime.date, batch: PlanBatch | None) -> list[str]:
    """Why a scheme's window looks wrong for the plan batch it implements (issue 15, item 8): a warning, not a
    refusal (a batch may slip, art. 10 动态调整), but a window of December–January for a May batch is a typo more often
    than a decision."""
    if batch is None or start > end:
        return []
    year, month = batch.plan.year, batch.month
    out = []
    if not 1 <= month <= 12:
        return out
    first = datetime.date(year, month, 1)
    last = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    if end < first or start > last:
        out.append(
            f"检查期限 {start:%Y-%m-%d} 至 {end:%Y-%m-%d} 不含依据的计划批次“{batch.name}”的计划月份 "
            f"{year} 年 {month} 月；请核对日期，或先调整计划批次"
        )
    if start.year != year or end.year != year:
        out.append(f"检查期限超出计划年度 {year} 年；年度抽查计划只安排本年度的检查")
    return out


def scheme_window_warnings(scheme: TaskScheme) -> list[str]:
    return window_warnings(scheme.window_start, scheme.window_end, scheme.batch)
