"""Build a published scheme with candidates and inspectors, through the services, for draw tests."""

import datetime
from zoneinfo import ZoneInfo

from shuangsuiji.directory.models import RiskClass
from shuangsuiji.planning import services as planning
from tests import factories


def published_scheme(
    actor, *, entities=40, inspectors=4, team_slots=None, strata=None, items=None, consent=True, **extra
):
    risk = {c.code: c for c in RiskClass.objects.all()}
    for n in range(entities):
        factories.entity(risk_class=risk["A" if n % 4 else "D"])
    for _ in range(inspectors):
        factories.inspector(actor.department.code)
    items = items or [
        factories.item(actor.department.code, category="重点", ratio_cap=None, name="特种设备使用单位检查")
    ]
    data = {
        "name": "2026年第一批企业公示信息抽查",
        "adhoc_reason": "测试",
        "strata": strata or {"A": {"ratio": "0.1", "reserve": 2}, "D": {"ratio": "0.5", "reserve": 1}},
        "item_ids": [i.pk for i in items],
        "methods": ["实地核查"],
        "window_start": datetime.date(2026, 12, 1).isoformat(),
        "window_end": datetime.date(2026, 12, 20).isoformat(),
        "team_slots": team_slots or {actor.department.code: 2},
    } | extra
    scheme = planning.scheme_create(actor=actor, data=data)
    scheme = planning.scheme_publish(actor=actor, scheme=scheme)
    if consent:
        accept_for_every_department(scheme)
    return scheme


def accept_for_every_department(scheme) -> None:
    """Each participating department's administrator accepts the task (tests/draws/test_consent.py tests the rule)."""
    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.org.models import Department

    for code in scheme.team_slots:
        if code == scheme.department.code:
            continue
        department = Department.objects.get(code=code)
        admin = User.objects.filter(
            department=department, role=Role.DEPT_ADMIN
        ).first() or User.objects.create_user(
            username=f"{code.lower()}_consent", role=Role.DEPT_ADMIN, department=department
        )
        planning.scheme_accept(actor=admin, scheme=scheme)


BEIJING = ZoneInfo("Asia/Shanghai")
# A lottery period drawn after any freeze of the tests: those pinned to 2026-11-27 and those on the real date.
DRAW_DATE = (
    max(datetime.datetime.now(tz=BEIJING).date(), datetime.date(2026, 11, 27)) + datetime.timedelta(days=3)
).isoformat()
LOTTERY = {"lottery": "福利彩票双色球", "period": "2026137", "draw_date": DRAW_DATE}
SOURCES = [{"name": "lottery", "kind": "numbers", **LOTTERY}, {"name": "witness", "kind": "digits"}]


def sources_after(day: datetime.date) -> list[dict]:
    """SOURCES with the lottery drawn after `day` too: for tests whose business date lies beyond DRAW_DATE."""
    date = max(datetime.date.fromisoformat(DRAW_DATE), day + datetime.timedelta(days=3)).isoformat()
    return [{**SOURCES[0], "draw_date": date}, *SOURCES[1:]]


ANNOUNCED = "lottery = 福利彩票双色球第2026137期红球; witness = 监督人员现场掷骰 12 位"
REVEALS = {"lottery": "30,3,11,15,22,27", "witness": "314159265358"}
WITNESSES = [{"name": "周监督", "unit": "舞钢市司法局"}]
# The dice are thrown by a registered witness, named at the ceremony (issue 17, item 8).
THROWN_BY = {"witness": "周监督"}
