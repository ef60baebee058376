"""Reading the State Council's notice as pasted: the real 2025 and 2026 texts, and texts that must be refused."""

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from shuangsuiji.codes.holiday_notice import NoticeError, parse_notice

NOTICES = Path(__file__).resolve().parents[3] / "shared" / "seed" / "holiday-notices"
LOCAL = Path(__file__).resolve().parent / "holiday_notices"


def _notice(year: int) -> str:
    # The official texts live in ../shared/seed; a copy is kept beside the tests for a clone without it.
    path = NOTICES / f"{year}.txt"
    return (path if path.exists() else LOCAL / f"{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_real_notice_gives_exactly_the_calendar_the_maintained_package_has(year: int) -> None:
    notice = parse_notice(_notice(year))
    assert notice.year == year
    assert notice.missing == []
    days = notice.days()
    day = date(year, 1, 1)
    while day.year == year:
        expected = chinese_calendar.is_workday(day)
        assert (days[day][0] if day in days else day.weekday() < 5) == expected, day
        day += timedelta(days=1)


def test_the_2025_notice_gives_its_number_date_and_the_merged_national_day() -> None:
    notice = parse_notice(_notice(2025))
    assert notice.number == "国办发明电〔2024〕12号"
    assert notice.issued == date(2024, 11, 12)
    merged = notice.schedules[-1]
    assert merged.names == ("国庆节", "中秋节")
    assert (merged.first, merged.last) == (date(2025, 10, 1), date(2025, 10, 8))
    assert merged.makeup == (date(2025, 9, 28), date(2025, 10, 11))
    assert notice.days()[date(2025, 9, 28)] == (True, "国庆节、中秋节调休上班")


def test_the_2026_notice_without_a_number_still_gives_its_date() -> None:
    notice = parse_notice(_notice(2026))
    assert notice.number == ""
    assert notice.issued == date(2025, 11, 4)
    assert notice.schedules[1].first == date(2026, 2, 15)
    assert notice.schedules[1].makeup == (date(2026, 2, 14), date(2026, 2, 28))


def test_half_width_punctuation_from_a_mirror_reads_the_same() -> None:
    text = _notice(2026).replace("：", ":").replace("（", "(").replace("）", ")").replace("，", ",")
    assert parse_notice(text) == parse_notice(_notice(2026))


def test_a_new_years_holiday_starting_in_december_belongs_to_the_year_before() -> None:
    text = "国务院办公厅关于2023年部分节假日安排的通知\n一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n"
    notice = parse_notice(text)
    assert (notice.schedules[0].first, notice.schedules[0].last) == (date(2022, 12, 31), date(2023, 1, 2))
    assert notice.missing == ["春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


def test_a_wrong_weekday_is_refused_naming_the_line() -> None:
    text = _notice(2026).replace("1月1日（周四）", "1月1日（周三）")
    with pytest.raises(NoticeError) as caught:
        parse_notice(text)
    assert caught.value.problems == [(7, "1月1日是周四，通知写的是周三")]
    assert str(caught.value) == "第 7 行：1月1日是周四，通知写的是周三"


def test_a_total_that_does_not_match_the_range_is_refused() -> None:
    text = _notice(2026).replace("共9天", "共8天")
    with pytest.raises(NoticeError, match="第 9 行：写明共 8 天，但 2026-02-15 至 2026-02-23 是 9 天"):
        parse_notice(text)


def test_a_make_up_day_on_a_weekday_is_refused() -> None:
    text = _notice(2026).replace("5月9日（周六）上班", "5月8日上班")
    with pytest.raises(NoticeError, match="第 13 行：调休上班日 5月8日是周五，不是周末"):
        parse_notice(text)


def test_an_impossible_date_and_an_unknown_festival_are_both_named() -> None:
    text = (
        _notice(2026)
        .replace("2月15日（农历腊月二十八、周日）", "2月30日")
        .replace("三、清明节", "三、植树节")
    )
    with pytest.raises(NoticeError) as caught:
        parse_notice(text)
    assert (9, "“2月30日”不是有效日期") in caught.value.problems
    assert (11, "“植树节”不是通知中的节日（应为元旦、春节、清明节、劳动节、端午节、中秋节、国庆节之一）") in (
        caught.value.problems
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请粘贴国务院办公厅关于部分节假日安排的通知全文"),
        ("关于元旦放假的说明\n一、元旦：1月1日放假。", "第 1 行：找不到通知标题"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n各位同事：\n", "没有找到任何节日安排"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：另行通知。\n", "第 2 行：找不到放假日期"),
        ("国务院办公厅关于2301年部分节假日安排的通知\n", "第 1 行：2301 年超出可计算的范围"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n" + "x\n" * 500, "文本过长"),
        (
            "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日放假1天。\n二、元旦：1月2日放假1天。\n",
            "第 3 行：元旦已在第 2 行出现",
        ),
    ],
)
def test_malformed_text_is_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(NoticeError, match=message):
        parse_notice(text)
