"""The statistics filter: parsed once from a query string, bounded, with a Chinese message for each refused value.

A refused value is dropped (the figures are shown for the rest of the filter) and named in the messages, so a hostile
or stale link never gives a 500 and never silently shows something else than it says.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from shuangsuiji.web import params

FIRST_YEAR = 2000
JOINT_CHOICES = {"joint": "部门联合抽查", "own": "本部门单独抽查（含非随机检查）"}
HALF_CHOICES = {1: "上半年", 2: "下半年"}
# The query parameters a statistics link carries, in this order.
KEYS = ("year", "half", "department", "item", "region", "risk_class", "joint")


@dataclass(frozen=True)
class StatsFilter:
    year: int
    half: int | None = None
    department: int | None = None
    item: int | None = None
    region: int | None = None
    risk_class: int | None = None
    joint: str | None = None

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the period (inclusive)."""
        return datetime.date(self.year, 6, 30) if self.half == 1 else datetime.date(self.year, 12, 31)

    @property
    def months(self) -> range:
        return range(self.start.month, self.end.month + 1)

    def query(self, **override: Any) -> dict[str, Any]:
        """The filter as query parameters (empty ones left out), with `override` applied."""
        values = asdict(self) | override
        return {k: values[k] for k in KEYS if values.get(k) not in (None, "")}

    def with_department(self, department_id: int | None) -> StatsFilter:
        return StatsFilter(**(asdict(self) | {"department": department_id}))


def parse_filter(
    query: Mapping[str, Any], *, today: datetime.date
) -> tuple[StatsFilter, list[tuple[str, str]]]:
    """(the filter, [(field label, reason)]) from a query string; refused values are dropped."""
    from shuangsuiji.directory.models import CheckItem, RiskClass
    from shuangsuiji.org.models import Department, Region

    errors: list[tuple[str, str]] = []
    last_year = today.year + 1

    def raw(key: str) -> str:
        value = query.get(key, "")
        return str(value if value is not None else "").strip()[:40]

    year = today.year
    if raw("year"):
        parsed = params.int_or_none(raw("year"), lo=FIRST_YEAR, hi=last_year)
        if parsed is None:
            errors.append(("年度", f"应为 {FIRST_YEAR} 至 {last_year} 之间的年份，已按 {year} 年统计"))
        else:
            year = parsed
    half = None
    if raw("half"):
        half = params.int_or_none(raw("half"), lo=1, hi=2)
        if half is None:
            errors.append(("半年", "应为 1（上半年）或 2（下半年），已按全年统计"))

    def ref(key: str, label: str, model: Any) -> int | None:
        if not raw(key):
            return None
        pk = params.int_or_none(raw(key), lo=1)
        if pk is None or not model.objects.filter(pk=pk).exists():
            errors.append((label, f"未找到所选{label}，已忽略该条件"))
            return None
        return pk

    department = ref("department", "部门", Department)
    item = ref("item", "抽查事项", CheckItem)
    region = ref("region", "乡镇（街道）", Region)
    risk_class = ref("risk_class", "信用风险分类", RiskClass)
    joint = raw("joint") or None
    if joint is not None and joint not in JOINT_CHOICES:
        errors.append(("抽查方式", "应为“部门联合抽查”或“本部门单独抽查”，已忽略该条件"))
        joint = None
    return StatsFilter(year, half, department, item, region, risk_class, joint), errors
