"""The four findings of art. 20 for one department and year, as named reads taking (department, year, today).

第二十条 makes a department liable for 不执行或者拖延执行抽查任务, 未依法及时公示抽查检查结果, and 对抽查检查中发现的
涉嫌犯罪案件未依法移送公安机关; the report adds problems found but not handed on (art. 14). Every selector is a read
of the current state as of `today`, so the same question asked on the same day gives the same answer.

Conventions:
- A record belongs to the department that inspected it (谁检查、谁录入); its year is its scheme's year for a random
  check and its inspection date's year for a triggered one.
- A correction is a new version of a record: lateness is judged on the first version (the one that was due), and
  transfers made on any earlier version of a record count for the current one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from shuangsuiji.accounts import scoping
from shuangsuiji.draws.models import Draw, DrawStatus, Selection
from shuangsuiji.inspections import categories as cat
from shuangsuiji.inspections.models import (
    InspectionRecord,
    RecordStatus,
    Transfer,
    TransferKind,
    TransferStatus,
    VisitAbsence,
)
from shuangsuiji.inspections.selectors import drafts_overdue
from shuangsuiji.org.models import Department
from shuangsuiji.planning.models import SchemeStatus, TaskScheme

# A record whose result was concluded by the inspecting department: it counts as the task having been executed.
EXECUTED = [
    RecordStatus.SUBMITTED,
    RecordStatus.PUBLISHED,
    RecordStatus.WITHHELD,
    RecordStatus.SUPERSEDED,
]
# Results in force: the current version of a submitted, published or withheld result.
CONCLUDED = [RecordStatus.SUBMITTED, RecordStatus.PUBLISHED, RecordStatus.WITHHELD]
# Measures that hand a problem on to someone else (art. 14), and the transfer kinds that carry each out.
POLICE_MEASURE = "移送公安机关"
HAND_ON_MEASURES = {m: kinds for m, kinds in cat.TRANSFER_MEASURES.items() if m != POLICE_MEASURE}


def departments_for(user) -> QuerySet:
    """Departments whose report `user` may read — decided with every other access rule in accounts/scoping.py."""
    return scoping.report_departments_for(user)


def _records_of(department: Department, year: int) -> QuerySet:
    return InspectionRecord.objects.filter(department=department).filter(
        Q(selection__draw__scheme__year=year) | Q(selection__isnull=True, inspection_date__year=year)
    )


# --- (a) tasks not executed or delayed ---------------------------------------------------------------------------


def tasks_not_drawn(department: Department, year: int, today: datetime.date) -> QuerySet:
    """Published schemes the department leads whose window has started but that were never drawn (the lead draws)."""
    drawn = Draw.objects.filter(scheme=OuterRef("pk"), status=DrawStatus.DRAWN)
    return (
        TaskScheme.objects.filter(department=department, year=year, window_start__lt=today)
        .exclude(status=SchemeStatus.DRAFT)
        .exclude(Exists(drawn))
        .select_related("department")
        .order_by("window_start", "id")
    )


def objects_not_inspected(department: Department, year: int, today: datetime.date) -> list[Selection]:
    """Drawn objects of the year's schemes in which the department has team slots, whose window has ended without a
    submitted or published record of the department. Each selection carries `.scheme`, and `.draft`: the
    department's record still in draft (overdue, inspections.selectors.drafts_overdue), or None when none was begun,
    and `.absence`: the department's recorded absence from a joint visit (with its reason), or None."""
    schemes = [
        s
        for s in TaskScheme.objects.filter(year=year, window_end__lt=today).only(
            "pk", "team_slots", "department"
        )
        # A scheme without team slots is inspected by its lead department alone.
        if department.code in (s.team_slots or {}) or (not s.team_slots and s.department_id == department.pk)
    ]
    done = InspectionRecord.objects.filter(
        selection=OuterRef("pk"), department=department, status__in=EXECUTED
    )
    selections = list(
        Selection.objects.filter(
            draw__scheme__in=[s.pk for s in schemes], draw__status=DrawStatus.DRAWN, active=True
        )
        .exclude(Exists(done))
        .select_related("object", "draw__scheme")
        .order_by("draw__scheme__window_end", "draw_id", "stratum", "rank")
    )
    drafts = {
        r.selection_id: r
        for r in drafts_overdue(
            InspectionRecord.objects.filter(department=department, selection__in=[s.pk for s in selections]),
            today,
        )
    }
    # A department that could not attend a joint visit stays listed, with the reason it recorded (issue 17, item 6):
    # the report shows it, the office judges it.
    absences = {
        a.visit.selection_id: a
        for a in VisitAbsence.objects.filter(
            department=department, visit__selection__in=[s.pk for s in selections]
        ).select_related("visit")
    }
    for sel in selections:
        sel.scheme = sel.draw.scheme
        sel.draft = drafts.get(sel.pk)
        sel.absence = absences.get(sel.pk)
    return selections


# --- (b) results published late ----------------------------------------------------------------------------------


def results_published_late(department: Department, year: int, today: datetime.date) -> QuerySet:
    """Records first published after their deadline (the publication date counts in local time)."""
    return (
        _records_of(department, year)
        .filter(corrects__isnull=True, published_at__isnull=False, deadline__isnull=False)
        .filter(published_at__date__gt=F("deadline"))
        .select_related("object", "department")
        .order_by("deadline", "id")
    )


def results_unpublished_overdue(department: Department, year: int, today: datetime.date) -> QuerySet:
    """Records still not published (draft, awaiting review or returned) whose deadline has passed."""
    return (
        _records_of(department, year)
        .filter(corrects__isnull=True, deadline__lt=today)
        .filter(status__in=[RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.RETURNED])
        .select_related("object", "department")
        .order_by("deadline", "id")
    )


# --- (c) and (d): transfers --------------------------------------------------------------------------------------


@dataclass
class Finding:
    record: InspectionRecord
    reasons: list[str] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)


def _transfers_by_record(records: list[InspectionRecord]) -> dict[int, list[Transfer]]:
    """Transfers of each record and of every earlier version it corrects."""
    versions: dict[int, set[int]] = {r.pk: {r.pk} for r in records}
    pending = {r.pk: r.corrects_id for r in records if r.corrects_id}
    while pending:
        parents = dict(
            InspectionRecord.objects.filter(pk__in=set(pending.values())).values_list("pk", "corrects_id")
        )
        nxt = {}
        for pk, parent in pending.items():
            versions[pk].add(parent)
            if parents.get(parent):
                nxt[pk] = parents[parent]
        pending = nxt
    all_ids = set().union(*versions.values()) if versions else set()
    by_version: dict[int, list[Transfer]] = {}
    for t in (
        Transfer.objects.filter(record_id__in=all_ids).select_related("to_department").order_by("sent_at")
    ):
        by_version.setdefault(t.record_id, []).append(t)
    return {pk: [t for v in sorted(ids) for t in by_version.get(v, [])] for pk, ids in versions.items()}


def _overdue(t: Transfer, today: datetime.date) -> bool:
    return t.status != TransferStatus.CLOSED and t.due < today


def problems_not_transferred(department: Department, year: int, today: datetime.date) -> list[Finding]:
    """Published (or approved-withheld) results with a problem whose measures hand it on, but with no transfer of the
    right kind, or whose transfers are past their due date and not closed."""
    candidates = [
        r
        for r in _records_of(department, year)
        .filter(status__in=[RecordStatus.PUBLISHED, RecordStatus.WITHHELD])
        .select_related("object", "department")
        .order_by("inspection_date", "id")
        if set(r.categories) & cat.PROBLEM_CATEGORIES and set(r.measures) & set(HAND_ON_MEASURES)
    ]
    transfers = _transfers_by_record(candidates)
    findings = []
    for rec in candidates:
        handed = [t for t in transfers[rec.pk] if t.kind != TransferKind.POLICE]
        f = Finding(rec, transfers=handed)
        for measure in [m for m in rec.measures if m in HAND_ON_MEASURES]:
            if not any(t.kind in HAND_ON_MEASURES[measure] for t in handed):
                f.reasons.append(f"处置措施为“{measure}”，但没有相应的移交记录")
        for t in handed:
            if _overdue(t, today):
                f.reasons.append(
                    f"{t.get_kind_display()}（{t.to_department or t.to_agency}）已于 {t.due_label} 到期未办结"
                )
        if f.reasons:
            findings.append(f)
    return findings


def crimes_not_moved_to_police(department: Department, year: int, today: datetime.date) -> list[Finding]:
    """Results whose measures include 移送公安机关 with no police transfer, or with a police transfer that has no
    receipt after its due date."""
    candidates = [
        r
        for r in _records_of(department, year)
        .filter(status__in=CONCLUDED)
        .select_related("object", "department")
        .order_by("inspection_date", "id")
        if POLICE_MEASURE in r.measures
    ]
    transfers = _transfers_by_record(candidates)
    findings = []
    for rec in candidates:
        police = [t for t in transfers[rec.pk] if t.kind == TransferKind.POLICE]
        f = Finding(rec, transfers=police)
        if not police:
            f.reasons.append("处置措施为“移送公安机关”，但没有移送公安机关的记录")
        elif not any(t.receipt_no for t in police):
            late = [t for t in police if t.due < today]
            if late:
                f.reasons.append(f"已移送公安机关，但至办理期限 {late[0].due_label} 仍无受理回执")
        if f.reasons:
            findings.append(f)
    return findings


# --- the whole report ----------------------------------------------------------------------------------------------


@dataclass
class Report:
    department: Department
    year: int
    today: datetime.date
    tasks_not_drawn: list[TaskScheme]
    objects_not_inspected: list[Selection]
    published_late: list[InspectionRecord]
    unpublished_overdue: list[InspectionRecord]
    not_transferred: list[Finding]
    not_moved_to_police: list[Finding]

    @property
    def total(self) -> int:
        return (
            len(self.tasks_not_drawn)
            + len(self.objects_not_inspected)
            + len(self.published_late)
            + len(self.unpublished_overdue)
            + len(self.not_transferred)
            + len(self.not_moved_to_police)
        )


def accountability_report(department: Department, year: int, today: datetime.date) -> Report:
    return Report(
        department=department,
        year=year,
        today=today,
        tasks_not_drawn=list(tasks_not_drawn(department, year, today)),
        objects_not_inspected=objects_not_inspected(department, year, today),
        published_late=list(results_published_late(department, year, today)),
        unpublished_overdue=list(results_unpublished_overdue(department, year, today)),
        not_transferred=problems_not_transferred(department, year, today),
        not_moved_to_police=crimes_not_moved_to_police(department, year, today),
    )
