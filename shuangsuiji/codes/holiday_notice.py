"""Read the State Council's yearly holiday notice (国务院办公厅关于 YYYY 年部分节假日安排的通知) as officials receive it.

The system administrator pastes the notice; this parser finds the year, the document number, the date of issue
and, for each numbered line ("一、元旦：1月1日（周三）放假1天，不调休。"), the holiday range and the make-up working
days (调休上班). It checks what the text itself lets it check — the weekday in brackets, "共N天", make-up days on a
weekend — and refuses the whole text with the line number of every problem, so nothing half-read is stored.
Mirrors of the notice differ in punctuation width; the text is NFKC-normalised first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import WorkdayError
from .holidays import FESTIVALS, check_year

_WEEKDAYS = "一二三四五六日"
_TITLE = re.compile(r"关于\s*(\d{4})\s*年部分节假日安排的通知")
_NUMBER = re.compile(r"(国办发\S*?〔\d{4}〕\s*\d+\s*号)")
_ISSUED = re.compile(r"^\s*(\d{4})年(\d{1,2})月(\d{1,2})日\s*$")
_LINE = re.compile(r"^\s*([一二三四五六七八九十]+)、\s*([^:]{1,30}?)\s*:\s*(.*)$")
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^)]*)\))?")
_TOTAL = re.compile(r"共\s*(\d{1,2})\s*天")
_STATED_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")


class NoticeError(WorkdayError):
    """The notice text cannot be read; ``problems`` lists (line number, message), line numbers from 1."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("；".join(f"第 {n} 行：{m}" if n else m for n, m in problems))


@dataclass(frozen=True)
class FestivalSchedule:
    """One numbered line of the notice: one festival (or two merged, 国庆节、中秋节) and its make-up days."""

    names: tuple[str, ...]
    first: date
    last: date
    makeup: tuple[date, ...]
    line: int

    def holidays(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class HolidayNotice:
    year: int
    number: str
    issued: date | None
    schedules: tuple[FestivalSchedule, ...]

    @property
    def festivals(self) -> frozenset[str]:
        return frozenset(n for s in self.schedules for n in s.names)

    @property
    def missing(self) -> list[str]:
        return [f for f in FESTIVALS if f not in self.festivals]

    def days(self) -> dict[date, tuple[bool, str]]:
        """date → (is a working day, note) for every holiday and make-up working day of the notice."""
        result: dict[date, tuple[bool, str]] = {}
        for s in self.schedules:
            label = "、".join(s.names)
            for day in s.holidays():
                result[day] = (False, label)
            for day in s.makeup:
                result[day] = (True, f"{label}调休上班")
        return dict(sorted(result.items()))


def _date_in(match: re.Match[str], *, year: int, month: int | None, festival: tuple[str, ...]) -> date:
    y = int(match.group(1)) if match.group(1) else None
    m = int(match.group(2)) if match.group(2) else month
    if m is None:
        raise ValueError(f"“{match.group(0)}”缺少月份")
    if y is None:
        # A 元旦 holiday or make-up day in December belongs to the year before the notice's year.
        y = year - 1 if m == 12 and "元旦" in festival else year
    try:
        return date(y, m, int(match.group(3)))
    except ValueError:
        raise ValueError(f"“{match.group(0)}”不是有效日期") from None


def _check_stated_weekday(match: re.Match[str], day: date) -> str | None:
    stated = _STATED_WEEKDAY.search(match.group(4) or "")
    if not stated:
        return None
    want = _WEEKDAYS.index("日" if stated.group(1) == "天" else stated.group(1))
    if want != day.weekday():
        return f"{day.month}月{day.day}日是周{_WEEKDAYS[day.weekday()]}，通知写的是周{stated.group(1)}"
    return None


def _read_line(number: int, names: tuple[str, ...], body: str, year: int) -> FestivalSchedule:
    problems: list[str] = []
    first = last = None
    makeup: list[date] = []
    month: int | None = None
    for sentence in re.split(r"[。;]", body):
        is_holiday = "放假" in sentence or "休息" in sentence
        is_makeup = "上班" in sentence
        if not (is_holiday or is_makeup):
            continue
        found: list[date] = []
        for match in _DATE.finditer(sentence):
            try:
                day = _date_in(match, year=year, month=month, festival=names)
            except ValueError as e:
                problems.append(str(e))
                continue
            month = day.month
            wrong = _check_stated_weekday(match, day)
            if wrong:
                problems.append(wrong)
            found.append(day)
        if is_holiday and first is None:
            if not found:
                problems.append("找不到放假日期")
                continue
            first = found[0]
            # "A至B" is a range; a lone date is one day.
            last = found[1] if len(found) > 1 and "至" in sentence else found[0]
            total = _TOTAL.search(sentence)
            span = (last - first).days + 1
            if last < first:
                problems.append(f"放假结束日 {last} 早于开始日 {first}")
            elif span > 12:
                problems.append(f"放假 {span} 天，不像一个节日的安排，请核对日期")
            elif total and int(total.group(1)) != span:
                problems.append(f"写明共 {total.group(1)} 天，但 {first} 至 {last} 是 {span} 天")
            else:
                one = re.search(r"放假\s*(\d{1,2})\s*天", sentence)
                if one and not total and int(one.group(1)) != span:
                    problems.append(f"写明放假 {one.group(1)} 天，但只给出了 {span} 天的日期")
            if is_makeup:  # "…放假，…上班" in one sentence: the dates after the range are make-up days
                makeup += found[2 if "至" in sentence else 1 :]
        elif is_makeup:
            makeup += found
    for day in makeup:
        if day.weekday() < 5:
            problems.append(f"调休上班日 {day.month}月{day.day}日是周{_WEEKDAYS[day.weekday()]}，不是周末")
    if first is None or last is None:
        problems.append("找不到放假日期（应写作“1月1日（周三）放假1天”或“…至…放假调休，共N天”）")
    if problems:
        raise NoticeError([(number, p) for p in problems])
    assert first is not None and last is not None
    return FestivalSchedule(names, first, last, tuple(makeup), number)


def parse_notice(text: str) -> HolidayNotice:
    """Read a pasted notice; raises NoticeError naming each line it cannot read."""
    text = unicodedata.normalize("NFKC", text or "")
    lines = text.splitlines()
    problems: list[tuple[int, str]] = []
    if not text.strip():
        raise NoticeError([(0, "请粘贴国务院办公厅关于部分节假日安排的通知全文")])
    if len(text) > 20_000 or len(lines) > 400:
        raise NoticeError([(0, "文本过长：请只粘贴通知本身（通常不足 2000 字）")])
    title = _TITLE.search(text)
    if not title:
        raise NoticeError([(1, "找不到通知标题“国务院办公厅关于 YYYY 年部分节假日安排的通知”，无法确定年度")])
    year = int(title.group(1))
    try:
        check_year(year)
    except WorkdayError as e:
        raise NoticeError([(1, str(e))]) from None
    number_match = _NUMBER.search(text)
    number = re.sub(r"\s+", "", number_match.group(1)) if number_match else ""
    issued = None
    schedules: list[FestivalSchedule] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(lines, start=1):
        issued_match = _ISSUED.match(raw)
        if issued_match:
            try:
                issued = date(*(int(g) for g in issued_match.groups()))
            except ValueError:
                problems.append((n, f"“{raw.strip()}”不是有效的发文日期"))
            continue
        line = _LINE.match(raw)
        if not line:
            continue
        names = tuple(x.strip() for x in re.split(r"[、,]", line.group(2)) if x.strip())
        unknown = [x for x in names if x not in FESTIVALS]
        if unknown:
            problems.append((n, f"“{'、'.join(unknown)}”不是通知中的节日（应为{'、'.join(FESTIVALS)}之一）"))
            continue
        twice = [x for x in names if x in seen]
        if twice:
            problems.append((n, f"{'、'.join(twice)}已在第 {seen[twice[0]]} 行出现"))
            continue
        seen.update(dict.fromkeys(names, n))
        try:
            schedules.append(_read_line(n, names, line.group(3), year))
        except NoticeError as e:
            problems += e.problems
    if not schedules and not problems:
        problems.append(
            (0, "没有找到任何节日安排（应为“一、元旦：1月1日（周三）放假1天，不调休。”这样的编号行）")
        )
    if problems:
        raise NoticeError(problems)
    return HolidayNotice(year, number, issued, tuple(schedules))
