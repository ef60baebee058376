"""The problem-found rate of a stratum with its 95 % Wilson score interval — pure Python, no Django.

For issue 12 item 4 (the scheme form showing each stratum's past problem rate); not yet used by the form. Wilson's
interval stays inside [0, 1] and is sensible for small counts and for 0 or n problems, unlike the normal approximation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal distribution


@dataclass(frozen=True)
class StratumRate:
    checked: int
    problems: int
    rate: float
    low: float
    high: float


def wilson_interval(problems: int, checked: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of problems/checked; ValueError for counts that are not 0 ≤ problems ≤ checked, 0 < checked."""
    if checked <= 0 or problems < 0 or problems > checked:
        raise ValueError(f"需要 0 ≤ 发现问题数（{problems}）≤ 检查数（{checked}），且检查数大于 0")
    p = problems / checked
    z2 = z * z
    denominator = 1 + z2 / checked
    centre = (p + z2 / (2 * checked)) / denominator
    half = z * math.sqrt(p * (1 - p) / checked + z2 / (4 * checked * checked)) / denominator
    # With 0 (or all) problems the bound is exactly 0 (or 1); rounding would leave a residue of 1e-17.
    low = 0.0 if problems == 0 else max(0.0, centre - half)
    high = 1.0 if problems == checked else min(1.0, centre + half)
    return low, high


def stratum_rates(results: Iterable[tuple[str, bool]], z: float = Z95) -> dict[str, StratumRate]:
    """{stratum: its rate and interval} from (stratum, problem found) pairs, one pair per checked object."""
    checked: dict[str, int] = {}
    problems: dict[str, int] = {}
    for stratum, found in results:
        checked[stratum] = checked.get(stratum, 0) + 1
        problems[stratum] = problems.get(stratum, 0) + (1 if found else 0)
    out = {}
    for stratum, n in checked.items():
        low, high = wilson_interval(problems[stratum], n, z)
        out[stratum] = StratumRate(n, problems[stratum], problems[stratum] / n, low, high)
    return out
