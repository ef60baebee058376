"""xlsx exports: the template's columns, masked personal numbers, and the audited unmasked variant."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.exporting import directory_export
from tests import factories
from tests.conftest import login
from tests.directory.import_helpers import headers

pytestmark = pytest.mark.django_db


def rows_of(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


def column(rows, header):
    i = rows[0].index(header)
    return [r[i] for r in rows[1:]]


@pytest.fixture
def inspector(db):
    return factories.inspector(
        "SCJG", name="王建国", id_number=factories.id_number("19800515", 271), phone="13812345678"
    )


def test_it_exports_the_template_columns(alice, inspector):
    rows = rows_of(directory_export(actor=alice, kind="inspectors", params={}))
    assert list(rows[0]) == headers("inspectors")
    assert column(rows, "姓名") == ["王建国"] and column(rows, "所属部门") == ["舞钢市市场监督管理局"]


def test_it_masks_id_numbers_and_phones(alice, inspector):
    rows = rows_of(directory_export(actor=alice, kind="inspectors", params={}))
    [id_number] = column(rows, "身份证号")
    [phone] = column(rows, "联系电话")
    assert re.fullmatch(r"4104\*{10}[0-9X]{4}", id_number)
    assert phone == "138****5678"


def test_the_masked_export_is_audited_with_its_filters_and_row_count(alice, inspector):
    directory_export(actor=alice, kind="inspectors", params={"q": "王", "page": "2"})
    event = AuditEvent.objects.get(action="directory.export")
    assert event.actor == alice
    assert event.after == {"kind": "inspectors", "filters": {"q": "王"}, "rows": 1, "unmasked": False}


def test_an_unmasked_export_needs_the_personal_data_permission(bob, olivia, inspector):
    for user in (bob, olivia):  # neither may see full numbers
        with pytest.raises(PermissionDenied):
            directory_export(actor=user, kind="inspectors", params={}, unmasked=True)
    assert not AuditEvent.objects.exists()


def test_an_unmasked_export_shows_full_numbers_and_is_audited(alice, inspector):
    rows = rows_of(directory_export(actor=alice, kind="inspectors", params={}, unmasked=True))
    assert column(rows, "身份证号") == [inspector.id_number] and column(rows, "联系电话") == ["13812345678"]
    event = AuditEvent.objects.get(action="directory.export")
    assert event.after["unmasked"] is True and event.reason == "导出完整个人信息"


def test_an_export_only_contains_what_the_user_may_see(bob, inspector):
    factories.inspector("WJW", name="卫健人员")
    rows = rows_of(directory_export(actor=bob, kind="inspectors", params={}))
    assert column(rows, "姓名") == ["卫健人员"]


def test_a_user_without_the_export_permission_cannot_export(sam):
    with pytest.raises(PermissionDenied):
        directory_export(actor=sam, kind="entities", params={})


def test_the_list_filters_apply_to_the_export(client, amy):
    factories.entity(name="舞钢市甲商贸有限公司")
    factories.entity(name="舞钢市乙商贸有限公司", risk_class=factories.RiskClass.objects.get(code="C"))
    login(client, amy)
    r = client.get("/export/entities.xlsx?risk=C")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    rows = rows_of(r.content)
    assert column(rows, "名称") == ["舞钢市乙商贸有限公司"] and column(rows, "信用风险分类") == ["C"]
    assert column(rows, "类别") == ["企业"] and column(rows, "列入经营异常名录") == ["否"]


def test_the_unmasked_export_is_a_post_and_a_get_stays_masked(client, alice, inspector):
    login(client, alice)
    masked = column(rows_of(client.get("/export/inspectors.xlsx?full=1").content), "联系电话")
    assert masked == ["138****5678"]
    r = client.post("/export/inspectors.xlsx", {"full": "1"})
    assert r.status_code == 200 and column(rows_of(r.content), "联系电话") == ["13812345678"]
    assert AuditEvent.objects.filter(action="directory.export", after__unmasked=True).count() == 1


def test_the_unmasked_export_page_refuses_users_without_the_permission(client, bob, inspector):
    login(client, bob)
    assert client.post("/export/inspectors.xlsx", {"full": "1"}).status_code == 403


def test_an_item_export_re_imports_as_unchanged(alice):
    from shuangsuiji.directory.importing import directory_import

    factories.item("SCJG", methods=["书面检查", "实地核查"], sub_items="子项一\n子项二")
    data = directory_export(actor=alice, kind="items", params={})
    result = directory_import(actor=alice, kind="items", file=io.BytesIO(data), filename="items.xlsx")
    assert result.ok, result.errors
    assert (result.new, result.updated, result.unchanged) == (0, 0, 1)


def test_an_entity_export_re_imports_as_unchanged(amy):
    from shuangsuiji.directory.importing import directory_import

    factories.entity(abnormal_list=True, complaints_12m=3)
    data = directory_export(actor=amy, kind="entities", params={})
    result = directory_import(actor=amy, kind="entities", file=io.BytesIO(data), filename="e.xlsx")
    assert (result.unchanged, result.invalid) == (1, 0), result.errors
