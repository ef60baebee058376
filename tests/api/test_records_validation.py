"""Invalid record, transfer and calendar requests end in 422 {detail, errors: [{field, reason}]}, in Chinese."""

import pytest

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.inspections import services
from tests import factories
from tests.inspections.helpers import drawn_selection

from .conftest import ApiClient


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def draft(alice, amy):
    return services.record_create(actor=amy, selection=drawn_selection(alice))


def errors(response, status=422) -> list[dict]:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()["errors"]


def reasons(response) -> str:
    return "；".join(f"{e['field']}：{e['reason']}" for e in errors(response))


def test_it_lists_every_missing_part_of_a_record_at_submission(draft, amy):
    r = ApiClient(amy).post(
        f"/records/{draft.pk}/submit",
        {"member_ids": [draft.members.first().inspector_id], "categories": [], "measures": []},
    )
    assert r.json()["detail"] == "数据校验未通过"
    text = reasons(r)
    for message in (
        "检查人员：实地核查时执法检查人员不得少于 2 人（第十三条）",
        "出示执法证件：实地核查应主动出示执法证件（第十三条）",
        "签字（盖章）：请说明检查对象是否签字（盖章）",
        "检查结果：请选择检查结果",
    ):
        assert message in text
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not AuditEvent.objects.filter(action="record.submit").exists()


def test_it_refuses_contradictory_results(draft, amy):
    r = ApiClient(amy).post(
        f"/records/{draft.pk}/submit",
        {
            "cert_shown": True,
            "signature": "refused",
            "categories": ["未发现问题", "已注销"],
            "measures": ["无需后续处置", "移送公安机关"],
        },
    )
    text = reasons(r)
    assert "签字（盖章）：无法取得签字或盖章的，应注明原因（第十三条）" in text
    assert "检查结果：“未发现问题”不能与其他检查结果同时选择" in text
    assert "检查结果：“无需后续处置”不能与其他措施同时选择" in text


def test_it_refuses_a_future_inspection_date(draft, amy):
    r = ApiClient(amy).post(f"/records/{draft.pk}/submit", {"inspection_date": "2999-01-01"})
    assert "检查日期：检查日期不能晚于今天" in reasons(r)


def test_it_names_fields_of_malformed_bodies_in_chinese(draft, amy):
    clerk = ApiClient(amy)
    r = clerk.patch(f"/records/{draft.pk}", {"inspection_date": "2026-13-01", "methods": ["飞行检查"]})
    found = errors(r)
    assert {"field": "检查日期", "reason": "应为日期（YYYY-MM-DD）"} in found
    assert any(e["field"] == "检查方式" and e["reason"].startswith("不是可选值，应为：") for e in found)
    assert r.json()["detail"] == "请求参数校验未通过"
    r = clerk.post(f"/records/{draft.pk}/review", {})
    assert errors(r) == [{"field": "审核结论", "reason": "必填项不能为空"}]
    r = clerk.patch(f"/records/{draft.pk}", {"note": "含空字符\x00"})
    assert errors(r) == [{"field": "检查情况", "reason": "不能包含空字符（\\x00）"}]


def test_it_refuses_a_submitted_record_being_edited(draft, amy):
    clerk = ApiClient(amy)
    complete = {"cert_shown": True, "signature": "obtained", "categories": ["未发现问题"], "measures": []}
    assert clerk.post(f"/records/{draft.pk}/submit", complete).status_code == 200
    r = clerk.patch(f"/records/{draft.pk}", {"note": "改"})
    assert errors(r) == [
        {"field": "状态", "reason": "记录当前为“已提交待审核”，已不可修改；如需修改请发起更正"}
    ]
    r = clerk.post(f"/records/{draft.pk}/correct", {"reason": "改"})
    assert errors(r) == [{"field": "状态", "reason": "只有已审核的记录需要更正；未审核的记录可直接修改"}]


def test_it_refuses_to_review_a_draft_with_409(draft, rita):
    r = ApiClient(rita).post(f"/records/{draft.pk}/review", {"approve": True})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "状态"


def test_it_refuses_a_return_without_a_comment(draft, amy, rita):
    complete = {"cert_shown": True, "signature": "obtained", "categories": ["未发现问题"]}
    ApiClient(amy).post(f"/records/{draft.pk}/submit", complete)
    r = ApiClient(rita).post(f"/records/{draft.pk}/review", {"approve": False})
    assert errors(r) == [{"field": "审核意见", "reason": "退回时请写明需要修改的内容"}]


def test_it_refuses_a_check_of_a_market_entity_without_a_trigger(amy):
    entity = factories.entity()
    clerk = ApiClient(amy)
    r = clerk.post("/records", {"object_code": entity.code, "trigger": "日常巡查", "trigger_ref": "1"})
    assert errors(r) == [
        {
            "field": "检查来源",
            "reason": "除投诉举报、转办交办、数据监测外，对市场主体的检查均应通过双随机抽查进行（第十九条）",
        }
    ]
    r = clerk.post("/records", {"object_code": entity.code, "trigger": "投诉举报", "trigger_ref": " "})
    assert errors(r) == [{"field": "来源编号", "reason": "请填写投诉举报、转办交办或数据监测的编号"}]
    r = clerk.post(
        "/records", {"object_code": "91410481MA00000000", "trigger": "投诉举报", "trigger_ref": "1"}
    )
    assert errors(r) == [
        {"field": "检查对象", "reason": "未找到统一社会信用代码（对象编码）为“91410481MA00000000”的检查对象"}
    ]


def test_it_refuses_members_and_departments_that_do_not_exist(draft, amy):
    r = ApiClient(amy).patch(f"/records/{draft.pk}", {"member_ids": [987654321]})
    assert errors(r) == [{"field": "检查人员", "reason": "未找到编号为 987654321 的检查人员"}]
    assert draft.members.count() == 2


def test_it_refuses_a_transfer_without_its_receiver(draft, amy, rita):
    complete = {"cert_shown": True, "signature": "obtained", "categories": ["未发现问题"]}
    clerk = ApiClient(amy)
    r = clerk.post(f"/records/{draft.pk}/transfers", {"kind": "department", "content": "线索"})
    assert "检查记录：请先提交检查结果，再移交后续处置" in reasons(r)
    assert "接收部门：请选择接收部门（谁审批谁监管、谁主管谁监管、属地管理）" in reasons(r)
    clerk.post(f"/records/{draft.pk}/submit", complete)
    r = clerk.post(
        f"/records/{draft.pk}/transfers",
        {"kind": "department", "content": "线索", "to_department_id": 987654},
    )
    assert errors(r) == [{"field": "接收部门", "reason": "未找到编号为 987654 的部门"}]
    r = clerk.post(f"/records/{draft.pk}/transfers", {"kind": "mail", "content": "线索"})
    assert errors(r)[0]["field"] == "类型" and errors(r)[0]["reason"].startswith("不是可选值")


def test_the_deadline_calculator_refuses_a_date_it_cannot_compute(amy):
    r = ApiClient(amy).get("/calendar/deadline", date="2200-12-20", days=20)
    assert r.json() == {
        "detail": "数据校验未通过",
        "errors": [{"field": "日期", "reason": "2201 年超出可计算的范围（1900—2200 年）"}],
    }
    assert r.status_code == 422
    r = ApiClient(amy).get("/calendar/deadline", date="2026-02-30")
    assert errors(r) == [{"field": "日期", "reason": "应为日期（YYYY-MM-DD）"}]
    r = ApiClient(amy).get("/calendar/deadline")
    assert errors(r) == [{"field": "日期", "reason": "必填项不能为空"}]


def test_the_public_search_needs_two_characters(db):
    r = ApiClient().get("/public/results", q="舞")
    assert errors(r) == [{"field": "查询内容", "reason": "长度不能少于 2 个字符"}]
