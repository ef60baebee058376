"""Working-day arithmetic for legal deadlines (e.g. publishing a result within 20 working days).

Periods are counted from the day after the start (民法典 art. 201). Make-up working days (调休 Saturdays and
Sundays) are working days. Holidays come from the State Council's yearly notice; the bundled ``chinese_calendar``
knows a fixed range of years, and an administrator can add overrides and declare further years.

A year nobody has declared yet does not stop the work: ``WorkCalendar.deadline`` answers on a provisional calendar
(Monday to Friday minus the statutory holidays, ``holidays.provisional_holidays``) and says which years it guessed,
so the caller can mark the deadline 暂定 and recompute it once the year is entered. The strict methods
(``is_working_day``, ``add_working_days``) still refuse an unknown year, for callers that must not guess.
"""

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

import chinese_calendar  # type: ignore[import-untyped]
from chinese_calendar import constants as _cc_constants

from .errors import UnknownCalendarYear, WorkdayError
from .holidays import check_year, provisional_holidays

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """The last day of a period, and the years whose holidays were guessed to find it (empty: final)."""

    day: date
    provisional_years: frozenset[int] = frozenset()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def pending_year(self) -> int | None:
        """The first year whose holidays must still be entered before this deadline is final."""
        return min(self.provisional_years) if self.provisional_years else None


def _chinese_calendar_years() -> frozenset[int]:
    # chinese_calendar itself derives its supported range from the holidays it lists.
    years = [d.year for d in _cc_constants.holidays]
    return frozenset(range(min(years), max(years) + 1))


class WorkCalendar:
    """Which days are working days, for the years it knows.

    ``base``        a function date → bool (True = working day); default ``chinese_calendar.is_workday``.
    ``base_years``  the years ``base`` knows; default: the years chinese_calendar has data for (2004–2026 in
                    version 1.11.0) when ``base`` is the default, otherwise every year except those for which
                    ``base`` raises NotImplementedError.
    ``overrides``   administrator entries, date → True (working day, e.g. 调休) or False (holiday); they win over
                    ``base``.
    ``known_years`` years whose holidays and make-up days have all been entered as ``overrides``; where ``base``
                    does not know such a year, a day without an override is a working day if and only if it is
                    Monday to Friday.
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        *,
        known_years: Iterable[int] = (),
        base: Callable[[date], bool] | None = None,
        base_years: Iterable[int] | None = None,
    ) -> None:
        if base is None:
            base = chinese_calendar.is_workday
            if base_years is None:
                base_years = _chinese_calendar_years()
        self._base = base
        self._base_years = None if base_years is None else frozenset(base_years)
        self._declared_years = frozenset(known_years)
        self._overrides = MappingProxyType(dict(overrides or {}))

    @property
    def overrides(self) -> Mapping[date, bool]:
        return self._overrides

    def knows_year(self, year: int) -> bool:
        """Whether the calendar can tell working days from holidays in ``year``."""
        if year in self._declared_years:
            return True
        if self._base_years is not None:
            return year in self._base_years
        try:
            self._base(date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    @property
    def known_years(self) -> frozenset[int] | None:
        """The years the calendar knows, or None if the base claims to know every year it does not refuse."""
        if self._base_years is None:
            return None
        return self._base_years | self._declared_years

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day; raises UnknownCalendarYear for a year the calendar does not know."""
        if day in self._overrides:
            return self._overrides[day]
        if self._base_years is None or day.year in self._base_years:
            try:
                return bool(self._base(day))
            except NotImplementedError:
                pass
        if day.year in self._declared_years:
            return day.weekday() < 5
        raise UnknownCalendarYear(day.year)

    def day_kind(self, day: date) -> tuple[bool, bool]:
        """(is a working day, was guessed): never raises for a year in 1900–2200 the calendar does not know."""
        try:
            return self.is_working_day(day), False
        except UnknownCalendarYear:
            check_year(day.year)
            return day.weekday() < 5 and day not in _provisional(day.year), True

    def deadline(self, start: date, n: int) -> Deadline:
        """Like ``add_working_days``, but a year nobody has declared is counted on the provisional calendar."""
        if n < 0:
            raise WorkdayError(f"工作日天数不能为负数，实为 {n}")
        check_year(start.year)
        day = start
        remaining = n
        guessed: set[int] = set()
        while remaining:
            day += _ONE_DAY
            working, provisional = self.day_kind(day)
            if provisional:
                guessed.add(day.year)
            if working:
                remaining -= 1
        return Deadline(day, frozenset(guessed))

    def add_working_days(self, start: date, n: int) -> date:
        """The day on which a period of ``n`` working days starting on ``start`` ends.

        ``start`` itself is not counted: the first day that can count is ``start`` + 1. ``n`` = 0 gives ``start``.
        """
        if n < 0:
            raise WorkdayError(f"工作日天数不能为负数，实为 {n}")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days in (a, b]; negative (−count in (b, a]) when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def remaining_working_days(self, today: date, deadline: date) -> int:
        """Working days left after ``today`` up to and including ``deadline``.

        0 means no working day is left (the deadline is today); a negative number is how many working days have
        passed since the deadline.
        """
        return self.working_days_between(today, deadline)


@functools.cache
def _provisional(year: int) -> frozenset[date]:
    return frozenset(provisional_holidays(year))


@functools.cache
def default_calendar() -> WorkCalendar:
    """A calendar from chinese_calendar alone, without administrator overrides."""
    return WorkCalendar()


def is_working_day(day: date, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or default_calendar()).is_working_day(day)


def add_working_days(start: date, n: int, calendar: WorkCalendar | None = None) -> date:
    return (calendar or default_calendar()).add_working_days(start, n)


def working_days_between(a: date, b: date, calendar: WorkCalendar | None = None) -> int:
    return (calendar or default_calendar()).working_days_between(a, b)


def remaining_working_days(today: date, deadline: date, calendar: WorkCalendar | None = None) -> int:
    return (calendar or default_calendar()).remaining_working_days(today, deadline)
