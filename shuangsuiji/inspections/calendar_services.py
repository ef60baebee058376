"""Keeping the holiday calendar: hand entries, the State Council's notice pasted in, declaring a year complete,
and recomputing every provisional deadline once its year is known — all audited, each in one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.services import record as audit
from shuangsuiji.codes.holiday_notice import HolidayNotice, NoticeError, parse_notice
from shuangsuiji.codes.holidays import FESTIVALS, FIRST_YEAR, LAST_YEAR, main_day
from shuangsuiji.codes.workdays import WorkCalendar
from shuangsuiji.directory.rows import RowInvalid

from .calendar import LISTING_DECISION_DAYS, PUBLICATION_DAYS, work_calendar
from .models import (
    CalendarDay,
    CalendarYear,
    InspectionRecord,
    ListingProposal,
    Notification,
    ProposalStatus,
    RecordStatus,
    Transfer,
    TransferStatus,
)

# A festival counts as entered when a holiday lies within these days of its main day (春节: 正月初一).
_FESTIVAL_WINDOW = (datetime.timedelta(days=-3), datetime.timedelta(days=7))


def _ensure_sysadmin(actor) -> None:
    if actor.role not in (Role.SYSADMIN, Role.SYSTEM) and not actor.is_superuser:
        raise PermissionDenied("只有系统管理员可以维护节假日日历")


def _parse_date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        day = datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise RowInvalid([(field, f"“{str(value)[:40]}”不是有效日期，应为 YYYY-MM-DD")]) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise RowInvalid([(field, f"日期应在 {FIRST_YEAR}—{LAST_YEAR} 年之间")])
    return day


def _parse_year(year: Any) -> int:
    try:
        value = int(str(year).strip())
    except ValueError:
        raise RowInvalid([("年度", f"“{str(year)[:20]}”不是有效年度")]) from None
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise RowInvalid([("年度", f"年度应在 {FIRST_YEAR}—{LAST_YEAR} 之间")])
    return value


@transaction.atomic
def calendar_day_set(*, actor, date: Any, is_workday: bool, note: str = "") -> CalendarDay:
    """An administrator's holiday or make-up working day; it wins over the maintained package."""
    _ensure_sysadmin(actor)
    day = _parse_date(date, "日期")
    if day is None:
        raise RowInvalid([("日期", "请填写日期")])
    existing = CalendarDay.objects.select_for_update().filter(date=day).first()
    before = {"is_workday": existing.is_workday, "note": existing.note} if existing else None
    entry, _ = CalendarDay.objects.update_or_create(
        date=day, defaults={"is_workday": bool(is_workday), "note": (note or "").strip()[:100]}
    )
    audit(
        actor=actor,
        action="calendar.day_set",
        target=entry,
        before=before,
        after={"date": day, "is_workday": entry.is_workday, "note": entry.note},
    )
    return entry


@transaction.atomic
def calendar_day_remove(*, actor, day: CalendarDay) -> None:
    _ensure_sysadmin(actor)
    day = CalendarDay.objects.select_for_update().get(pk=day.pk)
    audit(
        actor=actor,
        action="calendar.day_remove",
        target=day,
        before={"date": day.date, "is_workday": day.is_workday, "note": day.note},
    )
    day.delete()


def festivals_missing(year: int) -> list[str]:
    """The festivals of ``year`` with no holiday entered near their day (entries or the maintained package)."""
    if WorkCalendar().knows_year(year):
        return []  # the maintained package has the year
    missing = []
    for festival in FESTIVALS:
        main = main_day(year, festival)
        first, last = main + _FESTIVAL_WINDOW[0], main + _FESTIVAL_WINDOW[1]
        if not CalendarDay.objects.filter(date__range=(first, last), is_workday=False).exists():
            missing.append(festival)
    return missing


def _incomplete_refusal(year: int, missing: list[str]) -> RowInvalid:
    return RowInvalid(
        [
            (
                "年度",
                f"{year} 年还缺少{'、'.join(missing)}的放假安排，声明录入完毕后这些日子会按工作日计算。"
                f"请先录入；如确实如此（例如通知另有规定），请在“说明”中写明原因后再声明",
            )
        ]
    )


@transaction.atomic
def calendar_year_declare(*, actor, year: Any, reason: str = "") -> CalendarYear:
    """Declare that every holiday and make-up day of `year` has been entered; provisional deadlines are recomputed."""
    _ensure_sysadmin(actor)
    value = _parse_year(year)
    if CalendarYear.objects.filter(year=value).exists():
        raise RowInvalid([("年度", f"{value} 年已声明录入完毕")])
    reason = (reason or "").strip()[:300]
    missing = festivals_missing(value)
    if missing and not reason:
        raise _incomplete_refusal(value, missing)
    try:
        with transaction.atomic():
            entry = CalendarYear.objects.create(
                year=value,
                declared_by=actor.display_name[:100],
                incomplete_reason=reason if missing else "",
            )
    except IntegrityError:  # a concurrent declaration of the same year
        raise RowInvalid([("年度", f"{value} 年已声明录入完毕")]) from None
    audit(
        actor=actor,
        action="calendar.year_declare",
        target=entry,
        after={"year": value, "missing": missing},
        reason=reason if missing else "",
    )
    deadlines_recompute(actor=actor, entry=entry)
    return entry


def notice_read(text: str) -> HolidayNotice:
    """Parse a pasted notice for preview; a problem becomes a row error naming the line."""
    try:
        return parse_notice((text or "")[:50_000])
    except NoticeError as e:
        raise RowInvalid([(f"第 {n} 行" if n else "通知全文", m) for n, m in e.problems]) from None


@transaction.atomic
def calendar_notice_import(*, actor, text: str, reason: str = "") -> CalendarYear:
    """Store a year's holidays and make-up days as the State Council's notice gives them, and declare the year.

    The notice is the authority for its year: entries of that year it does not hold are removed (each removal is
    in the audit event's before), and provisional deadlines are recomputed.
    """
    _ensure_sysadmin(actor)
    notice = notice_read(text)
    reason = (reason or "").strip()[:300]
    if notice.missing and not reason:
        raise _incomplete_refusal(notice.year, notice.missing)
    days = notice.days()
    existing = {
        d.date: d
        for d in CalendarDay.objects.select_for_update().filter(date__year=notice.year).order_by("date")
    }
    before = {str(d): {"is_workday": e.is_workday, "note": e.note} for d, e in existing.items()}
    CalendarDay.objects.filter(date__year=notice.year).exclude(date__in=list(days)).delete()
    for day, (is_workday, note) in days.items():
        CalendarDay.objects.update_or_create(
            date=day, defaults={"is_workday": is_workday, "note": note[:100]}
        )
    entry = CalendarYear.objects.select_for_update().filter(year=notice.year).first()
    fields = {
        "declared_by": actor.display_name[:100],
        "notice_number": notice.number[:60],
        "notice_date": notice.issued,
        "incomplete_reason": reason if notice.missing else "",
    }
    if entry is None:
        entry = CalendarYear.objects.create(year=notice.year, **fields)
    else:
        for name, value in fields.items():
            setattr(entry, name, value)
        entry.save()
    audit(
        actor=actor,
        action="calendar.notice_import",
        target=entry,
        before=before or None,
        after={
            "year": notice.year,
            "notice_number": notice.number,
            "notice_date": notice.issued,
            "days": {str(d): {"is_workday": w, "note": n} for d, (w, n) in days.items()},
            "missing": notice.missing,
        },
        reason=reason if notice.missing else "",
    )
    deadlines_recompute(actor=actor, entry=entry)
    return entry


def _local(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _protected(*, old: datetime.date, new: datetime.date, limit: datetime.date) -> tuple[datetime.date, str]:
    """A recomputed deadline never blames anyone for having followed the provisional one.

    ``limit`` is the publication (decision, closing) date of concluded work, or the next working day for open work:
    a deadline moving earlier stops at min(old, limit), so open work is never overdue by the recomputation alone,
    and concluded work is judged as it was under the deadline it was given.
    """
    if new >= old:
        return new, ""
    floor = min(old, limit)
    if new >= floor:
        return new, ""
    return (
        floor,
        f"按已录入的节假日安排应为 {new:%Y-%m-%d}，早于可以完成的日期，按规定顺延至 {floor:%Y-%m-%d}",
    )


def deadlines_recompute(*, actor, entry: CalendarYear) -> dict[str, list[dict[str, Any]]]:
    """Recompute every provisional deadline whose pending year is now known; runs in the caller's transaction."""
    calendar: WorkCalendar = work_calendar()
    today = timezone.localdate()
    next_working_day = calendar.deadline(today, 1).day
    changes: dict[str, list[dict[str, Any]]] = {"records": [], "transfers": [], "proposals": []}

    def known(year: int | None) -> bool:
        return year is not None and calendar.knows_year(year)

    records = InspectionRecord.objects.select_for_update().filter(deadline_pending_year__isnull=False)
    for rec in records.select_related("object", "department").order_by("id"):
        if not known(rec.deadline_pending_year) or rec.deadline is None:
            continue
        new = calendar.deadline(rec.result_date or rec.inspection_date, PUBLICATION_DAYS)
        open_ = rec.status in (RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.RETURNED)
        limit = next_working_day if open_ else (_local(rec.published_at) or next_working_day)
        day, note = _protected(old=rec.deadline, new=new.day, limit=limit)
        old = rec.deadline
        rec.deadline, rec.deadline_pending_year = day, new.pending_year
        rec.deadline_note = note or rec.deadline_note
        rec.save(update_fields=["deadline", "deadline_pending_year", "deadline_note", "updated_at"])
        changes["records"].append(
            {
                "id": rec.pk,
                "before": old,
                "after": day,
                "pending": new.pending_year,
                "note": note,
                "_rec": rec,
            }
        )
    for transfer in (
        Transfer.objects.select_for_update().filter(due_pending_year__isnull=False).order_by("id")
    ):
        if not known(transfer.due_pending_year):
            continue
        new = calendar.deadline(timezone.localdate(transfer.sent_at), transfer.due_days)
        limit = (
            _local(transfer.closed_at) or next_working_day
            if transfer.status == TransferStatus.CLOSED
            else next_working_day
        )
        day, note = _protected(old=transfer.due, new=new.day, limit=limit)
        changes["transfers"].append({"id": transfer.pk, "before": transfer.due, "after": day, "note": note})
        transfer.due, transfer.due_pending_year, transfer.due_note = (
            day,
            new.pending_year,
            note or transfer.due_note,
        )
        transfer.save(update_fields=["due", "due_pending_year", "due_note"])
    for proposal in (
        ListingProposal.objects.select_for_update().filter(due_pending_year__isnull=False).order_by("id")
    ):
        if not known(proposal.due_pending_year):
            continue
        new = calendar.deadline(timezone.localdate(proposal.created_at), LISTING_DECISION_DAYS)
        limit = (
            next_working_day
            if proposal.status == ProposalStatus.PROPOSED
            else (_local(proposal.decided_at) or next_working_day)
        )
        day, note = _protected(old=proposal.due, new=new.day, limit=limit)
        changes["proposals"].append({"id": proposal.pk, "before": proposal.due, "after": day, "note": note})
        proposal.due, proposal.due_pending_year, proposal.due_note = (
            day,
            new.pending_year,
            note or proposal.due_note,
        )
        proposal.save(update_fields=["due", "due_pending_year", "due_note"])
    moved = [c for c in changes["records"] if c["before"] != c["after"]]
    _notify_reviewers(entry, moved)
    public = {
        k: [{f: v for f, v in c.items() if not f.startswith("_")} for c in rows]
        for k, rows in changes.items()
    }
    if any(public.values()):
        audit(actor=actor, action="calendar.deadlines_recompute", target=entry, after=public)
    return public


def _notify_reviewers(entry: CalendarYear, moved: list[dict[str, Any]]) -> None:
    """Tell each department's reviewers and administrators which of their records' deadlines moved."""
    for change in moved:
        rec: InspectionRecord = change["_rec"]
        message = (
            f"【期限重算】{entry.year} 年节假日安排已录入：{rec.object.name} 的公示期限由 "
            f"{change['before']:%Y-%m-%d}（暂定）改为 {rec.deadline_label}"
        )
        if change["note"]:
            message += f"（{change['note']}）"
        users = User.objects.filter(
            department_id=rec.department_id, is_active=True, role__in=[Role.REVIEWER, Role.DEPT_ADMIN]
        )
        for user in users:
            Notification.objects.get_or_create(
                user=user,
                key=f"deadline-moved:{rec.pk}:{entry.year}",
                defaults={"message": message[:300], "link": f"/records/{rec.pk}/"},
            )


__all__ = [
    "calendar_day_remove",
    "calendar_day_set",
    "calendar_notice_import",
    "calendar_year_declare",
    "deadlines_recompute",
    "festivals_missing",
    "notice_read",
]
