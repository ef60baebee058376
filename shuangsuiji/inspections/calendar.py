"""The working-day calendar in force: the maintained package's holidays plus administrators' entries.

A deadline that needs a year nobody has entered yet is provisional (``Deadline.pending_year``): work goes on, the
deadline is marked 暂定 everywhere it appears, and it is recomputed when the year is entered
(``services.calendar_year_declare``).
"""

import datetime

from shuangsuiji.codes.errors import UnknownCalendarYear
from shuangsuiji.codes.workdays import Deadline, WorkCalendar

from .models import CalendarDay, CalendarYear

PUBLICATION_DAYS = 20  # 企业信息公示暂行条例 art. 6; measures art. 14
LISTING_DECISION_DAYS = 10
REMINDER_DAYS = 5
# From this day of the year on, a missing calendar for next year is announced to those who can enter it.
WARN_FROM = (11, 1)


def work_calendar() -> WorkCalendar:
    return WorkCalendar(
        dict(CalendarDay.objects.values_list("date", "is_workday")),
        known_years=CalendarYear.objects.values_list("year", flat=True),
    )


def deadline_after(
    start: datetime.date, days: int = PUBLICATION_DAYS, *, calendar: WorkCalendar | None = None
) -> Deadline:
    """`days` working days after `start`, the start day not counted; provisional where a year is not entered."""
    return (calendar or work_calendar()).deadline(start, days)


def missing_years(today: datetime.date, calendar: WorkCalendar | None = None) -> list[int]:
    """The years someone must enter now: this year if unknown, and next year from 1 November if unknown."""
    calendar = calendar or work_calendar()
    years = [today.year] if not calendar.knows_year(today.year) else []
    if (today.month, today.day) >= WARN_FROM and not calendar.knows_year(today.year + 1):
        years.append(today.year + 1)
    return years


def missing_years_message(years: list[int]) -> str:
    joined = "、".join(str(y) for y in years)
    return (
        f"尚未录入 {joined} 年的节假日安排：涉及该年的期限按法定节假日暂定计算（标“暂定”）。"
        f"国务院办公厅通知发布后，请系统管理员在“节假日”页面粘贴通知全文录入，暂定期限将自动重算。"
    )


__all__ = [
    "Deadline",
    "UnknownCalendarYear",
    "deadline_after",
    "missing_years",
    "missing_years_message",
    "work_calendar",
]
