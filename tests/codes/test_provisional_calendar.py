"""A year nobody has declared yet: the statutory holidays by rule, a provisional deadline that says what it guessed."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.codes import (
    FESTIVALS,
    Deadline,
    WorkCalendar,
    WorkdayError,
    festival_days,
    provisional_holidays,
)


def test_the_statutory_days_of_2027_are_the_lunar_and_solar_dates_of_the_law() -> None:
    days = festival_days(2027)
    assert days["元旦"] == [date(2027, 1, 1)]
    # 农历除夕 2027 is Fri 5 Feb, 正月初一 Sat 6 Feb: 除夕 and 初一–初三 since the 2024 revision.
    assert days["春节"] == [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert days["清明节"] == [date(2027, 4, 5)]
    assert days["劳动节"] == [date(2027, 5, 1), date(2027, 5, 2)]
    assert days["端午节"] == [date(2027, 6, 9)]
    assert days["中秋节"] == [date(2027, 9, 15)]
    assert days["国庆节"] == [date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)]
    assert tuple(days) == FESTIVALS


def test_weekend_statutory_days_are_given_back_on_the_next_free_weekday() -> None:
    holidays = provisional_holidays(2027)
    # 春节: Fri 5 Feb off; Sat 6, Sun 7 carried to Tue 9, Wed 10 (Mon 8 is 初三 itself).
    assert [d for d, n in holidays.items() if n == "春节"] == [
        date(2027, 2, 5),
        date(2027, 2, 8),
        date(2027, 2, 9),
        date(2027, 2, 10),
    ]
    # 劳动节 Sat 1, Sun 2 May → Mon 3, Tue 4 May.
    assert [d for d, n in holidays.items() if n == "劳动节"] == [date(2027, 5, 3), date(2027, 5, 4)]
    assert all(d.weekday() < 5 for d in holidays)
    assert len(holidays) == 13


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_provisional_calendar_gives_most_deadlines_of_an_announced_year_exactly(year: int) -> None:
    # Measured against the State Council's 2025 and 2026 schedules (ADR 0009): the make-up Saturdays cannot be
    # guessed, so some deadlines differ by a few days; most are exact.
    guessing = WorkCalendar(base=lambda d: True, base_years=())
    exact = total = 0
    day = date(year, 1, 1)
    while day < date(year, 12, 1):
        real = WorkCalendar().add_working_days(day, 20)
        provisional = guessing.deadline(day, 20)
        assert provisional.provisional_years == {year}
        assert abs((provisional.day - real).days) <= 7
        exact += provisional.day == real
        total += 1
        day += timedelta(days=1)
    assert exact / total > 0.75


def test_a_deadline_into_an_undeclared_year_is_provisional_and_names_the_year() -> None:
    deadline = WorkCalendar().deadline(date(2026, 12, 10), 20)
    # Dec 11 1; Dec 14–18 2–6; 21–25 7–11; 28–31 12–15; Jan 1 元旦; Jan 4–8 16–20.
    assert deadline == Deadline(date(2027, 1, 8), frozenset({2027}))
    assert deadline.provisional
    assert deadline.pending_year == 2027


def test_a_deadline_within_known_years_is_final() -> None:
    deadline = WorkCalendar().deadline(date(2026, 2, 10), 20)
    assert deadline == Deadline(date(2026, 3, 16))
    assert not deadline.provisional
    assert deadline.pending_year is None


def test_a_declared_year_makes_the_deadline_final() -> None:
    calendar = WorkCalendar({date(2027, 1, 1): False}, known_years=[2027])
    assert calendar.deadline(date(2026, 12, 10), 20) == Deadline(date(2027, 1, 8))


def test_a_deadline_across_two_undeclared_years_names_the_first() -> None:
    deadline = WorkCalendar().deadline(date(2027, 12, 20), 20)
    assert deadline.provisional_years == {2027, 2028}
    assert deadline.pending_year == 2027


def test_a_far_year_is_computed_and_a_year_beyond_2200_is_refused() -> None:
    assert WorkCalendar().deadline(date(2199, 6, 1), 20).provisional_years == {2199}
    with pytest.raises(WorkdayError, match="超出可计算的范围"):
        WorkCalendar().deadline(date(2200, 12, 31), 20)
    with pytest.raises(WorkdayError, match="超出可计算的范围"):
        festival_days(1899)


@given(st.dates(date(2020, 1, 1), date(2040, 12, 31)), st.integers(0, 40))
def test_a_provisional_period_of_n_working_days_holds_n_provisional_working_days(start: date, n: int) -> None:
    calendar = WorkCalendar()
    deadline = calendar.deadline(start, n)
    day, count = start, 0
    while day < deadline.day:
        day += timedelta(days=1)
        count += calendar.day_kind(day)[0]
    assert count == n
    assert n == 0 or calendar.day_kind(deadline.day)[0]


@given(st.dates(date(2004, 1, 1), date(2026, 11, 30)), st.integers(0, 20))
def test_where_the_bundled_calendar_knows_the_year_nothing_is_guessed(start: date, n: int) -> None:
    calendar = WorkCalendar()
    deadline = calendar.deadline(start, n)
    assert deadline == Deadline(calendar.add_working_days(start, n))
    assert chinese_calendar.is_workday(deadline.day) or n == 0
