"""The city-wide yearly cap (art. 9) and its exemptions: one service per action, atomic, permission-checked, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from shuangsuiji.audit.services import record
from shuangsuiji.directory.models import InspectionObject
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.planning.models import SchemeStatus, TaskScheme
from shuangsuiji.planning.states import check_transition

from . import policy
from .labels import FIELD_LABELS
from .models import CapExemption, ExemptionStatus, YearlyCapVersion
from .selectors import yearly_cap

# Art. 9 asks for 1–2 checks a year "in principle"; a cap beyond a monthly check is a typo, not a policy.
MAX_CAP = 12

EXEMPTION_TRANSITIONS: dict[tuple[str, str], str] = {
    (ExemptionStatus.PENDING, ExemptionStatus.APPROVED): "核准",
    (ExemptionStatus.PENDING, ExemptionStatus.REFUSED): "不予核准",
}


def _text(value: Any, field: str, *, max_length: int, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RowInvalid([(FIELD_LABELS[field], "必须填写")])
    if len(text) > max_length:
        raise RowInvalid([(FIELD_LABELS[field], f"长度不能超过 {max_length} 个字符（实为 {len(text)}）")])
    return text


@transaction.atomic
def yearly_cap_set(*, actor, value: Any, reason: str) -> YearlyCapVersion:
    """The office records a new city-wide cap, with its reason; the previous values stay public as history."""
    if not policy.can_set_cap(actor):
        raise PermissionDenied("只有联席会议办公室可以调整全市年度抽查次数上限")
    text = str(value).strip()
    if not (text.isdecimal() and len(text) <= 3 and 1 <= int(text) <= MAX_CAP):
        raise RowInvalid(
            [(FIELD_LABELS["value"], f"应为 1—{MAX_CAP} 之间的整数（第九条：原则上不超过 2 次）")]
        )
    reason = _text(reason, "reason", max_length=300, required=True)
    # The lock serialises two office users changing the cap at once: versions stay 1, 2, 3 …
    latest = YearlyCapVersion.objects.select_for_update().order_by("-version").first()
    before = yearly_cap()
    if int(text) == before:
        raise RowInvalid([(FIELD_LABELS["value"], f"全市上限已是 {before} 次")])
    version = YearlyCapVersion.objects.create(
        version=(latest.version if latest else 0) + 1, value=int(text), reason=reason, set_by=actor
    )
    record(
        actor=actor,
        action="caps.yearly_cap_set",
        target=version,
        before={"value": before},
        after={"value": version.value, "version": version.version},
        reason=reason,
    )
    return version


@transaction.atomic
def cap_exemption_request(
    *, actor, obj: InspectionObject, year: Any, reason: str, scheme: TaskScheme | None = None
) -> CapExemption:
    """A department asks to check a named object beyond the cap in a year (and, if named, in one scheme)."""
    if not policy.can_request_exemption(actor):
        raise PermissionDenied("只有部门管理员可以为本部门申请超过年度抽查次数上限")
    text = str(year).strip()
    if not (text.isdecimal() and len(text) == 4 and 2000 <= int(text) <= 2100):
        raise RowInvalid([(FIELD_LABELS["year"], f"年度“{text[:10]}”应为 2000—2100 之间的年份")])
    year = int(text)
    reason = _text(reason, "exemption_reason", max_length=500, required=True)
    if scheme is not None:
        if scheme.department_id != actor.department_id:
            raise RowInvalid([(FIELD_LABELS["scheme_id"], "只能为本部门牵头的工作方案申请")])
        if scheme.year != year:
            raise RowInvalid(
                [(FIELD_LABELS["scheme_id"], f"方案属于 {scheme.year} 年度，与申请年度 {year} 不一致")]
            )
        if scheme.status not in (SchemeStatus.DRAFT, SchemeStatus.PUBLISHED, SchemeStatus.FROZEN):
            raise RowInvalid(
                [(FIELD_LABELS["scheme_id"], f"方案当前为“{scheme.get_status_display()}”，不能再申请")]
            )
    same = CapExemption.objects.filter(
        object=obj,
        year=year,
        department_id=actor.department_id,
        scheme=scheme,
        status__in=[ExemptionStatus.PENDING, ExemptionStatus.APPROVED],
    )
    if same.exists():
        raise RowInvalid([(FIELD_LABELS["object_id"], f"“{obj.name}”{year} 年度已有同样的申请")])
    exemption = CapExemption.objects.create(
        object=obj,
        year=year,
        department_id=actor.department_id,
        scheme=scheme,
        reason=reason,
        requested_by=actor,
    )
    record(
        actor=actor,
        action="caps.exemption_request",
        target=exemption,
        after={"object": obj.code, "year": year, "scheme": scheme.pk if scheme else None},
        reason=reason,
    )
    return exemption


def _decide(*, actor, exemption: CapExemption, target: str, comment: str) -> CapExemption:
    exemption = CapExemption.objects.select_for_update().get(pk=exemption.pk)
    check_transition(EXEMPTION_TRANSITIONS, exemption.status, target, ExemptionStatus)
    before = exemption.status
    exemption.status = target
    exemption.decided_by = actor
    exemption.decided_at = timezone.now()
    exemption.decision_comment = comment
    exemption.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    record(
        actor=actor,
        action="caps.exemption_approve" if target == ExemptionStatus.APPROVED else "caps.exemption_refuse",
        target=exemption,
        before={"status": before},
        after={"status": target, "object": exemption.object.code, "year": exemption.year},
        reason=comment,
    )
    return exemption


def _ensure_office(actor) -> None:
    if not policy.can_decide_exemption(actor):
        raise PermissionDenied("只有联席会议办公室可以核准超过年度抽查次数上限")


@transaction.atomic
def cap_exemption_approve(*, actor, exemption: CapExemption, comment: str = "") -> CapExemption:
    _ensure_office(actor)
    comment = _text(comment, "comment", max_length=300, required=False)
    return _decide(actor=actor, exemption=exemption, target=ExemptionStatus.APPROVED, comment=comment)


@transaction.atomic
def cap_exemption_refuse(*, actor, exemption: CapExemption, comment: str) -> CapExemption:
    _ensure_office(actor)
    comment = _text(comment, "comment", max_length=300, required=True)
    return _decide(actor=actor, exemption=exemption, target=ExemptionStatus.REFUSED, comment=comment)
