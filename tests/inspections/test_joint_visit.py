"""Issue 17, item 6: a joint task's drawn object is one visit (art. 3, 10) — one day, each department's part, published
once; a department that could not attend says why. Through /api/v1 and the pages, on both databases."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from shuangsuiji.accountability import selectors as accountability
from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus, Visit
from shuangsuiji.org.models import Department
from shuangsuiji.web.views_accountability import _sections
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.inspections.helpers import drawn_selection

# The window of the task runs 10 days either side of today: 12-01 and 12-04 both lie in it.
pytestmark = pytest.mark.today("2026-12-05")

FIRST_DAY, OTHER_DAY = "2026-12-01", "2026-12-04"
COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}
# The visit operation of issue 17, item 6 (listed in the OpenAPI document beside the record operations).
VISIT_OPERATIONS = {("post", "/api/v1/draws/{draw_id}/selections/{sel_id}/absence")}


def quick_user(username: str, role: str, dept_code: str) -> User:
    """The named users without a password (they sign in with force_login): hashing six passwords a test cost
    more than everything else it does."""
    department = Department.objects.get(code=dept_code)
    return User.objects.create_user(
        username=username, role=role, department=department, full_name=username.title()
    )


@pytest.fixture
def alice(db):
    return quick_user("alice", Role.DEPT_ADMIN, "SCJG")


@pytest.fixture
def amy(db):
    return quick_user("amy", Role.CLERK, "SCJG")


@pytest.fixture
def rita(db):
    return quick_user("rita", Role.REVIEWER, "SCJG")


@pytest.fixture
def bob(db):
    return quick_user("bob", Role.DEPT_ADMIN, "WJW")


@pytest.fixture
def wendy(db):
    return quick_user("wendy", Role.CLERK, "WJW")


@pytest.fixture
def walt(db):
    return quick_user("walt", Role.REVIEWER, "WJW")


@pytest.fixture
def selection(alice, bob):
    """A drawn object of a joint task of 市场监管局 (lead, 2 inspectors) and 卫健委 (1), each with its own item."""
    factories.inspector("WJW")
    items = [
        factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查"),
        factories.item("WJW", category="重点", ratio_cap=None, name="公共场所卫生检查"),
    ]
    return drawn_selection(alice, entities=8, inspectors=2, team_slots={"SCJG": 2, "WJW": 1}, items=items)


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def create_url(selection, what="record") -> str:
    return f"/draws/{selection.draw_id}/selections/{selection.pk}/{what}"


def part(client, selection, day) -> dict:
    rec = ok(client.post(create_url(selection)), 201)
    return ok(client.post(f"/records/{rec['id']}/submit", COMPLETE | {"inspection_date": day}))


def test_a_second_department_cannot_record_the_joint_visit_on_another_day(selection, amy, wendy):
    scjg, wjw = ApiClient(amy), ApiClient(wendy)
    first = part(scjg, selection, FIRST_DAY)
    assert first["status"] == "submitted" and first["visit"]["visit_date"] == FIRST_DAY

    # The bypass of the issue: 卫健委 files its own record of the same object on another day. Refused, by field.
    rec = ok(wjw.post(create_url(selection)), 201)
    assert rec["inspection_date"] == FIRST_DAY  # a new part starts on the visit's day
    for call in (
        lambda: wjw.post(f"/records/{rec['id']}/submit", COMPLETE | {"inspection_date": OTHER_DAY}),
        lambda: wjw.patch(f"/records/{rec['id']}", {"inspection_date": OTHER_DAY}),
    ):
        body = ok(call(), 422)
        [error] = body["errors"]
        assert error["field"] == "检查日期"
        assert f"已按 {FIRST_DAY} 登记" in error["reason"] and f"不能填写 {OTHER_DAY}" in error["reason"]
        assert "舞钢市市场监督管理局" in error["reason"]
    assert InspectionRecord.objects.get(pk=rec["id"]).status == RecordStatus.DRAFT

    # The record form says the same under the date, and keeps the record a draft.
    client = ApiClient(wendy).client
    page = client.post(
        f"/records/{rec['id']}/edit/",
        {
            "action": "submit",
            "inspection_date": OTHER_DAY,
            "member_ids": [str(m["inspector_id"]) for m in rec["members"]],
            **{k: v for k, v in COMPLETE.items() if k != "cert_shown"},
            "cert_shown": "1",
        },
    ).content.decode()
    assert f"本次联合检查已按 {FIRST_DAY} 登记" in page
    assert InspectionRecord.objects.get(pk=rec["id"]).inspection_date == datetime.date.fromisoformat(
        FIRST_DAY
    )

    second = ok(wjw.post(f"/records/{rec['id']}/submit", COMPLETE))
    assert second["status"] == "submitted" and second["inspection_date"] == FIRST_DAY
    assert Visit.objects.get(selection=selection).parts.count() == 2


def test_a_joint_visit_is_published_once_with_each_departments_part(
    client, selection, amy, rita, wendy, walt
):
    scjg_part, wjw_part = (
        part(ApiClient(amy), selection, FIRST_DAY),
        part(ApiClient(wendy), selection, FIRST_DAY),
    )
    public = ApiClient()
    assert [i["name"] for i in scjg_part["item_results"]] == ["特种设备使用单位检查"]
    assert [i["name"] for i in wjw_part["item_results"]] == ["公共场所卫生检查"]

    reviewed = ok(ApiClient(rita).post(f"/records/{scjg_part['id']}/review", {"approve": True}))
    assert reviewed["status"] == "published"
    assert [p["label"] for p in reviewed["visit"]["parts"]] == [
        "已审核，待各部门完成后一并公示",
        "已提交待审核",
    ]
    assert ok(public.get("/public/results", q=selection.object.code))["count"] == 0  # 卫健委's part is open

    reviewed = ok(ApiClient(walt).post(f"/records/{wjw_part['id']}/review", {"approve": True}))
    assert reviewed["visit"]["published_at"]
    page = ok(public.get("/public/results", q=selection.object.code))
    assert page["count"] == 1
    [found] = page["results"]
    assert found["inspection_date"] == FIRST_DAY and found["results"] == ["未发现问题"]
    assert found["department"] == "舞钢市市场监督管理局、舞钢市卫生健康委员会"
    assert [(p["department"], p["attended"], [i["item"] for i in p["items"]]) for p in found["parts"]] == [
        ("舞钢市市场监督管理局", True, ["特种设备使用单位检查"]),
        ("舞钢市卫生健康委员会", True, ["公共场所卫生检查"]),
    ]
    html = client.get("/portal/results/", {"q": selection.object.code}).content.decode()
    assert html.count('class="card result"') == 1 and html.count('class="visit-part"') == 2
    assert AuditEvent.objects.filter(action="visit.publish").count() == 1
    assert AuditEvent.objects.filter(action="visit.date").count() == 1


def test_a_department_that_could_not_attend_says_why_and_shows_as_not_attending(
    client, selection, amy, rita, wendy, wjw
):
    login(client, wendy)
    draw_page = client.get(f"/draws/{selection.draw_id}/").content.decode()
    assert (
        f"/draws/{selection.draw_id}/selections/{selection.pk}/absence/" in draw_page
        and "本部门未参加" in draw_page
    )
    r = client.post(
        f"/draws/{selection.draw_id}/selections/{selection.pk}/absence/", {"reason": "  "}, follow=True
    )
    assert "请写明本部门未能参加联合检查的理由" in r.content.decode()
    r = client.post(
        f"/draws/{selection.draw_id}/selections/{selection.pk}/absence/",
        {"reason": "同日承担疫情防控检查任务"},
    )
    assert r.status_code == 302
    event = AuditEvent.objects.get(action="visit.absence")
    assert event.actor_id == wendy.pk and event.reason == "同日承担疫情防控检查任务"

    body = ok(ApiClient(wendy).post(create_url(selection)), 422)
    assert body["errors"][0]["reason"] == "本部门已登记未参加该对象的联合检查，不能再建立检查记录"

    scjg_part = part(ApiClient(amy), selection, FIRST_DAY)
    assert scjg_part["visit"]["parts"][1] == {
        "department": "舞钢市卫生健康委员会",
        "department_code": "WJW",
        "state": "absent",
        "label": "未参加",
        "reason": "同日承担疫情防控检查任务",
        "record_id": None,
    }
    login(client, amy)
    assert "同日承担疫情防控检查任务" in client.get(f"/records/{scjg_part['id']}/").content.decode()

    services.record_review(actor=rita, rec=InspectionRecord.objects.get(pk=scjg_part["id"]), approve=True)
    [found] = ok(ApiClient().get("/public/results", q=selection.object.code))["results"]
    assert found["parts"][1] == {
        "department": "舞钢市卫生健康委员会",
        "attended": False,
        "reported": True,
        "results": [],
        "items": [],
    }
    assert "疫情" not in str(found)  # the reason stays internal

    # The accountability report lists the object for 卫健委, with the reason, not as silently missing.
    after_window = selection.draw.scheme.window_end + datetime.timedelta(days=1)
    [listed] = [
        s for s in accountability.objects_not_inspected(wjw, 2026, after_window) if s.pk == selection.pk
    ]
    assert listed.absence.reason == "同日承担疫情防控检查任务"
    report = accountability.accountability_report(wjw, 2026, after_window)
    lines = [line for line in _sections(report)[0]["lines"] if line["object"] == selection.object.name]
    assert [line["why"] for line in lines] == ["联合检查未参加：同日承担疫情防控检查任务"]


def test_a_reviewer_of_one_department_cannot_review_anothers_part(selection, amy, rita, wendy, walt):
    scjg_part, wjw_part = (
        part(ApiClient(amy), selection, FIRST_DAY),
        part(ApiClient(wendy), selection, FIRST_DAY),
    )
    assert ApiClient(walt).post(f"/records/{scjg_part['id']}/review", {"approve": True}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.record_review(actor=walt, rec=InspectionRecord.objects.get(pk=scjg_part["id"]), approve=True)
    assert ApiClient(rita).post(f"/records/{wjw_part['id']}/review", {"approve": True}).status_code == 404
    assert InspectionRecord.objects.get(pk=scjg_part["id"]).status == RecordStatus.SUBMITTED
    assert (
        ok(ApiClient(walt).post(f"/records/{wjw_part['id']}/review", {"approve": True}))["status"]
        == "published"
    )


HOSTILE_REASONS = [
    ("", "请写明本部门未能参加联合检查的理由"),
    (" \t\n", "请写明本部门未能参加联合检查的理由"),
    ("理" * 301, ""),
    ("同日\x00任务", "不能包含空字符"),
    (["列表"], ""),
    (None, ""),
]


def test_hostile_absence_reasons_are_refused_by_field_and_nothing_is_written(selection, wendy):
    wjw = ApiClient(wendy)
    for reason, message in HOSTILE_REASONS:
        body = ok(wjw.post(create_url(selection, "absence"), {"reason": reason}), 422)
        assert body["errors"][0]["field"] == "未参加的理由", reason
        assert message in body["errors"][0]["reason"]
    assert not AuditEvent.objects.filter(action="visit.absence").exists()
    assert not Visit.objects.filter(selection=selection, absences__isnull=False).exists()


def test_hostile_visit_dates_and_calls_are_refused(selection, amy, wendy, alice):
    scjg = ApiClient(amy)
    rec = ok(scjg.post(create_url(selection)), 201)
    for day in ("2026-02-30", "12-01", "0000-01-01", "2026-12-01\x00"):
        assert scjg.patch(f"/records/{rec['id']}", {"inspection_date": day}).status_code == 422
    assert ok(ApiClient().post(create_url(selection, "absence"), {"reason": "x"}), 401)
    # A department that already has its part cannot also be absent; a one-department task has no absence at all.
    body = ok(scjg.post(create_url(selection, "absence"), {"reason": "人手不足"}), 422)
    assert body["errors"][0]["reason"] == "本部门已为该对象建立检查记录，不能再登记未参加"
    single = drawn_selection(alice, entities=4)
    body = ok(scjg.post(create_url(single, "absence"), {"reason": "人手不足"}), 422)
    assert "不是联合抽查" in body["errors"][0]["reason"]
    assert not Visit.objects.filter(selection=single).exists()
    assert not ApiClient(amy).get(f"/records/{rec['id']}").json()["visit"]["published_at"]


def test_a_department_that_never_reports_does_not_hold_the_others_results_past_their_deadline(
    client, selection, amy, rita
):
    """The daily reminders command publishes a joint visit on the deadline of its reviewed part; the department
    that has filed nothing shows as 尚未报送, and the publication is the system's audited act."""
    from django.core.management import call_command

    scjg_part = part(ApiClient(amy), selection, FIRST_DAY)
    ok(ApiClient(rita).post(f"/records/{scjg_part['id']}/review", {"approve": True}))
    deadline = InspectionRecord.objects.get(pk=scjg_part["id"]).deadline
    public = ApiClient()
    assert services.visits_publish_due(today=deadline - datetime.timedelta(days=1)) == 0
    assert ok(public.get("/public/results", q=selection.object.code))["count"] == 0

    call_command(
        "send_reminders", stdout=__import__("io").StringIO()
    )  # today is before the deadline: nothing
    assert Visit.objects.get(selection=selection).published_at is None
    assert services.visits_publish_due(today=deadline) == 1
    assert services.visits_publish_due(today=deadline) == 0  # once
    [found] = ok(public.get("/public/results", q=selection.object.code))["results"]
    assert [(p["department"], p["attended"], p["reported"]) for p in found["parts"]] == [
        ("舞钢市市场监督管理局", True, True),
        ("舞钢市卫生健康委员会", False, False),
    ]
    assert found["department"] == "舞钢市市场监督管理局"
    html = client.get("/portal/results/", {"q": selection.object.code}).content.decode()
    assert "尚未报送" in html
    event = AuditEvent.objects.get(action="visit.publish")
    assert event.actor is None and "公示期限已到" in event.reason
