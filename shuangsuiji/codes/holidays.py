"""The statutory holidays of any year, as the law fixes them, for a provisional calendar.

The State Council announces each year's schedule (放假调休) in November or December, and a maintained package
follows weeks later; every year has that gap. Until the schedule is entered, deadlines are computed on a
*provisional* calendar: Monday to Friday, minus the statutory holidays of 《全国年节及纪念日放假办法》 (2024
revision, in force since 2025), whose dates never depend on the notice:

    元旦 1 Jan · 春节 农历除夕 and 正月初一–初三 · 清明节 the 清明 solar term · 劳动节 1–2 May · 端午节 农历五月初五 ·
    中秋节 农历八月十五 · 国庆节 1–3 Oct

A statutory day that falls on a Saturday or Sunday is carried to the next weekday that is not already a holiday
(the notices always give such a day back, e.g. 2026 清明 on Saturday 4 April → Monday 6 April off). The notice's
make-up working days (调休上班) cannot be predicted and are not guessed; the notice, once entered, replaces all
of this. ADR 0009 measures how close the provisional calendar comes to the announced 2025 and 2026 ones.

Lunar dates and the 清明 solar term come from ``lunar_python`` (6tail), which covers 1900–2200 and beyond.
"""

from __future__ import annotations

from datetime import date, timedelta

from lunar_python import Lunar, Solar  # type: ignore[import-untyped]

from .errors import WorkdayError

FIRST_YEAR = 1900
LAST_YEAR = 2200

# The seven festivals of the yearly notice, in the notice's order.
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")

_ONE_DAY = timedelta(days=1)


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise WorkdayError(f"{year} 年超出可计算的范围（{FIRST_YEAR}—{LAST_YEAR} 年）")


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    # The 清明 term of a Gregorian year: the lunar year that starts in it holds it in its table.
    for lunar_year in (year, year - 1):
        term = Lunar.fromYmd(lunar_year, 1, 1).getJieQiTable().get("清明")
        if isinstance(term, Solar) and term.getYear() == year:
            return date(term.getYear(), term.getMonth(), term.getDay())
    raise WorkdayError(f"无法确定 {year} 年的清明节日期")  # pragma: no cover - lunar_python covers the range


def festival_days(year: int) -> dict[str, list[date]]:
    """The statutory days of each of the seven festivals in Gregorian ``year`` (before carrying weekend days).

    春节 is the festival whose 正月初一 lies in ``year``; its 除夕 may lie in the same year only (it always does,
    since 正月初一 falls between 21 January and 20 February).
    """
    check_year(year)
    new_year = _lunar_to_solar(year, 1, 1)
    if year >= 2025:
        spring = [new_year - _ONE_DAY + timedelta(days=i) for i in range(4)]  # 除夕 and 初一–初三
        labour = [date(year, 5, 1), date(year, 5, 2)]
    else:  # the 2013 rule: 初一–初三, one day in May
        spring = [new_year + timedelta(days=i) for i in range(3)]
        labour = [date(year, 5, 1)]
    return {
        "元旦": [date(year, 1, 1)],
        "春节": spring,
        "清明节": [_qingming(year)],
        "劳动节": labour,
        "端午节": [_lunar_to_solar(year, 5, 5)],
        "中秋节": [_lunar_to_solar(year, 8, 15)],
        "国庆节": [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)],
    }


def provisional_holidays(year: int) -> dict[date, str]:
    """Days off in ``year`` by the statutory rule, weekend days carried to the next free weekday: date → festival."""
    result: dict[date, str] = {}
    carried: list[tuple[date, str]] = []
    for name, days in festival_days(year).items():
        for day in days:
            if day.weekday() >= 5 or day in result:
                carried.append((day, name))
            else:
                result[day] = name
    for day, name in sorted(carried):
        nxt = day + _ONE_DAY
        while nxt.weekday() >= 5 or nxt in result:
            nxt += _ONE_DAY
        result[nxt] = name
    return {d: n for d, n in sorted(result.items()) if d.year == year}


def main_day(year: int, festival: str) -> date:
    """The day that names a festival (元旦 1 Jan, 春节 正月初一, …): a holiday in every notice."""
    days = festival_days(year)[festival]
    if festival == "春节" and year >= 2025:
        return days[1]
    return days[0]
