"""Reads of the public portal. Every function starts from a `published()` / `public()` / `valid()` queryset.

What is public (domain.md §3, issue 4): the valid item list; the last *approved* version of each plan and its
history; published task schemes; every draw of them from its freeze (commitment, params.json and the four
CSVs), including superseded and failed ones. Two things are deliberately held back:

* credit-risk classes: never public, so no class name is ever rendered and a directed filter on risk classes
  is described without naming them;
* the drawn list of a scheme that publishes it only after its inspection window: until then the page shows
  neither the list nor anything it can be computed from — the revealed server secret, the seed and
  result.json — because anyone holding the seed and the public candidates.csv can recompute the selection.
  The commitment and the files are public at once in every case, so the draw cannot be changed afterwards.

Inspectors are read through `values()` with name and certificate number only: ID numbers and phones are
never loaded, so no template can leak them.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from shuangsuiji import labels
from shuangsuiji.directory.models import CheckItem, ItemCategory, ObjectKind
from shuangsuiji.draw import SEALED_SOURCE
from shuangsuiji.draws.labels import substitution_reason_label
from shuangsuiji.draws.models import Draw, DrawStatus, Selection, SelectionRole, Substitution, TeamMember
from shuangsuiji.draws.services import files_before_ceremony, public_file_names
from shuangsuiji.org.models import Department, Region
from shuangsuiji.planning.models import (
    AnnualPlan,
    PlanVersion,
    PublishListAt,
    SchemeItem,
    SchemeStatus,
    TaskScheme,
)

# Files public from the freeze; result.json follows once drawn (and once the drawn list is public).


# ---------------------------------------------------------------------------------------------- filters


def departments() -> QuerySet[Department]:
    return Department.objects.filter(active=True)


def department_by_code(code: str | None) -> Department | None:
    if not code:
        return None
    return Department.objects.filter(code=code).first()


def public_years() -> list[int]:
    years = set(TaskScheme.objects.published().values_list("year", flat=True))
    years |= {p.data.get("year") for p in _latest_versions() if p.data.get("year")}
    return sorted(years, reverse=True)


# ------------------------------------------------------------------------------------------ item list


def public_items(*, department: Department | None = None) -> QuerySet[CheckItem]:
    qs = CheckItem.objects.valid().select_related("department")
    if department is not None:
        qs = qs.filter(department=department)
    return qs


def item_cap_text(item: CheckItem) -> str:
    """A 一般 item's ratio cap (art. 8); a 重点 item has none."""
    if item.category != ItemCategory.GENERAL:
        return "不设上限"
    return percent_text(item.ratio_cap) or "—"


# ---------------------------------------------------------------------------------------------- plans


@dataclass
class PublicPlan:
    """A plan as the public sees it: the snapshot of its latest approved version, never the draft."""

    id: int
    version: PlanVersion
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return "年度部门联合抽查计划" if self.data.get("kind") == "joint" else "年度抽查计划"

    def involves(self, department: Department) -> bool:
        names = {self.data.get("department")} | set(self.data.get("participants") or [])
        names |= {i.get("department") for i in self.data.get("items") or []}
        return department.name in names


def _latest_versions() -> list[PlanVersion]:
    latest: dict[int, PlanVersion] = {}
    for v in PlanVersion.objects.filter(plan__in=AnnualPlan.objects.published()).order_by(
        "plan_id", "version"
    ):
        latest[v.plan_id] = v
    return list(latest.values())


def published_plans(*, department: Department | None = None, year: int | None = None) -> list[PublicPlan]:
    """Approved plans by department (lead, participant or implementing an item) and year, as last approved."""
    plans = [PublicPlan(id=v.plan_id, version=v, data=v.data) for v in _latest_versions()]
    if year is not None:
        plans = [p for p in plans if p.data.get("year") == year]
    if department is not None:
        plans = [p for p in plans if p.involves(department)]
    plans.sort(key=lambda p: (-(p.data.get("year") or 0), p.id))
    return plans


def published_plan(pk: int) -> AnnualPlan:
    """Raises AnnualPlan.DoesNotExist for a plan no version of which was ever approved."""
    return AnnualPlan.objects.published().get(pk=pk)


def plan_version_data(version: PlanVersion) -> dict[str, Any]:
    """The approved snapshot, with each item's planned ratio as a percentage."""
    data = dict(version.data)
    data["items"] = [dict(i, ratio_text=percent_text(i.get("ratio"))) for i in data.get("items") or []]
    return data


def plan_versions(plan: AnnualPlan) -> list[PlanVersion]:
    """The public change history, newest first."""
    return list(PlanVersion.objects.filter(plan=plan).order_by("-version"))


# ---------------------------------------------------------------------------------------------- tasks


def public_tasks(*, department: Department | None = None, year: int | None = None) -> QuerySet[TaskScheme]:
    qs = TaskScheme.objects.published().select_related("department")
    if year is not None:
        qs = qs.filter(year=year)
    if department is not None:
        # A joint task lists every participating department in its team slots.
        qs = qs.filter(Q(department=department) | Q(team_slots__has_key=department.code))
    return qs.order_by("-year", "-published_at", "-id")


def public_task(pk: int) -> TaskScheme:
    """Raises TaskScheme.DoesNotExist for a draft scheme."""
    return TaskScheme.objects.published().select_related("department", "plan", "batch").get(pk=pk)


def public_task_items(task: TaskScheme) -> QuerySet[SchemeItem]:
    return SchemeItem.objects.filter(scheme=task).select_related("item", "department")


def task_departments(task: TaskScheme) -> list[dict[str, Any]]:
    names = dict(Department.objects.filter(code__in=task.team_slots).values_list("code", "name"))
    return [{"code": c, "name": names.get(c, c), "slots": n} for c, n in sorted(task.team_slots.items())]


def plan_is_public(plan_id: int | None) -> bool:
    return plan_id is not None and AnnualPlan.objects.published().filter(pk=plan_id).exists()


_FLAG_WORDS = {
    "abnormal": ("列入经营异常名录的对象", "未列入经营异常名录的对象"),
    "dishonest": ("列入严重违法失信名单的对象", "未列入严重违法失信名单的对象"),
}


def filter_description(task: TaskScheme, *, internal: bool = False) -> list[str]:
    """The directed filter in words. A filter on credit-risk classes is mentioned but its classes are not, except
    on internal pages (`internal`), whose readers may know them."""
    if not task.directed:
        return []
    f = task.filters or {}
    out = []
    if f.get("regions"):
        names = Region.objects.filter(pk__in=f["regions"]).values_list("name", flat=True)
        out.append("区域：" + "、".join(names))
    if f.get("industries"):
        out.append("行业：" + "、".join(str(i) for i in f["industries"]))
    if f.get("kinds"):
        labels = dict(ObjectKind.choices)
        out.append("对象类别：" + "、".join(str(labels.get(k, k)) for k in f["kinds"]))
    if f.get("tags"):
        out.append("专项库：" + "、".join(str(t) for t in f["tags"]))
    for key, (yes, no) in _FLAG_WORDS.items():
        if f.get(key) is True:
            out.append(yes)
        elif f.get(key) is False:
            out.append(no)
    if f.get("risk_classes") and internal:
        out.append("信用风险分类：" + "、".join(str(c) for c in f["risk_classes"]))
    elif f.get("risk_classes"):
        out.append("按信用风险分类限定范围（信用风险分类依规不予公开）")
    return out


# Ratios are stored as decimals, people read percentages: one formatter for the portal and the inside pages.
percent_text = labels.percent_text


def _ratio_text(rule: dict[str, Any]) -> str:
    if rule.get("ratio") is not None:
        return percent_text(rule["ratio"])
    return f"{rule.get('count')} 户"


def scheme_ratios(task: TaskScheme) -> list[str]:
    """The scheme's ratios without their stratum codes: a code next to a ratio would name a risk class."""
    return sorted({_ratio_text(rule) for rule in task.strata.values()})


# ---------------------------------------------------------------------------------------------- draws


def drawn_list_visible(scheme: TaskScheme, today: datetime.date) -> bool:
    """The scheme publishes its list at the draw, or its inspection window has closed (domain.md §3)."""
    return scheme.publish_list_at == PublishListAt.DRAW or today > scheme.window_end


def public_draws(task: TaskScheme) -> list[Draw]:
    """Every draw of a published scheme from its freeze on, superseded and failed ones included."""
    if task.status == SchemeStatus.DRAFT:
        return []
    return list(
        Draw.objects.public()
        .filter(scheme=task)
        .select_related("redraw_of")
        .prefetch_related("witnesses")
        .order_by("seq")
    )


def public_draw(pk: int) -> Draw:
    """Raises Draw.DoesNotExist for a draw in progress or of an unpublished scheme."""
    return (
        Draw.objects.public()
        .filter(scheme__in=TaskScheme.objects.published())
        .select_related("scheme")
        .get(pk=pk)
    )


def certificate_public(draw: Draw, today: datetime.date) -> bool:
    """result.json, the seed and the revealed secret: once drawn, and only when the list itself is public."""
    return bool(draw.certificate_json) and drawn_list_visible(draw.scheme, today)


def draw_files(draw: Draw, today: datetime.date) -> list[str]:
    """What the public may download: the projection of a sealed draw (DRAW-v1.1), the DRAW-v1 files of an open one,
    nothing of a draw whose public copy was withdrawn; the certificate only when the list itself is public."""
    return files_before_ceremony(public_file_names(draw), draw, certificate=certificate_public(draw, today))


def draw_strata(draw: Draw, with_counts: bool) -> list[dict[str, Any]]:
    """The strata as params.json announces them (code, ratio or count, reserves), plus N and k once public.

    A sealed draw shows its random codes with counts only (N known at freeze, k and reserves as the rule gives
    them): a ratio next to a code is harmless only where no object can be tied to the code, and a count is enough."""
    if draw.public_withdrawn:
        return []
    if draw.sealed:
        summary = json.loads(draw.public_params_json)["sealed"]["strata"]
        return [
            {"code": code, "ratio": "", "reserve": s["reserves"], "N": s["N"], "k": s["k"]}
            for code, s in summary.items()
        ]
    params = json.loads(draw.params_json)
    counts = json.loads(draw.certificate_json)["strata"] if with_counts and draw.certificate_json else {}
    return [
        {
            "code": code,
            "ratio": _ratio_text(rule),
            "reserve": rule.get("reserve", 0),
            "N": counts.get(code, {}).get("N"),
            "k": counts.get(code, {}).get("k"),
        }
        for code, rule in params["strata"].items()
    ]


def public_sources(draw: Draw, reveal: bool) -> list[dict[str, str]]:
    """The announced sources; with `reveal`, the values revealed at the ceremony (the secret's only once drawn)."""
    reveals = (draw.reveals or {}) if reveal else {}
    out = []
    for s in draw.sources:
        if s["name"] == SEALED_SOURCE:
            continue  # revealed only in the full files, to those entitled to them
        if s["kind"] == "secret":
            value = reveals.get(s["name"], "") if draw.status != DrawStatus.FAILED else ""
            label = "服务器密钥（抽取前仅公布其哈希承诺）"
        else:
            value = reveals.get(s["name"], "")
            label = "彩票开奖号码" if s["kind"] == "numbers" else "现场掷骰数字"
        out.append(
            {
                "name": s["name"],
                "kind": s["kind"],
                "title": labels.source_label(s["name"], s["kind"]),
                "label": label,
                "commitment": s.get("commitment", ""),
                "value": value,
                "meaning": labels.numbers_meaning(value) if s["kind"] == "numbers" else "",
            }
        )
    return out


def drawn_list(draw: Draw) -> list[dict[str, Any]]:
    """The objects of a draw with their teams; only names and certificate numbers of inspectors are read.

    For the current draw: the selected objects and any reserve that replaced one, each with its active team.
    For a superseded draw: the objects as drawn, no longer to be inspected.
    """
    current = draw.status == DrawStatus.DRAWN
    sels = Selection.objects.filter(draw=draw).filter(
        Q(role=SelectionRole.SELECTED) | Q(active=True) | Q(replaces__isnull=False)
    )
    values = sels.values(
        "id", "stratum", "role", "rank", "priority", "active", "object__name", "object__code"
    )
    if draw.sealed or draw.public_withdrawn:
        # Sorted by code, without stratum, rank or priority: any of them would tie the object to its stratum.
        rows = sorted(values, key=lambda r: (r["role"] != SelectionRole.SELECTED, r["object__code"]))
    else:
        rows = sorted(values, key=lambda r: (r["stratum"], r["role"] != SelectionRole.SELECTED, r["rank"]))
    sealed = draw.sealed or bool(draw.public_withdrawn)
    teams: dict[int, list[dict[str, str]]] = {}
    if current:
        members = (
            TeamMember.objects.filter(selection__draw=draw, active=True)
            .order_by("selection_id", "order")
            .values("selection_id", "department__short_name", "inspector__name", "inspector__cert_no")
        )
        for m in members:
            teams.setdefault(m["selection_id"], []).append(
                {
                    "department": m["department__short_name"],
                    "name": m["inspector__name"],
                    "cert_no": m["inspector__cert_no"],
                }
            )
    out = []
    for r in rows:
        if not current:
            state = "已作废"
        elif r["active"]:
            state = "有效" if r["role"] == SelectionRole.SELECTED else "候补递补"
        else:
            state = "已替换"
        out.append(
            {
                "stratum": "" if sealed else r["stratum"],
                "role": "抽中" if r["role"] == SelectionRole.SELECTED else "候补",
                "rank": "" if sealed else r["rank"],
                "priority": "" if sealed else r["priority"],
                "name": r["object__name"],
                "code": r["object__code"],
                "state": state,
                "team": teams.get(r["id"], []),
            }
        )
    return out


def public_substitutions(draw: Draw) -> list[dict[str, str]]:
    """Replacements after the draw (spec §8) with reason, who and when; inspectors by name and certificate.

    The reason is the label of the public reason code only: the internal note may name a person's circumstances
    ("孙之峰 休病假", issue 17 item 9) and is never read here."""
    rows = Substitution.objects.filter(draw=draw).order_by("at", "id")
    rows = rows.values(
        "kind",
        "reason_code",
        "by_name",
        "at",
        "old_selection__object__name",
        "old_selection__object__code",
        "new_selection__object__name",
        "new_selection__object__code",
        "old_member__inspector__name",
        "old_member__inspector__cert_no",
        "new_member__inspector__name",
        "new_member__inspector__cert_no",
        "old_member__selection__object__name",
    )
    out = []
    for r in rows:
        if r["kind"] == "object":
            kind = "检查对象替换"
            old = f"{r['old_selection__object__name']}（{r['old_selection__object__code']}）"
            new = f"{r['new_selection__object__name']}（{r['new_selection__object__code']}）"
        else:
            kind = "检查人员替换"
            old = f"{r['old_member__inspector__name']}（执法证号 {r['old_member__inspector__cert_no']}）"
            new = f"{r['new_member__inspector__name']}（执法证号 {r['new_member__inspector__cert_no']}）"
            if r["old_member__selection__object__name"]:
                kind += f"（{r['old_member__selection__object__name']}）"
        out.append(
            {
                "at": r["at"],
                "kind": kind,
                "old": old,
                "new": new,
                "reason": substitution_reason_label(r["kind"], r["reason_code"]),
                "by": r["by_name"],
            }
        )
    return out


def substitution_count(draw: Draw) -> int:
    return Substitution.objects.filter(draw=draw).count()
