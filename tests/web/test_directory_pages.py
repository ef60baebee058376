import re
from decimal import Decimal

import pytest

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import CheckItem, InspectionObject, Inspector
from tests import factories
from tests.conftest import login

ID_RE = re.compile(r"\d{17}[\dX]")
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

ITEM_FORM = {
    "code": "SCJG-901",
    "name": "食品经营者监督检查",
    "department_id": "舞钢市市场监督管理局",
    "legal_basis": "《食品安全法》第一百一十条",
    "methods": ["实地核查"],
    "category": "一般",
    "default_ratio": "5",  # pages take percentages (issue 15, item 4)
    "ratio_cap": "10%",
    "status": "有效",
    "reason": "新增事项",
}


def test_it_creates_an_item_with_its_first_version_and_an_audit_event(client, alice):
    login(client, alice)
    response = client.post("/items/new/", ITEM_FORM)
    item = CheckItem.objects.get(code="SCJG-901")
    assert response.status_code == 302 and response["Location"] == f"/items/{item.pk}/"
    assert item.versions.get().version == 1
    assert AuditEvent.objects.filter(action="item.create", target_id=str(item.pk)).exists()


def test_it_explains_in_chinese_why_a_general_item_needs_a_ratio_cap(client, alice):
    login(client, alice)
    response = client.post("/items/new/", ITEM_FORM | {"ratio_cap": ""})
    assert response.status_code == 200
    assert "一般检查事项必须设置比例上限" in response.content.decode()
    assert not CheckItem.objects.filter(code="SCJG-901").exists()


def test_it_keeps_every_past_version_of_an_item_retrievable(client, alice):
    login(client, alice)
    client.post("/items/new/", ITEM_FORM)
    item = CheckItem.objects.get(code="SCJG-901")
    response = client.post(
        f"/items/{item.pk}/edit/", ITEM_FORM | {"default_ratio": "8", "reason": "风险上升"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.version == 2
    v1 = client.get(f"/items/{item.pk}/versions/1/").content.decode()
    v2 = client.get(f"/items/{item.pk}/versions/2/").content.decode()
    assert "5%" in v1 and "8%" in v2 and item.default_ratio == Decimal("0.08")
    assert "风险上升" in client.get(f"/items/{item.pk}/").content.decode()


def test_it_refuses_an_item_change_without_a_reason(client, alice):
    login(client, alice)
    client.post("/items/new/", ITEM_FORM)
    item = CheckItem.objects.get(code="SCJG-901")
    response = client.post(f"/items/{item.pk}/edit/", ITEM_FORM | {"default_ratio": "8", "reason": ""})
    assert "每次变更都必须填写理由" in response.content.decode()
    item.refresh_from_db()
    assert item.version == 1


def test_it_retires_an_item_by_post_and_keeps_its_history(client, alice):
    login(client, alice)
    client.post("/items/new/", ITEM_FORM)
    item = CheckItem.objects.get(code="SCJG-901")
    assert client.get(f"/items/{item.pk}/retire/").status_code == 405  # no GET changes state
    client.post(f"/items/{item.pk}/retire/", {"reason": "法规废止"})
    item.refresh_from_db()
    assert item.status == "停用" and item.versions.count() == 2


def test_it_rejects_a_wrong_uscc_check_character_naming_the_field(client, alice):
    login(client, alice)
    good = factories.uscc("1")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        "/objects/new/", {"code": bad, "name": "某公司", "kind": "企业", "reg_status": "存续"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "统一社会信用代码" in page and "校验码" in page
    assert not InspectionObject.objects.filter(code=bad).exists()


def test_it_lets_only_the_registering_department_edit_entity_base_data(client, alice, bob):
    obj = factories.entity(name="舞钢市甲公司")
    login(client, bob)
    assert client.get(f"/objects/{obj.pk}/").status_code == 200  # the directory is city-wide
    assert client.post(f"/objects/{obj.pk}/edit/", {"name": "改名"}).status_code == 403
    login(client, alice)
    data = {
        "code": obj.code,
        "name": "舞钢市乙公司",
        "kind": "企业",
        "region_id": "寺坡街道",
        "reg_status": "存续",
    }
    assert client.post(f"/objects/{obj.pk}/edit/", data).status_code == 302
    obj.refresh_from_db()
    assert obj.name == "舞钢市乙公司"
    event = AuditEvent.objects.get(action="object.update")
    assert event.before["name"] == "舞钢市甲公司" and event.after["name"] == "舞钢市乙公司"


def test_each_department_edits_only_its_own_supervision_attributes(client, alice, bob):
    obj = factories.entity()
    login(client, bob)
    client.post(f"/objects/{obj.pk}/supervision/", {"tags": "公共场所;游泳场所", "note": ""})
    login(client, alice)
    client.post(f"/objects/{obj.pk}/supervision/", {"tags": "食品经营", "note": ""})
    tags = {s.department.code: s.tags for s in obj.supervisions.all()}
    assert tags == {"WJW": ["公共场所", "游泳场所"], "SCJG": ["食品经营"]}


def test_it_says_why_an_inspector_cannot_be_drawn(client, alice):
    import datetime

    factories.inspector(name="过期者", cert_expires=datetime.date(2020, 1, 1))
    factories.inspector(name="休假者", status="休假")
    login(client, alice)
    page = client.get("/inspectors/").content.decode()
    assert "执法证已于 2020-01-01 过期" in page and "状态为休假" in page
    page = client.get("/inspectors/?drawable=1").content.decode()
    assert "过期者" not in page and "休假者" not in page


def test_it_masks_id_numbers_and_phones_on_every_inspector_page(client, alice):
    ins = factories.inspector()
    login(client, alice)
    for url in ["/inspectors/", f"/inspectors/{ins.pk}/", f"/inspectors/{ins.pk}/edit/"]:
        page = client.get(url).content.decode()
        assert ins.id_number not in page and ins.phone not in page, url
        assert not ID_RE.search(page) and not MOBILE_RE.search(page), url
        assert ins.id_number[:4] + "**********" in page


def test_the_edit_form_sent_back_with_its_masks_keeps_the_numbers_and_changes_the_rest(client, alice):
    ins = factories.inspector(id_number="11010519491231002X", phone="13812341234")
    login(client, alice)
    form = client.get(f"/inspectors/{ins.pk}/edit/").content.decode()
    assert 'value="1101**********002X"' in form and 'value="138****1234"' in form
    data = {
        "department_id": "舞钢市市场监督管理局",
        "name": "改了名字",
        "cert_no": ins.cert_no,
        "cert_expires": "2030-12-31",
        "id_number": "1101**********002X",
        "phone": "138****1234",
        "status": "在岗",
    }
    assert client.post(f"/inspectors/{ins.pk}/edit/", data).status_code == 302
    ins.refresh_from_db()
    assert (ins.name, ins.id_number, ins.phone) == ("改了名字", "11010519491231002X", "13812341234")
    assert client.post(f"/inspectors/{ins.pk}/edit/", data | {"phone": "139****1234"}).status_code == 200
    ins.refresh_from_db()
    assert ins.phone == "13812341234"  # a mask that is not this number's is refused, not stored


def test_revealing_personal_data_needs_the_permission_and_is_audited(client, alice, amy):
    ins = factories.inspector()
    login(client, amy)
    assert client.post(f"/inspectors/{ins.pk}/reveal/", {"purpose": "核对"}).status_code == 403
    login(client, alice)
    page = client.post(f"/inspectors/{ins.pk}/reveal/", {"purpose": "核对执法证"}).content.decode()
    assert ins.id_number in page and ins.phone in page
    event = AuditEvent.objects.get(action="personal_data.reveal")
    assert event.actor == alice and event.reason == "核对执法证" and event.ip == "127.0.0.1"


def test_it_never_writes_personal_data_in_clear_into_the_audit_trail(client, alice):
    login(client, alice)
    client.post(
        "/inspectors/new/",
        {
            "department_id": "舞钢市市场监督管理局",
            "name": "李四",
            "cert_no": "4104810001",
            "cert_expires": "2028-01-01",
            "id_number": "11010519491231002X",
            "phone": "13812341234",
            "status": "在岗",
        },
    )
    event = AuditEvent.objects.get(action="inspector.create")
    assert event.after["id_number"] == "1101**********002X" and event.after["phone"] == "138****1234"
    assert Inspector.objects.get(cert_no="4104810001").code.startswith("I")


@pytest.mark.parametrize("birth", ["19490231", "20230229", "19991301"])
def test_it_rejects_impossible_birth_dates_in_the_inspector_form(client, alice, birth):
    from shuangsuiji.codes.idcard import id_check_char

    body = "410481" + birth + "123"
    login(client, alice)
    response = client.post(
        "/inspectors/new/",
        {
            "department_id": "舞钢市市场监督管理局",
            "name": "李四",
            "cert_no": "C1",
            "cert_expires": "2028-01-01",
            "id_number": body + id_check_char(body),
        },
    )
    assert "出生日期" in response.content.decode()
    assert not Inspector.objects.filter(cert_no="C1").exists()


def test_conflicts_are_declared_and_withdrawn_with_reasons(client, alice):
    ins = factories.inspector()
    obj = factories.entity()
    login(client, alice)
    client.post(f"/inspectors/{ins.pk}/conflicts/", {"object_code": obj.code, "reason": "配偶任该企业股东"})
    conflict = ins.conflicts.get()
    client.post(f"/conflicts/{conflict.pk}/withdraw/", {"reason": "股权已转让"})
    assert not ins.conflicts.exists()
    assert list(
        AuditEvent.objects.filter(target_type="directory.conflict").values_list("action", flat=True)
    ) == [
        "conflict.withdraw",
        "conflict.declare",
    ]


def test_the_full_export_button_is_offered_only_with_the_permission_and_is_audited(client, alice, amy):
    import io

    import openpyxl

    ins = factories.inspector()
    login(client, amy)
    assert "导出完整信息" not in client.get("/inspectors/").content.decode()
    login(client, alice)
    assert "导出完整信息" in client.get("/inspectors/").content.decode()
    response = client.post("/export/inspectors.xlsx", {"full": "1"})
    cells = [
        c.value
        for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows()
        for c in row
    ]
    assert ins.id_number in cells
    assert AuditEvent.objects.filter(action="directory.export").exists()
