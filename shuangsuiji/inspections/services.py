"""Records, review, publication, corrections, transfers and listing proposals: one audited service per action."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import scoping
from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.services import record as audit
from shuangsuiji.codes.errors import WorkdayError
from shuangsuiji.directory.models import METHOD_CHOICES, CheckItem, InspectionObject, Inspector
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws.models import DrawStatus, Selection, TeamMember
from shuangsuiji.org.models import Department
from shuangsuiji.outbox.services import outbox_emit
from shuangsuiji.planning.archiving import (
    ensure_record_task_open,
    ensure_selection_task_open,
    ensure_transfer_task_open,
)

from . import categories as cat
from . import selectors
from .calendar import LISTING_DECISION_DAYS, deadline_after
from .calendar_services import (  # noqa: F401 - the calendar's services, reachable where every service is
    calendar_day_remove,
    calendar_day_set,
    calendar_notice_import,
    calendar_year_declare,
    deadlines_recompute,
    notice_read,
)
from .models import (
    Attachment,
    InspectionRecord,
    ItemResult,
    ListingProposal,
    Notification,
    ProposalStatus,
    RecordKind,
    RecordMember,
    RecordStatus,
    SignatureStatus,
    Transfer,
    TransferKind,
    TransferStatus,
    Visit,
    VisitAbsence,
)
from .notify import department_users, notify
from .states import RECORD_TRANSITIONS, TRANSFER_TRANSITIONS, check_transition

ON_SITE = "实地核查"
AGENCY = "委托专业机构"
ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Attachments that can show why a result was formed after the inspection day (art. 14: the 20 working days run from
# the result; issue 17, item 7).
RESULT_BASIS_KINDS = ("检测报告", "专家意见")
RECORD_FIELDS = [
    "methods",
    "inspection_date",
    "inspection_time",
    "outside_window_reason",
    "cert_shown",
    "signature",
    "signature_reason",
    "witness",
    "agency",
    "agency_report",
    "categories",
    "measures",
    "measure_note",
    "note",
    "result_date",
    "late_result_reason",
]


def _ensure_clerk(actor, department_id: int, selection_id: int | None = None) -> None:
    if actor.role not in (Role.CLERK, Role.DEPT_ADMIN, Role.INSPECTOR, Role.SYSTEM):
        raise PermissionDenied("只有本部门录入员或执法人员可以录入检查结果")
    if actor.role != Role.SYSTEM and actor.department_id != department_id:
        raise PermissionDenied("谁检查、谁录入：只能录入本部门的检查结果")
    if actor.role == Role.INSPECTOR:
        # An inspector's own account records the visits it is drawn for, nothing else (scoping decides which).
        if selection_id is None:
            raise PermissionDenied("执法人员只能录入本人被抽中参加的检查")
        scoping.ensure_drawn_for(actor, selection_id)


def ensure_may_record(actor, selection_id: int | None = None) -> None:
    """Whether `actor` may record for its own department (a visit's record with `selection_id`, else a triggered
    check): for callers that must refuse before they look anything up."""
    _ensure_clerk(actor, actor.department_id, selection_id)


def _ensure_reviewer(actor, department_id: int) -> None:
    if actor.role not in (Role.REVIEWER, Role.SYSTEM):
        raise PermissionDenied("只有审核员可以审核检查结果")
    if actor.role != Role.SYSTEM and actor.department_id != department_id:
        raise PermissionDenied("谁检查、谁公开：只能审核本部门的检查结果")


def _snapshot(rec: InspectionRecord) -> dict[str, Any]:
    data = {f: getattr(rec, f) for f in RECORD_FIELDS}
    if isinstance(data["inspection_time"], datetime.time):
        data["inspection_time"] = data["inspection_time"].isoformat(timespec="minutes")
    data["status"] = rec.status
    data["members"] = sorted(rec.members.values_list("inspector__code", flat=True))
    data["items"] = [
        {"item": r.item.code, "checked": r.checked, "problem_found": r.problem_found, "disposal": r.disposal}
        for r in rec.item_results.select_related("item")
    ]
    return data


def _parse_date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise RowInvalid([(field, f"“{value}”不是有效日期，应为 YYYY-MM-DD")]) from None


def _parse_time(value: Any) -> datetime.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(str(value).strip()[:8]).replace(second=0, microsecond=0)
    except ValueError:
        raise RowInvalid([("检查时间", f"“{str(value)[:20]}”不是有效时间，应为 时:分（如 09:30）")]) from None


def _apply(rec: InspectionRecord, data: dict[str, Any]) -> None:
    """Copy editable fields from `data` (drafts may be incomplete; submission checks completeness)."""
    for f in RECORD_FIELDS:
        if f not in data:
            continue
        value = data[f]
        if f in ("inspection_date", "result_date"):
            value = _parse_date(value, "检查日期" if f == "inspection_date" else "结果产生日期")
            if f == "inspection_date" and value is None:
                continue
        elif f == "inspection_time":
            value = _parse_time(value)
        elif f in ("methods", "categories", "measures"):
            value = [v for v in (value or []) if v]
        elif f == "cert_shown":
            value = value in (True, "1", "true", "on", "是")
        else:
            value = (value or "").strip() if isinstance(value, str) or value is None else value
        setattr(rec, f, value)


def _set_members(rec: InspectionRecord, inspector_ids: list[int] | None, actor=None) -> None:
    if inspector_ids is None:
        return
    # An unknown id would only fail at COMMIT on PostgreSQL (deferred foreign key): refuse it with a message here.
    known = set(Inspector.objects.filter(pk__in=inspector_ids).values_list("pk", flat=True))
    unknown = [str(i) for i in dict.fromkeys(inspector_ids) if i not in known]
    if unknown:
        raise RowInvalid([("检查人员", f"未找到编号为 {'、'.join(unknown)} 的检查人员")])
    # Members already entered keep who entered them and their own confirmation; new ones are entered by `actor`
    # (an inspector entering itself confirms its own presence at once).
    wanted = list(dict.fromkeys(inspector_ids))
    rec.members.exclude(inspector_id__in=wanted).delete()
    kept = set(rec.members.values_list("inspector_id", flat=True))
    own = getattr(actor, "inspector_id", None) if getattr(actor, "role", None) == Role.INSPECTOR else None
    RecordMember.objects.bulk_create(
        [
            RecordMember(
                record=rec,
                inspector_id=i,
                entered_by=actor,
                confirmed_at=timezone.now() if i == own else None,
            )
            for i in wanted
            if i not in kept
        ]
    )


def _set_item_results(rec: InspectionRecord, results: list[dict[str, Any]] | None) -> None:
    if results is None:
        return
    allowed = set(rec.item_results.values_list("item_id", flat=True))
    for r in results:
        item_id = int(r["item_id"])
        if item_id not in allowed:
            raise RowInvalid([("分事项结果", "只能填写本记录所列事项的结果")])
        ItemResult.objects.filter(record=rec, item_id=item_id).update(
            checked=bool(r.get("checked", True)),
            problem_found=bool(r.get("problem_found", False)),
            disposal=(r.get("disposal") or "").strip(),
        )


def _department_items(selection: Selection, department_id: int) -> list[int]:
    return list(
        selection.draw.scheme.items.filter(department_id=department_id).values_list("item_id", flat=True)
    )


@transaction.atomic
def record_create(
    *,
    actor,
    selection: Selection | None = None,
    obj: InspectionObject | None = None,
    trigger: str = "",
    trigger_ref: str = "",
    item_ids: list[int] | None = None,
    data: dict[str, Any] | None = None,
) -> InspectionRecord:
    """Open a draft record: for a drawn object (random), or for a triggered, non-random check (art. 3, 19)."""
    _ensure_clerk(actor, actor.department_id, selection.pk if selection is not None else None)
    data = data or {}
    if selection is not None:
        selection = Selection.objects.select_related("draw__scheme", "object").get(pk=selection.pk)
        scheme = selection.draw.scheme
        ensure_selection_task_open(selection.pk)
        if not selection.active or selection.draw.status != DrawStatus.DRAWN:
            raise RowInvalid([("检查对象", "该对象不在有效的抽取结果中（可能已被替换或抽取已被取代）")])
        if actor.department.code not in scheme.team_slots:
            raise PermissionDenied("本部门未参加该抽查任务")
        if (
            InspectionRecord.objects.filter(selection=selection, department_id=actor.department_id)
            .exclude(status=RecordStatus.SUPERSEDED)
            .exists()
        ):
            raise RowInvalid([("检查对象", "本部门已为该对象建立检查记录；如需修改请更正原记录")])
        visit = _joint_visit(selection)
        if visit is not None and visit.absences.filter(department_id=actor.department_id).exists():
            raise RowInvalid([("检查对象", "本部门已登记未参加该对象的联合检查，不能再建立检查记录")])
        rec = InspectionRecord(
            kind=RecordKind.RANDOM,
            selection=selection,
            object=selection.object,
            department_id=actor.department_id,
            visit=visit,
            methods=list(scheme.methods),
            # A part of a joint visit starts on the visit's day once one is recorded.
            inspection_date=(visit.visit_date if visit and visit.visit_date else timezone.localdate()),
            created_by=actor,
        )
        items = _department_items(selection, actor.department_id)
    else:
        if obj is None:
            raise RowInvalid([("检查对象", "请选择检查对象")])
        if trigger not in cat.TRIGGERS:
            # Art. 19: besides complaints, monitoring and referrals, every check of a market entity is random.
            raise RowInvalid(
                [
                    (
                        "检查来源",
                        "除投诉举报、转办交办、数据监测外，对市场主体的检查均应通过双随机抽查进行（第十九条）",
                    )
                ]
            )
        if not trigger_ref.strip():
            raise RowInvalid([("来源编号", "请填写投诉举报、转办交办或数据监测的编号")])
        rec = InspectionRecord(
            kind=RecordKind.TRIGGERED,
            object=obj,
            department_id=actor.department_id,
            trigger=trigger,
            trigger_ref=trigger_ref.strip(),
            inspection_date=timezone.localdate(),
            created_by=actor,
        )
        items = list(
            CheckItem.objects.valid()
            .filter(pk__in=item_ids or [], department_id=actor.department_id)
            .values_list("pk", flat=True)
        )
    _apply(rec, data)
    if visit_errors := visit_date_errors(rec):
        raise RowInvalid(visit_errors)
    rec.save()
    ItemResult.objects.bulk_create([ItemResult(record=rec, item_id=i) for i in items])
    if selection is not None and "member_ids" not in data:
        present = TeamMember.objects.filter(selection=selection, active=True).values_list(
            "inspector_id", flat=True
        )
        _set_members(rec, list(present), actor)
    else:
        _set_members(rec, data.get("member_ids"), actor)
    audit(actor=actor, action="record.create", target=rec, after=_snapshot(rec))
    return rec


def _ensure_editable(actor, rec: InspectionRecord) -> InspectionRecord:
    rec = InspectionRecord.objects.select_for_update().get(pk=rec.pk)
    _ensure_clerk(actor, rec.department_id, rec.selection_id)
    ensure_record_task_open(rec)
    if not rec.is_editable:
        raise RowInvalid(
            [("状态", f"记录当前为“{rec.get_status_display()}”，已不可修改；如需修改请发起更正")]
        )
    return rec


@transaction.atomic
def record_update(*, actor, rec: InspectionRecord, data: dict[str, Any]) -> InspectionRecord:
    """暂存: save a draft as it is; completeness is checked at submission."""
    rec = _ensure_editable(actor, rec)
    before = _snapshot(rec)
    _apply(rec, data)
    if visit_errors := visit_date_errors(rec):
        raise RowInvalid(visit_errors)
    if "withhold_reason" in data:
        # A draft keeps its 不宜公开 request too, not only the submission.
        rec.withhold_reason = (data.get("withhold_reason") or "").strip()
        rec.withhold_requested = bool(rec.withhold_reason)
    rec.save()
    _set_members(rec, data.get("member_ids"), actor)
    _set_item_results(rec, data.get("item_results"))
    audit(actor=actor, action="record.save_draft", target=rec, before=before, after=_snapshot(rec))
    return rec


def result_date_errors(rec: InspectionRecord, today: datetime.date) -> list[tuple[str, str]]:
    """The result date bounds the 20 working days of art. 14, so it cannot be moved at will (issue 17, item 7):
    not after today (Beijing business date), not before the inspection, and later than the inspection day only
    with a reason and its document (a lab report, an expert opinion) attached (late_result_errors).

    Checked at submission, where the deadline is computed from it, as the inspection date is: a draft may hold
    anything, and the form keeps what was typed."""
    result, inspected = rec.result_date, rec.inspection_date
    if result is None:
        return []
    errors: list[tuple[str, str]] = []
    if result > today:
        errors.append(
            ("结果产生日期", f"结果产生日期 {result} 晚于今天 {today}；结果尚未产生的，请在产生后再填写")
        )
    if inspected and result < inspected:
        errors.append(("结果产生日期", f"结果产生日期 {result} 早于检查日期 {inspected}"))
    return errors


def late_result_errors(rec: InspectionRecord) -> list[tuple[str, str]]:
    """A result formed after the inspection day needs the reason and the document that formed it."""
    if rec.result_date is None or not rec.inspection_date or rec.result_date <= rec.inspection_date:
        return []
    errors: list[tuple[str, str]] = []
    late = f"结果产生日期 {rec.result_date} 晚于检查日期 {rec.inspection_date}"
    if not rec.late_result_reason:
        errors.append(("结果晚于检查日期的理由", f"{late}，请写明理由（如检验检测报告、专家意见）"))
    if not Attachment.objects.filter(record_id__in=_versions(rec), kind__in=RESULT_BASIS_KINDS).exists():
        kinds = "或".join(f"“{k}”" for k in RESULT_BASIS_KINDS)
        errors.append(("结果依据附件", f"{late}，请上传作为依据的文件，附件类型选{kinds}"))
    return errors


def _versions(rec: InspectionRecord) -> list[int]:
    """The record and every earlier version it corrects: a correction keeps the documents attached before."""
    ids, parent = [rec.pk], rec.corrects_id
    while parent:
        ids.append(parent)
        parent = InspectionRecord.objects.filter(pk=parent).values_list("corrects_id", flat=True).first()
    return ids


def record_errors(rec: InspectionRecord, today: datetime.date | None = None) -> list[tuple[str, str]]:
    """Every rule a record must satisfy before submission (art. 13 and the result form), as (field, reason)."""
    today = today or timezone.localdate()
    errors: list[tuple[str, str]] = []
    methods = rec.methods or []
    if not methods:
        errors.append(("检查方式", "请选择检查方式"))
    bad = [m for m in methods if m not in METHOD_CHOICES]
    if bad:
        errors.append(("检查方式", f"未知检查方式：{'、'.join(bad)}"))
    if rec.inspection_date > today:
        errors.append(("检查日期", "检查日期不能晚于今天"))
    errors += result_date_errors(rec, today) + late_result_errors(rec)
    if rec.selection_id:
        scheme = rec.selection.draw.scheme
        outside = not (scheme.window_start <= rec.inspection_date <= scheme.window_end)
        if outside and not rec.outside_window_reason:
            errors.append(
                (
                    "检查日期",
                    f"检查日期不在检查期限（{scheme.window_start} 至 {scheme.window_end}）内，请写明理由",
                )
            )
    members = list(rec.members.select_related("inspector"))
    if ON_SITE in methods:
        if len(members) < 2:
            errors.append(("检查人员", "实地核查时执法检查人员不得少于 2 人（第十三条）"))
        if not rec.cert_shown:
            errors.append(("出示执法证件", "实地核查应主动出示执法证件（第十三条）"))
    if rec.selection_id:
        drawn = set(
            TeamMember.objects.filter(selection_id=rec.selection_id, active=True).values_list(
                "inspector_id", flat=True
            )
        )
        strangers = [m.inspector.name for m in members if m.inspector_id not in drawn]
        if strangers:
            errors.append(
                ("检查人员", f"{'、'.join(strangers)} 不是抽取的检查组成员；人员变动须先在抽取结果中登记替换")
            )
    else:
        for m in members:
            reason = m.inspector.not_drawable_reason(rec.inspection_date)
            if reason:
                errors.append(("检查人员", f"{m.inspector.name} 不能执法检查：{reason}"))
    if not members:
        errors.append(("检查人员", "请填写到场检查人员"))
    if rec.signature == SignatureStatus.REFUSED and not rec.signature_reason:
        errors.append(("签字（盖章）", "无法取得签字或盖章的，应注明原因（第十三条）"))
    if not rec.signature:
        errors.append(("签字（盖章）", "请说明检查对象是否签字（盖章）"))
    if AGENCY in methods and (not rec.agency or not rec.agency_report):
        errors.append(("受委托专业机构", "委托专业机构检查的，请填写机构名称及其报告编号"))
    errors += [("检查结果", e) for e in cat.check_categories(rec.categories, rec.measures, rec.measure_note)]
    results = list(rec.item_results.select_related("item"))
    if any(r.problem_found and not r.checked for r in results):
        errors.append(("分事项结果", "未检查的事项不能标记发现问题"))
    if any(r.problem_found for r in results) and cat.NO_PROBLEM in rec.categories:
        errors.append(("检查结果", "有事项发现问题，检查结果不能为“未发现问题”"))
    if cat.PROBLEM_CATEGORIES & set(rec.categories) and results and not any(r.problem_found for r in results):
        errors.append(("分事项结果", "检查结果为发现问题，请在对应事项上标记发现问题"))
    if rec.withhold_requested and not rec.withhold_reason:
        errors.append(("不予公示", "申请不予公示的，须写明法律依据"))
    errors += visit_date_errors(rec)
    return errors


def missing_transfers(rec: InspectionRecord, planned_kinds: set[str] | None = None) -> list[str]:
    """The measures of `rec` that hand the problem on but that no transfer carries out: none sent on this record or an
    earlier version it corrects, none among `planned_kinds` (those sent with the submission). Shown to the reviewer."""
    kinds = set(Transfer.objects.filter(record_id__in=_versions(rec)).values_list("kind", flat=True))
    return cat.measures_without_transfer(rec.measures or [], kinds | (planned_kinds or set()))


TRANSFER_FIELD = "后续处置移交"


def _planned_transfer_errors(rec: InspectionRecord, transfers: list[dict[str, Any]]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if transfers and cat.NO_MEASURE in (rec.measures or []):
        errors.append((TRANSFER_FIELD, f"选择“{cat.NO_MEASURE}”时不能同时移交"))
    for n, t in enumerate(transfers, start=1):
        where = "" if len(transfers) == 1 else f"第 {n} 项，"
        errors += [
            (TRANSFER_FIELD, f"{where}{field}：{reason}")
            for field, reason in _transfer_errors(**_transfer_args(t))
        ]
    fine = [t for t in transfers if not _transfer_errors(**_transfer_args(t))]
    for measure in missing_transfers(rec, {t.get("kind", "") for t in fine}):
        names = "或".join(k.label for k in TransferKind if k.value in cat.TRANSFER_MEASURES[measure])
        errors.append(
            (
                TRANSFER_FIELD,
                f"后续处置措施为“{measure}”，提交审核前请一并填写移交（{names}）：接收部门或机构、移交内容",
            )
        )
    return errors


def _transfer_args(t: dict[str, Any]) -> dict[str, Any]:
    """A planned transfer's values as `transfer_create` takes them; anything else in the dict is dropped."""
    return {
        "kind": str(t.get("kind") or ""),
        "content": str(t.get("content") or ""),
        "to_department_id": dep if isinstance((dep := t.get("to_department_id")), int) and dep > 0 else None,
        "to_agency": str(t.get("to_agency") or ""),
        "basis": str(t.get("basis") or ""),
        "due_days": days if isinstance((days := t.get("due_days")), int) and 1 <= days <= 120 else 10,
    }


@transaction.atomic
def record_submit(
    *,
    actor,
    rec: InspectionRecord,
    data: dict[str, Any] | None = None,
    transfers: list[dict[str, Any]] | None = None,
) -> InspectionRecord:
    """Submit for review. A result whose measures hand the problem on is submitted with its transfers (kind,
    to_department_id or to_agency, content, basis), sent in the same transaction through `transfer_create`."""
    rec = _ensure_editable(actor, rec)
    # Two departments submitting their parts of one joint visit at once see each other's day: one at a time.
    visit = Visit.objects.select_for_update().get(pk=rec.visit_id) if rec.visit_id else None
    if data:
        _apply(rec, data)
        rec.save()
        _set_members(rec, data.get("member_ids"), actor)
        _set_item_results(rec, data.get("item_results"))
        if "withhold_reason" in data:
            rec.withhold_reason = (data.get("withhold_reason") or "").strip()
            rec.withhold_requested = bool(rec.withhold_reason)
    check_transition(RECORD_TRANSITIONS, rec.status, RecordStatus.SUBMITTED, RecordStatus)
    errors = record_errors(rec)
    planned = [
        t
        for t in (transfers or [])
        if any(t.get(k) for k in ("kind", "content", "to_department_id", "to_agency"))
    ]
    errors += _planned_transfer_errors(rec, planned)
    rec.result_date = rec.result_date or rec.inspection_date
    # A missing calendar only makes the deadline provisional; a date beyond 1900–2200 cannot be computed at all.
    try:
        deadline = deadline_after(rec.result_date)
    except WorkdayError as e:
        errors.append(("检查日期", str(e)))
    else:
        rec.deadline, rec.deadline_pending_year, rec.deadline_note = deadline.day, deadline.pending_year, ""
    if errors:
        raise RowInvalid(errors)
    rec.status = RecordStatus.SUBMITTED
    rec.save()
    event = audit(
        actor=actor, action="record.submit", target=rec, after=_snapshot(rec) | {"deadline": rec.deadline}
    )
    notify(
        users=department_users(rec.department_id, [Role.REVIEWER]),
        event=event,
        message=f"【待审核】{rec.object.name} 的检查结果已提交，应于 {rec.deadline_label} 前审核公示",
        link=reverse("record_detail", args=[rec.pk]),
    )
    for t in planned:
        transfer_create(actor=actor, rec=rec, **_transfer_args(t))
    if visit is not None and visit.visit_date != rec.inspection_date:
        before = {"visit_date": visit.visit_date}
        visit.visit_date = rec.inspection_date
        visit.save(update_fields=["visit_date"])
        audit(
            actor=actor,
            action="visit.date",
            target=visit,
            before=before,
            after={"visit_date": visit.visit_date, "record": rec.pk},
        )
    return rec


@transaction.atomic
def record_review(*, actor, rec: InspectionRecord, approve: bool, comment: str = "") -> InspectionRecord:
    """审核: approve (publish, or withhold when 不宜公开 was requested with a legal reason) or return."""
    rec = InspectionRecord.objects.select_for_update().select_related("object").get(pk=rec.pk)
    _ensure_reviewer(actor, rec.department_id)
    ensure_record_task_open(rec)
    if approve:
        target = RecordStatus.WITHHELD if rec.withhold_requested else RecordStatus.PUBLISHED
    else:
        target = RecordStatus.RETURNED
        if not comment.strip():
            raise RowInvalid([("审核意见", "退回时请写明需要修改的内容")])
    check_transition(RECORD_TRANSITIONS, rec.status, target, RecordStatus)
    rec.status, rec.review_comment, rec.reviewed_by = target, comment.strip(), actor
    if target == RecordStatus.PUBLISHED:
        rec.published_at = timezone.now()
    rec.save()
    if approve and rec.corrects_id:
        old = InspectionRecord.objects.select_for_update().get(pk=rec.corrects_id)
        check_transition(RECORD_TRANSITIONS, old.status, RecordStatus.SUPERSEDED, RecordStatus)
        old.status = RecordStatus.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
    event = audit(
        actor=actor,
        action={
            RecordStatus.PUBLISHED: "record.publish",
            RecordStatus.WITHHELD: "record.withhold",
            RecordStatus.RETURNED: "record.return",
        }[target],
        target=rec,
        reason=comment.strip() or rec.withhold_reason,
    )
    message = {
        RecordStatus.PUBLISHED: f"【已公示】{rec.object.name} 的检查结果已审核通过并公示",
        RecordStatus.WITHHELD: f"【不予公示】{rec.object.name} 的检查结果已审核通过，经批准不予公示",
        RecordStatus.RETURNED: f"【已退回】{rec.object.name} 的检查结果被退回修改：{comment.strip()}",
    }[target]
    # The record's clerk: who entered it corrects it when returned, and hears when it is out.
    notify(users=[rec.created_by], event=event, message=message, link=reverse("record_detail", args=[rec.pk]))
    if approve:
        selectors.public_results_changed()
        if rec.visit_id is None:
            outbox_emit(
                "result.corrected"
                if rec.corrects_id
                else ("result.withheld" if target == RecordStatus.WITHHELD else "result.published"),
                rec,
            )
        elif rec.corrects_id and rec.visit.published_at is not None:
            # A part of a joint visit already public was corrected: the visit's public result changed.
            outbox_emit("visit.corrected", rec.visit)
        _propose_listing(actor, rec)
        if rec.visit_id:
            visit_publish_if_complete(actor=actor, visit=rec.visit)
    return rec


def _propose_listing(actor, rec: InspectionRecord) -> None:
    triggers = cat.LISTING_TRIGGERS & set(rec.categories)
    if not triggers or not rec.object.is_market_entity:
        return
    registrar = Department.objects.filter(maintains_entity_registry=True).first()
    if registrar is None:
        return
    for reason in sorted(triggers):
        if ListingProposal.objects.filter(record=rec, reason=reason).exists():
            continue
        due = deadline_after(timezone.localdate(), LISTING_DECISION_DAYS)
        proposal = ListingProposal.objects.create(
            object=rec.object,
            record=rec,
            reason=reason,
            department=registrar,
            due=due.day,
            due_pending_year=due.pending_year,
        )
        audit(
            actor=actor,
            action="listing.propose",
            target=proposal,
            after={"reason": reason, "due": proposal.due_label},
        )


@transaction.atomic
def record_correct(*, actor, rec: InspectionRecord, reason: str) -> InspectionRecord:
    """更正: a new draft version of a published (or withheld) record; the old one stays until the new is approved."""
    if not reason.strip():
        raise RowInvalid([("更正理由", "更正已公示的检查结果必须写明理由")])
    rec = InspectionRecord.objects.select_for_update().get(pk=rec.pk)
    _ensure_clerk(actor, rec.department_id, rec.selection_id)
    ensure_record_task_open(rec)
    if rec.status not in (RecordStatus.PUBLISHED, RecordStatus.WITHHELD):
        raise RowInvalid([("状态", "只有已审核的记录需要更正；未审核的记录可直接修改")])
    if InspectionRecord.objects.filter(corrects=rec).exists():
        raise RowInvalid([("状态", "该记录已有一个更正版本")])
    new = InspectionRecord.objects.get(pk=rec.pk)
    new.pk = new.id = None
    new.status, new.version, new.corrects, new.correction_reason = (
        RecordStatus.DRAFT,
        rec.version + 1,
        rec,
        reason.strip(),
    )
    new.published_at = new.reviewed_by = None
    new.review_comment = ""
    new.created_by = actor
    new.save()
    RecordMember.objects.bulk_create(
        [RecordMember(record=new, inspector_id=m) for m in rec.members.values_list("inspector_id", flat=True)]
    )
    ItemResult.objects.bulk_create(
        [
            ItemResult(
                record=new,
                item_id=r.item_id,
                checked=r.checked,
                problem_found=r.problem_found,
                disposal=r.disposal,
            )
            for r in rec.item_results.all()
        ]
    )
    audit(
        actor=actor,
        action="record.correct",
        target=new,
        before={"record": rec.pk, "version": rec.version},
        after=_snapshot(new),
        reason=reason.strip(),
    )
    return new


@transaction.atomic
def attachment_add(*, actor, rec: InspectionRecord, kind: str, upload) -> Attachment:
    rec = _ensure_editable(actor, rec)
    content_type = getattr(upload, "content_type", "") or ""
    if content_type not in ATTACHMENT_TYPES:
        raise RowInvalid([("附件", f"只接受 PDF、JPEG、PNG 文件（收到 {content_type or '未知类型'}）")])
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise RowInvalid([("附件", f"文件不能超过 {ATTACHMENT_MAX_BYTES // 1024 // 1024} MB")])
    data = upload.read()
    digest = hashlib.sha256(data).hexdigest()
    magic = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}[content_type]
    if not data.startswith(magic):
        raise RowInvalid([("附件", "文件内容与类型不符")])
    att = Attachment(
        record=rec,
        kind=(kind or "扫描件")[:20],
        original_name=upload.name[:200],
        sha256=digest,
        size=len(data),
        content_type=content_type,
        uploaded_by=actor,
    )
    att.file.save(f"{digest}{ATTACHMENT_TYPES[content_type]}", ContentFile(data), save=False)
    att.save()
    audit(
        actor=actor, action="record.attach", target=rec, after={"file": att.original_name, "sha256": digest}
    )
    return att


# --- 联合检查: one visit, one part per department (issue 17, item 6) ----------------------------------------------


def _joint_visit(selection: Selection) -> Visit | None:
    """The visit of a drawn object of a joint task (made with its first part or absence); None for one department's."""
    if not selection.draw.scheme.is_joint:
        return None
    visit, _ = Visit.objects.get_or_create(selection=selection)
    return Visit.objects.select_for_update().get(pk=visit.pk)


def visit_date_errors(rec: InspectionRecord) -> list[tuple[str, str]]:
    """A part of a joint visit has the visit's day once another department has submitted its part with it.

    Before any other department's part is submitted the day is open (a part returned for correction may still move
    it); after, one visit has one day, whoever enters it (art. 3, 10; the bypass of issue 17, item 6)."""
    if rec.visit_id is None or rec.inspection_date is None:
        return []
    visit = Visit.objects.get(pk=rec.visit_id)
    if visit.visit_date is None or rec.inspection_date == visit.visit_date:
        return []
    fixed_by = (
        InspectionRecord.objects.filter(
            visit_id=rec.visit_id,
            status__in=[RecordStatus.SUBMITTED, RecordStatus.PUBLISHED, RecordStatus.WITHHELD],
        )
        .exclude(department_id=rec.department_id)
        .select_related("department")
    )
    names = sorted({p.department.name for p in fixed_by})
    if not names:
        return []
    return [
        (
            "检查日期",
            f"联合抽查对同一对象只实施一次检查：本次联合检查已按 {visit.visit_date} 登记"
            f"（{'、'.join(names)}已提交），检查日期应为 {visit.visit_date}，不能填写 {rec.inspection_date}",
        )
    ]


def visit_open_departments(visit: Visit) -> list[str]:
    """Codes of the participating departments whose part is neither reviewed (published or withheld) nor recorded
    as 未参加: while any is left, the visit's result is not public."""
    scheme = visit.selection.draw.scheme
    done = set(
        InspectionRecord.objects.filter(
            visit=visit, status__in=[RecordStatus.PUBLISHED, RecordStatus.WITHHELD, RecordStatus.SUPERSEDED]
        ).values_list("department__code", flat=True)
    )
    done |= set(visit.absences.values_list("department__code", flat=True))
    return [code for code in scheme.participant_codes if code not in done]


def visit_publish_if_complete(*, actor, visit: Visit) -> bool:
    """Publish the visit's result once, when the last part is reviewed or its department recorded as 未参加.

    Each part keeps its own deadline (20 working days from its result date, by default the visit's day): a part
    reviewed early waits, shown as 已审核、待联合公示; the department still open is the one overdue in reminders
    and in the accountability report. Called within the reviewing or absence-recording transaction."""
    visit = Visit.objects.select_for_update().select_related("selection__draw__scheme").get(pk=visit.pk)
    if visit.published_at is not None or visit_open_departments(visit):
        return False
    visit.published_at = timezone.now()
    visit.save(update_fields=["published_at"])
    audit(
        actor=actor,
        action="visit.publish",
        target=visit,
        after={
            "visit_date": visit.visit_date,
            "parts": sorted(
                InspectionRecord.objects.filter(visit=visit)
                .exclude(status=RecordStatus.SUPERSEDED)
                .values_list("pk", flat=True)
            ),
            "absent": sorted(visit.absences.values_list("department__code", flat=True)),
        },
    )
    outbox_emit("visit.published", visit)
    selectors.public_results_changed()
    return True


@transaction.atomic
def visits_publish_due(*, today) -> int:
    """A department that never files its part must not hold the others' results back past their deadline.

    Run daily (send_reminders, by cron): a joint visit not yet public whose reviewed part reaches its publication
    deadline (20 working days, art. 14) is published on that day with what is reviewed; each department still open
    shows as 尚未报送 until its part is reviewed, and is the one overdue in reminders and the accountability report.
    Audited as the system's act (no person published it)."""
    due = (
        Visit.objects.filter(
            published_at__isnull=True,
            parts__status__in=[RecordStatus.PUBLISHED, RecordStatus.WITHHELD],
            parts__deadline__lte=today,
        )
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    published = 0
    for pk in list(due):
        # Locked one by one (PostgreSQL refuses FOR UPDATE with DISTINCT); a review publishing it meanwhile wins.
        visit = Visit.objects.select_for_update().select_related("selection__draw__scheme").get(pk=pk)
        if visit.published_at is not None:
            continue
        open_departments = visit_open_departments(visit)
        visit.published_at = timezone.now()
        visit.save(update_fields=["published_at"])
        audit(
            actor=None,
            action="visit.publish",
            target=visit,
            after={"visit_date": visit.visit_date, "not_reported": open_departments},
            reason="公示期限已到：已审核的部分按期公示，尚未完成的部门标注为尚未报送",
        )
        outbox_emit("visit.published", visit)
        published += 1
    if published:
        selectors.public_results_changed()
    return published


ABSENCE_REASON_MAX = 300


@transaction.atomic
def visit_absence_record(*, actor, selection: Selection, reason: str) -> VisitAbsence:
    """A participating department that could not attend the joint visit records why; its part shows 未参加."""
    _ensure_clerk(actor, actor.department_id)
    selection = Selection.objects.select_related("draw__scheme", "object").get(pk=selection.pk)
    scheme = selection.draw.scheme
    ensure_selection_task_open(selection.pk)
    if not selection.active or selection.draw.status != DrawStatus.DRAWN:
        raise RowInvalid([("检查对象", "该对象不在有效的抽取结果中（可能已被替换或抽取已被取代）")])
    if actor.department.code not in scheme.team_slots:
        raise PermissionDenied("本部门未参加该抽查任务")
    if not scheme.is_joint:
        raise RowInvalid([("检查对象", "该任务由一个部门实施，不是联合抽查；未参加的登记只用于联合检查")])
    reason = (reason or "").strip()
    if not reason:
        raise RowInvalid([("未参加的理由", "请写明本部门未能参加联合检查的理由")])
    if len(reason) > ABSENCE_REASON_MAX:
        raise RowInvalid(
            [("未参加的理由", f"理由不能超过 {ABSENCE_REASON_MAX} 个字（收到 {len(reason)} 个）")]
        )
    if "\x00" in reason:
        raise RowInvalid([("未参加的理由", "不能包含空字符（\\x00）")])
    visit = _joint_visit(selection)
    assert visit is not None
    if visit.absences.filter(department_id=actor.department_id).exists():
        raise RowInvalid([("未参加的理由", "本部门已登记未参加该对象的联合检查")])
    if (
        InspectionRecord.objects.filter(visit=visit, department_id=actor.department_id)
        .exclude(status=RecordStatus.SUPERSEDED)
        .exists()
    ):
        raise RowInvalid([("未参加的理由", "本部门已为该对象建立检查记录，不能再登记未参加")])
    if visit.published_at is not None:
        raise RowInvalid([("未参加的理由", "该联合检查的结果已公示")])
    absence = VisitAbsence.objects.create(
        visit=visit, department_id=actor.department_id, reason=reason, recorded_by=actor
    )
    audit(
        actor=actor,
        action="visit.absence",
        target=visit,
        after={"department": actor.department.code, "object": selection.object.code},
        reason=reason,
    )
    visit_publish_if_complete(actor=actor, visit=visit)
    return absence


# --- 后续处置 -------------------------------------------------------------------------------------------------------


def _transfer_errors(
    *, kind: str, content: str, to_department_id: int | None, to_agency: str, **_: Any
) -> list[tuple[str, str]]:
    """What a transfer needs, as (field, reason): checked when it is sent, and at submission for a planned one."""
    errors: list[tuple[str, str]] = []
    if kind not in TransferKind.values:
        errors.append(("类型", "应为移交相关部门、移送办案机构或移送公安机关"))
    if kind == TransferKind.DEPARTMENT and not to_department_id:
        errors.append(("接收部门", "请选择接收部门（谁审批谁监管、谁主管谁监管、属地管理）"))
    if to_department_id and not Department.objects.filter(pk=to_department_id).exists():
        errors.append(("接收部门", f"未找到编号为 {to_department_id} 的部门"))
    if kind in (TransferKind.CASE_UNIT, TransferKind.POLICE) and not (to_agency.strip() or to_department_id):
        errors.append(("接收机构", "请填写接收机构"))
    if not content.strip():
        errors.append(("移交内容", "请写明移交的问题与线索"))
    return errors


@transaction.atomic
def transfer_create(
    *,
    actor,
    rec: InspectionRecord,
    kind: str,
    content: str,
    to_department_id: int | None = None,
    to_agency: str = "",
    basis: str = "",
    due_days: int = 10,
) -> Transfer:
    # An inspector's account transfers on its own visits only (the phone form submits with its transfers).
    _ensure_clerk(actor, rec.department_id, rec.selection_id)
    ensure_record_task_open(rec)
    errors = []
    if rec.status not in (RecordStatus.SUBMITTED, RecordStatus.PUBLISHED, RecordStatus.WITHHELD):
        errors.append(("检查记录", "请先提交检查结果，再移交后续处置"))
    errors += _transfer_errors(
        kind=kind, content=content, to_department_id=to_department_id, to_agency=to_agency
    )
    if errors:
        raise RowInvalid(errors)
    due = deadline_after(timezone.localdate(), due_days)
    transfer = Transfer.objects.create(
        record=rec,
        kind=kind,
        to_department_id=to_department_id,
        to_agency=to_agency.strip(),
        basis=basis,
        content=content.strip(),
        sent_by=actor,
        due=due.day,
        due_days=due_days,
        due_pending_year=due.pending_year,
    )
    event = audit(
        actor=actor,
        action="transfer.create",
        target=transfer,
        after={
            "kind": kind,
            "to": str(transfer.to_department or transfer.to_agency),
            "due": transfer.due_label,
        },
    )
    # A police station or case unit outside the platform has no account: the sender records its receipt.
    notify(
        users=department_users(transfer.to_department_id, [Role.DEPT_ADMIN, Role.CLERK]),
        event=event,
        message=f"【待接收】{rec.department.short_name}移交：{rec.object.name}，请于 {transfer.due_label} 前办理",
        link=reverse("transfer_detail", args=[transfer.pk]),
    )
    return transfer


@transaction.atomic
def transfer_acknowledge(*, actor, transfer: Transfer, receipt_no: str = "", receipt_date=None) -> Transfer:
    transfer = Transfer.objects.select_for_update().select_related("record").get(pk=transfer.pk)
    if transfer.to_department_id:
        if actor.role != Role.SYSTEM and actor.department_id != transfer.to_department_id:
            raise PermissionDenied("只有接收部门可以确认接收")
    else:
        # A police station or case unit outside the platform: the sender records its receipt.
        _ensure_clerk(actor, transfer.record.department_id)
        if not receipt_no.strip():
            raise RowInvalid([("回执编号", "移送公安机关或办案机构的，请登记回执编号")])
    ensure_transfer_task_open(transfer)
    check_transition(TRANSFER_TRANSITIONS, transfer.status, TransferStatus.ACKNOWLEDGED, TransferStatus)
    transfer.status = TransferStatus.ACKNOWLEDGED
    transfer.acknowledged_at = timezone.now()
    transfer.receipt_no = receipt_no.strip()
    transfer.receipt_date = _parse_date(receipt_date, "回执日期") or timezone.localdate()
    transfer.save()
    event = audit(
        actor=actor, action="transfer.acknowledge", target=transfer, after={"receipt_no": transfer.receipt_no}
    )
    receiver = transfer.to_department.short_name if transfer.to_department_id else transfer.to_agency
    notify(
        users=[transfer.sent_by],
        event=event,
        message=f"【已接收】{receiver}已接收 {transfer.record.object.name} 的后续处置移交",
        link=reverse("transfer_detail", args=[transfer.pk]),
    )
    return transfer


@transaction.atomic
def transfer_close(*, actor, transfer: Transfer, outcome: str) -> Transfer:
    transfer = Transfer.objects.select_for_update().select_related("record").get(pk=transfer.pk)
    owner = transfer.to_department_id or transfer.record.department_id
    if actor.role != Role.SYSTEM and actor.department_id != owner:
        raise PermissionDenied("只有办理部门可以办结")
    ensure_transfer_task_open(transfer)
    if not outcome.strip():
        raise RowInvalid([("办理结果", "请写明办理结果")])
    check_transition(TRANSFER_TRANSITIONS, transfer.status, TransferStatus.CLOSED, TransferStatus)
    transfer.status, transfer.outcome, transfer.closed_at = (
        TransferStatus.CLOSED,
        outcome.strip(),
        timezone.now(),
    )
    transfer.save()
    audit(actor=actor, action="transfer.close", target=transfer, after={"outcome": transfer.outcome})
    outbox_emit("transfer.closed", transfer)
    return transfer


@transaction.atomic
def proposal_decide(*, actor, proposal: ListingProposal, listed: bool, note: str = "") -> ListingProposal:
    proposal = ListingProposal.objects.select_for_update().select_related("object").get(pk=proposal.pk)
    if actor.role not in (Role.DEPT_ADMIN, Role.SYSTEM) or (
        actor.role != Role.SYSTEM and actor.department_id != proposal.department_id
    ):
        raise PermissionDenied("只有登记机关的部门管理员可以作出决定")
    if proposal.status != ProposalStatus.PROPOSED:
        raise RowInvalid([("状态", "该建议已作出决定")])
    proposal.status = ProposalStatus.LISTED if listed else ProposalStatus.REJECTED
    proposal.decided_at, proposal.decided_by, proposal.decision_note = timezone.now(), actor, note.strip()
    proposal.save()
    if listed and not proposal.object.abnormal_list:
        # The flag feeds the raised-ratio stratum of future draws (art. 9).
        InspectionObject.objects.filter(pk=proposal.object_id).update(abnormal_list=True)
        audit(
            actor=actor,
            action="object.list_abnormal",
            target=proposal.object,
            before={"abnormal_list": False},
            after={"abnormal_list": True},
            reason=proposal.reason,
        )
    audit(
        actor=actor, action="listing.decide", target=proposal, after={"status": proposal.status}, reason=note
    )
    outbox_emit("listing.decided", proposal)
    return proposal


# --- 站内消息 --------------------------------------------------------------------------------------------------------


def notifications_mark_read(*, actor, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when no ids are given); personal state, not audited."""
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


# --- 到场确认: the second inspector confirms presence from their own account (issue 14) -----------------------------


@transaction.atomic
def record_member_confirm(*, actor, rec: InspectionRecord) -> RecordMember:
    """An inspector entered as present on a record confirms it from their own account. Only their own place, on a
    visit they are drawn for; confirming twice changes nothing."""
    if actor.role != Role.INSPECTOR or actor.inspector_id is None:
        raise PermissionDenied("只有执法人员本人可以确认到场")
    rec = InspectionRecord.objects.select_for_update().get(pk=rec.pk)
    if rec.selection_id is None:
        raise PermissionDenied("执法人员只能确认本人被抽中参加的检查")
    scoping.ensure_drawn_for(actor, rec.selection_id)
    ensure_record_task_open(rec)
    member = RecordMember.objects.filter(record=rec, inspector_id=actor.inspector_id).first()
    if member is None:
        raise RowInvalid([("检查人员", "记录中没有登记您到场；如您到场，请联系录入的执法人员补登")])
    if member.confirmed_at is None:
        member.confirmed_at = timezone.now()
        member.save(update_fields=["confirmed_at"])
        audit(
            actor=actor,
            action="record.member_confirm",
            target=rec,
            after={
                "inspector": actor.inspector.code,
                "entered_by": getattr(member.entered_by, "username", ""),
            },
        )
    return member


@transaction.atomic
def attachment_add_once(*, actor, rec: InspectionRecord, kind: str, upload) -> tuple[Attachment, bool]:
    """`attachment_add`, unless the record already holds the same file (same SHA-256) as the same kind: a phone that
    sends its draft again after a lost answer must not attach a photo or signature twice. Returns (attachment, new)."""
    data = upload.read()
    upload.seek(0)
    digest = hashlib.sha256(data).hexdigest()
    existing = Attachment.objects.filter(
        record_id=rec.pk, sha256=digest, kind=(kind or "扫描件")[:20]
    ).first()
    if existing is not None:
        _ensure_editable(actor, rec)
        return existing, False
    return attachment_add(actor=actor, rec=rec, kind=kind, upload=upload), True
