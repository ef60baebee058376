"""Annual plans through /api/v1: the same rules, states and scoping as the pages."""

import pytest

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.planning.models import AnnualPlan, PlanStatus
from tests import factories

from .conftest import API, ApiClient


def delete(c: ApiClient, path: str):
    return c.client.delete(API + path, headers=c.headers)


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def new_plan(c: ApiClient, **extra) -> dict:
    r = c.post("/plans", {"kind": "department", "year": 2026, "title": "2026年度抽查计划"} | extra)
    assert r.status_code == 201, r.content.decode()
    return r.json()


def ready_plan(c: ApiClient, item=None, **extra) -> dict:
    plan = new_plan(c, **extra)
    item = item or factories.item("SCJG", category="重点", ratio_cap=None)
    assert c.post(f"/plans/{plan['id']}/items", {"item_id": item.pk}).status_code == 201
    r = c.post(f"/plans/{plan['id']}/batches", {"name": "第一批", "month": 6})
    assert r.status_code == 201
    return r.json()


def approved_plan(alice, olivia) -> dict:
    a = ApiClient(alice)
    plan = ready_plan(a)
    assert a.post(f"/plans/{plan['id']}/submit").status_code == 200
    r = ApiClient(olivia).post(f"/plans/{plan['id']}/approve", {"comment": "同意"})
    assert r.status_code == 200
    return r.json()


def test_it_creates_a_draft_plan_of_the_actors_department(alice):
    plan = new_plan(ApiClient(alice), description="说明")
    assert plan["department"]["code"] == "SCJG" and plan["status"] == "draft" and plan["version"] == 1
    assert plan["kind_label"] == "年度抽查计划" and plan["description"] == "说明"
    assert plan["check"]["errors"] == ["计划中没有抽查事项", "计划中没有抽查批次"]
    assert AuditEvent.objects.filter(action="plan.create").count() == 1


def test_it_creates_a_joint_plan_with_participants(alice, wjw):
    plan = new_plan(ApiClient(alice), kind="joint", title="联合计划", participant_ids=[wjw.pk])
    assert [d["code"] for d in plan["participants"]] == ["WJW"]


def test_it_refuses_a_joint_plan_without_participants(alice):
    r = ApiClient(alice).post("/plans", {"kind": "joint", "year": 2026, "title": "联合计划"})
    assert r.status_code == 422 and fields(r) == {"参与部门"}
    assert not AnnualPlan.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "other", "year": 2026, "title": "x"},
        {"kind": "department", "year": 1999, "title": "x"},
        {"kind": "department", "year": 2026, "title": "x" * 201},
        {"kind": "department", "year": 2026, "title": "a\x00b"},
        {"kind": "department", "year": "二〇二六", "title": "x"},
        {"kind": "department", "year": 2026, "title": "x", "participant_ids": [0]},
    ],
)
def test_it_refuses_malformed_plans_with_422(alice, body):
    r = ApiClient(alice).post("/plans", body)
    assert r.status_code == 422, r.content
    assert r.json()["detail"] == "请求参数校验未通过"


def test_it_refuses_a_blank_title_with_the_services_message(alice):
    r = ApiClient(alice).post("/plans", {"kind": "department", "year": 2026, "title": "  "})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "计划名称", "reason": "必填项不能为空"}]


@pytest.mark.parametrize("who", ["amy", "rita", "olivia"])
def test_only_a_department_administrator_makes_plans(db, request, who):
    r = ApiClient(request.getfixturevalue(who)).post(
        "/plans", {"kind": "department", "year": 2026, "title": "x"}
    )
    assert r.status_code == 403 and r.json()["detail"] == "只有部门管理员可以制定和修改计划、方案"


def test_it_lists_plans_in_pages_with_filters(alice):
    c = ApiClient(alice)
    p2026 = new_plan(c)
    p2027 = new_plan(c, year=2027, title="2027年度抽查计划")
    page = c.get("/plans").json()
    assert page["count"] == 2 and page["page"] == 1 and page["page_size"] == 50
    assert [p["id"] for p in page["results"]] == [p2027["id"], p2026["id"]]
    assert [p["id"] for p in c.get("/plans", year=2026).json()["results"]] == [p2026["id"]]
    assert c.get("/plans", status="approved").json()["count"] == 0
    assert c.get("/plans", kind="department", page_size=1).json()["count"] == 2
    assert len(c.get("/plans", page_size=1).json()["results"]) == 1


@pytest.mark.parametrize("params", [{"year": "x"}, {"status": "done"}, {"kind": "x"}, {"page": 0}])
def test_it_refuses_bad_list_filters_with_422(alice, params):
    assert ApiClient(alice).get("/plans", **params).status_code == 422


def test_it_adds_an_item_pinned_to_its_current_version(alice):
    c = ApiClient(alice)
    plan = new_plan(c)
    item = factories.item("SCJG")
    r = c.post(f"/plans/{plan['id']}/items", {"item_id": item.pk, "ratio": "0.08", "note": "重点"})
    assert r.status_code == 201
    (row,) = r.json()["items"]
    assert row["item_code"] == item.code and row["item_version"] == 1 and row["current_version"] == 1
    assert row["ratio"] == "0.08" and row["note"] == "重点" and row["legal_basis"]


def test_it_takes_the_items_default_ratio_when_none_is_given(alice):
    c = ApiClient(alice)
    plan = new_plan(c)
    r = c.post(f"/plans/{plan['id']}/items", {"item_id": factories.item("SCJG").pk})
    assert r.json()["items"][0]["ratio"] == "0.05"


@pytest.mark.parametrize(
    ("ratio", "reason"),
    [
        ("0.2", "超过上限"),
        ("1.5", "不超过 1"),
        ("NaN", "不是比例"),
        ("Infinity", "不是比例"),
        ("abc", "不是比例"),
        (0.1234567, "最多 6 位小数"),
    ],
)
def test_it_refuses_a_bad_ratio_with_the_services_message(alice, ratio, reason):
    c = ApiClient(alice)
    plan = new_plan(c)
    r = c.post(f"/plans/{plan['id']}/items", {"item_id": factories.item("SCJG").pk, "ratio": ratio})
    assert r.status_code == 422, r.content
    assert reason in r.json()["errors"][0]["reason"]


def test_it_refuses_an_item_without_legal_basis_or_already_in_the_plan(alice):
    c = ApiClient(alice)
    plan = new_plan(c)
    item = factories.item("SCJG")
    c.post(f"/plans/{plan['id']}/items", {"item_id": item.pk})
    r = c.post(f"/plans/{plan['id']}/items", {"item_id": item.pk})
    assert r.status_code == 422 and "已在计划中" in r.json()["errors"][0]["reason"]
    bare = factories.item("SCJG", legal_basis=" ")
    r = c.post(f"/plans/{plan['id']}/items", {"item_id": bare.pk})
    assert r.status_code == 422 and "没有检查依据" in r.json()["errors"][0]["reason"]


def test_it_refuses_another_departments_item_and_an_unknown_item(alice):
    c = ApiClient(alice)
    plan = new_plan(c)
    r = c.post(f"/plans/{plan['id']}/items", {"item_id": factories.item("WJW").pk})
    assert r.status_code == 422 and "实施部门" in fields(r)
    r = c.post(f"/plans/{plan['id']}/items", {"item_id": 999999})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "抽查事项"


def test_it_removes_an_item_and_a_batch(alice):
    c = ApiClient(alice)
    plan = ready_plan(c)
    r = delete(c, f"/plans/{plan['id']}/items/{plan['items'][0]['id']}")
    assert r.status_code == 200 and r.json()["items"] == []
    r = delete(c, f"/plans/{plan['id']}/batches/{plan['batches'][0]['id']}")
    assert r.status_code == 200 and r.json()["batches"] == []
    assert delete(c, f"/plans/{plan['id']}/batches/{plan['batches'][0]['id']}").status_code == 404


def test_it_numbers_batches_and_asks_a_reason_for_more_than_two(alice):
    # Issue 17, item 5: more than two batches of an item in a year no longer only warn (tests/planning_rules/).
    c = ApiClient(alice)
    plan = ready_plan(c)
    for month in (9, 11):
        plan = c.post(f"/plans/{plan['id']}/batches", {"name": "追加批次", "month": month}).json()
    assert [b["seq"] for b in plan["batches"]] == [1, 2, 3]
    [error] = plan["check"]["errors"]
    assert "3 批" in error and "超过两批次的理由" in error


@pytest.mark.parametrize("body", [{"name": "x", "month": 13}, {"name": "x", "month": 0}, {"month": 5}])
def test_it_refuses_a_bad_batch_with_422(alice, body):
    c = ApiClient(alice)
    plan = new_plan(c)
    assert c.post(f"/plans/{plan['id']}/batches", body).status_code == 422


def test_it_refuses_to_submit_a_plan_with_errors(alice):
    c = ApiClient(alice)
    plan = new_plan(c)
    r = c.post(f"/plans/{plan['id']}/submit")
    assert r.status_code == 422
    assert [e["reason"] for e in r.json()["errors"]] == ["计划中没有抽查事项", "计划中没有抽查批次"]


def test_the_office_approves_a_submitted_plan_into_a_public_version(alice, olivia):
    plan = approved_plan(alice, olivia)
    assert plan["status"] == "approved" and plan["office_comment"] == "同意"
    versions = ApiClient(alice).get(f"/plans/{plan['id']}/versions").json()
    assert [(v["version"], v["reason"], v["approved_by_name"]) for v in versions] == [
        (1, "首次批准", "Olivia")
    ]


def test_a_submitted_plan_can_no_longer_be_edited(alice):
    c = ApiClient(alice)
    plan = ready_plan(c)
    c.post(f"/plans/{plan['id']}/submit")
    r = c.post(f"/plans/{plan['id']}/batches", {"name": "第二批", "month": 9})
    assert r.status_code == 422 and "不能修改" in r.json()["errors"][0]["reason"]


def test_only_the_office_approves_or_returns(alice):
    c = ApiClient(alice)
    plan = ready_plan(c)
    c.post(f"/plans/{plan['id']}/submit")
    assert c.post(f"/plans/{plan['id']}/approve", {}).status_code == 403
    assert c.post(f"/plans/{plan['id']}/return", {"comment": "x"}).status_code == 403


def test_approving_a_draft_is_a_conflict_with_its_state(alice, olivia):
    plan = ready_plan(ApiClient(alice))
    r = ApiClient(olivia).post(f"/plans/{plan['id']}/approve", {})
    assert r.status_code == 409
    assert r.json()["detail"] == "当前状态为“草稿”，不能变为“已批准并公示”"
    assert r.json()["errors"] == [{"field": "状态", "reason": r.json()["detail"]}]
    assert AnnualPlan.objects.get().status == PlanStatus.DRAFT


def test_the_office_returns_a_plan_with_comments_and_it_is_resubmitted(alice, olivia):
    a, o = ApiClient(alice), ApiClient(olivia)
    plan = ready_plan(a)
    a.post(f"/plans/{plan['id']}/submit")
    r = o.post(f"/plans/{plan['id']}/return", {"comment": "  "})
    assert r.status_code == 422 and fields(r) == {"意见"}
    assert o.post(f"/plans/{plan['id']}/return", {}).status_code == 422
    plan = o.post(f"/plans/{plan['id']}/return", {"comment": "请补充批次说明"}).json()
    assert plan["status"] == "returned" and plan["office_comment"] == "请补充批次说明"
    assert a.post(f"/plans/{plan['id']}/batches", {"name": "第二批", "month": 10}).status_code == 201
    assert a.post(f"/plans/{plan['id']}/submit").json()["status"] == "submitted"


def test_an_adjustment_makes_a_new_version_with_its_reason(alice, olivia):
    a, o = ApiClient(alice), ApiClient(olivia)
    plan = approved_plan(alice, olivia)
    assert a.post(f"/plans/{plan['id']}/adjust", {"reason": " "}).status_code == 422
    plan = a.post(f"/plans/{plan['id']}/adjust", {"reason": "增加第二批"}).json()
    assert plan["status"] == "draft" and plan["version"] == 2 and plan["adjust_reason"] == "增加第二批"
    plan = a.post(f"/plans/{plan['id']}/batches", {"name": "第二批", "month": 10}).json()
    a.post(f"/plans/{plan['id']}/submit")
    o.post(f"/plans/{plan['id']}/approve", {"comment": "同意调整"})
    versions = a.get(f"/plans/{plan['id']}/versions").json()
    assert [(v["version"], v["reason"]) for v in versions] == [(2, "增加第二批"), (1, "首次批准")]
    v1 = a.get(f"/plans/{plan['id']}/versions/1").json()["data"]
    v2 = a.get(f"/plans/{plan['id']}/versions/2").json()["data"]
    assert len(v1["batches"]) == 1 and len(v2["batches"]) == 2
    assert a.get(f"/plans/{plan['id']}/versions/3").status_code == 404


def test_adjusting_a_draft_is_a_conflict(alice):
    c = ApiClient(alice)
    plan = new_plan(c)
    assert c.post(f"/plans/{plan['id']}/adjust", {"reason": "x"}).status_code == 409


def test_another_department_gets_404_on_every_plan_endpoint(alice, bob):
    plan = ready_plan(ApiClient(alice))
    pid, item, batch = plan["id"], plan["items"][0]["id"], plan["batches"][0]["id"]
    b = ApiClient(bob)
    events = AuditEvent.objects.count()
    for r in [
        b.get(f"/plans/{pid}"),
        b.get(f"/plans/{pid}/versions"),
        b.get(f"/plans/{pid}/versions/1"),
        b.post(f"/plans/{pid}/items", {"item_id": factories.item("WJW").pk}),
        delete(b, f"/plans/{pid}/items/{item}"),
        b.post(f"/plans/{pid}/batches", {"name": "x", "month": 1}),
        delete(b, f"/plans/{pid}/batches/{batch}"),
        b.post(f"/plans/{pid}/submit"),
        b.post(f"/plans/{pid}/adjust", {"reason": "x"}),
    ]:
        assert r.status_code == 404 and r.json() == {"detail": "未找到"}, r.request["PATH_INFO"]
    assert b.get("/plans").json()["count"] == 0
    assert AuditEvent.objects.count() == events
    assert AnnualPlan.objects.get().status == PlanStatus.DRAFT


def test_a_participating_department_reads_the_joint_plan_but_cannot_change_it(alice, bob, wjw):
    plan = new_plan(ApiClient(alice), kind="joint", title="联合计划", participant_ids=[wjw.pk])
    b = ApiClient(bob)
    assert b.get(f"/plans/{plan['id']}").status_code == 200
    assert [p["id"] for p in b.get("/plans").json()["results"]] == [plan["id"]]
    r = b.post(f"/plans/{plan['id']}/batches", {"name": "x", "month": 1})
    assert r.status_code == 403 and r.json()["detail"] == "只能修改本部门的数据"


def test_a_joint_plan_takes_a_participants_item(alice, bob, wjw):
    plan = new_plan(ApiClient(alice), kind="joint", title="联合计划", participant_ids=[wjw.pk])
    item = factories.item("WJW", category="重点", ratio_cap=None)
    r = ApiClient(alice).post(f"/plans/{plan['id']}/items", {"item_id": item.pk})
    assert r.status_code == 201 and r.json()["items"][0]["department_id"] == wjw.pk


def test_the_office_sees_every_plan(alice, olivia):
    plan = new_plan(ApiClient(alice))
    assert ApiClient(olivia).get(f"/plans/{plan['id']}").status_code == 200


@pytest.mark.parametrize("path", ["/plans/0", "/plans/9223372036854775808", "/plans/x"])
def test_a_bad_id_is_not_a_server_error(alice, path):
    assert ApiClient(alice).get(path).status_code in (404, 422)
