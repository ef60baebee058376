import pytest

from shuangsuiji.directory.models import CheckItem, CheckItemVersion
from tests import factories

from .conftest import ApiClient


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


def valid_payload(**kw) -> dict:
    data = {
        "code": "SCJG-101",
        "name": "食品经营者检查",
        "department_id": "SCJG",
        "legal_basis": "《中华人民共和国食品安全法》第八十七条",
        "methods": ["实地核查", "书面检查"],
        "category": "一般",
        "default_ratio": "5%",
        "ratio_cap": 0.1,
        "reason": "年度清单调整",
    }
    return data | kw


def test_it_lists_items_in_pages(alice):
    made = [factories.item() for _ in range(3)]
    page = ApiClient(alice).get("/items", page_size=2).json()
    assert page["count"] == 3 and [r["id"] for r in page["results"]] == [made[0].pk, made[1].pk]


def test_it_filters_items_by_every_filter(alice, olivia, wjw):
    named = factories.item(name="特种设备使用单位检查")
    key = factories.item(category="重点", ratio_cap=None)
    retired = factories.item(status="停用")
    other = factories.item("WJW")
    c = ApiClient(alice)
    assert ids(c.get("/items", q="特种设备")) == {named.pk}
    assert ids(c.get("/items", q=named.code)) == {named.pk}
    assert ids(c.get("/items", category="重点")) == {key.pk}
    assert ids(c.get("/items", status="停用")) == {retired.pk}
    assert ids(ApiClient(olivia).get("/items", department=wjw.pk)) == {other.pk}


def test_it_creates_an_item_with_its_first_version(alice):
    r = ApiClient(alice).post("/items", valid_payload())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["default_ratio"] == "0.05" and body["ratio_cap"] == "0.1" and body["version"] == 1
    item = CheckItem.objects.get(code="SCJG-101")
    version = CheckItemVersion.objects.get(item=item)
    assert version.version == 1 and version.reason == "年度清单调整" and version.changed_by == alice


def test_it_refuses_a_general_item_without_a_ratio_cap_in_chinese(alice):
    r = ApiClient(alice).post("/items", valid_payload(ratio_cap=None))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "比例上限", "reason": "一般检查事项必须设置比例上限（第八条）"}]


def test_it_refuses_an_unknown_method_in_chinese(alice):
    r = ApiClient(alice).post("/items", valid_payload(methods=["电话抽查"]))
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["field"] == "检查方式" and "不是可选值" in error["reason"]


def test_it_refuses_a_ratio_above_one_in_chinese(alice):
    r = ApiClient(alice).post("/items", valid_payload(default_ratio="150%"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "默认抽查比例"


def test_it_refuses_an_item_for_another_department(alice):
    assert ApiClient(alice).post("/items", valid_payload(department_id="WJW")).status_code == 403


def test_it_updates_an_item_and_keeps_every_version(alice):
    c = ApiClient(alice)
    item_id = c.post("/items", valid_payload()).json()["id"]
    r = c.patch(f"/items/{item_id}", {"name": "食品经营者监督检查", "reason": "名称规范化"})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 2 and r.json()["name"] == "食品经营者监督检查"
    versions = c.get(f"/items/{item_id}/versions").json()
    assert [(v["version"], v["reason"]) for v in versions] == [(2, "名称规范化"), (1, "年度清单调整")]
    assert "食品经营者检查 → 食品经营者监督检查" in versions[0]["summary"]
    first = c.get(f"/items/{item_id}/versions/1").json()
    assert first["data"]["name"] == "食品经营者检查"
    assert c.get(f"/items/{item_id}/versions/3").status_code == 404


def test_it_requires_a_reason_for_every_change(alice):
    item = factories.item()
    r = ApiClient(alice).patch(f"/items/{item.pk}", {"name": "新名称"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "修改理由"
    item.refresh_from_db()
    assert item.name == "企业公示信息抽查"


def test_it_refuses_to_change_an_item_code(alice):
    item = factories.item()
    r = ApiClient(alice).patch(f"/items/{item.pk}", {"code": "SCJG-999", "reason": "改编码"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "事项编码"


def test_it_retires_an_item_keeping_its_history(alice):
    c = ApiClient(alice)
    item_id = c.post("/items", valid_payload()).json()["id"]
    r = c.post(f"/items/{item_id}/retire", {"reason": "法规废止"})
    assert r.status_code == 200 and r.json()["status"] == "停用"
    assert [v["version"] for v in c.get(f"/items/{item_id}/versions").json()] == [2, 1]


@pytest.mark.parametrize("who", ["amy", "rita", "olivia"])
def test_it_lets_only_the_department_admin_change_items(db, request, who):
    item = factories.item()
    r = ApiClient(request.getfixturevalue(who)).patch(f"/items/{item.pk}", {"name": "x", "reason": "y"})
    assert r.status_code == 403
