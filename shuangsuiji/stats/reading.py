"""One reading of the statistics: within `one_reading()`, a page, an export or an API answer reads one refresh of the
summary tables and looks the joint schemes up once, however many figures ask.

Consistency first: without it, a refresh committing while a page is being computed could give the page's tables
figures from two refreshes. Speed second: each figure asked for the latest refresh itself (six small queries a page).
Outside the block (tests, scripts) every call reads the database, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_memo: ContextVar[dict[str, Any] | None] = ContextVar("stats_reading", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def once(key: str, compute: Callable[[], T]) -> T:
    """compute(), once per reading (every time outside one)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
