import pytest

from shuangsuiji.directory.models import InspectionObject, ObjectKind, RegStatus, RiskClass, Supervision
from shuangsuiji.org.models import Region
from tests import factories

from .conftest import ApiClient


@pytest.fixture
def three(db):
    return [factories.entity(name=f"舞钢市甲乙商贸有限公司{i}") for i in range(3)]


def test_it_lists_objects_in_pages(amy, three):
    c = ApiClient(amy)
    first = c.get("/objects", page_size=2).json()
    assert first["count"] == 3 and first["page"] == 1 and first["page_size"] == 2
    assert [r["id"] for r in first["results"]] == [three[0].pk, three[1].pk]
    second = c.get("/objects", page_size=2, page=2).json()
    assert [r["id"] for r in second["results"]] == [three[2].pk]


def test_it_returns_an_empty_page_past_the_end(amy, three):
    r = ApiClient(amy).get("/objects", page=99)
    assert r.status_code == 200
    assert r.json()["results"] == [] and r.json()["count"] == 3


def test_it_defaults_to_fifty_per_page(amy, three):
    assert ApiClient(amy).get("/objects").json()["page_size"] == 50


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 0}, {"page_size": 201}, {"page": "x"}])
def test_it_refuses_bad_paging_with_422(amy, params):
    r = ApiClient(amy).get("/objects", **params)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] in ("页码", "每页条数")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


def test_it_filters_objects_by_every_filter(amy, bob):
    c = ApiClient(amy)
    other_region = Region.objects.get(name="尚店镇")
    plain = factories.entity(name="普通公司")
    named = factories.entity(name="舞钢市钢铁贸易有限公司")
    in_region = factories.entity(region=other_region)
    risky = factories.entity(risk_class=RiskClass.objects.get(code="D"))
    shop = factories.entity(kind=ObjectKind.INDIVIDUAL, code=factories.uscc("2"))
    gone = factories.entity(reg_status=RegStatus.DEREGISTERED)
    abnormal = factories.entity(abnormal_list=True)
    dishonest = factories.entity(dishonest_list=True)
    food = factories.entity(industry_code="H6210")
    supervised = factories.entity()
    Supervision.objects.create(object=supervised, department=bob.department, tags=["公共场所"])

    assert ids(c.get("/objects", q="钢铁贸易")) == {named.pk}
    assert ids(c.get("/objects", q=plain.code)) == {plain.pk}
    assert ids(c.get("/objects", region=other_region.pk)) == {in_region.pk}
    assert ids(c.get("/objects", risk="D")) == {risky.pk}
    assert ids(c.get("/objects", kind="individual")) == {shop.pk}
    assert ids(c.get("/objects", kind="个体工商户")) == {shop.pk}
    assert ids(c.get("/objects", status="注销")) == {gone.pk}
    assert ids(c.get("/objects", abnormal="true")) == {abnormal.pk}
    assert ids(c.get("/objects", dishonest=1)) == {dishonest.pk}
    assert abnormal.pk not in ids(c.get("/objects", abnormal="false"))
    assert ids(c.get("/objects", industry="H62")) == {food.pk}
    assert ids(c.get("/objects", supervised_by=bob.department_id)) == {supervised.pk}


def test_it_reads_one_object_with_supervisions(amy, bob):
    obj = factories.entity()
    Supervision.objects.create(object=obj, department=bob.department, tags=["公共场所"])
    r = ApiClient(amy).get(f"/objects/{obj.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == obj.code and body["kind_label"] == "企业"
    assert body["region_name"] == "寺坡街道" and body["risk_class"] == "B"
    assert body["supervisions"][0]["tags"] == ["公共场所"]
    assert body["supervisions"][0]["department_name"] == "舞钢市卫生健康委员会"


def test_it_answers_404_for_a_missing_object(amy):
    assert ApiClient(amy).get("/objects/999999").status_code == 404


def test_it_creates_an_object_with_the_kind_as_chinese_label(amy, region):
    code = factories.uscc("1")
    r = ApiClient(amy).post(
        "/objects",
        {
            "code": code,
            "name": "舞钢市新开商贸有限公司",
            "kind": "企业",
            "region_id": "寺坡街道",
            "risk_class_id": "A",
        },
    )
    assert r.status_code == 201, r.content
    obj = InspectionObject.objects.get(code=code)
    assert obj.kind == ObjectKind.ENTERPRISE and obj.region == region and obj.risk_class.code == "A"
    assert r.json()["id"] == obj.pk


def test_it_creates_an_object_with_ids_for_references(amy, region):
    code = factories.uscc("1")
    risk = RiskClass.objects.get(code="C")
    r = ApiClient(amy).post(
        "/objects",
        {
            "code": code,
            "name": "舞钢市编号商贸有限公司",
            "kind": "enterprise",
            "region_id": region.pk,
            "risk_class_id": risk.pk,
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["region_id"] == region.pk and r.json()["risk_class"] == "C"


def test_it_refuses_a_wrong_check_character_in_chinese_naming_the_field(amy):
    code = factories.uscc("1")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    r = ApiClient(amy).post("/objects", {"code": wrong, "name": "某公司", "kind": "企业"})
    assert r.status_code == 422
    body = r.json()
    assert body["detail"] == "数据校验未通过"
    assert body["errors"][0]["field"] == "统一社会信用代码/对象编码"
    assert "校验码" in body["errors"][0]["reason"]
    assert not InspectionObject.objects.exists()


def test_it_refuses_a_missing_required_field_in_chinese(amy):
    r = ApiClient(amy).post("/objects", {"code": factories.uscc("1"), "kind": "企业"})
    assert r.status_code == 422
    assert {"field": "名称", "reason": "必填项不能为空"} in r.json()["errors"]


def test_it_refuses_an_unknown_kind_in_chinese(amy):
    r = ApiClient(amy).post("/objects", {"code": factories.uscc("1"), "name": "某公司", "kind": "公司"})
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["field"] == "类别" and "不是可选值" in error["reason"]


def test_it_refuses_an_unknown_region_in_chinese(amy):
    r = ApiClient(amy).post(
        "/objects", {"code": factories.uscc("1"), "name": "某公司", "kind": "企业", "region_id": 424242}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "乡镇（街道）"


def test_it_refuses_a_duplicate_code(amy):
    obj = factories.entity()
    r = ApiClient(amy).post("/objects", {"code": obj.code, "name": "重复", "kind": "企业"})
    assert r.status_code == 422
    assert "已在名录库中" in r.json()["errors"][0]["reason"]


def test_it_updates_only_the_fields_sent(amy):
    obj = factories.entity(legal_rep="王五")
    r = ApiClient(amy).patch(f"/objects/{obj.pk}", {"name": "新名称", "abnormal_list": True})
    assert r.status_code == 200, r.content
    obj.refresh_from_db()
    assert obj.name == "新名称" and obj.abnormal_list and obj.legal_rep == "王五"
    assert obj.region.name == "寺坡街道" and obj.risk_class.code == "B"


def test_it_can_clear_an_optional_field_with_null(amy):
    obj = factories.entity()
    r = ApiClient(amy).patch(f"/objects/{obj.pk}", {"risk_class_id": None})
    assert r.status_code == 200, r.content
    obj.refresh_from_db()
    assert obj.risk_class is None


def test_it_refuses_to_change_the_uscc(amy):
    obj = factories.entity()
    r = ApiClient(amy).patch(f"/objects/{obj.pk}", {"code": factories.uscc("1")})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "统一社会信用代码/对象编码"


def test_it_refuses_a_negative_complaint_count_in_chinese(amy):
    obj = factories.entity()
    r = ApiClient(amy).patch(f"/objects/{obj.pk}", {"complaints_12m": -1})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "近12个月投诉举报数"


def test_it_lets_only_the_registering_department_edit_base_data(bob, rita):
    obj = factories.entity()
    assert ApiClient(bob).patch(f"/objects/{obj.pk}", {"name": "x"}).status_code == 403
    assert ApiClient(rita).patch(f"/objects/{obj.pk}", {"name": "x"}).status_code == 403
    r = ApiClient(bob).post("/objects", {"code": factories.uscc("1"), "name": "x", "kind": "企业"})
    assert r.status_code == 403


def test_it_sets_the_callers_own_supervision_tags(amy, bob):
    obj = factories.entity()
    r = ApiClient(amy).put(
        f"/objects/{obj.pk}/supervision", {"tags": ["食品", "特种设备", "食品"], "note": "重点"}
    )
    assert r.status_code == 200, r.content
    assert r.json()["department_name"] == "舞钢市市场监督管理局"
    assert r.json()["tags"] == ["食品", "特种设备"]
    r = ApiClient(bob).put(f"/objects/{obj.pk}/supervision", {"tags": ["公共场所"]})
    assert r.status_code == 200
    mine = Supervision.objects.get(object=obj, department=amy.department)
    assert mine.tags == ["食品", "特种设备"] and mine.note == "重点"
    assert Supervision.objects.get(object=obj, department=bob.department).tags == ["公共场所"]


def test_it_refuses_supervision_tags_from_a_reviewer(rita):
    obj = factories.entity()
    assert ApiClient(rita).put(f"/objects/{obj.pk}/supervision", {"tags": ["食品"]}).status_code == 403
