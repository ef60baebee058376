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
    since = today - datetime.timedelta(days=365 * YEARS + 1)
    recent = [problem for day, problem in checks if since < day <= today]
    n, k = len(recent), sum(1 for p in recent if p)
    if not n:
        return CreditMark(False, 0, 0, f"近{YEARS}年未被检查")
    if k:
        return CreditMark(False, n, k, f"近{YEARS}年检查 {n} 次，{k} 次发现问题")
    if abnormal or dishonest:
        listed = "严重违法失信名单" if dishonest else "经营异常名录"
        return CreditMark(False, n, 0, f"近{YEARS}年检查 {n} 次均未发现问题，但列于{listed}")
    return CreditMark(True, n, 0, f"近{YEARS}年检查 {n} 次均未发现问题")
