from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.codes import (
    UnknownCalendarYear,
    WorkCalendar,
    WorkdayError,
    add_working_days,
    is_working_day,
    remaining_working_days,
    working_days_between,
)

# domain.md §3 "Publication deadline": the State Council's holidays and make-up days.
HOLIDAYS = {
    2025: ["01-01", "01-28..02-04", "04-04..04-06", "05-01..05-05", "05-31..06-02", "10-01..10-08"],
    2026: [
        "01-01..01-03",
        "02-15..02-23",
        "04-04..04-06",
        "05-01..05-05",
        "06-19..06-21",
        "09-25..09-27",
        "10-01..10-07",
    ],
}
MAKE_UP_DAYS = {
    2025: ["01-26", "02-08", "04-27", "09-28", "10-11"],
    2026: ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"],
}


def _days(year: int, spans: list[str]) -> set[date]:
    result = set()
    for span in spans:
        first, _, last = span.partition("..")
        day = date.fromisoformat(f"{year}-{first}")
        end = date.fromisoformat(f"{year}-{last or first}")
        while day <= end:
            result.add(day)
            day += timedelta(days=1)
    return result


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_default_calendar_agrees_with_the_state_council_notices(year: int) -> None:
    holidays = _days(year, HOLIDAYS[year])
    make_up = _days(year, MAKE_UP_DAYS[year])
    day = date(year, 1, 1)
    while day.year == year:
        expected = day in make_up or (day.weekday() < 5 and day not in holidays)
        assert is_working_day(day) == expected, day
        day += timedelta(days=1)


def test_it_counts_20_working_days_across_the_2026_spring_festival() -> None:
    # Start Tue 2026-02-10, not counted. Feb 11 Wed 1, 12 Thu 2, 13 Fri 3, 14 Sat (make-up) 4;
    # Feb 15–23 春节 holiday; Feb 24 Tue 5, 25 6, 26 7, 27 Fri 8, 28 Sat (make-up) 9; Mar 1 Sun;
    # Mar 2–6 10–14; Mar 9–13 15–19; Mar 16 Mon 20.
    assert add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 16)


def test_it_counts_20_working_days_across_the_2025_national_day_holiday() -> None:
    # Start Thu 2025-09-25, not counted. Sep 26 Fri 1, 27 Sat rest, 28 Sun (make-up) 2, 29 Mon 3, 30 Tue 4;
    # Oct 1–8 国庆+中秋 holiday; Oct 9 Thu 5, 10 Fri 6, 11 Sat (make-up) 7, 12 Sun rest;
    # Oct 13–17 8–12; Oct 20–24 13–17; Oct 27 18, 28 19, 29 Wed 20.
    assert add_working_days(date(2025, 9, 25), 20) == date(2025, 10, 29)


def test_it_counts_20_working_days_across_the_2025_spring_festival() -> None:
    # Start Mon 2025-01-20, not counted. Jan 21–24 1–4, 25 Sat rest, 26 Sun (make-up) 5, 27 Mon 6;
    # Jan 28–Feb 4 春节 holiday; Feb 5 Wed 7, 6 Thu 8, 7 Fri 9, 8 Sat (make-up) 10, 9 Sun rest;
    # Feb 10–14 11–15; Feb 17 16, 18 17, 19 18, 20 19, 21 Fri 20.
    assert add_working_days(date(2025, 1, 20), 20) == date(2025, 2, 21)


def test_it_does_not_count_the_start_day() -> None:
    # Mon 2025-03-03 is a working day, but the period starts the next day (民法典 art. 201).
    assert add_working_days(date(2025, 3, 3), 1) == date(2025, 3, 4)
    # From a Friday, the next working day is Monday.
    assert add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)


def test_it_counts_a_make_up_sunday_as_a_working_day() -> None:
    # Sat 2025-09-27 → Sun 2025-09-28 is a 调休 working day.
    assert add_working_days(date(2025, 9, 27), 1) == date(2025, 9, 28)


def test_zero_working_days_end_on_the_start_day() -> None:
    assert add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 15)


def test_it_refuses_a_negative_number_of_days() -> None:
    with pytest.raises(WorkdayError, match="工作日天数不能为负数，实为 -1"):
        add_working_days(date(2025, 3, 3), -1)


def test_it_computes_a_deadline_on_the_last_day_of_the_last_known_year() -> None:
    assert add_working_days(date(2026, 12, 30), 1) == date(2026, 12, 31)


def test_it_refuses_a_deadline_crossing_into_2027() -> None:
    with pytest.raises(UnknownCalendarYear) as caught:
        add_working_days(date(2026, 12, 10), 20)
    assert caught.value.year == 2027
    assert str(caught.value) == (
        "缺少 2027 年的节假日安排，无法计算期限；请系统管理员在“节假日”页面录入 2027 年的法定节假日和调休工作日"
    )
    assert isinstance(caught.value, WorkdayError)


def test_it_refuses_a_year_before_the_known_ones() -> None:
    with pytest.raises(UnknownCalendarYear, match="缺少 2003 年的节假日安排"):
        is_working_day(date(2003, 12, 31))


def test_an_override_alone_does_not_make_a_year_known() -> None:
    calendar = WorkCalendar({date(2027, 1, 1): False})
    with pytest.raises(UnknownCalendarYear, match="2027"):
        calendar.add_working_days(date(2026, 12, 10), 20)


def test_declaring_2027s_calendar_makes_the_deadline_computable() -> None:
    # The 2027 holidays here are invented for the test (only 元旦 on Fri 2027-01-01).
    calendar = WorkCalendar({date(2027, 1, 1): False}, known_years=[2027])
    # Start Thu 2026-12-10, not counted. Dec 11 Fri 1; Dec 14–18 2–6; Dec 21–25 7–11; Dec 28–31 12–15;
    # Jan 1 2027 holiday, Jan 2–3 weekend; Jan 4 Mon 16, 5 17, 6 18, 7 19, 8 Fri 20.
    assert calendar.add_working_days(date(2026, 12, 10), 20) == date(2027, 1, 8)
    assert calendar.knows_year(2027)
    assert not calendar.knows_year(2028)


def test_a_declared_year_follows_the_week_apart_from_the_overrides() -> None:
    calendar = WorkCalendar({date(2027, 2, 6): True}, known_years=[2027])
    assert calendar.is_working_day(date(2027, 2, 5))  # Friday
    assert calendar.is_working_day(date(2027, 2, 6))  # Saturday, declared a make-up day
    assert not calendar.is_working_day(date(2027, 2, 7))  # Sunday


def test_an_administrators_override_wins_over_the_bundled_calendar() -> None:
    # Suppose an extra holiday on Mon 2025-03-03 and a make-up working day on Sat 2025-03-08.
    calendar = WorkCalendar({date(2025, 3, 3): False, date(2025, 3, 8): True})
    assert not calendar.is_working_day(date(2025, 3, 3))
    assert calendar.is_working_day(date(2025, 3, 8))
    # From Fri 2025-02-28: Mar 3 skipped, Mar 4–7 1–4, Mar 8 Sat 5.
    assert calendar.add_working_days(date(2025, 2, 28), 5) == date(2025, 3, 8)
    assert add_working_days(date(2025, 2, 28), 5) == date(2025, 3, 7)


def test_declaring_a_year_the_bundled_calendar_knows_keeps_its_holidays() -> None:
    calendar = WorkCalendar(known_years=[2026])
    assert not calendar.is_working_day(date(2026, 2, 16))  # 春节, from chinese_calendar
    assert calendar.is_working_day(date(2026, 2, 14))  # make-up Saturday


def test_a_custom_base_is_limited_to_its_years() -> None:
    calendar = WorkCalendar(base=lambda d: d.weekday() < 5, base_years=[2030])
    assert calendar.add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)
    with pytest.raises(UnknownCalendarYear, match="2031"):
        calendar.add_working_days(date(2030, 12, 30), 5)
    assert calendar.known_years == frozenset({2030})


def test_a_custom_base_that_refuses_a_year_makes_it_unknown() -> None:
    def base(d: date) -> bool:
        if d.year > 2030:
            raise NotImplementedError
        return d.weekday() < 5

    calendar = WorkCalendar(base=base)
    assert calendar.knows_year(2030)
    assert not calendar.knows_year(2031)
    assert calendar.known_years is None
    with pytest.raises(UnknownCalendarYear, match="2031"):
        calendar.is_working_day(date(2031, 1, 2))


def test_the_default_calendar_knows_2004_to_2026() -> None:
    known = WorkCalendar().known_years
    assert known is not None
    assert min(known) == 2004
    assert max(known) >= 2026
    assert WorkCalendar(known_years=[2027]).known_years == known | {2027}


def test_it_counts_working_days_between_two_dates_excluding_the_first() -> None:
    # (2026-02-10, 2026-03-16] holds the 20 working days of the spring-festival example.
    assert working_days_between(date(2026, 2, 10), date(2026, 3, 16)) == 20
    assert working_days_between(date(2026, 2, 14), date(2026, 2, 14)) == 0
    # 2026-02-14 (a make-up Saturday) is the start and not counted; Feb 15–23 is the holiday.
    assert working_days_between(date(2026, 2, 14), date(2026, 2, 23)) == 0
    assert working_days_between(date(2026, 3, 16), date(2026, 2, 10)) == -20


def test_it_tells_how_many_working_days_remain_before_a_deadline() -> None:
    deadline = date(2026, 3, 16)
    assert remaining_working_days(date(2026, 2, 10), deadline) == 20
    assert remaining_working_days(date(2026, 3, 13), deadline) == 1
    assert remaining_working_days(date(2026, 3, 14), deadline) == 1  # Saturday
    assert remaining_working_days(deadline, deadline) == 0
    assert remaining_working_days(date(2026, 3, 18), deadline) == -2  # overdue by Mar 17 and 18


# --- properties -------------------------------------------------------------------------------------------

known_starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 10, 31))


@given(known_starts, st.integers(0, 40))
def test_a_period_of_n_working_days_holds_exactly_n_working_days(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert remaining_working_days(start, end) == n
    if n:
        assert end > start
        assert is_working_day(end)


@given(known_starts, st.integers(0, 40))
def test_one_more_working_day_ends_on_the_next_working_day(start: date, n: int) -> None:
    end = add_working_days(start, n)
    later = add_working_days(start, n + 1)
    assert later == add_working_days(end, 1)
    assert all(not is_working_day(end + timedelta(days=k)) for k in range(1, (later - end).days))


@given(known_starts, st.integers(0, 40))
def test_an_empty_override_changes_nothing(start: date, n: int) -> None:
    assert WorkCalendar({}).add_working_days(start, n) == add_working_days(start, n)
