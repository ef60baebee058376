"""Reads of the city-wide cap and its exemptions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shuangsuiji.accounts.scoping import scope_to_department

from .models import DEFAULT_YEARLY_CAP, CapExemption, YearlyCapVersion


def yearly_cap() -> int:
    """The cap in force: the latest value the office recorded, or art. 9's 2."""
    latest = YearlyCapVersion.objects.order_by("-version").values_list("value", flat=True).first()
    return DEFAULT_YEARLY_CAP if latest is None else latest


def yearly_cap_history() -> QuerySet[YearlyCapVersion]:
    return YearlyCapVersion.objects.order_by("-version")


def scheme_yearly_cap(scheme) -> int:
    """The cap a scheme's freeze applies: the city's, or the scheme's own if it chose a stricter one."""
    city = yearly_cap()
    return city if scheme.yearly_cap is None else min(city, scheme.yearly_cap)


def exempt_object_ids(scheme) -> set[int]:
    """Objects the office allowed `scheme` to draw beyond the cap: approved for its department and year, and for this
    scheme or for no scheme in particular."""
    return set(
        CapExemption.objects.approved()
        .filter(year=scheme.year, department_id=scheme.department_id)
        .filter(Q(scheme__isnull=True) | Q(scheme_id=scheme.pk))
        .values_list("object_id", flat=True)
    )


def exemptions_for(user) -> QuerySet[CapExemption]:
    """The office sees every request; a department its own."""
    qs = CapExemption.objects.select_related("object", "department", "scheme")
    return scope_to_department(user, qs)


def public_exemptions(year: int | None = None) -> QuerySet[CapExemption]:
    """Approved exemptions as the portal shows them: object name and code, department, reason — no person."""
    qs = CapExemption.objects.published().select_related("object", "department", "scheme")
    return qs.filter(year=year) if year else qs
