"""The work-bench: what each person has to do next, as named selectors (issue 15, item 1).

Each selector takes the user, starts from the department scoping of accounts/scoping.py and narrows it to the state
of the workflow (planning/states.py, draws, inspections/states.py) in which the user's role must act. `todos_for`
assembles them into entries for the home page, each with a count, the exact page to open and the first few objects;
`todo_count` is the badge in the menu.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import scoping
from shuangsuiji.accounts.models import Role
from shuangsuiji.directory.models import InspectorStatus, RegStatus
from shuangsuiji.draws.models import Draw, DrawStatus, Selection, TeamMember
from shuangsuiji.inspections import selectors as record_selectors
from shuangsuiji.inspections.models import (
    InspectionRecord,
    ProposalStatus,
    RecordStatus,
    TransferStatus,
)
from shuangsuiji.planning.models import PlanStatus, SchemeStatus

# How many objects an entry names on the work-bench before "全部 N 项".
SHOWN = 5


# --- 联席会议办公室 -------------------------------------------------------------------------------------------------


def plans_awaiting_review(user) -> QuerySet:
    """Plans reported to the joint office and not yet approved or returned."""
    if user.role != Role.OFFICE:
        return scoping.plans_for(user).none()
    return scoping.plans_for(user).filter(status=PlanStatus.SUBMITTED).order_by("updated_at", "id")


# --- 部门管理员 -----------------------------------------------------------------------------------------------------


def _own_schemes(user) -> QuerySet:
    """Schemes the user's department leads: only its administrator publishes, freezes and draws them."""
    qs = scoping.schemes_for(user)
    if user.role != Role.DEPT_ADMIN or user.department_id is None:
        return qs.none()
    return qs.filter(department_id=user.department_id)


def schemes_to_publish(user) -> QuerySet:
    return _own_schemes(user).filter(status=SchemeStatus.DRAFT).order_by("window_start", "id")


def lists_to_freeze(user) -> QuerySet:
    """Published schemes with no draw yet: the next step is to freeze the list (draws.services.draw_freeze)."""
    return (
        _own_schemes(user)
        .filter(status=SchemeStatus.PUBLISHED, draws__isnull=True)
        .order_by("window_start", "id")
    )


def _latest_draws(user) -> QuerySet:
    """The newest draw of each of the department's running schemes (one not followed by a redraw)."""
    schemes = _own_schemes(user).exclude(status=SchemeStatus.CLOSED)
    return Draw.objects.filter(scheme__in=schemes, redrawn_by__isnull=True).select_related("scheme")


def ceremonies_due(user) -> QuerySet:
    """Frozen lists waiting for the draw ceremony (draws.services.draw_perform)."""
    return (
        _latest_draws(user).filter(status__in=[DrawStatus.FROZEN, DrawStatus.DRAWING]).order_by("frozen_at")
    )


def failed_draws(user) -> QuerySet:
    """Draws that failed (no team could be formed) and were not yet redrawn."""
    return _latest_draws(user).filter(status=DrawStatus.FAILED).order_by("drawn_at")


def substitutions_pending(user, today: datetime.date | None = None) -> QuerySet:
    """Drawn objects of the department's running tasks, not yet inspected, whose object is no longer registered or
    one of whose team members can no longer inspect (off duty, certificate expired): a substitution is due."""
    today = today or timezone.localdate()
    schemes = _own_schemes(user).filter(status=SchemeStatus.DRAWN)
    unfit = TeamMember.objects.filter(selection=OuterRef("pk"), active=True).filter(
        ~Q(inspector__status=InspectorStatus.ON_DUTY) | Q(inspector__cert_expires__lt=today)
    )
    inspected = InspectionRecord.objects.filter(selection=OuterRef("pk")).exclude(status=RecordStatus.DRAFT)
    return (
        Selection.objects.filter(active=True, draw__status=DrawStatus.DRAWN, draw__scheme__in=schemes)
        .filter(~Q(object__reg_status=RegStatus.ACTIVE) | Exists(unfit))
        .exclude(Exists(inspected))
        .select_related("object", "draw")
        .order_by("draw_id", "id")
    )


def proposals_to_decide(user) -> QuerySet:
    """Listing proposals the registering department's administrator must decide (art. 15)."""
    if user.role != Role.DEPT_ADMIN or user.department_id is None:
        return scoping.proposals_for(user).none()
    return (
        scoping.proposals_for(user)
        .filter(status=ProposalStatus.PROPOSED, department_id=user.department_id)
        .order_by("due", "id")
    )


# --- 录入员 and 执法人员 ---------------------------------------------------------------------------------------------


def objects_without_record(user) -> QuerySet:
    """Drawn objects of running tasks the user's department takes part in, with no record of that department yet."""
    if user.role != Role.CLERK or user.department_id is None:
        return Selection.objects.none()
    schemes = scoping.schemes_for(user).filter(
        status=SchemeStatus.DRAWN, team_slots__has_key=user.department.code
    )
    recorded = InspectionRecord.objects.filter(
        selection=OuterRef("pk"), department_id=user.department_id
    ).exclude(status=RecordStatus.SUPERSEDED)
    return (
        Selection.objects.filter(active=True, draw__status=DrawStatus.DRAWN, draw__scheme__in=schemes)
        .exclude(Exists(recorded))
        .select_related("object", "draw__scheme")
        .order_by("draw_id", "id")
    )


def visits_to_record(user) -> QuerySet:
    """执法人员: the visits the inspector is drawn for whose record of the own department is not yet submitted."""
    done = InspectionRecord.objects.filter(
        selection=OuterRef("pk"), department_id=user.department_id
    ).exclude(status__in=(RecordStatus.DRAFT, RecordStatus.RETURNED))
    return scoping.visit_selections_for(user).exclude(Exists(done)).order_by("draw__scheme__window_end", "id")


def _own_records(user, roles) -> QuerySet:
    qs = scoping.records_for(user)
    if user.role not in roles or user.department_id is None:
        return qs.none()
    return qs.filter(department_id=user.department_id)


def drafts(user) -> QuerySet:
    return _own_records(user, {Role.CLERK}).filter(status=RecordStatus.DRAFT).order_by("updated_at", "id")


def returned_records(user) -> QuerySet:
    return _own_records(user, {Role.CLERK}).filter(status=RecordStatus.RETURNED).order_by("updated_at", "id")


# --- 审核员 ---------------------------------------------------------------------------------------------------------


def records_awaiting_review(user) -> QuerySet:
    return (
        _own_records(user, {Role.REVIEWER}).filter(status=RecordStatus.SUBMITTED).order_by("deadline", "id")
    )


def records_due_soon(user, today: datetime.date | None = None) -> QuerySet:
    """Submitted records whose publication deadline falls within 5 working days."""
    return record_selectors.due_soon(_own_records(user, {Role.REVIEWER}), today)


def records_overdue(user, today: datetime.date | None = None) -> QuerySet:
    return record_selectors.overdue(_own_records(user, {Role.REVIEWER}), today)


# --- everyone -------------------------------------------------------------------------------------------------------


def transfers_to_receive(user) -> QuerySet:
    """Transfers sent to the user's department and not yet received; for the sending department's clerks, those sent
    to a police station or case unit outside the platform, whose receipt they record."""
    qs = scoping.transfers_for(user)
    if user.department_id is None:
        return qs.none()
    outside = Q(to_department__isnull=True, record__department_id=user.department_id)
    mine = Q(to_department_id=user.department_id)
    if user.role in (Role.CLERK, Role.DEPT_ADMIN):
        mine |= outside
    return qs.filter(mine, status=TransferStatus.SENT).order_by("sent_at", "id")


# --- who has which --------------------------------------------------------------------------------------------------

Selector = Callable[[Any], QuerySet]

# The to-dos a role can have. Every other selector answers an empty queryset for that role (each checks the role
# itself; tests/web/test_workbench.py holds this table to that), so the badge on every page and the work-bench build
# only these: building all thirteen querysets on every page was about a sixth of a statistics page's Python time
# (profiled at 1 M results).
ROLE_TODOS: dict[str, tuple[Selector, ...]] = {
    Role.OFFICE: (plans_awaiting_review, transfers_to_receive),
    Role.DEPT_ADMIN: (
        schemes_to_publish,
        lists_to_freeze,
        ceremonies_due,
        failed_draws,
        substitutions_pending,
        proposals_to_decide,
        transfers_to_receive,
    ),
    Role.CLERK: (objects_without_record, drafts, returned_records, transfers_to_receive),
    Role.REVIEWER: (records_awaiting_review, records_due_soon, records_overdue, transfers_to_receive),
    Role.INSPECTOR: (visits_to_record,),
}


# --- the work-bench -------------------------------------------------------------------------------------------------


@dataclass
class Todo:
    label: str
    count: int
    url: str
    items: list[tuple[str, str]] = field(default_factory=list)


def _entry(label: str, qs: QuerySet, url: str, item) -> Todo | None:
    count = qs.count()
    if not count:
        return None
    return Todo(label=label, count=count, url=url, items=[item(o) for o in qs[:SHOWN]])


def _draw_url(draw_id: int) -> str:
    return reverse("draw_detail", args=[draw_id])


def _record(rec) -> tuple[str, str]:
    text = rec.object.name + (f"（公示期限 {rec.deadline_label}）" if rec.deadline else "")
    return text, reverse("record_detail", args=[rec.pk])


def _plan(p) -> tuple[str, str]:
    return f"{p.year} 年 {p.title}（{p.department.short_name}）", reverse("plan_detail", args=[p.pk])


def _scheme(s) -> tuple[str, str]:
    return s.name, reverse("scheme_detail", args=[s.pk])


def _entries() -> list[tuple[str, Selector, str, Callable[[Any], tuple[str, str]]]]:
    """(label, selector, page, how to name one object) for every to-do, in the order of the cycle."""
    record_list = reverse("record_list")
    return [
        (
            "待审核的年度抽查计划",
            plans_awaiting_review,
            f"{reverse('plan_list')}?status=submitted",
            _plan,
        ),
        ("待公示的工作方案", schemes_to_publish, f"{reverse('scheme_list')}?status=draft", _scheme),
        (
            "待冻结名单的工作方案",
            lists_to_freeze,
            f"{reverse('scheme_list')}?status=published",
            _scheme,
        ),
        (
            "待举行抽取仪式",
            ceremonies_due,
            f"{reverse('scheme_list')}?status=frozen",
            lambda d: (d.scheme.name, reverse("draw_ceremony", args=[d.pk])),
        ),
        (
            "抽取失败、待重新抽取",
            failed_draws,
            f"{reverse('scheme_list')}?status=frozen",
            lambda d: (f"{d.scheme.name}：{d.failure}", _draw_url(d.pk)),
        ),
        (
            "待替换的抽中对象或检查人员",
            substitutions_pending,
            f"{reverse('scheme_list')}?status=drawn",
            lambda s: (s.object.name, _draw_url(s.draw_id)),
        ),
        (
            "待决定的列入经营异常名录建议",
            proposals_to_decide,
            reverse("proposal_list"),
            lambda p: (f"{p.object.name}：{p.reason}（决定期限 {p.due_label}）", reverse("proposal_list")),
        ),
        (
            "已抽中、尚未录入检查结果的对象",
            objects_without_record,
            f"{reverse('scheme_list')}?status=drawn",
            lambda s: (f"{s.object.name}（{s.draw.scheme.name}）", _draw_url(s.draw_id)),
        ),
        (
            "待录入的检查（我的检查）",
            visits_to_record,
            reverse("my_visits"),
            lambda s: (f"{s.object.name}（{s.draw.scheme.name}）", reverse("my_visit", args=[s.pk])),
        ),
        ("暂存未提交的检查记录", drafts, f"{record_list}?status=draft", _record),
        ("被退回修改的检查记录", returned_records, f"{record_list}?status=returned", _record),
        ("待审核的检查结果", records_awaiting_review, reverse("review_queue"), _record),
        ("5 个工作日内到期未公示", records_due_soon, f"{record_list}?tab=due", _record),
        ("已逾期未公示", records_overdue, f"{record_list}?tab=overdue", _record),
        (
            "待接收的后续处置移交",
            transfers_to_receive,
            f"{reverse('transfer_list')}?status=sent",
            lambda t: (
                f"{t.record.object.name}（{t.record.department.short_name}移交）",
                reverse("transfer_detail", args=[t.pk]),
            ),
        ),
    ]


def todos_for(user) -> list[Todo]:
    """The user's to-do entries, in the order of the cycle; empty ones left out."""
    if not user.is_authenticated:
        return []
    mine = ROLE_TODOS.get(user.role, ())
    return [
        e
        for label, selector, url, item in _entries()
        if selector in mine and (e := _entry(label, selector(user), url, item)) is not None
    ]


def todo_count(user) -> int:
    """The badge: how many things wait for the user. Overlapping entries (due soon ⊂ awaiting review) count once."""
    if not user.is_authenticated:
        return 0
    # due soon and overdue are part of those awaiting review: the badge counts them once
    return sum(
        selector(user).count()
        for selector in ROLE_TODOS.get(user.role, ())
        if selector not in (records_due_soon, records_overdue)
    )
