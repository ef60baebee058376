"""A result that hands its problem on is submitted together with its transfer (issue 15, item 9).

"反馈日常监管部门依法处理" was published without anyone being asked for the transfer, and at once counted as a violation
in the accountability report."""

import pytest

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus, Transfer
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.inspections.helpers import drawn_selection
from tests.web.test_records_pages import create_from_selection, form_post

PROBLEM = {"categories": ["违反其他部门相关规定"], "measures": ["反馈日常监管部门依法处理"]}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(client, alice, amy):
    login(client, amy)
    return create_from_selection(client, drawn_selection(alice))


def _problem_post(rec, **extra):
    items = {f"problem_{i}": "1" for i in rec.item_results.values_list("item_id", flat=True)}
    return form_post(rec, action="submit", **PROBLEM, **items, **extra)


def test_amy_cannot_submit_a_result_handed_on_without_its_transfer(client, amy, draft):
    r = client.post(f"/records/{draft.pk}/edit/", _problem_post(draft, t1_content="  "))
    page = r.content.decode()
    assert r.status_code == 200 and 'id="transfer-errors"' in page
    assert (
        "后续处置措施为“反馈日常监管部门依法处理”，提交审核前请一并填写移交（移交相关部门或移送办案机构）"
        in page
    )
    assert (
        InspectionRecord.objects.get(pk=draft.pk).status == RecordStatus.DRAFT
        and not Transfer.objects.exists()
    )


def test_amy_submits_the_result_and_its_transfer_in_one_step_and_bob_receives_it(
    client, amy, bob, wjw, draft
):
    post = _problem_post(
        draft, t1_kind="department", t1_to_department=str(wjw.pk), t1_content="卫生许可证过期"
    )
    r = client.post(f"/records/{draft.pk}/edit/", post)
    assert r.status_code == 302, r.content.decode()[-2000:]
    t = Transfer.objects.get()
    assert t.record_id == draft.pk and t.to_department == wjw and t.sent_by == amy
    assert InspectionRecord.objects.get(pk=draft.pk).status == RecordStatus.SUBMITTED
    assert AuditEvent.objects.filter(action="transfer.create", actor=amy).count() == 1
    login(client, bob)
    assert draft.selection.object.name in client.get("/transfers/").content.decode()


def test_the_form_keeps_a_refused_transfer_and_shows_the_part_only_while_a_measure_needs_it(client, draft):
    post = _problem_post(draft, t1_kind="police", t1_to_agency="舞钢市公安局", t1_content="")
    page = client.post(f"/records/{draft.pk}/edit/", post).content.decode()
    assert 'value="舞钢市公安局"' in page and "移交内容：请写明移交的问题与线索" in page
    assert 'id="transfer-part"' in page and "ssj/record_form.js" in page  # JS hides it for 无需后续处置


def test_a_transfer_beside_no_follow_up_is_refused(client, draft):
    post = form_post(draft, action="submit", t1_kind="police", t1_to_agency="公安局", t1_content="线索")
    page = client.post(f"/records/{draft.pk}/edit/", post).content.decode()
    assert "选择“无需后续处置”时不能同时移交" in page and not Transfer.objects.exists()


def test_the_api_names_the_missing_transfer_and_takes_it_with_the_submission(amy, draft):
    body = {
        "methods": ["实地核查"],
        "cert_shown": True,
        "signature": "obtained",
        "categories": ["违反其他部门相关规定"],
        "measures": ["移送公安机关"],
        "item_results": [
            {"item_id": i, "checked": True, "problem_found": True}
            for i in draft.item_results.values_list("item_id", flat=True)
        ],
    }
    api = ApiClient(amy)
    r = api.post(f"/records/{draft.pk}/submit", body)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"后续处置移交"}
    wrong = {"kind": "case_unit", "to_agency": "稽查大队", "content": "线索"}
    r = api.post(f"/records/{draft.pk}/submit", body | {"transfers": [wrong]})
    assert r.status_code == 422 and "移送公安机关" in r.json()["errors"][0]["reason"]
    police = {"kind": "police", "to_agency": "舞钢市公安局", "content": "涉嫌销售假冒商品"}
    r = api.post(f"/records/{draft.pk}/submit", body | {"transfers": [police, wrong]})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert sorted(Transfer.objects.values_list("kind", flat=True)) == ["case_unit", "police"]


def test_rita_sees_a_missing_transfer_on_a_record_submitted_before_the_rule(client, amy, rita, draft):
    client.post(f"/records/{draft.pk}/edit/", form_post(draft, action="submit"))
    InspectionRecord.objects.filter(pk=draft.pk).update(
        measures=PROBLEM["measures"], categories=PROBLEM["categories"]
    )
    login(client, rita)
    page = client.get(f"/records/{draft.pk}/").content.decode()
    assert 'id="missing-transfer"' in page and "反馈日常监管部门依法处理" in page
