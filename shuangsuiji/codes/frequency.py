"""An item's 抽查频次 (art. 5, 8, 11) as the number of times one object may be drawn for that item in a year.

The list stores the frequency as the text officials write ("每年1次", "每半年一次", "每季度1次"). This is the one place
that reads that text as a number; the draw's freeze uses it to exclude an object already drawn for the item as many
times as the frequency allows (reason ITEM_FREQUENCY), and the item list refuses text it cannot read.
"""

from __future__ import annotations

import re

from .errors import FrequencyError

_NUMERALS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
# Periods a year holds: 每年 once, 每半年 twice, 每季度 four times, 每月 twelve times.
_PERIODS = {"年": 1, "年度": 1, "半年": 2, "季度": 4, "季": 4, "月": 12}
_PATTERN = re.compile(
    r"^(?:每(年度|半年|季度|年|季|月)(?:不超过|最多|至多)?([0-9]{1,3}|[一二两三四五六七八九十])次)$"
)
_PER_YEAR = re.compile(r"^([0-9]{1,3}|[一二两三四五六七八九十])次/年$")
# A frequency above this is not a random-check round (art. 9: 1–2 rounds a year); a typo, not a plan.
MAX_TIMES_PER_YEAR = 12

EXAMPLES = "每年1次、每年2次、每半年1次、每季度1次，或留空（不限，仍受全市年度抽查次数上限约束）"


def _number(text: str) -> int:
    return int(text) if text.isdecimal() else _NUMERALS[text]


def times_per_year(text: str) -> int | None:
    """How many times one object may be drawn for the item in a year; None when the item sets no frequency."""
    s = "".join(text.split())
    if not s:
        return None
    m = _PATTERN.match(s)
    if m:
        times = _PERIODS[m.group(1)] * _number(m.group(2))
    else:
        m = _PER_YEAR.match(s)
        if not m:
            raise FrequencyError(f"抽查频次“{text}”无法识别，应写作：{EXAMPLES}")
        times = _number(m.group(1))
    if not 1 <= times <= MAX_TIMES_PER_YEAR:
        raise FrequencyError(f"抽查频次“{text}”折合每年 {times} 次，应为每年 1—{MAX_TIMES_PER_YEAR} 次")
    return times
