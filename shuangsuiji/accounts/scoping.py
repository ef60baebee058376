"""Who sees and changes what: the one place that decides it.

Every page and API endpoint fetches department-owned records through these selectors, so a record of another
department is simply not found (404) — never hidden by a missing button. Services call the `ensure_*` checks again
before writing, so a forged POST is refused too.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .models import Role

# Which roles may perform which directory action within their own department.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    "directory.edit_inspectors": {Role.DEPT_ADMIN},
    "directory.edit_items": {Role.DEPT_ADMIN},
    "directory.edit_supervision": {Role.DEPT_ADMIN, Role.CLERK},
    "directory.edit_entities": {Role.DEPT_ADMIN, Role.CLERK},  # only in the registering department, see below
    "directory.import": {Role.DEPT_ADMIN, Role.CLERK},
    # Registration-change and risk-class files from outside (directory/syncing.py): the joint office applies them.
    "directory.sync": {Role.OFFICE},
    "directory.export": {Role.OFFICE, Role.DEPT_ADMIN, Role.CLERK, Role.REVIEWER},
    # 三员分立: the auditor alone reads the audit trail; the security administrator alone unlocks accounts and
    # resets second factors; the system administrator runs the system (Django admin) but reads no audit.
    "audit.view": {Role.AUDITOR},
    "accounts.manage": {Role.SYSADMIN},
    "security.manage": {Role.SECURITY_ADMIN},
    # The delivery to the provincial platform (issue 13): its page and resends.
    "outbox.manage": {Role.OFFICE, Role.SYSADMIN},
}


def is_inspector(user) -> bool:
    """An inspector's own account (role 执法人员): it sees only the visits it is drawn for, nothing department-wide."""
    return user.is_authenticated and user.role == Role.INSPECTOR


def visit_selections_for(user) -> QuerySet:
    """The drawn objects (visits) an inspector's account is drawn for: an active team place of the linked inspector
    in an active selection of a drawn draw. Empty for every other role (they reach visits through the draw pages)."""
    from shuangsuiji.draws.models import DrawStatus, Selection

    qs = Selection.objects.select_related("draw__scheme", "draw__scheme__department", "object")
    if not is_inspector(user) or not user.is_active or user.inspector_id is None:
        return qs.none()
    return qs.filter(
        active=True,
        draw__status=DrawStatus.DRAWN,
        team__inspector_id=user.inspector_id,
        team__active=True,
    ).distinct()


def ensure_drawn_for(user, selection_id: int) -> None:
    """Services call this before an inspector writes on a visit: only a visit the inspector is drawn for."""
    if is_inspector(user) and not visit_selections_for(user).filter(pk=selection_id).exists():
        raise PermissionDenied("只能录入本人被抽中参加的检查")


def sees_all_departments(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.role in (Role.OFFICE, Role.SYSADMIN, Role.SYSTEM)
    )


def has_perm(user, perm: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.SYSTEM:
        return True
    if perm == "directory.edit_entities":
        # The city-wide base data of market entities is kept by the registering department (市场监管局).
        dept = user.department
        return (
            user.role in ROLE_PERMISSIONS[perm] and dept is not None and dept.maintains_entity_registry
        ) or user.role == Role.OFFICE
    return user.role in ROLE_PERMISSIONS.get(perm, set())


def reads_record_history(user) -> bool:
    """Whether `user` may see the audit events of records it can see (the record page's history, the evidence pack).

    三员分立: the system and security administrators read no audit events at all; the auditor reads them all; an
    official reads those of the records its own scoping already shows.
    """
    return user.is_authenticated and user.role not in (Role.SYSADMIN, Role.SECURITY_ADMIN)


def ensure_perm(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied("您没有执行此操作的权限")


def ensure_own_department(user, department_id: int | None) -> None:
    """Department-owned writes: only the owning department's users may change the record."""
    if user.role == Role.SYSTEM:
        return
    if department_id is None or user.department_id != department_id:
        raise PermissionDenied("只能修改本部门的数据")


def scope_to_department(user, qs: QuerySet, field: str = "department") -> QuerySet:
    """Restrict `qs` to what `user` may see: everything for the office/administrators, else own department."""
    if not user.is_authenticated or is_inspector(user):
        return qs.none()
    if sees_all_departments(user):
        return qs
    if user.department_id is None:
        return qs.none()
    return qs.filter(**{f"{field}__id": user.department_id})


def inspectors_for(user) -> QuerySet:
    from shuangsuiji.directory.models import Inspector

    return scope_to_department(user, Inspector.objects.select_related("department", "region"))


def items_for(user) -> QuerySet:
    from shuangsuiji.directory.models import CheckItem

    return scope_to_department(user, CheckItem.objects.select_related("department"))


def objects_for(user) -> QuerySet:
    """The object directory is city-wide: every signed-in official sees it (its risk class is never public)."""
    from shuangsuiji.directory.models import InspectionObject

    if not user.is_authenticated or is_inspector(user):
        return InspectionObject.objects.none()
    return InspectionObject.objects.select_related("region", "risk_class")


def conflicts_for(user) -> QuerySet:
    from shuangsuiji.directory.models import Conflict

    return scope_to_department(
        user, Conflict.objects.select_related("inspector", "object"), "inspector__department"
    )


def audit_events_for(user) -> QuerySet:
    from shuangsuiji.audit.models import AuditEvent

    if not has_perm(user, "audit.view"):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("department")


def plans_for(user) -> QuerySet:
    """Plans a user may see: own department's (as lead or participant); the office sees all."""
    from django.db.models import Q

    from shuangsuiji.planning.models import AnnualPlan

    qs = AnnualPlan.objects.select_related("department")
    if not user.is_authenticated or is_inspector(user):
        return qs.none()
    if sees_all_departments(user):
        return qs
    if user.department_id is None:  # Q(x=None) would mean "x IS NULL": a user of no department sees none
        return qs.none()
    return qs.filter(Q(department_id=user.department_id) | Q(participants=user.department_id)).distinct()


def schemes_for(user) -> QuerySet:
    """Schemes a user may see: led by, or with team slots for, the user's department; the office sees all."""
    from django.db.models import Q

    from shuangsuiji.planning.models import TaskScheme

    qs = TaskScheme.objects.select_related("department")
    if not user.is_authenticated or is_inspector(user):
        return qs.none()
    if sees_all_departments(user):
        return qs
    if user.department_id is None:
        return qs.none()
    code = user.department.code
    participating = [
        pk for pk, slots in TaskScheme.objects.values_list("pk", "team_slots") if code in (slots or {})
    ]
    return qs.filter(Q(department_id=user.department_id) | Q(pk__in=participating))


# draw.read_sealed: the full files of a sealed draw (DRAW-v1.1), which tie each object to its stratum and so to its
# credit-risk class. The lead department's administrator (who ran the draw), the joint office and the auditor.
SEALED_READERS = {Role.OFFICE, Role.AUDITOR, Role.SYSTEM}


def can_read_sealed(user, draw) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.role in SEALED_READERS:
        return True
    return user.role == Role.DEPT_ADMIN and user.department_id == draw.scheme.department_id


def sealed_draws_for(user) -> QuerySet:
    """Draws whose full files the user may read."""
    from shuangsuiji.draws.models import Draw

    qs = Draw.objects.select_related("scheme", "scheme__department")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser or user.role in SEALED_READERS:
        return qs
    if user.role == Role.DEPT_ADMIN:
        return qs.filter(scheme__department_id=user.department_id)
    return qs.none()


def sees_strata(user, draw) -> bool:
    """Whether pages and API show a draw's strata, ranks and priorities: always for an open draw."""
    return not (draw.sealed or draw.public_withdrawn) or can_read_sealed(user, draw)


def draws_for(user) -> QuerySet:
    from shuangsuiji.draws.models import Draw

    return Draw.objects.filter(scheme__in=schemes_for(user)).select_related("scheme", "scheme__department")


def sees_whole_team(user, scheme) -> bool:
    """The lead department sees the whole joint team; a participating department sees its own members."""
    return sees_all_departments(user) or user.department_id == scheme.department_id


def team_members_visible(user, scheme, members):
    if sees_whole_team(user, scheme):
        return list(members)
    return [m for m in members if m.department_id == user.department_id]


# A substitution's internal note (issue 17, item 9) may name a person's circumstances: the lead department that made
# the substitution, the department of the replaced inspector, the joint office and the auditor read it; the public,
# the other participating departments and the system and security administrators see only the public reason.
NOTE_ROLES = {Role.DEPT_ADMIN, Role.CLERK, Role.REVIEWER}


def sees_substitution_note(user, substitution) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.role in (Role.OFFICE, Role.AUDITOR, Role.SYSTEM):
        return True
    if user.role not in NOTE_ROLES or user.department_id is None:
        return False
    if user.department_id == substitution.draw.scheme.department_id:
        return True
    return bool(substitution.old_member_id) and substitution.old_member.department_id == user.department_id


def records_for(user) -> QuerySet:
    """Inspection records of the user's department (谁检查谁录入); the office sees all; an inspector's account sees
    its own department's records of the visits it is drawn for."""
    from shuangsuiji.inspections.models import InspectionRecord

    qs = InspectionRecord.objects.select_related("object", "department")
    if is_inspector(user):
        return qs.filter(
            department_id=user.department_id, selection__in=visit_selections_for(user).values("pk")
        )
    return scope_to_department(user, qs)


def register_selections_for(user, draw, selections: QuerySet) -> QuerySet:
    """The rows of a draw's 登记表 (the papers) a user may print: all of a draw it sees; an inspector those of its
    own visits."""
    if is_inspector(user):
        return selections.filter(pk__in=visit_selections_for(user).filter(draw=draw).values("pk"))
    return selections


def register_draws_for(user) -> QuerySet:
    """Draws whose papers a user may print: those it sees, and for an inspector the draws of its visits."""
    from shuangsuiji.draws.models import Draw

    if is_inspector(user):
        return Draw.objects.filter(pk__in=visit_selections_for(user).values("draw_id")).select_related(
            "scheme", "scheme__department"
        )
    return draws_for(user)


def paper_selections_for(user, draw, numbered: list) -> list:
    """The (number, selection) pairs of a draw whose papers (检查通知书, 检查记录表) `user` prints: all of a draw it
    sees; for an inspector only the visits its own team place is on — never another team's object of the same draw."""
    if not is_inspector(user):
        return numbered
    own = set(visit_selections_for(user).filter(draw=draw).values_list("pk", flat=True))
    return [(n, s) for n, s in numbered if s.pk in own]


def paper_member_for(user, member: int | None, choices: dict) -> tuple[int | None, dict]:
    """The team member whose batch `user` prints and the members it may choose: an inspector only its own."""
    if not is_inspector(user):
        return (member if member in choices else None), choices
    own = {k: v for k, v in choices.items() if k == user.inspector_id}
    return (user.inspector_id if own else None), own


def inspector_accounts_department(user):
    """The department whose inspectors' accounts `user` creates: its own, for a department administrator."""
    if user.is_authenticated and user.is_active and user.role == Role.DEPT_ADMIN and user.department_id:
        return user.department
    return None


def inspector_accounts_for(user) -> QuerySet:
    """The inspector accounts (role 执法人员) whose one-time password `user` may reissue: its own department's, for a
    department administrator; none for anybody else (another department's account is simply not found)."""
    from .models import User

    department = inspector_accounts_department(user)
    if department is None:
        return User.objects.none()
    return User.objects.filter(role=Role.INSPECTOR, department_id=department.pk)


def transfers_for(user) -> QuerySet:
    """Transfers the user's department sent or received."""
    from django.db.models import Q

    from shuangsuiji.inspections.models import Transfer

    qs = Transfer.objects.select_related("record__object", "record__department", "to_department")
    if not user.is_authenticated or is_inspector(user):
        return qs.none()
    if sees_all_departments(user):
        return qs
    if user.department_id is None:  # Q(x=None) would mean "x IS NULL": a user of no department sees none
        return qs.none()
    return qs.filter(Q(record__department_id=user.department_id) | Q(to_department_id=user.department_id))


def proposals_for(user) -> QuerySet:
    """Listing proposals: the deciding (registering) department's and those raised by the user's department."""
    from django.db.models import Q

    from shuangsuiji.inspections.models import ListingProposal

    qs = ListingProposal.objects.select_related("object", "record__department")
    if not user.is_authenticated or is_inspector(user):
        return qs.none()
    if sees_all_departments(user):
        return qs
    if user.department_id is None:  # Q(x=None) would mean "x IS NULL": a user of no department sees none
        return qs.none()
    return qs.filter(Q(department_id=user.department_id) | Q(record__department_id=user.department_id))


def report_departments_for(user) -> QuerySet:
    """Departments whose accountability report (art. 20) `user` may read: all for the office and administrators,
    the own department for a department administrator; nobody else."""
    from shuangsuiji.org.models import Department

    qs = Department.objects.filter(active=True).order_by("sort", "id")
    if not user.is_authenticated or is_inspector(user):
        return qs.none()
    if sees_all_departments(user):
        return qs
    if user.role == Role.DEPT_ADMIN and user.department_id:
        return qs.filter(pk=user.department_id)
    return qs.none()


def stats_departments_for(user) -> QuerySet:
    """Departments whose statistics (/stats/, its export and /api/v1/stats) `user` reads: every department for the
    office, the auditor and the administrators who see all departments; the own department for its officials; none
    for the security administrator or a user of no department."""
    from shuangsuiji.org.models import Department

    qs = Department.objects.filter(active=True).order_by("sort", "id")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if sees_all_departments(user) or user.role == Role.AUDITOR:
        return qs
    if user.department_id and user.role in (Role.DEPT_ADMIN, Role.CLERK, Role.REVIEWER):
        return qs.filter(pk=user.department_id)
    return qs.none()


def sees_city_statistics(user) -> bool:
    """The city's totals: for those who read every department's statistics."""
    return user.is_authenticated and (sees_all_departments(user) or user.role == Role.AUDITOR)
