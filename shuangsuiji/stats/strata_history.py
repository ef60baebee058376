"""Each stratum's past problem-found rate for a department's scheme, and the suggested ratio (issue 12 item 4).

Internal only: the strata are credit-risk classes (domain.md §3), so nothing here may reach the portal or the
public API. Read by the scheme form and the scheme page of the department's own officials.

What counts: the department's own random checks of the last three years whose result is public (published; a joint
visit's part once the visit is published), one per record in force. A check belongs to the raised stratum when the
object was drawn in it; otherwise to the object's current risk class (or UNRATED) — the class at the time of the
check is not kept.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shuangsuiji.directory.models import ItemCategory, RiskClass
from shuangsuiji.inspections.models import ItemResult, RecordKind
from shuangsuiji.inspections.selectors import published_results
from shuangsuiji.labels import stratum_label
from shuangsuiji.planning.models import RAISED_STRATUM, UNRATED_STRATUM, TaskScheme

from .ratios import Suggestion, suggest_ratio
from .wilson import StratumRate, stratum_rates

YEARS = 3


@dataclass(frozen=True)
class StratumAdvice:
    code: str
    label: str
    history: StratumRate | None
    current: Decimal | None
    suggestion: Suggestion

    @property
    def suggested_percent(self) -> str:
        """What the ratio field would hold ("7.5"), for the 采用建议 link; blank when nothing changes."""
        if not self.suggestion.changed or self.suggestion.ratio is None:
            return ""
        return format((self.suggestion.ratio * 100).normalize(), "f")


def stratum_history(department_id: int, today: datetime.date) -> tuple[dict[str, StratumRate], int, int]:
    """({stratum: rate}, checks, problems) of the department's public random-check results of the last three years."""
    since = today - datetime.timedelta(days=365 * YEARS + 1)
    records = published_results(department_id).filter(kind=RecordKind.RANDOM, inspection_date__gt=since)
    problem_ids = set(
        ItemResult.objects.filter(record__in=records.values("pk"), problem_found=True).values_list(
            "record_id", flat=True
        )
    )
    pairs = []
    for pk, drawn_in, risk in records.values_list("pk", "selection__stratum", "object__risk_class__code"):
        stratum = RAISED_STRATUM if drawn_in == RAISED_STRATUM else (risk or UNRATED_STRATUM)
        pairs.append((stratum, pk in problem_ids))
    return stratum_rates(pairs), len(pairs), len(problem_ids)


def general_cap(items) -> Decimal | None:
    """The lowest ratio cap among general check items (art. 8); the scheme's ratios may not pass it."""
    caps = [i.ratio_cap for i in items if i.category == ItemCategory.GENERAL and i.ratio_cap is not None]
    return min(caps) if caps else None


def advice(
    department_id: int, today: datetime.date, current: dict[str, Any], cap: Decimal | None
) -> list[StratumAdvice]:
    """One row per stratum (every active risk class, the raised stratum, the unrated one): its history and suggestion.
    `current` maps stratum codes to their ratio fractions (strings or Decimals); the raised stratum has no item cap."""
    rates, dept_checked, dept_problems = stratum_history(department_id, today)
    names = dict(RiskClass.objects.filter(active=True).values_list("code", "name"))
    out = []
    for code in [*names, RAISED_STRATUM, UNRATED_STRATUM]:
        history = rates.get(code)
        ratio = current.get(code)
        now = Decimal(str(ratio)) if ratio not in (None, "") else None
        suggestion = suggest_ratio(
            current=now,
            checked=history.checked if history else 0,
            problems=history.problems if history else 0,
            dept_checked=dept_checked,
            dept_problems=dept_problems,
            cap=None if code == RAISED_STRATUM else cap,
            years=YEARS,
        )
        out.append(StratumAdvice(code, stratum_label(code, names), history, now, suggestion))
    return out


def scheme_ratios(scheme: TaskScheme) -> dict[str, str]:
    return {c: spec["ratio"] for c, spec in scheme.strata.items() if spec.get("ratio")}


def last_ratios(department_id: int) -> dict[str, str]:
    """The ratios of the department's latest scheme: the base of the suggestions on a new scheme's form."""
    latest = TaskScheme.objects.filter(department_id=department_id).order_by("-created_at", "-id").first()
    return scheme_ratios(latest) if latest else {}
