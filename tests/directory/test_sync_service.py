"""directory_sync: registration-change and risk-class files applied as one all-or-nothing, idempotent batch."""

import io

import pytest
from django.core.exceptions import PermissionDenied

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import (
    InspectionObject,
    ObjectKind,
    RegStatus,
    RiskClass,
    RiskClassHistory,
    SyncBatch,
)
from shuangsuiji.directory.syncing import SyncFileError, directory_sync
from tests import factories
from tests.directory.sync_helpers import reg_row, registration_file, risk_file

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-27")]


def sync(actor, data: bytes, filename="登记变更.xlsx", **kw):
    return directory_sync(actor=actor, file=io.BytesIO(data), filename=filename, **kw)


def snapshot():
    """Everything the sync may write, to compare before and after a refused file."""
    objects = list(
        InspectionObject.objects.order_by("code").values(
            "code", "name", "address", "reg_status", "risk_class_id"
        )
    )
    return objects, RiskClassHistory.objects.count(), SyncBatch.objects.count(), AuditEvent.objects.count()


def risk(code: str) -> RiskClass:
    return RiskClass.objects.get(code=code)


# --- registration ----------------------------------------------------------------------------------------------------


def test_a_registration_file_creates_new_entities_applies_changes_and_marks_those_that_left(olivia):
    renamed, moved, closed, revoked, left_town, same = (factories.entity() for _ in range(6))
    newcomer, shop = factories.uscc("1"), factories.uscc("2")
    data = registration_file(
        [
            reg_row(newcomer, "舞钢市新设商贸有限公司", "舞钢市寺坡街道新华路8号", "存续", change="新设"),
            reg_row(shop, "舞钢市老王烩面馆", "舞钢市垭口街道", "在业", change="新设"),
            reg_row(renamed.code, name="舞钢市改名后有限公司"),
            reg_row(moved.code, address="舞钢市八台镇工业路2号"),
            reg_row(closed.code, status="注销", change="注销"),
            reg_row(revoked.code, change="吊销"),
            reg_row(left_town.code, status="迁出", change="迁出"),
            reg_row(same.code, name=same.name, address=same.address, status="存续"),
        ]
    )
    result = sync(olivia, data)
    assert result.ok and result.written, result.errors
    assert (result.new, result.changed, result.left, result.unchanged) == (2, 2, 3, 1)

    created = InspectionObject.objects.get(code=newcomer)
    assert (created.name, created.kind, created.reg_status) == (
        "舞钢市新设商贸有限公司",
        ObjectKind.ENTERPRISE,
        "存续",
    )
    assert (
        InspectionObject.objects.get(code=shop).kind == ObjectKind.INDIVIDUAL
    )  # from the USCC's second digit
    renamed.refresh_from_db()
    moved.refresh_from_db()
    assert renamed.name == "舞钢市改名后有限公司" and renamed.address.startswith(
        "舞钢市寺坡街道"
    )  # blank: kept
    assert moved.address == "舞钢市八台镇工业路2号" and moved.reg_status == RegStatus.ACTIVE
    statuses = dict(
        InspectionObject.objects.filter(pk__in=[closed.pk, revoked.pk, left_town.pk]).values_list(
            "pk", "reg_status"
        )
    )
    assert statuses == {closed.pk: "注销", revoked.pk: "吊销", left_town.pk: "迁出"}
    assert not InspectionObject.objects.active().filter(pk__in=statuses).exists()


def test_it_is_audited_as_one_batch_event_with_the_counts(olivia):
    firm = factories.entity()
    result = sync(
        olivia,
        registration_file(
            [reg_row(firm.code, change="注销"), reg_row(factories.uscc(), "新公司", change="新设")]
        ),
    )
    [event] = AuditEvent.objects.filter(action="directory.sync_registration")
    assert event.pk == result.audit_event_id and event.actor == olivia
    assert event.after["new"] == 1 and event.after["left"] == 1 and event.after["rows"] == 2
    assert event.after["sha256"] == result.sha256
    assert event.after["changes"][firm.code] == {"reg_status": ["存续", "注销"]}
    batch = SyncBatch.objects.get()
    assert batch.counts["left"] == 1 and batch.applied_by_name == olivia.display_name


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_it_reads_csv_in_utf8_with_or_without_bom_and_in_gb18030(olivia, encoding):
    firm = factories.entity()
    data = registration_file(
        [reg_row(firm.code, name="舞钢市鑫垚商贸有限公司", change="变更")], fmt="csv", encoding=encoding
    )
    result = sync(olivia, data, filename="变更.csv")
    assert result.written and result.changed == 1
    firm.refresh_from_db()
    assert firm.name == "舞钢市鑫垚商贸有限公司"


def test_it_writes_nothing_when_one_row_is_invalid_and_names_each_row_and_field(olivia):
    firm, other = factories.entity(), factories.entity()
    before = snapshot()
    wrong = firm.code[:17] + ("0" if firm.code[17] != "0" else "1")
    data = registration_file(
        [
            reg_row(other.code, name="本应改名的公司"),  # valid, but must not be written either
            reg_row(wrong, change="注销"),
            reg_row(firm.code, day="2026-13-01"),
            reg_row(firm.code, change="关门"),
            reg_row(firm.code, status="存续", change="吊销"),
            reg_row(factories.uscc(), change="新设"),  # new without a name
            reg_row(firm.code, day="2026-12-31"),  # after today
        ]
    )
    result = sync(olivia, data)
    assert not result.ok and not result.written
    assert snapshot() == before
    by_row = {(row, column): reason for row, column, reason in result.errors}
    assert "校验" in by_row[(3, "统一社会信用代码")]
    assert "不是有效日期" in by_row[(4, "变更日期")]
    assert "不是可选值" in by_row[(5, "变更类型")] and "新设" in by_row[(5, "变更类型")]
    assert "与变更类型“吊销”不符" in by_row[(6, "登记状态")]
    assert "必须填写名称" in by_row[(7, "名称")]
    assert "晚于今天" in by_row[(8, "变更日期")]
    assert result.invalid == 6


def test_reimporting_the_same_file_changes_nothing_and_says_so(olivia):
    firm = factories.entity()
    data = registration_file(
        [reg_row(firm.code, change="吊销"), reg_row(factories.uscc(), "舞钢市再导入有限公司", change="新设")]
    )
    first = sync(olivia, data)
    assert first.written
    state = snapshot()
    again = sync(olivia, data)
    assert again.ok and again.nothing_to_change and not again.written
    assert (again.new, again.changed, again.left, again.unchanged) == (0, 0, 0, 2)
    assert snapshot() == state  # no object, batch or audit event
    assert [by for _, by in again.previous] == [olivia.display_name]


def test_a_dry_run_counts_what_would_change_and_writes_nothing(olivia):
    firm = factories.entity()
    before = snapshot()
    result = sync(olivia, registration_file([reg_row(firm.code, change="注销")]), dry_run=True)
    assert result.ok and result.left == 1 and not result.written
    assert snapshot() == before


def test_several_rows_of_one_entity_apply_in_date_order(olivia):
    firm = factories.entity()
    data = registration_file(
        [
            reg_row(firm.code, change="注销", day="2026-11-21"),
            reg_row(firm.code, name="舞钢市先改名有限公司", day="2026-11-20"),
        ]
    )
    result = sync(olivia, data)
    assert result.left == 1
    firm.refresh_from_db()
    assert (firm.name, firm.reg_status) == ("舞钢市先改名有限公司", "注销")


def test_an_entity_the_directory_never_held_that_left_is_skipped(olivia):
    gone = factories.uscc()
    result = sync(olivia, registration_file([reg_row(gone, "舞钢市已注销有限公司", change="注销")]))
    assert result.ok and result.skipped == 1 and not result.written
    assert not InspectionObject.objects.filter(code=gone).exists()


def test_only_the_office_may_apply_sync_files(alice, amy):
    data = registration_file([reg_row(factories.entity().code, change="注销")])
    for user in (alice, amy):
        with pytest.raises(PermissionDenied):
            sync(user, data)
    assert not SyncBatch.objects.exists()


def test_a_file_of_the_other_kind_or_without_the_columns_is_refused_in_chinese(olivia):
    data = risk_file([[factories.entity().code, "A", "2026-11-01"]])
    with pytest.raises(SyncFileError, match="这是一份信用风险分类文件，不是登记变更文件"):
        sync(olivia, data, kind="registration")
    from tests.directory.import_helpers import xlsx_bytes

    with pytest.raises(SyncFileError, match="无法判断文件类型"):
        sync(olivia, xlsx_bytes(["甲", "乙"], [["1", "2"]]))
    with pytest.raises(SyncFileError, match="缺少必填列：变更日期"):
        sync(olivia, xlsx_bytes(["统一社会信用代码", "变更类型"], [[factories.uscc(), "注销"]]))


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "变更.xls", "不支持旧版 Excel"),
        (b"PK\x03\x04 not really a zip", "变更.xlsx", "不是有效的 .xlsx"),
        (b"this is not a workbook", "变更.xlsx", "不是有效的 .xlsx"),
        ("统一社会信用代码,变更类型,变更日期\n".encode("utf-16"), "变更.csv", "CSV 文件无法读取"),
        (b"", "变更.csv", "文件是空的"),
    ],
)
def test_hostile_files_are_refused_in_chinese_and_write_nothing(olivia, data, filename, message):
    before = snapshot()
    with pytest.raises(SyncFileError, match=message):
        sync(olivia, data, filename=filename)
    assert snapshot() == before


# --- risk classes ----------------------------------------------------------------------------------------------------


def test_a_risk_file_applies_the_classes_as_one_batch_and_keeps_the_previous_ones(olivia):
    a, b, c = (
        factories.entity(risk_class=risk("A")),
        factories.entity(risk_class=risk("B")),
        factories.entity(risk_class=None),
    )
    outsider = factories.uscc()  # a firm of another city in the province's file
    result = sync(
        olivia,
        risk_file(
            [
                [a.code, "D", "2026-11-01"],
                [b.code, "B", "2026-11-01"],
                [c.code, "较高", "2026-11-01"],
                [outsider, "A", "2026-11-01"],
            ]
        ),
        filename="风险分类.xlsx",
    )
    assert result.kind == "risk" and result.written
    assert (result.changed, result.unchanged, result.skipped) == (2, 1, 1)
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.risk_class.code == "D" and c.risk_class.code == "C"
    history = RiskClassHistory.objects.get(object=a)
    assert (history.previous.code, history.risk_class.code, str(history.rated_on)) == ("A", "D", "2026-11-01")
    assert RiskClassHistory.objects.get(object=c).previous is None
    assert AuditEvent.objects.filter(action="directory.sync_risk").count() == 1

    # The next rating: the history keeps both changes, newest first.
    sync(
        olivia,
        risk_file([[a.code, "低", "2026-11-20"]], fmt="csv", encoding="gb18030"),
        filename="风险分类.csv",
    )
    a.refresh_from_db()
    assert a.risk_class.code == "A"
    assert [(h.previous.code, h.risk_class.code) for h in a.risk_history.all()] == [("D", "A"), ("A", "D")]


def test_reimporting_a_risk_file_changes_nothing_and_an_older_rating_does_not_override_a_newer_one(olivia):
    firm = factories.entity(risk_class=risk("B"))
    sync(olivia, risk_file([[firm.code, "C", "2026-11-20"]]))
    state = snapshot()
    again = sync(olivia, risk_file([[firm.code, "C", "2026-11-20"]]))
    assert again.nothing_to_change and not again.written and snapshot() == state
    older = sync(olivia, risk_file([[firm.code, "A", "2026-10-01"]]))
    assert older.stale == 1 and not older.written
    firm.refresh_from_db()
    assert firm.risk_class.code == "C"


def test_a_risk_file_with_a_bad_row_writes_nothing(olivia):
    good, other = factories.entity(risk_class=risk("A")), factories.entity(risk_class=risk("A"))
    before = snapshot()
    result = sync(
        olivia,
        risk_file(
            [
                [good.code, "D", "2026-11-01"],
                [other.code, "Z", "2026-11-01"],
                [other.code, "B", ""],
                [good.code, "C", "2026-11-01"],
            ]
        ),
    )
    assert not result.written and snapshot() == before
    by_row = {(row, column): reason for row, column, reason in result.errors}
    assert "不是信用风险分类" in by_row[(3, "信用风险分类")] and "A（低风险）" in by_row[(3, "信用风险分类")]
    assert by_row[(4, "评定日期")] == "必填项不能为空"
    assert "与第2行同一评定日期的分类不同" in by_row[(5, "信用风险分类")]
