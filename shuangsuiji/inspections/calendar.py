"""The working-day calendar in force: the maintained package's holidays plus administrators' entries."""

import datetime

from shuangsuiji.codes.errors import UnknownCalendarYear
from shuangsuiji.codes.workdays import WorkCalendar

from .models import CalendarDay, CalendarYear

PUBLICATION_DAYS = 20  # 企业信息公示暂行条例 art. 6; measures art. 14
LISTING_DECISION_DAYS = 10
REMINDER_DAYS = 5


def work_calendar() -> WorkCalendar:
    return WorkCalendar(
        dict(CalendarDay.objects.values_list("date", "is_workday")),
        known_years=CalendarYear.objects.values_list("year", flat=True),
    )


def deadline_after(start: datetime.date, days: int = PUBLICATION_DAYS) -> datetime.date:
    """`days` working days after `start`, the start day not counted. Raises UnknownCalendarYear."""
    return work_calendar().add_working_days(start, days)


__all__ = ["UnknownCalendarYear", "deadline_after", "work_calendar"]
