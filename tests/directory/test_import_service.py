"""directory_import: validation, all-or-nothing, upserts, encodings and department rules."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.codes.idcard import id_check_char
from shuangsuiji.directory.importing import ImportFileError, directory_import
from shuangsuiji.directory.models import CheckItem, CheckItemVersion, InspectionObject, Inspector
from shuangsuiji.directory.workbooks import export_workbook
from tests import factories
from tests.directory.import_helpers import (
    csv_bytes,
    entity_row,
    headers,
    inspector_row,
    item_row,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def run(actor, kind, data: bytes, filename="名录.xlsx", **kw):
    return directory_import(actor=actor, kind=kind, file=io.BytesIO(data), filename=filename, **kw)


def bad_check_char(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def test_it_imports_new_entities_from_xlsx(alice):
    codes = [factories.uscc() for _ in range(3)]
    result = run(
        alice,
        "entities",
        xlsx_bytes(headers("entities"), [entity_row(c, f"企业{i}") for i, c in enumerate(codes)]),
    )
    assert result.ok and result.written
    assert (result.new, result.updated, result.unchanged, result.invalid) == (3, 0, 0, 0)
    obj = InspectionObject.objects.get(code=codes[0])
    assert obj.name == "企业0" and obj.region.name == "寺坡街道" and obj.risk_class.code == "B"


def test_it_writes_nothing_when_one_row_is_invalid(alice):
    good, bad = factories.uscc(), bad_check_char(factories.uscc())
    result = run(alice, "entities", xlsx_bytes(headers("entities"), [entity_row(good), entity_row(bad)]))
    assert not result.ok and not result.written
    assert InspectionObject.objects.count() == 0
    assert not AuditEvent.objects.filter(action="directory.import").exists()
    [(row, column, reason)] = result.errors
    assert row == 3  # the header is row 1, so the second data row is row 3 in Excel
    assert column == "统一社会信用代码/对象编码"
    assert "校验" in reason


def test_it_imports_only_the_valid_rows_when_asked(alice):
    good, bad = factories.uscc(), bad_check_char(factories.uscc())
    data = xlsx_bytes(headers("entities"), [entity_row(bad), entity_row(good)])
    result = run(alice, "entities", data, valid_rows_only=True)
    assert result.written and (result.new, result.invalid) == (1, 1)
    assert list(InspectionObject.objects.values_list("code", flat=True)) == [good]
    assert result.errors[0][0] == 2


def test_it_rolls_back_earlier_batches_when_a_later_row_is_invalid(alice, monkeypatch):
    monkeypatch.setattr("shuangsuiji.directory.importing.BATCH", 2)
    rows = [entity_row(factories.uscc()) for _ in range(5)] + [entity_row("91410481MA00000000")]
    result = run(alice, "entities", xlsx_bytes(headers("entities"), rows))
    assert result.invalid == 1 and result.new == 5 and not result.written
    assert InspectionObject.objects.count() == 0


def test_it_changes_nothing_when_the_same_file_is_imported_twice(alice):
    data = xlsx_bytes(headers("entities"), [entity_row(factories.uscc()) for _ in range(4)])
    first = run(alice, "entities", data)
    stamps = dict(InspectionObject.objects.values_list("code", "updated_at"))
    second = run(alice, "entities", data)
    assert (first.new, second.new, second.updated, second.unchanged) == (4, 0, 0, 4)
    assert dict(InspectionObject.objects.values_list("code", "updated_at")) == stamps
    # Each committed import leaves exactly one summary event, the second one saying it changed nothing.
    events = list(AuditEvent.objects.filter(action="directory.import").order_by("id"))
    assert len(events) == 2 and AuditEvent.objects.count() == 2
    assert events[1].after["new"] == 0 and events[1].after["updated"] == 0
    assert events[1].after["sha256"] == first.sha256 == second.sha256


def test_it_updates_changed_rows_and_records_before_and_after_in_the_summary(alice):
    code = factories.uscc()
    run(alice, "entities", xlsx_bytes(headers("entities"), [entity_row(code, "旧名称")]))
    result = run(
        alice, "entities", xlsx_bytes(headers("entities"), [entity_row(code, "新名称", 信用风险分类="C")])
    )
    assert (result.new, result.updated) == (0, 1)
    obj = InspectionObject.objects.get(code=code)
    assert obj.name == "新名称" and obj.risk_class.code == "C"
    event = AuditEvent.objects.filter(action="directory.import").latest("id")
    assert event.after["changes"][code]["name"] == ["旧名称", "新名称"]
    assert event.actor == alice and event.reason == "批量导入"


def test_it_keeps_stored_values_of_columns_the_file_does_not_have(alice):
    obj = factories.entity(address="舞钢市原地址1号")
    data = xlsx_bytes(["名称", "统一社会信用代码/对象编码", "类别"], [["改过的名称", obj.code, "企业"]])
    result = run(alice, "entities", data)
    assert result.updated == 1
    obj.refresh_from_db()
    assert obj.name == "改过的名称" and obj.address == "舞钢市原地址1号" and obj.risk_class.code == "B"


def test_it_accepts_reordered_columns_and_ignores_unknown_ones(alice):
    code = factories.uscc()
    hs = headers("entities")
    row = dict(zip(hs, entity_row(code), strict=True))
    order = list(reversed(hs)) + ["备注"]
    result = run(alice, "entities", xlsx_bytes(order, [[row.get(h, "随便写") for h in order]]))
    assert result.new == 1 and result.ignored_columns == ["备注"]


def test_it_refuses_a_file_without_the_required_columns(alice):
    with pytest.raises(ImportFileError, match="缺少必填列：类别"):
        run(alice, "entities", xlsx_bytes(["统一社会信用代码/对象编码", "名称"], [["x", "y"]]))
    with pytest.raises(ImportFileError, match="表头"):
        run(alice, "entities", xlsx_bytes(["甲", "乙"], [["x", "y"]]))


def test_it_refuses_an_old_xls_file(alice):
    with pytest.raises(ImportFileError, match=r"\.xls"):
        run(alice, "entities", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, filename="a.xls")


def test_it_reads_utf8_csv_with_a_bom(alice):
    code = factories.uscc()
    data = csv_bytes(headers("entities"), [entity_row(code, "带BOM的企业")], "utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    result = run(alice, "entities", data, filename="a.csv")
    assert result.new == 1 and InspectionObject.objects.get(code=code).name == "带BOM的企业"


def test_it_reads_utf8_csv_without_a_bom(alice):
    code = factories.uscc()
    result = run(
        alice, "entities", csv_bytes(headers("entities"), [entity_row(code, "无BOM")], "utf-8"), "a.csv"
    )
    assert result.new == 1 and InspectionObject.objects.get(code=code).name == "无BOM"


def test_it_reads_gb18030_csv(alice):
    code = factories.uscc()
    data = csv_bytes(
        headers("entities"),
        [entity_row(code, "舞钢市垭口街道商店", **{"乡镇（街道）": "垭口街道"})],
        "gb18030",
    )
    result = run(alice, "entities", data, filename="wps导出.csv")
    assert result.ok, result.errors
    obj = InspectionObject.objects.get(code=code)
    assert obj.name == "舞钢市垭口街道商店" and obj.region.name == "垭口街道"


def test_it_normalises_numbers_and_dates_typed_into_xlsx_cells(alice):
    row = inspector_row("41048100001")
    hs = headers("inspectors")
    row[hs.index("发证日期")] = datetime.datetime(2022, 3, 1)  # noqa: DTZ001 - Excel cells carry no time zone
    row[hs.index("有效期至")] = datetime.date(2028, 2, 29)
    row[hs.index("联系电话")] = 13812341234  # typed as a number
    row[hs.index("执法证号")] = 41048100001
    result = run(alice, "inspectors", xlsx_bytes(hs, [row]))
    assert result.ok, result.errors
    ins = Inspector.objects.get(cert_no="41048100001")
    assert ins.cert_issued == datetime.date(2022, 3, 1) and ins.cert_expires == datetime.date(2028, 2, 29)
    assert ins.phone == "13812341234"
    assert ins.code == f"I{ins.pk:07d}"


def test_it_reads_a_float_count_and_a_percent_ratio(alice):
    code = factories.uscc()
    result = run(
        alice, "entities", xlsx_bytes(headers("entities"), [entity_row(code, 近12个月投诉举报数=3.0)])
    )
    assert result.ok, result.errors
    assert InspectionObject.objects.get(code=code).complaints_12m == 3
    result = run(
        alice,
        "items",
        xlsx_bytes(headers("items"), [item_row("SCJG-900", 默认抽查比例=0.05, 比例上限="10%")]),
    )
    assert result.ok, result.errors
    item = CheckItem.objects.get(code="SCJG-900")
    assert str(item.default_ratio.normalize()) == "0.05" and str(item.ratio_cap.normalize()) == "0.1"


def test_an_18_digit_code_typed_as_a_number_is_refused_with_its_check_character(alice):
    # Excel keeps 15 significant digits: the code comes back altered and its check character no longer fits.
    result = run(alice, "entities", xlsx_bytes(headers("entities"), [entity_row(914104810000000001)]))
    assert not result.ok and result.errors[0][1] == "统一社会信用代码/对象编码"


def test_it_reports_duplicates_within_the_file_naming_the_earlier_row(alice):
    code = factories.uscc()
    rows = [entity_row(code), entity_row(factories.uscc()), entity_row(code.lower())]
    result = run(alice, "entities", xlsx_bytes(headers("entities"), rows))
    assert result.errors == [(4, "统一社会信用代码/对象编码", f"与第2行重复（{code}）")]
    assert InspectionObject.objects.count() == 0


def test_it_rejects_a_wrong_uscc_check_character_and_forbidden_letters(alice):
    body = "91410481MA0000000"
    rows = [
        entity_row(bad_check_char(factories.uscc())),
        entity_row("91410481MA00000O0X"),  # the letter O is not used in USCCs
        entity_row("9141048100000000"),  # too short
    ]
    result = run(alice, "entities", xlsx_bytes(headers("entities"), rows))
    assert [e[0] for e in result.errors] == [2, 3, 4]
    assert all(e[1] == "统一社会信用代码/对象编码" for e in result.errors)
    assert "O" in result.errors[1][2]
    assert "18位" in result.errors[2][2]
    assert len(body) == 17


def test_it_rejects_an_id_number_with_an_impossible_birth_date(alice):
    body = "41048119900230123"  # 30 February
    row = inspector_row("41048100002", 身份证号=body + id_check_char(body))
    result = run(alice, "inspectors", xlsx_bytes(headers("inspectors"), [row]))
    [(number, column, reason)] = result.errors
    assert (number, column) == (2, "身份证号") and "出生日期" in reason


def test_it_lists_every_error_of_a_row_in_chinese(alice):
    row = inspector_row("", 有效期至="明年", 联系电话="12345", 状态="出差")
    result = run(alice, "inspectors", xlsx_bytes(headers("inspectors"), [row]))
    columns = {c for _, c, _ in result.errors}
    assert columns == {"执法证号", "有效期至", "联系电话", "状态"}
    assert ("执法证号", "必填项不能为空") in [(c, r) for _, c, r in result.errors]


def test_bob_cannot_import_inspectors_of_scjg(bob):
    rows = [inspector_row("41048100003", department="WJW"), inspector_row("41048100004", department="SCJG")]
    result = run(bob, "inspectors", xlsx_bytes(headers("inspectors"), rows))
    assert result.errors == [(3, "所属部门", "只能导入本部门的人员")]
    assert Inspector.objects.count() == 0


def test_bob_cannot_take_over_an_scjg_inspector_by_its_certificate_number(bob):
    ins = factories.inspector("SCJG")
    result = run(bob, "inspectors", xlsx_bytes(headers("inspectors"), [inspector_row(ins.cert_no, "WJW")]))
    assert not result.ok and result.errors[0][1] == "所属部门" and "其他部门" in result.errors[0][2]


def test_bob_cannot_import_scjg_items(bob):
    result = run(bob, "items", xlsx_bytes(headers("items"), [item_row("SCJG-777", "SCJG")]))
    assert result.errors == [(2, "责任部门", "只能导入本部门的事项")]


def test_only_users_who_keep_the_entity_registry_import_entities(bob, amy):
    data = xlsx_bytes(headers("entities"), [entity_row(factories.uscc())])
    with pytest.raises(PermissionDenied):
        run(bob, "entities", data)
    assert run(amy, "entities", data).new == 1


def test_a_clerk_cannot_import_inspectors(amy):
    with pytest.raises(PermissionDenied):
        run(amy, "inspectors", xlsx_bytes(headers("inspectors"), [inspector_row("41048100005")]))


def test_a_dry_run_writes_nothing_but_reports_what_would_happen(alice):
    existing = factories.entity()
    rows = [entity_row(existing.code, "新名称"), entity_row(factories.uscc())]
    result = run(alice, "entities", xlsx_bytes(headers("entities"), rows), dry_run=True)
    assert (result.new, result.updated, result.written) == (1, 1, False)
    assert InspectionObject.objects.count() == 1 and not AuditEvent.objects.exists()


def test_item_import_creates_a_version_for_each_new_and_changed_item(alice):
    data = xlsx_bytes(headers("items"), [item_row("SCJG-101"), item_row("SCJG-102")])
    run(alice, "items", data, reason="年度清单调整")
    item = CheckItem.objects.get(code="SCJG-101")
    assert item.version == 1
    v1 = item.versions.get()
    assert v1.reason == "年度清单调整" and v1.changed_by == alice and v1.data["name"] == "企业公示信息抽查"

    changed = xlsx_bytes(
        headers("items"), [item_row("SCJG-101", 事项名称="企业年报抽查"), item_row("SCJG-102")]
    )
    result = run(alice, "items", changed)
    assert (result.updated, result.unchanged) == (1, 1)
    item.refresh_from_db()
    assert item.version == 2 and item.name == "企业年报抽查"
    v2 = item.versions.get(version=2)
    assert "企业公示信息抽查 → 企业年报抽查" in v2.summary and v2.reason == "批量导入"
    assert (
        v2.data["name"] == "企业年报抽查" and item.versions.get(version=1).data["name"] == "企业公示信息抽查"
    )
    assert CheckItemVersion.objects.filter(item__code="SCJG-102").count() == 1

    run(alice, "items", changed)
    assert CheckItemVersion.objects.count() == 3


def test_an_item_import_is_judged_by_the_same_ratio_rules(alice):
    result = run(alice, "items", xlsx_bytes(headers("items"), [item_row("SCJG-103", 比例上限="")]))
    assert result.errors == [(2, "比例上限", "一般检查事项必须设置比例上限（第八条）")]


def test_reimporting_a_masked_export_keeps_the_stored_personal_numbers(alice):
    ins = factories.inspector("SCJG", id_number=factories.id_number(n=456), phone="13912345678")
    data = export_workbook("inspectors", Inspector.objects.all(), unmasked=False)
    result = run(alice, "inspectors", data)
    assert result.ok, result.errors
    assert (result.unchanged, result.updated) == (1, 0)
    ins.refresh_from_db()
    assert ins.phone == "13912345678" and ins.id_number == factories.id_number(n=456)


def test_a_masked_number_cannot_create_an_inspector(alice):
    row = inspector_row("41048100009", 身份证号="4104**********123X")
    result = run(alice, "inspectors", xlsx_bytes(headers("inspectors"), [row]))
    assert result.errors[0][1] == "身份证号" and "脱敏" in result.errors[0][2]


def test_blank_rows_are_ignored_and_row_numbers_stay_those_of_excel(alice):
    rows = [entity_row(factories.uscc()), [None] * 12, ["", "  "], entity_row("bad")]
    result = run(alice, "entities", xlsx_bytes(headers("entities"), rows))
    assert result.rows == 2 and [e[0] for e in result.errors] == [5]


def test_imported_inspectors_get_their_stable_codes(olivia, alice):
    rows = [inspector_row(f"4104810002{i}") for i in range(3)]
    run(alice, "inspectors", xlsx_bytes(headers("inspectors"), rows))
    assert all(i.code == f"I{i.pk:07d}" for i in Inspector.objects.all())


def test_a_code_inserted_concurrently_aborts_the_import_with_a_message(alice, monkeypatch):
    taken = factories.entity()
    # As if another import inserted the same code after this one looked it up.
    monkeypatch.setattr(
        "shuangsuiji.directory.importing._Importer._existing", lambda self, batch, present: {}
    )
    data = xlsx_bytes(headers("entities"), [entity_row(factories.uscc()), entity_row(taken.code)])
    with pytest.raises(ImportFileError, match="同时新增了相同编码"):
        run(alice, "entities", data)
    assert InspectionObject.objects.count() == 1 and not AuditEvent.objects.exists()


def test_lists_are_stored_as_lists(alice):
    run(alice, "inspectors", xlsx_bytes(headers("inspectors"), [inspector_row("41048100051")]))
    assert Inspector.objects.get(cert_no="41048100051").qualifications == ["食品", "特种设备"]


def test_the_error_report_survives_control_characters_in_cells(alice):
    from openpyxl import load_workbook

    from shuangsuiji.directory.workbooks import error_workbook

    result = run(
        alice, "entities", csv_bytes(headers("entities"), [entity_row("bad", "名称\x0b含控制符")]), "a.csv"
    )
    data = error_workbook("entities", result.headers, result.error_rows, result.errors)
    rows = list(load_workbook(io.BytesIO(data))["错误行"].iter_rows(values_only=True))
    assert rows[1][0] == 2 and rows[1][2] == "名称含控制符"


def test_reimporting_inspectors_and_items_changes_nothing(alice):
    inspectors = xlsx_bytes(
        headers("inspectors"), [inspector_row("41048100061"), inspector_row("41048100062")]
    )
    items = xlsx_bytes(headers("items"), [item_row("SCJG-201", 检查方式="实地核查;书面检查")])
    run(alice, "inspectors", inspectors)
    run(alice, "items", items)
    again = run(alice, "inspectors", inspectors), run(alice, "items", items)
    assert [(r.new, r.updated, r.unchanged) for r in again] == [(0, 0, 2), (0, 0, 1)]
    assert CheckItemVersion.objects.count() == 1


def test_rows_that_change_different_columns_keep_each_others_values(alice):
    # bulk_update writes every named field of every object: one row's changed column must not blank another's.
    a = factories.entity(name="舞钢市甲商贸有限公司")
    b = factories.entity(name="舞钢市乙商贸有限公司")
    rows = [
        entity_row(a.code, "舞钢市甲商贸有限公司（改名）", **{"住所（经营场所）": a.address}),
        entity_row(b.code, b.name, **{"住所（经营场所）": "舞钢市八台镇新址1号"}),
    ]
    result = run(alice, "entities", xlsx_bytes(headers("entities"), rows))
    assert result.updated == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.name == "舞钢市甲商贸有限公司（改名）" and a.address.startswith("舞钢市寺坡街道测试路")
    assert (b.name, b.address) == ("舞钢市乙商贸有限公司", "舞钢市八台镇新址1号")
