"""Query and form values parsed once, the same way on every page: hostile input becomes None or is dropped,
never a ValueError (a 500). `isdecimal`, not `isdigit`: "²" is a digit that int() refuses (issue 11, item 8)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

MAX_ID = 2**63 - 1


def int_or_none(value: Any, *, lo: int = 0, hi: int = MAX_ID) -> int | None:
    text = str(value or "").strip()
    if not text.isdecimal() or len(text) > 19:
        return None
    number = int(text)
    return number if lo <= number <= hi else None


def ids(values: Iterable[Any]) -> list[int]:
    """The valid positive ids among `values` (a form's getlist), in order, others dropped."""
    out = []
    for v in values:
        n = int_or_none(v, lo=1)
        if n is not None:
            out.append(n)
    return out


def date_or_none(value: Any) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2200 else None
