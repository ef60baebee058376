"""归档 (art. 17 档案管理; issue 13 part 4): a finished task is archived once and is read-only from then on.

A task may be archived when it is closed (结束任务), every record of it is published or withheld (不予公示), every
drawn object has its record (or, in a joint task, the department's recorded absence) and every transfer of its records
is closed. The archive number is the task number followed by `-归档-NNN`, NNN running per department and year.

Read-only is enforced here, in the services, not in the pages: every service that changes a scheme, its draws, its
records or their transfers calls `ensure_task_open` (or one of its helpers) inside its own transaction. The check
locks the scheme row, and `task_archive` takes the same lock before it looks for blockers, so a record being corrected
while its task is archived either finishes first (and then blocks the archive) or is refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scoping import ensure_own_department
from shuangsuiji.audit.services import record
from shuangsuiji.directory.rows import RowInvalid

from .models import ArchiveCounter, SchemeStatus, TaskScheme

FIELD = "归档"
# How many blockers a refusal names one by one; the rest are counted.
BLOCKERS_SHOWN = 50


def archived_message(scheme: TaskScheme) -> str:
    return (
        f"任务 {scheme.task_no} 已归档（归档号 {scheme.archive_no}），档案只读："
        "不能再修改工作方案、抽取、检查记录或后续处置移交"
    )


def ensure_task_open(scheme_id: int | None) -> None:
    """Refuse (RowInvalid, in Chinese) when the task is archived. Call inside the acting service's transaction."""
    if scheme_id is None:
        return
    scheme = (
        TaskScheme.objects.select_for_update()
        .only("pk", "task_no", "archive_no")
        .filter(pk=scheme_id)
        .first()
    )
    if scheme is not None and scheme.archive_no is not None:
        raise RowInvalid([(FIELD, archived_message(scheme))])


def ensure_selection_task_open(selection_id: int | None) -> None:
    if selection_id is None:
        return
    from shuangsuiji.draws.models import Selection

    ensure_task_open(
        Selection.objects.filter(pk=selection_id).values_list("draw__scheme_id", flat=True).first()
    )


def ensure_record_task_open(rec) -> None:
    """A random-check record belongs to the task that drew its object; a triggered check belongs to no task."""
    ensure_selection_task_open(rec.selection_id)


def ensure_transfer_task_open(transfer) -> None:
    from shuangsuiji.inspections.models import InspectionRecord

    ensure_selection_task_open(
        InspectionRecord.objects.filter(pk=transfer.record_id).values_list("selection_id", flat=True).first()
    )


# --- blockers --------------------------------------------------------------------------------------------------------


def archive_blockers(scheme: TaskScheme) -> list[str]:
    """Why `scheme` cannot be archived yet, one sentence per blocker (empty: it can)."""
    from shuangsuiji.draws.models import DrawStatus, Selection
    from shuangsuiji.inspections.models import (
        InspectionRecord,
        RecordStatus,
        Transfer,
        TransferStatus,
        VisitAbsence,
    )

    if scheme.archive_no is not None:
        return [f"任务已归档（归档号 {scheme.archive_no}）"]
    out: list[str] = []
    if scheme.status != SchemeStatus.CLOSED:
        out.append(f"任务尚未结束（当前状态：“{scheme.get_status_display()}”），请先结束任务")
    records = InspectionRecord.objects.filter(selection__draw__scheme=scheme)
    for rec_id, name, dept, status in (
        records.exclude(status__in=[RecordStatus.PUBLISHED, RecordStatus.WITHHELD, RecordStatus.SUPERSEDED])
        .order_by("pk")
        .values_list("pk", "object__name", "department__short_name", "status")
    ):
        out.append(
            f"检查记录 {rec_id}（{name}，{dept}）当前为“{RecordStatus(status).label}”，"
            "尚未审核公示或批准不予公示"
        )
    # Every drawn object still standing needs each participating department's record or its recorded absence.
    codes = sorted(scheme.team_slots or {})
    have: dict[int, set[str]] = {}
    for sel_id, code in records.exclude(status=RecordStatus.SUPERSEDED).values_list(
        "selection_id", "department__code"
    ):
        have.setdefault(sel_id, set()).add(code)
    for sel_id, code in VisitAbsence.objects.filter(visit__selection__draw__scheme=scheme).values_list(
        "visit__selection_id", "department__code"
    ):
        have.setdefault(sel_id, set()).add(code)
    from shuangsuiji.org.models import Department

    short = dict(Department.objects.filter(code__in=codes).values_list("code", "short_name"))
    for sel_id, name in (
        Selection.objects.filter(draw__scheme=scheme, draw__status=DrawStatus.DRAWN, active=True)
        .order_by("pk")
        .values_list("pk", "object__name")
    ):
        missing = [short.get(c, c) for c in codes if c not in have.get(sel_id, set())]
        if missing:
            out.append(f"抽中对象“{name}”尚无{'、'.join(missing)}的检查记录")
    for t_id, name, to_dept, to_agency, status in (
        Transfer.objects.filter(record__selection__draw__scheme=scheme)
        .exclude(status=TransferStatus.CLOSED)
        .order_by("pk")
        .values_list("pk", "record__object__name", "to_department__short_name", "to_agency", "status")
    ):
        out.append(
            f"后续处置移交 {t_id}（{name} → {to_dept or to_agency}）当前为“{TransferStatus(status).label}”，尚未办结"
        )
    return out


def blocker_errors(blockers: list[str]) -> list[tuple[str, str]]:
    shown = [(FIELD, b) for b in blockers[:BLOCKERS_SHOWN]]
    if len(blockers) > BLOCKERS_SHOWN:
        shown.append((FIELD, f"……另有 {len(blockers) - BLOCKERS_SHOWN} 项未列出"))
    return shown


# --- the service -----------------------------------------------------------------------------------------------------


def next_archive_no(scheme: TaskScheme) -> str:
    """`{任务编号}-归档-{NNN}`, NNN per department and year, without gaps or repeats under concurrent archiving: the
    counter row is incremented in the database and read back under its row lock (as planning.services.next_task_no)."""
    counter, _ = ArchiveCounter.objects.get_or_create(department_id=scheme.department_id, year=scheme.year)
    ArchiveCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    last = ArchiveCounter.objects.select_for_update().values_list("last", flat=True).get(pk=counter.pk)
    return f"{scheme.task_no}-归档-{last:03d}"


def can_archive(user, scheme: TaskScheme) -> bool:
    return (
        user.is_authenticated and user.role == Role.DEPT_ADMIN and user.department_id == scheme.department_id
    )


@transaction.atomic
def task_archive(*, actor, scheme: TaskScheme) -> TaskScheme:
    """归档: the lead department's administrator archives a finished task; refused with every blocker named."""
    scheme = TaskScheme.objects.select_for_update().select_related("department").get(pk=scheme.pk)
    if actor.role not in (Role.DEPT_ADMIN, Role.SYSTEM):
        raise PermissionDenied("只有牵头部门的部门管理员可以归档任务")
    ensure_own_department(actor, scheme.department_id)
    if blockers := archive_blockers(scheme):
        raise RowInvalid(blocker_errors(blockers))
    scheme.archive_no = next_archive_no(scheme)
    scheme.archived_at = timezone.now()
    scheme.archived_by = actor
    scheme.save(update_fields=["archive_no", "archived_at", "archived_by", "updated_at"])
    record(
        actor=actor,
        action="scheme.archive",
        target=scheme,
        after={"archive_no": scheme.archive_no, "task_no": scheme.task_no},
    )
    return scheme
