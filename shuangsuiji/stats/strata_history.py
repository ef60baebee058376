"""Each stratum's past problem-found rate for a department's scheme, and the suggested ratio (issue 12 item 4).

Internal only: the strata are credit-risk classes (domain.md §3), so nothing here may reach the portal or the
public API. Read by the scheme form and the scheme page of the department's own officials.

What counts: the department's own random checks of the last three years whose result is public (published; a joint
visit's part once the visit is published), one per record in force. A check belongs to the raised stratum when the
object was drawn in it (the draw's internal strata map); likewise the 守信（包容审慎）stratum (ADR 0028); otherwise to
the object's current risk class (or UNRATED) — the class at the time of the check is not kept.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count

from shuangsuiji.directory.models import ItemCategory, RiskClass
from shuangsuiji.draws.models import Draw
from shuangsuiji.inspections.models import RecordKind
from shuangsuiji.inspections.selectors import published_results, with_problem
from shuangsuiji.labels import stratum_label
from shuangsuiji.planning.models import RAISED_STRATUM, TRUSTED_STRATUM, UNRATED_STRATUM, TaskScheme

from .ratios import Suggestion, suggest_ratio
from .wilson import StratumRate, wilson_interval

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
    # Counted in the database, grouped by (draw, drawn stratum, current class): a few per draw, whatever the volume.
    # A selection keeps the draw's public stratum code (S1…Sn); the draw's internal map says which one is RAISED.
    keys = ("selection__draw_id", "selection__stratum", "object__risk_class__code")
    grouped = []
    for problems, qs in ((False, records), (True, with_problem(records))):
        rows = qs.order_by().values_list(*keys).annotate(n=Count("pk")).values_list(*keys, "n")
        grouped += [(problems, *row) for row in rows]
    maps = dict(
        Draw.objects.filter(pk__in={row[1] for row in grouped if row[1]}).values_list("pk", "strata_map")
    )
    totals: Counter = Counter()
    found: Counter = Counter()
    for problems, draw_id, drawn_in, risk, n in grouped:
        real = (maps.get(draw_id) or {}).get(drawn_in, drawn_in) if draw_id is not None else None
        stratum = real if real in (RAISED_STRATUM, TRUSTED_STRATUM) else (risk or UNRATED_STRATUM)
        (found if problems else totals)[stratum] += n
    rates = {}
    for stratum, n in totals.items():
        low, high = wilson_interval(found[stratum], n)
        rates[stratum] = StratumRate(n, found[stratum], found[stratum] / n, low, high)
    return rates, sum(totals.values()), sum(found.values())


def general_cap(items) -> Decimal | None:
    """The lowest ratio cap among general check items (art. 8); the scheme's ratios may not pass it."""
    caps = [i.ratio_cap for i in items if i.category == ItemCategory.GENERAL and i.ratio_cap is not None]
    return min(caps) if caps else None


def advice(
    department_id: int, today: datetime.date, current: dict[str, Any], cap: Decimal | None
) -> list[StratumAdvice]:
    """One row per stratum (every active risk class, the raised stratum, the unrated one, and the 守信 one when it has
    a history or a current ratio): its history and suggestion. `current` maps stratum codes to their ratio fractions
    (strings or Decimals); the raised stratum has no item cap; the 守信 stratum is never suggested higher."""
    rates, dept_checked, dept_problems = stratum_history(department_id, today)
    names = dict(RiskClass.objects.filter(active=True).values_list("code", "name"))
    out = []
    codes = [*names, RAISED_STRATUM, UNRATED_STRATUM]
    if TRUSTED_STRATUM in rates or current.get(TRUSTED_STRATUM) not in (None, ""):
        codes.append(TRUSTED_STRATUM)
    for code in codes:
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
            trusted=code == TRUSTED_STRATUM,
        )
        out.append(StratumAdvice(code, stratum_label(code, names), history, now, suggestion))
    return out


def scheme_ratios(scheme: TaskScheme) -> dict[str, str]:
    return {c: spec["ratio"] for c, spec in scheme.strata.items() if spec.get("ratio")}


def last_ratios(department_id: int) -> dict[str, str]:
    """The ratios of the department's latest scheme: the base of the suggestions on a new scheme's form."""
    latest = TaskScheme.objects.filter(department_id=department_id).order_by("-created_at", "-id").first()
    return scheme_ratios(latest) if latest else {}
