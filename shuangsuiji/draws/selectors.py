"""Reads of a draw's result: one page of its selections under filters, and its teams by inspector.

The caller decides what the user may filter by (strata only with `scoping.sees_strata`, team members only among those
`scoping.team_members_visible` shows); these functions take plain, already validated values."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from shuangsuiji.org.models import Region

from .models import Selection, SelectionRole, TeamMember

# The three states the result table shows, as the filter offers them.
STATUSES = {"active": "有效", "reserve": "候补", "replaced": "已替换"}


@dataclass(frozen=True)
class SelectionFilter:
    stratum: str = ""
    region: int | None = None
    inspector: int | None = None
    status: str = ""
    q: str = ""
    # A participating department filters by its own members only: None means no restriction.
    member_department: int | None = None


def draw_selections(draw, flt: SelectionFilter, *, by_stratum: bool) -> QuerySet[Selection]:
    """The draw's selections under `flt`, ordered by stratum and rank when strata may be shown, otherwise as the public
    sees a sealed draw: selected before reserves, then by code (no order that reveals a stratum or a rank)."""
    qs = Selection.objects.filter(draw=draw).select_related("object", "draw")
    if flt.stratum:
        qs = qs.filter(stratum=flt.stratum)
    if flt.region is not None:
        qs = qs.filter(object__region_id=flt.region)
    if flt.inspector is not None:
        members = TeamMember.objects.filter(active=True, inspector_id=flt.inspector)
        qs = qs.filter(pk__in=members.values("selection_id"))
    if flt.status == "active":
        qs = qs.filter(active=True)
    elif flt.status == "reserve":
        qs = qs.filter(active=False, role=SelectionRole.RESERVE)
    elif flt.status == "replaced":
        qs = qs.filter(active=False).exclude(role=SelectionRole.RESERVE)
    if flt.q:
        qs = qs.filter(Q(object__name__icontains=flt.q) | Q(object__code__icontains=flt.q.upper()))
    if by_stratum:
        return qs.order_by("stratum", "role", "rank", "pk")
    first = Case(
        When(role=SelectionRole.SELECTED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.order_by(first, "object__code", "pk")


def with_teams(selections):
    """Prefetch the active team of each selection of a page (one query for the page, not one per row)."""
    team = TeamMember.objects.select_related("inspector", "department").order_by("order")
    return selections.prefetch_related(Prefetch("team", queryset=team))


def draw_inspectors(draw, *, department: int | None = None) -> list[dict]:
    """The draw's teams by inspector: each active member's inspector with the objects of their active selections,
    most objects first. `department` limits it to one department's members (a participating department's view)."""
    members = (
        TeamMember.objects.filter(selection__draw=draw, active=True, selection__active=True)
        .select_related("inspector", "department", "selection__object")
        .order_by("inspector__name", "inspector_id", "selection__object__code")
    )
    if department is not None:
        members = members.filter(department_id=department)
    by_inspector: dict[int, dict] = {}
    for m in members:
        row = by_inspector.setdefault(
            m.inspector_id,
            {"inspector": m.inspector, "department": m.department, "selections": [], "relaxed": False},
        )
        row["selections"].append(m.selection)
        row["relaxed"] = row["relaxed"] or m.cap_relaxed
    return sorted(by_inspector.values(), key=lambda r: (-len(r["selections"]), r["inspector"].name))


def draw_inspector_choices(draw, *, department: int | None = None) -> dict[int, str]:
    """{inspector id: name} of the draw's active team members, for the filter (one light query, not the teams)."""
    members = TeamMember.objects.filter(selection__draw=draw, active=True, selection__active=True)
    if department is not None:
        members = members.filter(department_id=department)
    return dict(members.order_by().values_list("inspector_id", "inspector__name").distinct())


def draw_regions(draw) -> list[tuple[int, str]]:
    """The regions the draw's objects lie in, for the filter."""
    ids = Selection.objects.filter(draw=draw).values("object__region_id")
    return list(Region.objects.filter(pk__in=ids).values_list("pk", "name"))
