"""`manage.py check` warns from 1 November when next year's holidays are not entered (and whenever this year's are not)."""

from django.core import checks
from django.db import DatabaseError
from django.utils import timezone


@checks.register()
def calendar_years_entered(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from shuangsuiji.codes.workdays import WorkCalendar

    from .calendar import missing_years, missing_years_message
    from .models import CalendarYear

    try:
        calendar = WorkCalendar(known_years=list(CalendarYear.objects.values_list("year", flat=True)))
    except (DatabaseError, RuntimeError):  # no tables yet, or database access blocked (tests)
        return []
    years = missing_years(timezone.localdate(), calendar)
    if not years:
        return []
    return [
        checks.Warning(
            missing_years_message(years),
            hint="系统管理员：节假日 → 粘贴国务院办公厅通知全文；或 python manage.py deadline 查看暂定期限",
            id="shuangsuiji.W010",
        )
    ]
