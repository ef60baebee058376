import datetime

import pytest
from django.utils import timezone

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import Conflict, Inspector, InspectorStatus
from tests import factories

from .conftest import ApiClient


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


def valid_payload(**kw) -> dict:
    data = {
        "department_id": "SCJG",
        "name": "张三",
        "cert_no": "41048199999",
        "cert_issued": "2023-01-01",
        "cert_expires": "2030-12-31",
        "id_number": factories.id_number("19850505", 321),
        "phone": "13912345678",
        "region_id": "寺坡街道",
        "qualifications": ["食品", "特种设备"],
        "is_expert": True,
    }
    return data | kw


def test_it_lists_inspectors_in_pages(alice):
    made = [factories.inspector() for _ in range(3)]
    c = ApiClient(alice)
    page = c.get("/inspectors", page_size=2, page=2).json()
    assert page["count"] == 3
    assert [r["id"] for r in page["results"]] == [made[2].pk]


def test_it_filters_inspectors_by_every_filter(alice, olivia, wjw):
    today = timezone.localdate()
    named = factories.inspector(name="欧阳明")
    on_leave = factories.inspector(status=InspectorStatus.ON_LEAVE)
    expired = factories.inspector(cert_expires=today - datetime.timedelta(days=1))
    other = factories.inspector("WJW")
    c = ApiClient(alice)
    assert ids(c.get("/inspectors", q="欧阳")) == {named.pk}
    assert ids(c.get("/inspectors", q=named.cert_no)) == {named.pk}
    assert ids(c.get("/inspectors", status="休假")) == {on_leave.pk}
    assert ids(c.get("/inspectors", drawable="false")) == {on_leave.pk, expired.pk}
    assert ids(c.get("/inspectors", drawable="true")) == {named.pk}
    assert ids(ApiClient(olivia).get("/inspectors", department=wjw.pk)) == {other.pk}


def test_it_says_why_an_inspector_cannot_be_drawn(alice):
    today = timezone.localdate()
    ok = factories.inspector()
    expired = factories.inspector(cert_expires=today - datetime.timedelta(days=1))
    on_leave = factories.inspector(status=InspectorStatus.ON_LEAVE)
    c = ApiClient(alice)
    body = c.get(f"/inspectors/{ok.pk}").json()
    assert body["drawable"] is True and body["not_drawable_reason"] == ""
    body = c.get(f"/inspectors/{expired.pk}").json()
    assert body["drawable"] is False and "过期" in body["not_drawable_reason"]
    body = c.get(f"/inspectors/{on_leave.pk}").json()
    assert body["drawable"] is False and body["not_drawable_reason"] == "状态为休假"


def test_it_creates_an_inspector_with_masked_personal_numbers_in_the_response(alice):
    data = valid_payload()
    r = ApiClient(alice).post("/inspectors", data)
    assert r.status_code == 201, r.content
    body = r.json()
    ins = Inspector.objects.get(cert_no="41048199999")
    assert ins.id_number == data["id_number"] and ins.phone == "13912345678"
    assert body["id_number"] == data["id_number"][:4] + "**********" + data["id_number"][-4:]
    assert body["phone"] == "139****5678"
    assert body["code"] == f"I{ins.pk:07d}"
    assert body["qualifications"] == ["食品", "特种设备"] and body["is_expert"] is True


def test_it_refuses_a_bad_id_number_and_phone_in_chinese(alice):
    r = ApiClient(alice).post("/inspectors", valid_payload(id_number="410481198505053210", phone="12345"))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"身份证号", "联系电话"}
    assert not Inspector.objects.exists()


def test_it_refuses_a_malformed_date_in_chinese(alice):
    r = ApiClient(alice).post("/inspectors", valid_payload(cert_expires="明年"))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "有效期至", "reason": "应为日期（YYYY-MM-DD）"}]


def test_it_refuses_expiry_before_issue(alice):
    r = ApiClient(alice).post("/inspectors", valid_payload(cert_issued="2031-01-01"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "有效期至"


def test_it_refuses_an_inspector_for_another_department(alice):
    r = ApiClient(alice).post("/inspectors", valid_payload(department_id="WJW"))
    assert r.status_code == 403


@pytest.mark.parametrize("who", ["amy", "rita", "olivia"])
def test_it_lets_only_the_department_admin_add_inspectors(db, request, who):
    r = ApiClient(request.getfixturevalue(who)).post("/inspectors", valid_payload())
    assert r.status_code == 403


def test_it_updates_an_inspector_partially(alice):
    ins = factories.inspector(region=None)
    r = ApiClient(alice).patch(f"/inspectors/{ins.pk}", {"status": "休假"})
    assert r.status_code == 200, r.content
    assert r.json()["drawable"] is False
    ins.refresh_from_db()
    assert ins.status == "休假" and ins.qualifications == ["食品"]


def test_it_refuses_moving_an_inspector_to_another_department(alice):
    ins = factories.inspector()
    r = ApiClient(alice).patch(f"/inspectors/{ins.pk}", {"department_id": "WJW"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "所属部门"


def test_it_declares_and_lists_conflicts(alice):
    ins = factories.inspector()
    obj = factories.entity()
    c = ApiClient(alice)
    r = c.post(f"/inspectors/{ins.pk}/conflicts", {"object_id": obj.pk, "reason": "配偶任该公司股东"})
    assert r.status_code == 201, r.content
    assert r.json()["object_code"] == obj.code
    listed = c.get(f"/inspectors/{ins.pk}/conflicts").json()
    assert [(x["object_id"], x["reason"]) for x in listed] == [(obj.pk, "配偶任该公司股东")]


def test_it_refuses_a_conflict_without_reason_or_object(alice):
    ins = factories.inspector()
    obj = factories.entity()
    c = ApiClient(alice)
    r = c.post(f"/inspectors/{ins.pk}/conflicts", {"object_id": obj.pk, "reason": "  "})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "回避理由"
    r = c.post(f"/inspectors/{ins.pk}/conflicts", {"object_id": 987654, "reason": "亲属"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "检查对象"
    assert not Conflict.objects.exists()


def test_it_reveals_personal_data_only_with_the_permission_and_audits_it(alice):
    ins = factories.inspector()
    r = ApiClient(alice).post(f"/inspectors/{ins.pk}/personal-data", {"purpose": "核对执法证信息"})
    assert r.status_code == 200
    assert r.json() == {"id_number": ins.id_number, "phone": ins.phone}
    event = AuditEvent.objects.get(action="personal_data.reveal")
    assert event.target_id == str(ins.pk) and event.reason == "核对执法证信息" and event.actor_name == "Alice"


@pytest.mark.parametrize("who", ["amy", "rita", "olivia"])
def test_it_refuses_to_reveal_personal_data_without_the_permission(db, request, who):
    ins = factories.inspector()
    r = ApiClient(request.getfixturevalue(who)).post(
        f"/inspectors/{ins.pk}/personal-data", {"purpose": "看看"}
    )
    assert r.status_code == 403
    assert not AuditEvent.objects.filter(action="personal_data.reveal").exists()


def test_it_requires_a_purpose_to_reveal_personal_data(alice):
    ins = factories.inspector()
    r = ApiClient(alice).post(f"/inspectors/{ins.pk}/personal-data", {"purpose": ""})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "查看用途", "reason": "不能为空"}]


def test_a_full_id_number_or_phone_finds_its_inspector_only_for_holders_of_the_permission(alice, amy):
    target = factories.inspector("SCJG", id_number="11010519491231002X", phone="13812341234")
    factories.inspector("SCJG")
    assert ids(ApiClient(alice).get("/inspectors", q="11010519491231002x")) == {target.pk}
    assert ids(ApiClient(alice).get("/inspectors", q="138 1234 1234")) == {target.pk}
    assert ids(ApiClient(amy).get("/inspectors", q="11010519491231002X")) == set()


def test_a_patch_that_sends_the_masks_back_keeps_the_numbers(alice):
    ins = factories.inspector("SCJG", id_number="11010519491231002X", phone="13812341234")
    body = ApiClient(alice).get(f"/inspectors/{ins.pk}").json()
    r = ApiClient(alice).patch(
        f"/inspectors/{ins.pk}", {"name": "新名字", "id_number": body["id_number"], "phone": body["phone"]}
    )
    assert r.status_code == 200, r.content
    ins.refresh_from_db()
    assert (ins.name, ins.id_number, ins.phone) == ("新名字", "11010519491231002X", "13812341234")
