"""A small random history of plans, tasks, draws, records and transfers, written straight to the ORM, and the same
history as plain values, from which the tests count every figure themselves (without the ORM or the selectors).

A few dozen rows per seed: two departments leading tasks (a third one joining), three items, two regions, four
risk classes, market entities and a product; drafts, corrections, withheld results, late and unpublished ones,
transfers open, closed, late; records outside the year and the window.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from shuangsuiji.directory.models import InspectionObject, ObjectKind, RegStatus, RiskClass
from shuangsuiji.draws.models import Draw, DrawStatus, Selection, SelectionRole
from shuangsuiji.inspections.models import (
    InspectionRecord,
    ItemResult,
    ListingProposal,
    ProposalStatus,
    RecordKind,
    RecordMember,
    RecordStatus,
    Transfer,
    TransferKind,
    TransferStatus,
)
from shuangsuiji.org.models import Department, Region
from shuangsuiji.planning.models import (
    AnnualPlan,
    PlanBatch,
    PlanItem,
    PlanKind,
    PlanVersion,
    SchemeItem,
    SchemeStatus,
    TaskScheme,
)
from shuangsuiji.stats import summary
from tests import factories

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
TODAY = datetime.date(2026, 12, 1)
EXECUTED = {"submitted", "published", "withheld", "superseded"}
CONCLUDED = {"submitted", "published", "withheld"}


@dataclass
class History:
    departments: list[Department]
    items: list = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    risks: list[RiskClass] = field(default_factory=list)
    objects: dict[int, dict] = field(default_factory=dict)
    batches: list[dict] = field(default_factory=list)
    schemes: dict[int, dict] = field(default_factory=dict)
    selections: list[dict] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    transfers: list[dict] = field(default_factory=list)
    proposals: list[dict] = field(default_factory=list)
    inspectors: dict[int, dict] = field(default_factory=dict)


TRIGGERS = ["投诉举报", "转办交办", "数据监测"]
# GB/T 4754 codes with and without the section letter, an empty one (未填写)
INDUSTRY = ["C1310", "F5212", "5212", "H6210", "", "A0111"]


def _day(rng: random.Random, year: int = YEAR) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    # 00:30 and 23:30 Beijing time fall on another UTC day: the local date is the one that counts.
    hour, minute = rng.choice([(0, 30), (10, 0), (23, 30)])
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def build(seed: int, actor) -> History:
    rng = random.Random(seed)
    depts = list(Department.objects.filter(code__in=["SCJG", "WJW", "FGW"]).order_by("code"))
    if len(depts) < 3:
        depts = list(Department.objects.order_by("sort", "id")[:3])
    h = History(departments=depts)
    h.regions = list(Region.objects.order_by("id")[:2])
    h.risks = list(RiskClass.objects.order_by("sort")[:4])
    h.items = [factories.item(depts[i % 2].code) for i in range(3)]
    for n in range(16):
        kind = rng.choice([ObjectKind.ENTERPRISE] * 3 + [ObjectKind.INDIVIDUAL, ObjectKind.PRODUCT])
        status = rng.choice([RegStatus.ACTIVE] * 5 + [RegStatus.DEREGISTERED])
        region, risk = rng.choice(h.regions), rng.choice([*h.risks, None])
        industry = rng.choice(INDUSTRY)
        obj = InspectionObject.objects.create(
            industry_code=industry,
            kind=kind,
            code=factories.uscc("1") if kind != ObjectKind.PRODUCT else f"P{seed:03d}{n:04d}",
            name=f"统计测试对象{seed}-{n}",
            region=region,
            risk_class=risk,
            reg_status=status,
        )
        h.objects[obj.pk] = {
            "region": region.pk,
            "risk": risk.pk if risk else None,
            "market": kind != ObjectKind.PRODUCT,
            "active": status == RegStatus.ACTIVE,
            "industry": industry,
        }
    # Annual plans: approved ones count their batches, a draft one does not.
    for dept in depts[:2]:
        for kind, approved in ((PlanKind.DEPARTMENT, True), (PlanKind.JOINT, rng.random() < 0.7)):
            plan = AnnualPlan.objects.create(
                department=dept,
                kind=kind,
                year=rng.choice([YEAR, YEAR, YEAR - 1]),
                title="统计计划",
                created_by=actor,
            )
            items = set(rng.sample([i.pk for i in h.items], 2))
            for item_pk in items:
                PlanItem.objects.create(plan=plan, item_id=item_pk, item_version=1, department=dept)
            if approved:
                PlanVersion.objects.create(
                    plan=plan, version=1, data={}, approved_by_name="办公室", approved_at=timezone.now()
                )
            for seq in range(1, rng.randint(1, 3) + 1):
                batch = PlanBatch.objects.create(
                    plan=plan, seq=seq, name=f"第{seq}批", month=rng.randint(1, 12)
                )
                h.batches.append(
                    {
                        "pk": batch.pk,
                        "dept": dept.pk,
                        "year": plan.year,
                        "month": batch.month,
                        "items": items,
                        "joint": kind == PlanKind.JOINT,
                        "approved": approved,
                    }
                )
    for dept in depts:
        for _ in range(2):
            ins = factories.inspector(dept.code)
            h.inspectors[ins.pk] = {"dept": dept.pk, "name": ins.name, "sort": dept.sort}
    objects = list(h.objects)
    record_seq = 0
    for s in range(7):
        lead = depts[s % 2]
        joint = rng.random() < 0.4
        slots = {lead.code: 1} | ({depts[2].code: 1} if joint else {})
        start = _day(rng, rng.choice([YEAR, YEAR, YEAR, YEAR - 1]))
        end = start + datetime.timedelta(days=rng.randint(10, 60))
        status = rng.choice(
            [
                SchemeStatus.DRAFT,
                SchemeStatus.PUBLISHED,
                SchemeStatus.DRAWN,
                SchemeStatus.CLOSED,
                SchemeStatus.DRAWN,
            ]
        )
        scheme = TaskScheme.objects.create(
            department=lead,
            year=start.year,
            name=f"统计方案{s}",
            strata={"B": {"ratio": "0.1"}},
            window_start=start,
            window_end=end,
            team_slots=slots,
            status=status,
            created_by=actor,
        )
        items = set(rng.sample([i.pk for i in h.items], rng.randint(1, 2)))
        for item_pk in items:
            SchemeItem.objects.create(scheme=scheme, item_id=item_pk, item_version=1, department=lead)
        drawn = status in (SchemeStatus.DRAWN, SchemeStatus.CLOSED)
        h.schemes[scheme.pk] = {
            "dept": lead.pk,
            "year": scheme.year,
            "start": start,
            "end": end,
            "status": status,
            "joint": joint,
            "items": items,
            "drawn": drawn,
            "departments": [d for d in depts if d.code in slots],
        }
        if not drawn:
            continue
        draw = Draw.objects.create(
            scheme=scheme,
            seq=1,
            draw_id=f"STAT-{seed}-{s}",
            status=DrawStatus.DRAWN,
            commitment=f"{seed:032d}{s:032d}",
            params_json="{}",
            files_dir="x",
            file_hashes={},
            secret="s",
            sources=[],
            announced="",
            frozen_at=timezone.now(),
            frozen_by=actor,
        )
        for rank, obj_pk in enumerate(rng.sample(objects, rng.randint(3, 6)), start=1):
            active = rng.random() < 0.85
            sel = Selection.objects.create(
                draw=draw,
                object_id=obj_pk,
                stratum="S1",
                role=SelectionRole.SELECTED,
                rank=rank,
                priority="0",
                active=active,
            )
            h.selections.append({"pk": sel.pk, "scheme": scheme.pk, "active": active, "obj": obj_pk})
            for dept in h.schemes[scheme.pk]["departments"]:
                if rng.random() < 0.8:
                    record_seq += 1
                    _record(rng, h, actor, dept, obj_pk, scheme_pk=scheme.pk, selection=sel)
    for _ in range(8):  # non-random checks (投诉举报 …)
        _record(rng, h, actor, rng.choice(depts), rng.choice(objects), scheme_pk=None, selection=None)
    if settings.STATS_SOURCE == "summary":
        summary.refresh()  # what cron does: the figures are read from the tables it fills
    return h


def _record(rng, h: History, actor, dept, obj_pk, *, scheme_pk, selection) -> None:
    scheme = h.schemes.get(scheme_pk)
    if scheme and rng.random() < 0.7:
        day = scheme["start"] + datetime.timedelta(
            days=rng.randint(0, (scheme["end"] - scheme["start"]).days)
        )
    else:
        day = _day(rng, rng.choice([YEAR, YEAR, YEAR - 1, YEAR - 2, YEAR - 3]))
    status = rng.choice(
        ["draft", "submitted", "returned", "published", "published", "published", "withheld", "superseded"]
    )
    result_date = day + datetime.timedelta(days=rng.choice([0, 0, 3]))
    deadline = result_date + datetime.timedelta(days=28) if rng.random() < 0.9 else None
    published = None
    if status in ("published", "superseded"):
        published = _moment(
            rng,
            deadline + datetime.timedelta(days=rng.choice([-20, -1, 0, 1, 5])) if deadline else result_date,
        )
    trigger = "" if selection else rng.choice(TRIGGERS)
    rec = InspectionRecord.objects.create(
        kind=RecordKind.RANDOM if selection else RecordKind.TRIGGERED,
        trigger=trigger,
        trigger_ref="" if selection else "来源-1",
        selection=selection,
        object_id=obj_pk,
        department=dept,
        inspection_date=day,
        result_date=result_date,
        deadline=deadline,
        status=status,
        published_at=published,
        created_by=actor,
    )
    members = rng.sample([pk for pk, i in h.inspectors.items() if i["dept"] == dept.pk], rng.randint(0, 2))
    for ins_pk in members:
        RecordMember.objects.create(record=rec, inspector_id=ins_pk)
    problems = {}
    item_pks = sorted(scheme["items"]) if scheme else [rng.choice(h.items).pk]
    for item_pk in item_pks:
        problem = rng.random() < 0.35
        ItemResult.objects.create(record=rec, item_id=item_pk, checked=True, problem_found=problem)
        problems[item_pk] = problem
    row = {
        "pk": rec.pk,
        "dept": dept.pk,
        "random": selection is not None,
        "scheme": scheme_pk,
        "selection": selection.pk if selection else None,
        "obj": obj_pk,
        "date": day,
        "status": status,
        "first": True,
        "result_date": result_date,
        "deadline": deadline,
        "published": published.astimezone(TZ).date() if published else None,
        "problems": problems,
        "trigger": trigger,
        "members": members,
    }
    h.records.append(row)
    if status == "superseded":  # its correction, in force
        fix = InspectionRecord.objects.create(
            kind=rec.kind,
            selection=selection,
            object_id=obj_pk,
            department=dept,
            inspection_date=day,
            result_date=result_date,
            deadline=deadline,
            status=RecordStatus.PUBLISHED,
            published_at=published + datetime.timedelta(days=2),
            corrects=rec,
            version=2,
            created_by=actor,
        )
        fixed = {}
        for item_pk in item_pks:
            problem = rng.random() < 0.5
            ItemResult.objects.create(record=fix, item_id=item_pk, checked=True, problem_found=problem)
            fixed[item_pk] = problem
        h.records.append(row | {"pk": fix.pk, "status": "published", "first": False, "problems": fixed})
    if rng.random() < 0.3:
        sent = _moment(rng, _day(rng, rng.choice([YEAR, YEAR, YEAR - 1])))
        due = sent.date() + datetime.timedelta(days=14)
        status = rng.choice([TransferStatus.SENT, TransferStatus.ACKNOWLEDGED, TransferStatus.CLOSED])
        closed = (
            _moment(rng, due + datetime.timedelta(days=rng.choice([-3, 0, 4])))
            if status == TransferStatus.CLOSED
            else None
        )
        to = rng.choice([*h.departments, None])
        t = Transfer.objects.create(
            record=rec,
            to_department=to,
            to_agency="" if to else "公安机关",
            kind=TransferKind.DEPARTMENT,
            content="移交",
            sent_by=actor,
            due=due,
            status=status,
            closed_at=closed,
        )
        Transfer.objects.filter(pk=t.pk).update(sent_at=sent)
        h.transfers.append(
            {
                "pk": t.pk,
                "record": row,
                "sent": sent.date(),
                "status": status,
                "due": due,
                "closed": closed.date() if closed else None,
                "to": to.pk if to else None,
            }
        )
    if rng.random() < 0.3:
        decider = rng.choice(h.departments)
        pstatus = rng.choice([ProposalStatus.PROPOSED, ProposalStatus.LISTED, ProposalStatus.REJECTED])
        decided = (
            _moment(rng, _day(rng, rng.choice([YEAR, YEAR, YEAR - 1])))
            if pstatus != ProposalStatus.PROPOSED
            else None
        )
        lp = ListingProposal.objects.create(
            object_id=obj_pk,
            record=rec,
            reason="通过登记的住所（经营场所）无法联系",
            department=decider,
            due=day + datetime.timedelta(days=30),
            status=pstatus,
            decided_at=decided,
        )
        h.proposals.append(
            {
                "pk": lp.pk,
                "record": row,
                "dept": decider.pk,
                "status": pstatus,
                "decided": decided.astimezone(TZ).date() if decided else None,
            }
        )
