"""Task schemes (抽查工作方案) through /api/v1: the data dict of `scheme_create`, publication, closing, scoping."""

import pytest

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.planning.models import TaskScheme
from tests import factories

from .conftest import ApiClient
from .test_planning_plans import approved_plan


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def item(db):
    return factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查")


def body(item, **extra) -> dict:
    return {
        "name": "2026年第一批特种设备抽查",
        "adhoc_reason": "群众举报集中",
        "item_ids": [item.pk],
        "methods": ["实地核查"],
        "strata": {"B": {"ratio": "0.1", "reserve": 2}, "D": {"count": 3}},
        "window_start": "2026-06-01",
        "window_end": "2026-06-30",
        "team_slots": {"SCJG": 2},
    } | extra


def create(c: ApiClient, item, **extra) -> dict:
    r = c.post("/schemes", body(item, **extra))
    assert r.status_code == 201, r.content.decode()
    return r.json()


def test_it_creates_a_draft_ad_hoc_scheme_with_every_setting(alice, item):
    scheme = create(
        ApiClient(alice),
        item,
        directed=True,
        filters={"industries": ["C31"], "kinds": ["enterprise"], "abnormal": False},
        publish_list_at="window_end",
        yearly_cap=1,  # stricter than the city's 2: a scheme may lower the cap, never raise it
        same_item_days=180,
        raise_complaints=0,
        raise_dishonest=False,
    )
    assert scheme["status"] == "draft" and scheme["task_no"] is None and scheme["year"] == 2026
    assert scheme["strata"] == {
        "B": {"ratio": "0.1", "count": None, "reserve": 2},
        "D": {"ratio": None, "count": 3, "reserve": 0},
    }
    assert scheme["filters"] == {"industries": ["C31"], "kinds": ["enterprise"], "abnormal": False}
    assert scheme["publish_list_at"] == "window_end" and scheme["yearly_cap"] == 1
    assert scheme["effective_yearly_cap"] == 1
    assert scheme["same_item_days"] == 180 and scheme["raise_complaints"] == 0
    assert scheme["raise_dishonest"] is False and scheme["raise_abnormal"] is True
    assert [i["item_code"] for i in scheme["items"]] == [item.code] and scheme["draws"] == []
    assert AuditEvent.objects.filter(action="scheme.create").count() == 1


def test_an_undirected_scheme_keeps_no_filters(alice, item):
    scheme = create(ApiClient(alice), item, filters={"industries": ["C31"]})
    assert scheme["directed"] is False and scheme["filters"] == {}


def test_the_lead_department_gets_two_slots_by_default(alice, item):
    payload = body(item)
    del payload["team_slots"]
    scheme = ApiClient(alice).post("/schemes", payload).json()
    assert scheme["team_slots"] == {"SCJG": 2} and not scheme["is_joint"]


def test_it_makes_a_scheme_from_an_approved_plan_batch(alice, olivia):
    plan = approved_plan(alice, olivia)
    item = plan["items"][0]["item_id"]
    payload = body(
        factories.item("SCJG"), adhoc_reason="", batch_id=plan["batches"][0]["id"], item_ids=[item]
    )
    r = ApiClient(alice).post("/schemes", payload)
    assert r.status_code == 201, r.content
    assert r.json()["plan_id"] == plan["id"] and r.json()["batch_id"] == plan["batches"][0]["id"]
    assert ApiClient(alice).get(f"/plans/{plan['id']}").json()["scheme_ids"] == [r.json()["id"]]


def test_it_refuses_a_batch_of_an_unapproved_plan(alice, item):
    c = ApiClient(alice)
    plan = c.post("/plans", {"kind": "department", "year": 2026, "title": "x"}).json()
    batch = c.post(f"/plans/{plan['id']}/batches", {"name": "第一批", "month": 6}).json()["batches"][0]
    r = c.post("/schemes", body(item, adhoc_reason="", batch_id=batch["id"]))
    assert r.status_code == 422 and fields(r) == {"计划批次"}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"adhoc_reason": ""}, "计划外方案理由"),
        ({"name": " "}, "方案名称"),
        ({"strata": {}}, "分层抽查比例"),
        ({"strata": {"Z": {"ratio": "0.1"}}}, "分层 Z"),
        ({"strata": {"B": {"ratio": "0.1", "count": 3}}}, "分层 B"),
        ({"strata": {"B": {"reserve": 1}}}, "分层 B"),
        ({"strata": {"B": {"ratio": "NaN"}}}, "分层 B"),
        ({"window_end": "2026-05-01"}, "检查结束日期"),
        ({"methods": []}, "检查方式"),
        ({"item_ids": []}, "抽查事项"),
        ({"team_slots": {"SCJG": 1}}, "检查组人数"),
        ({"team_slots": {"WJW": 2}}, "检查组人数"),
        ({"team_slots": {"SCJG": 2, "XXX": 1}}, "检查组人数"),
    ],
)
def test_it_refuses_a_scheme_breaking_a_rule_with_the_services_message(alice, item, extra, field):
    r = ApiClient(alice).post("/schemes", body(item, **extra))
    assert r.status_code == 422, r.content
    assert field in fields(r)
    assert not TaskScheme.objects.exists()


def test_it_refuses_a_general_items_ratio_above_its_cap(alice):
    general = factories.item("SCJG", category="一般", ratio_cap="0.05")
    r = ApiClient(alice).post("/schemes", body(general))
    assert r.status_code == 422 and "超过一般检查事项" in r.json()["errors"][0]["reason"]


@pytest.mark.parametrize(
    "extra",
    [
        {"window_start": "1999-12-31"},
        {"window_end": "0001-01-01"},
        {"window_start": "2026-02-30"},
        {"methods": ["上门喝茶"]},
        {"publish_list_at": "never"},
        {"team_slots": {"SCJG": 0}},
        {"team_slots": {"SCJG": "两"}},
        {"strata": {"B": {"count": -1}}},
        {"strata": {"B": {"reserve": 10**20}}},
        {"strata": ["B"]},
        {"yearly_cap": 0},
        {"same_item_days": 10**9},
        {"item_ids": [0]},
        {"filters": {"kinds": ["robot"]}},
        {"name": "x" * 201},
        {"adhoc_reason": "\x00"},
    ],
)
def test_it_refuses_malformed_schemes_with_422(alice, item, extra):
    r = ApiClient(alice).post("/schemes", body(item, **extra))
    assert r.status_code == 422, r.content
    assert r.json()["detail"] == "请求参数校验未通过"


def test_it_lists_and_filters_schemes(alice, item):
    c = ApiClient(alice)
    first = create(c, item)
    second = create(c, item, name="第二批", window_start="2027-01-01", window_end="2027-01-31")
    page = c.get("/schemes").json()
    assert page["count"] == 2 and [s["id"] for s in page["results"]] == [second["id"], first["id"]]
    assert [s["id"] for s in c.get("/schemes", year=2026).json()["results"]] == [first["id"]]
    assert c.get("/schemes", status="published").json()["count"] == 0
    assert c.get("/schemes", status="nope").status_code == 422


def test_publishing_numbers_the_task_once(alice, item):
    c = ApiClient(alice)
    scheme = create(c, item)
    published = c.post(f"/schemes/{scheme['id']}/publish").json()
    assert published["status"] == "published" and published["task_no"] == "舞市监抽查〔2026〕1号"
    assert published["published_at"]
    again = c.post(f"/schemes/{scheme['id']}/publish")
    assert again.status_code == 409
    assert again.json()["detail"] == "当前状态为“已公示”，不能变为“已公示”"
    assert c.get(f"/schemes/{scheme['id']}").json()["task_no"] == "舞市监抽查〔2026〕1号"


def test_closing_a_scheme_before_its_draw_is_a_conflict(alice, item):
    c = ApiClient(alice)
    scheme = create(c, item)
    c.post(f"/schemes/{scheme['id']}/publish")
    r = c.post(f"/schemes/{scheme['id']}/close")
    assert r.status_code == 409 and "不能变为“已结束”" in r.json()["detail"]


@pytest.mark.parametrize("who", ["amy", "olivia"])
def test_only_a_department_administrator_makes_schemes(request, item, who):
    r = ApiClient(request.getfixturevalue(who)).post("/schemes", body(item))
    assert r.status_code == 403


def test_another_department_gets_404_on_a_scheme(alice, bob, item):
    scheme = create(ApiClient(alice), item)
    b = ApiClient(bob)
    for r in [
        b.get(f"/schemes/{scheme['id']}"),
        b.post(f"/schemes/{scheme['id']}/publish"),
        b.post(f"/schemes/{scheme['id']}/close"),
        b.post(f"/schemes/{scheme['id']}/freeze", {"sources": [], "announced": "x"}),
    ]:
        assert r.status_code == 404 and r.json() == {"detail": "未找到"}
    assert b.get("/schemes").json()["count"] == 0
    assert TaskScheme.objects.get().status == "draft"


def test_a_participating_department_reads_a_joint_scheme_but_cannot_publish_it(alice, bob, item):
    scheme = create(ApiClient(alice), item, team_slots={"SCJG": 2, "WJW": 1})
    b = ApiClient(bob)
    assert b.get(f"/schemes/{scheme['id']}").json()["team_slots"] == {"SCJG": 2, "WJW": 1}
    assert b.get("/schemes").json()["count"] == 1
    r = b.post(f"/schemes/{scheme['id']}/publish")
    assert r.status_code == 403


def test_the_office_sees_every_scheme(alice, olivia, item):
    scheme = create(ApiClient(alice), item)
    assert ApiClient(olivia).get(f"/schemes/{scheme['id']}").status_code == 200
