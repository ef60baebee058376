"""The import page through the Django test client: upload → error table → error report; templates."""

import io

import pytest
from openpyxl import load_workbook

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import InspectionObject, Inspector
from tests import factories
from tests.conftest import login
from tests.directory.import_helpers import csv_bytes, entity_row, headers, inspector_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, kind, data, name="名录.xlsx", **fields):
    f = io.BytesIO(data)
    f.name = name
    return client.post("/import/", {"kind": kind, "file": f, **fields})


def test_every_import_url_requires_login(client):
    for url in (
        "/import/",
        "/import/template/entities.xlsx",
        "/export/entities.xlsx",
        f"/import/errors/{'a' * 32}.xlsx",
    ):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url


def test_the_import_page_offers_only_the_directories_the_user_may_change(client, amy, alice):
    login(client, amy)
    r = client.get("/import/")
    assert r.status_code == 200
    assert [k for k, _ in r.context["kinds"]] == ["entities"]
    login(client, alice)
    assert [k for k, _ in client.get("/import/").context["kinds"]] == ["entities", "inspectors", "items"]


def test_a_user_without_the_import_permission_gets_403(client, rita):
    login(client, rita)
    assert client.get("/import/").status_code == 403


def test_an_upload_with_an_invalid_row_shows_the_error_table_and_offers_the_report(client, alice):
    login(client, alice)
    good = factories.uscc()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = upload(
        client, "entities", xlsx_bytes(headers("entities"), [entity_row(factories.uscc()), entity_row(bad)])
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "未写入任何数据" in html
    assert "<td>3</td><td>统一社会信用代码/对象编码</td>" in html
    assert InspectionObject.objects.count() == 0

    report = client.get(f"/import/errors/{r.context['report_id']}.xlsx")
    assert report.status_code == 200
    wb = load_workbook(io.BytesIO(report.content))
    rows = list(wb["错误行"].iter_rows(values_only=True))
    assert rows[0][0] == "行号" and rows[0][-1] == "错误原因"
    assert rows[1][0] == 3 and rows[1][1] == bad and "统一社会信用代码" in rows[1][-1]
    assert list(wb["错误明细"].iter_rows(values_only=True))[1][:2] == (3, "统一社会信用代码/对象编码")


def test_the_error_report_belongs_to_the_uploader(client, alice, amy):
    login(client, alice)
    r = upload(client, "entities", xlsx_bytes(headers("entities"), [entity_row("bad")]))
    url = f"/import/errors/{r.context['report_id']}.xlsx"
    login(client, amy)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)


def test_only_valid_rows_are_imported_when_the_box_is_ticked(client, alice):
    login(client, alice)
    rows = [entity_row(factories.uscc()), entity_row("bad")]
    r = upload(client, "entities", xlsx_bytes(headers("entities"), rows), valid_rows_only="1")
    assert "已导入有效行" in r.content.decode()
    assert InspectionObject.objects.count() == 1
    assert AuditEvent.objects.filter(action="directory.import", actor=alice).count() == 1


def test_a_dry_run_from_the_page_writes_nothing(client, alice):
    login(client, alice)
    r = upload(
        client, "entities", xlsx_bytes(headers("entities"), [entity_row(factories.uscc())]), dry_run="1"
    )
    assert r.context["result"].new == 1 and "仅校验" in r.content.decode()
    assert InspectionObject.objects.count() == 0


def test_a_gb18030_csv_uploads_through_the_page(client, alice):
    login(client, alice)
    data = csv_bytes(headers("inspectors"), [inspector_row("41048100031", 姓名="张晓燕")], "gb18030")
    r = upload(client, "inspectors", data, name="人员.csv")
    assert r.context["result"].written
    assert Inspector.objects.get(cert_no="41048100031").name == "张晓燕"


def test_bob_cannot_upload_into_a_directory_he_does_not_keep(client, bob):
    login(client, bob)
    r = upload(client, "entities", xlsx_bytes(headers("entities"), [entity_row(factories.uscc())]))
    assert r.status_code == 400 and InspectionObject.objects.count() == 0


def test_bob_sees_the_department_rule_as_a_row_error(client, bob):
    login(client, bob)
    r = upload(
        client, "inspectors", xlsx_bytes(headers("inspectors"), [inspector_row("41048100032", "SCJG")])
    )
    assert "只能导入本部门的人员" in r.content.decode() and Inspector.objects.count() == 0


def test_a_file_with_wrong_columns_is_explained(client, alice):
    login(client, alice)
    r = upload(client, "entities", xlsx_bytes(["甲", "乙"], [["1", "2"]]))
    assert r.status_code == 400 and "表头" in r.content.decode()


def test_the_template_download_opens_with_openpyxl_and_has_the_headers(client, amy):
    login(client, amy)
    for kind in ("entities", "inspectors", "items"):
        r = client.get(f"/import/template/{kind}.xlsx")
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
        wb = load_workbook(io.BytesIO(r.content))
        assert list(next(wb.worksheets[0].iter_rows(values_only=True))) == headers(kind)
        guide = list(wb["填写说明"].iter_rows(values_only=True))
        assert guide[0] == ("列名", "是否必填", "填写要求", "可选值", "示例")
        assert [g[0] for g in guide[1 : len(headers(kind)) + 1]] == headers(kind)


def test_the_template_has_dropdowns_for_enumerations(client, amy):
    login(client, amy)
    wb = load_workbook(io.BytesIO(client.get("/import/template/entities.xlsx").content))
    ws = wb.worksheets[0]
    ranges = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert ranges["C2"] == "'可选值'!$A$2:$A$7"  # 类别: the six kinds of objects
    choices = wb["可选值"]
    assert "企业" in [c.value for c in choices["A"]]
    guide = {g[0]: g for g in wb["填写说明"].iter_rows(values_only=True) if g and g[0]}
    assert guide["乡镇（街道）"][3] and "寺坡街道" in guide["乡镇（街道）"][3]
    assert guide["统一社会信用代码/对象编码"][1] == "必填"


def test_a_filled_in_template_imports(client, alice):
    login(client, alice)
    wb = load_workbook(io.BytesIO(client.get("/import/template/entities.xlsx").content))
    code = factories.uscc()
    wb.worksheets[0].append(entity_row(code))
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(client, "entities", buf.getvalue())
    assert r.context["result"].new == 1, r.context["result"].errors
