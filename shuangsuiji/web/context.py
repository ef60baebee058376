from django.conf import settings

from shuangsuiji.accounts.scoping import (
    has_perm,
    report_departments_for,
    sees_all_departments,
    stats_departments_for,
)


def _unread(user) -> int:
    if not user.is_authenticated:
        return 0
    from shuangsuiji.inspections.models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _calendar_warning(user) -> str:
    """From 1 November, the people who enter or chase the calendar see that next year's is missing."""
    from shuangsuiji.accounts.models import Role

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


def platform(request):
    user = request.user
    return {
        "unread_notifications": _unread(user),
        "calendar_warning": _calendar_warning(user),
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "CITY_NAME": settings.CITY_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "perms_ssj": {
            "edit_entities": has_perm(user, "directory.edit_entities"),
            "edit_inspectors": has_perm(user, "directory.edit_inspectors"),
            "edit_items": has_perm(user, "directory.edit_items"),
            "edit_supervision": has_perm(user, "directory.edit_supervision"),
            "import": has_perm(user, "directory.import"),
            "export": has_perm(user, "directory.export"),
            "audit": has_perm(user, "audit.view"),
            "security": has_perm(user, "security.manage"),
            "accountability": user.is_authenticated and report_departments_for(user).exists(),
            "all_departments": sees_all_departments(user),
            "stats": user.is_authenticated and stats_departments_for(user).exists(),
        },
    }
