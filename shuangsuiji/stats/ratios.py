"""A suggested ratio for a stratum from its past problem-found rate (issue 12 item 4; art. 8, 9, 15) — pure Python.

The rule, kept deliberately modest (a department may take the suggestion or leave it):
- no past checks, or fewer than MIN_CHECKED: no change — the 95 % interval is too wide to say anything;
- no problem found: no increase;
- the stratum's Wilson interval lies wholly above the department's average rate: raise the ratio in proportion to
  how much higher the rate is (at most twice the current ratio), never above the cap of the scheme's general items
  (art. 8: a general item's ratio cap);
- otherwise: no change. The rule never suggests lowering a ratio.
- the 守信（包容审慎）stratum is never raised (ADR 0028): its ratio is the department's choice to check clean objects
  less; a high rate there says the lower ratio is not earned, and the sentence says so, but nothing is filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from .wilson import wilson_interval

MIN_CHECKED = 20
MAX_FACTOR = Decimal(2)
STEP = Decimal("0.001")  # suggestions are whole tenths of a per cent


@dataclass(frozen=True)
class Suggestion:
    ratio: Decimal | None  # the suggested fraction; None when there is nothing to suggest (no current ratio)
    changed: bool
    sentence: str


def _pct(value: float | Decimal) -> str:
    text = f"{float(value) * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def suggest_ratio(
    *,
    current: Decimal | None,
    checked: int,
    problems: int,
    dept_checked: int,
    dept_problems: int,
    cap: Decimal | None = None,
    years: int = 3,
    trusted: bool = False,
) -> Suggestion:
    """The suggestion for one stratum: `checked`/`problems` its past published checks, `dept_*` the department's.
    `trusted`: the 守信 stratum, for which the rule never suggests a change."""
    now = f"（现为 {_pct(current)}）" if current is not None else ""
    if checked <= 0:
        return Suggestion(current, False, f"过去{years}年该层没有已公示的抽查结果：无从建议，维持现比例{now}")
    low, high = wilson_interval(problems, checked)
    rate = problems / checked
    facts = f"过去{years}年该层抽查 {checked} 户、发现问题 {problems} 户（{_pct(rate)}，95% 区间 {_pct(low)}–{_pct(high)}）"
    average = dept_problems / dept_checked if dept_checked > 0 else 0.0
    if checked < MIN_CHECKED:
        return Suggestion(
            current, False, f"{facts}，样本少于 {MIN_CHECKED} 户、区间过宽：建议维持现比例{now}"
        )
    if problems == 0:
        return Suggestion(current, False, f"{facts}，未发现问题：不建议提高{now}")
    if trusted:
        if low > average:
            return Suggestion(
                current,
                False,
                f"{facts}，高于全部门平均 {_pct(average)}：守信（包容审慎）层不建议提高比例；"
                f"可考虑不设守信层，这些对象按各自风险分类抽取{now}",
            )
        return Suggestion(current, False, f"{facts}：守信（包容审慎）层维持现比例{now}")
    if low <= average:
        return Suggestion(
            current, False, f"{facts}，与全部门平均 {_pct(average)} 无明显差异：建议维持现比例{now}"
        )
    if current is None:
        return Suggestion(None, False, f"{facts}，高于全部门平均 {_pct(average)}：可考虑提高抽查数量")
    factor = MAX_FACTOR if average == 0 else min(MAX_FACTOR, Decimal(str(rate / average)))
    ratio = (current * factor).quantize(STEP, rounding=ROUND_CEILING)
    capped = ""
    if cap is not None and ratio > cap:
        ratio, capped = max(cap, current), f"，受一般检查事项比例上限 {_pct(cap)} 限制"
    if ratio <= current:
        return Suggestion(
            current, False, f"{facts}，高于全部门平均 {_pct(average)}，但现比例已达上限：维持现比例{now}"
        )
    return Suggestion(
        ratio, True, f"{facts}，高于全部门平均 {_pct(average)}：建议比例 {_pct(ratio)}{capped}{now}"
    )
