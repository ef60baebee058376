"""The 守信 mark of the 诚信档案 (issue 12 item 5, art. 15) — a pure rule over an object's checks.

An object is marked 守信 when it was checked at least once in the last three years, every result in force of those
checks (any department's, published or withheld) found no problem, and it is on neither the 经营异常名录 nor the
严重违法失信名单. The mark is shown on the internal archive, and a scheme may sample the objects it marks at the
moment of freezing at a lower ratio (包容审慎, the TRUSTED stratum: draws/freezing.py, docs/adr/0028).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

YEARS = 3


@dataclass(frozen=True)
class CreditMark:
    trustworthy: bool
    checks: int
    problems: int
    reason: str


def credit_mark(
    checks: Iterable[tuple[datetime.date, bool]], today: datetime.date, *, abnormal: bool, dishonest: bool
) -> CreditMark:
    """`checks`: (inspection date, problem found) of the object's results in force."""
    since = window_start(today)
    recent = [problem for day, problem in checks if since < day <= today]
    return mark_from_counts(len(recent), sum(1 for p in recent if p), abnormal=abnormal, dishonest=dishonest)


def window_start(today: datetime.date) -> datetime.date:
    """Checks strictly after this day (and up to `today`) are the last three years."""
    return today - datetime.timedelta(days=365 * YEARS + 1)


def mark_from_counts(n: int, k: int, *, abnormal: bool, dishonest: bool) -> CreditMark:
    """The mark from the counts of the window: `n` results in force, `k` of them with a problem. The freeze of a
    scheme with a 守信 stratum counts them in the database (inspections.selectors.trust_counts)."""
    if not n:
        return CreditMark(False, 0, 0, f"近{YEARS}年未被检查")
    if k:
        return CreditMark(False, n, k, f"近{YEARS}年检查 {n} 次，{k} 次发现问题")
    if abnormal or dishonest:
        listed = "严重违法失信名单" if dishonest else "经营异常名录"
        return CreditMark(False, n, 0, f"近{YEARS}年检查 {n} 次均未发现问题，但列于{listed}")
    return CreditMark(True, n, 0, f"近{YEARS}年检查 {n} 次均未发现问题")
