"""Build the DRAW-v1 inputs of a scheme from the directory: candidates by stratum, exclusions with reasons,
eligible inspectors and recusal pairs. Streams the directory; keeps only sets of ids that the rules need."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from shuangsuiji.directory.models import Conflict, InspectionObject, Inspector, RegStatus, Supervision
from shuangsuiji.inspections.credit_mark import mark_from_counts
from shuangsuiji.inspections.selectors import objects_with_problems, trust_counts
from shuangsuiji.planning.models import (
    RAISED_STRATUM,
    TRUSTED_STRATUM,
    UNRATED_STRATUM,
    SchemeStatus,
    TaskScheme,
)

from .limits import frequency_reached, yearly_cap
from .models import DrawStatus, Selection, TeamMember

# Reason codes of excluded.csv (DRAW-v1 §1) and their Chinese labels for pages.
EXCLUSION_REASONS = {
    "DEREGISTERED": "已注销",
    "REVOKED": "被吊销",
    "CANCELLED": "被撤销",
    "MOVED_OUT": "已迁出",
    "UNRATED": "未评定风险分类，方案未设未评定层的抽查比例",
    "NOT_IN_STRATA": "方案未设该风险分类的抽查比例",
    "CAP_REACHED": "本年度抽查次数已达全市上限",
    "ITEM_FREQUENCY": "本年度该事项的抽查次数已达事项抽查频次",
    "OPEN_TASK": "已在同一事项的未结束任务中",
    "SAME_ITEM_RECENT": "同一事项间隔期内已被抽查",
}
STATUS_REASONS = {
    RegStatus.DEREGISTERED: "DEREGISTERED",
    RegStatus.REVOKED: "REVOKED",
    RegStatus.CANCELLED: "CANCELLED",
    RegStatus.MOVED_OUT: "MOVED_OUT",
}


# "Found with problems in the last 12 months" (issue 12 item 4), counted back from the freeze.
PROBLEM_DAYS = 365


@dataclass
class FrozenInputs:
    candidates: list[tuple[str, str]] = field(default_factory=list)
    excluded: list[tuple[str, str]] = field(default_factory=list)
    inspectors: list[tuple[str, str]] = field(default_factory=list)
    recusals: list[tuple[str, str]] = field(default_factory=list)
    strata_counts: Counter = field(default_factory=Counter)
    inspectors_missing: dict[str, str] = field(default_factory=dict)


def _checked_objects(scheme: TaskScheme) -> tuple[Counter, set[int], set[int]]:
    """Per object: checks this year (a joint task counts once), open tasks and recent checks on the same items."""
    item_ids = set(scheme.items.values_list("item_id", flat=True))
    checks: Counter = Counter()
    open_same: set[int] = set()
    recent_same: set[int] = set()
    since = datetime.datetime.combine(
        scheme.window_start - datetime.timedelta(days=scheme.same_item_days), datetime.time.min, datetime.UTC
    )
    rows = (
        Selection.objects.filter(active=True, draw__status=DrawStatus.DRAWN, draw__scheme__year=scheme.year)
        .exclude(draw__scheme=scheme)
        .values_list("object_id", "draw__scheme_id")
        .distinct()
    )
    for object_id, _scheme_id in rows.iterator(chunk_size=10000):
        checks[object_id] += 1
    same_item = (
        Selection.objects.filter(
            active=True, draw__status=DrawStatus.DRAWN, draw__scheme__items__item_id__in=item_ids
        )
        .exclude(draw__scheme=scheme)
        .values_list("object_id", "draw__scheme__status", "draw__drawn_at")
    )
    for object_id, status, drawn_at in same_item.iterator(chunk_size=10000):
        if status in (SchemeStatus.FROZEN, SchemeStatus.DRAWN):
            open_same.add(object_id)
        if drawn_at and drawn_at >= since:
            recent_same.add(object_id)
    return checks, open_same, recent_same


def _objects_in_scope(scheme: TaskScheme):
    qs = InspectionObject.objects.all()
    f = scheme.filters if scheme.directed else {}
    if f.get("regions"):
        qs = qs.filter(region_id__in=f["regions"])
    if f.get("kinds"):
        qs = qs.filter(kind__in=f["kinds"])
    if f.get("risk_classes"):
        qs = qs.filter(risk_class__code__in=f["risk_classes"])
    if f.get("industries"):
        q = Q()
        for prefix in f["industries"]:
            q |= Q(industry_code__startswith=prefix)
        qs = qs.filter(q)
    if f.get("abnormal") is not None:
        qs = qs.filter(abnormal_list=bool(f["abnormal"]))
    if f.get("dishonest") is not None:
        qs = qs.filter(dishonest_list=bool(f["dishonest"]))
    return qs


def _tagged_objects(scheme: TaskScheme) -> set[int] | None:
    tags = set((scheme.filters or {}).get("tags") or []) if scheme.directed else set()
    if not tags:
        return None
    ids = set()
    for object_id, obj_tags in Supervision.objects.values_list("object_id", "tags").iterator(
        chunk_size=10000
    ):
        if tags & set(obj_tags or []):
            ids.add(object_id)
    return ids


def _problem_objects(scheme: TaskScheme) -> set[int]:
    """Objects with a problem in the lead department's published results of the last 12 months, when the scheme
    keeps that rule and has a raised stratum (issue 12 item 4). Published results are public facts, like the two
    lists, so this does not seal the draw (draws/strata.py)."""
    if not (scheme.raise_problems and RAISED_STRATUM in scheme.strata):
        return set()
    since = timezone.now() - datetime.timedelta(days=PROBLEM_DAYS)
    return objects_with_problems(scheme.department_id, since)


def _trust_counts(scheme: TaskScheme) -> dict[int, tuple[int, int]] | None:
    """The counts behind the 守信 mark at the moment of freezing (Beijing business date), only for a scheme with a
    守信 stratum (ADR 0028); None otherwise, so that other schemes read nothing more."""
    if TRUSTED_STRATUM not in scheme.strata:
        return None
    return trust_counts(timezone.localdate())


def stratum_of(
    scheme: TaskScheme,
    risk: str | None,
    abnormal: bool,
    dishonest: bool,
    complaints: int,
    problem: bool = False,
    trusted: bool = False,
) -> str:
    """The raised rules win over the 守信 one: an object they catch is raised whatever its mark. The 守信 stratum
    takes only objects whose ordinary stratum the scheme draws (it lowers a ratio, never adds objects to the scope),
    never one on either list or with any complaint in the last 12 months (包容审慎 is for those with a clean record)."""
    if RAISED_STRATUM in scheme.strata and (
        (scheme.raise_abnormal and abnormal)
        or (scheme.raise_dishonest and dishonest)
        or (scheme.raise_complaints and complaints >= scheme.raise_complaints)
        or (scheme.raise_problems and problem)
    ):
        return RAISED_STRATUM
    ordinary = risk or UNRATED_STRATUM
    if (
        trusted
        and TRUSTED_STRATUM in scheme.strata
        and ordinary in scheme.strata
        and not (abnormal or dishonest or complaints or problem)
    ):
        return TRUSTED_STRATUM
    return ordinary


def iter_scope(scheme: TaskScheme) -> Iterator[tuple[int, str, str, str | None, bool, bool, int]]:
    rows = _objects_in_scope(scheme).values_list(
        "id", "code", "reg_status", "risk_class__code", "abnormal_list", "dishonest_list", "complaints_12m"
    )
    yield from rows.iterator(chunk_size=20000)


def build_inputs(scheme: TaskScheme) -> FrozenInputs:
    """Every object the scheme's filter matches ends up in exactly one place: a candidate of its stratum, or
    excluded.csv with a reason (art. 3 全面覆盖; issue 17, item 1). Nothing in scope is left out silently.

    Order of the reasons: the registration status first (a public fact), then the scheme's strata (an object of a
    class the scheme does not draw, or unrated without an UNRATED stratum), and only then the check history (cap,
    open task, recent check), so that an object the scheme would never draw does not have its history published."""
    out = FrozenInputs()
    checks, open_same, recent_same = _checked_objects(scheme)
    cap, beyond_cap = yearly_cap(scheme)
    item_frequency = frequency_reached(scheme)
    tagged = _tagged_objects(scheme)
    problems = _problem_objects(scheme)
    counts = _trust_counts(scheme)
    candidate_ids: dict[int, str] = {}
    for oid, code, status, risk, abnormal, dishonest, complaints in iter_scope(scheme):
        if tagged is not None and oid not in tagged:
            continue
        trusted = (
            counts is not None
            and oid in counts
            and mark_from_counts(*counts[oid], abnormal=abnormal, dishonest=dishonest).trustworthy
        )
        stratum = stratum_of(scheme, risk, abnormal, dishonest, complaints, oid in problems, trusted)
        if status in STATUS_REASONS:
            out.excluded.append((code, STATUS_REASONS[status]))
        elif stratum not in scheme.strata:
            out.excluded.append((code, "UNRATED" if stratum == UNRATED_STRATUM else "NOT_IN_STRATA"))
        elif checks.get(oid, 0) >= cap and oid not in beyond_cap:
            out.excluded.append((code, "CAP_REACHED"))
        elif oid in item_frequency:
            out.excluded.append((code, "ITEM_FREQUENCY"))
        elif oid in open_same:
            out.excluded.append((code, "OPEN_TASK"))
        elif oid in recent_same:
            out.excluded.append((code, "SAME_ITEM_RECENT"))
        else:
            out.candidates.append((stratum, code))
            out.strata_counts[stratum] += 1
            candidate_ids[oid] = code

    # Inspectors: certificate valid through the window, on duty, the department's qualifications for its items.
    needed: dict[str, set[str]] = {code: set() for code in scheme.team_slots}
    for dept_code, qualification in scheme.items.values_list("department__code", "item__qualification"):
        if qualification and dept_code in needed:
            needed[dept_code].add(qualification)
    eligible: dict[int, str] = {}
    for dept_code in scheme.team_slots:
        for ins in Inspector.objects.filter(department__code=dept_code).drawable(scheme.window_end):
            if needed[dept_code] <= set(ins.qualifications or []):
                out.inspectors.append((dept_code, ins.code))
                eligible[ins.pk] = ins.code
        if not any(d == dept_code for d, _ in out.inspectors):
            quals = "、".join(sorted(needed[dept_code])) or "无特殊要求"
            out.inspectors_missing[dept_code] = f"没有执法证在检查期内有效、在岗且具备资格（{quals}）的人员"

    # Recusals: declared conflicts, plus the inspectors of each object's previous check (rotation).
    pairs: set[tuple[str, str]] = set()
    for ins_id, obj_id in Conflict.objects.filter(inspector_id__in=list(eligible)).values_list(
        "inspector_id", "object_id"
    ):
        if obj_id in candidate_ids:
            pairs.add((eligible[ins_id], candidate_ids[obj_id]))
    latest: dict[int, tuple] = {}
    members = TeamMember.objects.filter(
        active=True, selection__active=True, selection__draw__status=DrawStatus.DRAWN
    ).values_list("selection__object_id", "selection__draw__drawn_at", "inspector_id")
    by_object: dict[int, list[tuple]] = {}
    for obj_id, drawn_at, ins_id in members.iterator(chunk_size=10000):
        if obj_id in candidate_ids:
            by_object.setdefault(obj_id, []).append((drawn_at, ins_id))
    for obj_id, rows in by_object.items():
        last = max(r[0] for r in rows)
        latest[obj_id] = last
        for drawn_at, ins_id in rows:
            if drawn_at == last and ins_id in eligible:
                pairs.add((eligible[ins_id], candidate_ids[obj_id]))
    out.recusals = sorted(pairs)
    return out
