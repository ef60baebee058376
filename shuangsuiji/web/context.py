from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scoping import (
    has_perm,
    inspector_accounts_department,
    is_inspector,
    report_departments_for,
    sees_all_departments,
    stats_departments_for,
)

# 三员分立: the security administrator and the auditor get no business menu (directories, plans, draws, records), only
# their own tools; the pages themselves stay governed by the scoping selectors.
BUSINESS_BLIND_ROLES = {Role.SECURITY_ADMIN, Role.AUDITOR, Role.INSPECTOR}


def _unread(user) -> int:
    if not user.is_authenticated:
        return 0
    from shuangsuiji.inspections.models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _calendar_warning(user) -> str:
    """From 1 November, the people who enter or chase the calendar see that next year's is missing."""
    if not user.is_authenticated or user.role not in (Role.SYSADMIN, Role.OFFICE):
        return ""
    from django.utils import timezone

    from shuangsuiji.codes.workdays import WorkCalendar
    from shuangsuiji.inspections.calendar import missing_years, missing_years_message
    from shuangsuiji.inspections.models import CalendarYear

    # Only which years are declared matters here: no need to load the day entries on every page.
    calendar = WorkCalendar(known_years=CalendarYear.objects.values_list("year", flat=True))
    years = missing_years(timezone.localdate(), calendar)
    return missing_years_message(years) if years else ""


def _otp_pending(request, user) -> bool:
    """An administrator signed in with the password but not yet the second factor sees no menu (issue 15, item 12)."""
    from shuangsuiji.accounts.security import needs_totp

    return user.is_authenticated and needs_totp(user) and not request.session.get("otp_ok")


def _todo_badge(user) -> int:
    from .todo import todo_count

    return todo_count(user)


def _help_url(request) -> str:
    """The "帮助" link: the manual's section about the page being shown (shuangsuiji/web/help.py)."""
    from .help import help_url

    match = getattr(request, "resolver_match", None)
    return help_url(match.view_name if match else None)


def platform(request):
    # A request refused before the authentication middleware (a bad Host header → 400) has no user.
    user = getattr(request, "user", None) or AnonymousUser()
    otp_pending = _otp_pending(request, user)
    return {
        "otp_pending": otp_pending,
        "business_menu": user.is_authenticated and user.role not in BUSINESS_BLIND_ROLES,
        "todo_badge": 0 if otp_pending else _todo_badge(user),
        "unread_notifications": _unread(user),
        "calendar_warning": _calendar_warning(user),
        "help_url": _help_url(request),
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "CITY_NAME": settings.CITY_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "perms_ssj": {
            "edit_entities": has_perm(user, "directory.edit_entities"),
            "edit_inspectors": has_perm(user, "directory.edit_inspectors"),
            "edit_items": has_perm(user, "directory.edit_items"),
            "edit_supervision": has_perm(user, "directory.edit_supervision"),
            "import": has_perm(user, "directory.import"),
            "sync": has_perm(user, "directory.sync"),
            "export": has_perm(user, "directory.export"),
            "audit": has_perm(user, "audit.view"),
            "my_visits": is_inspector(user),
            "inspector_accounts": inspector_accounts_department(user) is not None,
            "security": has_perm(user, "security.manage"),
            "accountability": user.is_authenticated and report_departments_for(user).exists(),
            "all_departments": sees_all_departments(user),
            "stats": user.is_authenticated and stats_departments_for(user).exists(),
            "outbox": has_perm(user, "outbox.manage"),
        },
    }
